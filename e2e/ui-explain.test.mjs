/**
 * Explanation methods in the real JupyterLab, on a small model without an
 * attention layer (a real-Keras fixture, test/fixtures/keras/explain/): the
 * Attention Viewer and right-click "Visualize Attention" give a table whose
 * header names the method (occlusion by default), with the values real Keras
 * computed; a long integrated-gradients run can be cancelled (it stops in the
 * model workers too) and the next run works. (A model with attention still
 * shows attention: ui-right-click.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  MIME,
  closeBrowser,
  newNotebook,
  openLab,
  repoRoot,
  runInActiveCell,
  screenshot,
  waitForIdleKernel,
  withLab
} from './support/lab.mjs';
import {
  assertWorkersStopped,
  modelWorkerTraffic,
  recordModelWorkerTraffic
} from './support/worker-traffic.mjs';
import {
  cellOutputs,
  printText,
  visualizeFromMenu,
  visualizePrinted
} from './support/notebook.mjs';

after(closeBrowser);

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'keras', 'explain');
const MODEL_FILE = 'rnn_pool.keras';
for (const file of [MODEL_FILE, 'rnn_pool.json', 'tokenizer.json']) {
  assert.ok(
    fs.existsSync(path.join(FIXTURES, file)),
    `test/fixtures/keras/explain/${file} is missing (npm run fixtures makes it)`
  );
}
assert.ok(
  fs.existsSync(path.join(repoRoot, 'src', 'explain', 'index.ts')),
  'the explanation methods (src/explain/index.ts) are missing'
);

/** Real Keras's explanations of the fixture's texts. */
const ORACLE = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, 'rnn_pool.json'), 'utf-8')
);
const MODEL = `models/${MODEL_FILE}`;
const TOKENIZER = 'models/tokenizer.json';
const SETTINGS = {
  'jupyterlab-char-attention:lab': {
    modelPath: MODEL,
    tokenizerPath: TOKENIZER
  }
};

function copyModel(rootDir) {
  fs.mkdirSync(path.join(rootDir, 'models'), { recursive: true });
  for (const file of [MODEL_FILE, 'tokenizer.json']) {
    fs.copyFileSync(
      path.join(FIXTURES, file),
      path.join(rootDir, 'models', file)
    );
  }
}

/** A short text's values per character: the last positions of the padded input. */
function expectedOcclusion(sample) {
  const values = sample.occlusion['1'];
  return values.slice(values.length - sample.tokens);
}

function assertClose(actual, expected, label) {
  assert.equal(actual.length, expected.length, label);
  actual.forEach((value, i) =>
    assert.ok(
      Math.abs(value - expected[i]) <= 1e-4,
      `${label} ${i}: ${value} vs Keras ${expected[i]}`
    )
  );
}

test('right-click on a model without attention: occlusion, named in the header, values of real Keras', async () => {
  const sample = ORACLE.samples[0];
  await withLab(
    'ui-explain-output',
    { settings: SETTINGS },
    async ({ page, lab }) => {
      copyModel(lab.rootDir);
      await openLab(page, lab);
      await newNotebook(page, lab);
      const rendered = await visualizePrinted(page, sample.text, {
        timeout: 120000
      });
      assert.equal(
        await rendered.locator('.jp-CharAttention-method b').textContent(),
        'occlusion'
      );
      const outputs = await cellOutputs(page, 0);
      const payload = outputs[1].data[MIME];
      assert.equal(payload.meta.method, 'occlusion');
      assertClose(
        payload.samples[0].attention,
        expectedOcclusion(sample),
        'occlusion'
      );
      await screenshot(page, 'ui-explain-output');
    }
  );
});

test('viewer on a model without attention: occlusion by default; cancel a long integrated-gradients run, the next run works', async () => {
  const sample = ORACLE.samples[0];
  await withLab('ui-explain-viewer', {}, async ({ page, lab }) => {
    copyModel(lab.rootDir);
    await recordModelWorkerTraffic(page);
    await openLab(page, lab);
    await page.evaluate(
      ([modelPath, tokenizerPath, text]) =>
        window.jupyterapp.commands.execute('char-attention:open', {
          modelPath,
          tokenizerPath,
          texts: [text]
        }),
      [MODEL, TOKENIZER, sample.text]
    );
    const panel = page.locator('.jp-CharAttention-panel');
    const method = panel.locator(
      '.jp-RenderedCharAttention .jp-CharAttention-method b'
    );
    await method.first().waitFor({ timeout: 120000 });
    const picker = panel.locator('.jp-CharAttention-methodPicker');
    assert.equal(await picker.inputValue(), 'occlusion');
    assert.equal(
      await picker.locator('option[value="attention"]').isDisabled(),
      true,
      'attention is not offered for a model without it'
    );
    assert.equal(await method.first().textContent(), 'occlusion');

    // A long run: integrated gradients with many steps over many texts.
    await picker.selectOption('integrated-gradients');
    await panel.locator('.jp-CharAttention-steps').fill('1024');
    await panel
      .locator('.jp-CharAttention-texts')
      .fill(
        Array.from({ length: 400 }, (_, i) => `${sample.text} ${i}`).join('\n')
      );
    const cancel = panel.locator('.jp-CharAttention-runCancel');
    // Typing restarts the run (debounced): cancel the run over the 400 texts,
    // not one that the texts replace.
    await panel
      .locator('.jp-CharAttention-runStatus', { hasText: ' of 400 ' })
      .waitFor({ timeout: 60000 });
    await cancel.waitFor({ state: 'visible', timeout: 30000 });
    await screenshot(page, 'ui-explain-progress');
    // Runs the typing replaced were cancelled before: only this Cancel counts.
    const sent = (await modelWorkerTraffic(page)).length;
    await cancel.click();
    await panel
      .locator('.jp-CharAttention-runStatus', { hasText: 'Cancelled' })
      .waitFor({ timeout: 10000 });
    assert.equal(await cancel.isVisible(), false);
    await assertWorkersStopped(page, { from: sent });

    // The next run works.
    await panel.locator('.jp-CharAttention-steps').fill('32');
    await panel.locator('.jp-CharAttention-texts').fill(sample.text);
    await panel
      .locator(
        '.jp-RenderedCharAttention .jp-CharAttention-fact[data-key="steps"]',
        {
          hasText: /^steps 32$/
        }
      )
      .waitFor({ timeout: 120000 });
    const values = await panel
      .locator('.jp-RenderedCharAttention td.jp-CharAttention-cell')
      .evaluateAll(cells => cells.map(cell => Number(cell.dataset.value)));
    const ig = sample.integratedGradients.values;
    assertClose(values, ig.slice(ig.length - sample.tokens), 'IG');
    await screenshot(page, 'ui-explain-viewer');
  });
});

/**
 * Lines of the right-click run that is cancelled. Integrated gradients with
 * adaptive steps (the right-click default) cost this model 33 gradient
 * passes per text in their first round, and the gradients are native and
 * spread over the workers: 400 lines are done within about a second, before
 * a test can see the progress and press Cancel. 12,000 lines are about
 * 400,000 passes, the work of the viewer's cancelled run above (400 texts of
 * 1024 steps): many seconds on a loaded two-core machine, still seconds on
 * a fast idle one; the run is cancelled long before its end anyway.
 */
const LONG_RUN_LINES = 12000;

test('right-click on many lines: progress with Cancel in the output area; cancelling leaves the outputs as they were, the next run works', async () => {
  const sample = ORACLE.samples[0];
  const settings = {
    'jupyterlab-char-attention:lab': {
      ...SETTINGS['jupyterlab-char-attention:lab'],
      explainMethod: 'integrated-gradients'
    }
  };
  await withLab('ui-explain-cancel', { settings }, async ({ page, lab }) => {
    copyModel(lab.rootDir);
    await recordModelWorkerTraffic(page);
    await openLab(page, lab);
    await newNotebook(page, lab);
    // Enough printed lines for a run that lasts on any machine (see LONG_RUN_LINES).
    await runInActiveCell(
      page,
      `for i in range(${LONG_RUN_LINES}):\n    print(${JSON.stringify(sample.text)}, i)`
    );
    const printed = page
      .locator('.jp-NotebookPanel .jp-Cell >> nth=0 >> .jp-OutputArea-child')
      .first();
    await printed.waitFor({ timeout: 30000 });
    await waitForIdleKernel(page);
    const before = await cellOutputs(page, 0);
    await visualizeFromMenu(page, printed);

    const progress = page.locator(
      '.jp-NotebookPanel .jp-Cell >> nth=0 >> .jp-CharAttention-outputProgress'
    );
    const status = progress.locator('.jp-CharAttention-outputProgressText', {
      hasText: / of \d+ gradient passes/
    });
    await status.waitFor({ timeout: 60000 });
    // The progress ends the 12,000 lines: in view for the screenshot.
    await progress.scrollIntoViewIfNeeded();
    await screenshot(page, 'ui-explain-output-progress');
    const value = await progress.locator('progress').evaluate(bar => bar.value);
    assert.ok(value >= 0 && value < 1, `progress ${value}`);
    // Still running when Cancel is pressed: fewer passes done than planned.
    const [done, planned] = (await status.textContent())
      .match(/(\d+) of (\d+) gradient passes/)
      .slice(1)
      .map(Number);
    assert.ok(done < planned, `cancelled mid-run: ${done} of ${planned}`);
    await progress.locator('button', { hasText: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached', timeout: 15000 });
    await page
      .locator('.Toastify__toast', { hasText: 'cancelled' })
      .first()
      .waitFor({ timeout: 10000 });
    assert.deepEqual(
      await cellOutputs(page, 0),
      before,
      'the outputs are as they were'
    );
    // The run stopped in the workers too, not only on the screen.
    await assertWorkersStopped(page);

    // The next run, on one line in a new cell below, gives its table (the
    // right-click made the first cell the active one).
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('notebook:insert-cell-below')
    );
    await printText(page, sample.text);
    await visualizeFromMenu(
      page,
      page
        .locator('.jp-NotebookPanel .jp-Cell >> nth=1 >> .jp-OutputArea-child')
        .first()
    );
    await page
      .locator(
        '.jp-NotebookPanel .jp-Cell >> nth=1 >> .jp-RenderedCharAttention td.jp-CharAttention-cell'
      )
      .first()
      .waitFor({ timeout: 120000 });
    const payload = (await cellOutputs(page, 1))[1].data[MIME];
    assert.equal(payload.meta.method, 'integrated-gradients');
    assert.equal(
      await page.locator('.jp-CharAttention-outputProgress').count(),
      0,
      'no progress left behind'
    );
  });
});
