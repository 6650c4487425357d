/**
 * The Attention Viewer in the real JupyterLab on two real-Keras models:
 * - a `.keras` model with its own TextVectorization layer and no tokenizer
 *   file (test/fixtures/keras/layers/text_vectorization.keras): it loads,
 *   says which tokenizer it uses, and shows the values the CLI gives;
 * - a variable-length GRU without attention
 *   (test/fixtures/keras/variable_length/): each text gets the prediction
 *   Keras gives it alone; with maxlen 12, Keras's after pad_sequences.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  closeBrowser,
  openLab,
  repoRoot,
  screenshot,
  withLab
} from './support/lab.mjs';

after(closeBrowser);

const KERAS = path.join(repoRoot, 'test', 'fixtures', 'keras');
const TV = path.join(KERAS, 'layers', 'text_vectorization.keras');
const VARIABLE = path.join(KERAS, 'variable_length');
const ORACLE = JSON.parse(
  fs.readFileSync(path.join(VARIABLE, 'gru_variable.json'), 'utf-8')
);
assert.ok(
  fs.existsSync(path.join(repoRoot, 'lib-node', 'cli', 'main.js')),
  'lib-node/ is missing: run npm run build:node (the CLI is the oracle)'
);

function copy(rootDir, files) {
  fs.mkdirSync(path.join(rootDir, 'models'), { recursive: true });
  for (const file of files) {
    fs.copyFileSync(file, path.join(rootDir, 'models', path.basename(file)));
  }
}

/** The payload the viewer shows now, or null. */
async function viewerPayload(page) {
  return page.evaluate(() => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      if (widget.hasClass('jp-CharAttention-viewer')) {
        return widget.content.payload;
      }
    }
    return null;
  });
}

/** Waits until the viewer shows a payload of `count` samples whose texts are `texts`. */
async function waitForPayload(page, texts, check = () => true) {
  for (let wait = 0; wait < 600; wait++) {
    const payload = await viewerPayload(page);
    if (
      payload &&
      payload.samples.length === texts.length &&
      payload.samples.every((s, i) => s.text === texts[i]) &&
      check(payload)
    ) {
      return payload;
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error('the viewer did not show the expected table');
}

async function openViewer(page, modelPath, tokenizerPath, texts) {
  await page.evaluate(
    ([model, tokenizer, lines]) =>
      window.jupyterapp.commands.execute('char-attention:open', {
        modelPath: model,
        ...(tokenizer ? { tokenizerPath: tokenizer } : {}),
        texts: lines
      }),
    [modelPath, tokenizerPath, texts]
  );
  await page.waitForFunction(
    () =>
      document.querySelector('.jp-CharAttention-panel')?.dataset.modelState ===
      'ready',
    null,
    { timeout: 90000 }
  );
  return page.locator('.jp-CharAttention-panel');
}

test('a .keras model with its own TextVectorization layer loads without a tokenizer file and shows the CLI values', async () => {
  const texts = ['Hello, World!', 'straße 123 ÄÖ'];
  await withLab('viewer-text-vectorization', {}, async ({ page, lab }) => {
    copy(lab.rootDir, [TV]);
    await openLab(page, lab);
    const panel = await openViewer(
      page,
      'models/text_vectorization.keras',
      null,
      texts
    );
    assert.equal(
      await panel.locator('.jp-CharAttention-modelStatus').textContent(),
      "Loaded models/text_vectorization.keras with the model's TextVectorization layer 'tv'."
    );
    assert.equal(
      await panel.locator('.jp-CharAttention-tokenizerPath').inputValue(),
      ''
    );
    const payload = await waitForPayload(page, texts);
    const cli = JSON.parse(
      execFileSync(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'char-attention.js'),
          'predict',
          '--model',
          TV,
          '--json',
          ...texts
        ],
        { cwd: repoRoot, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] }
      )
    );
    payload.samples.forEach((sample, i) => {
      const expected = cli.samples[i];
      assert.deepEqual(sample.mask, expected.mask);
      assert.ok(Math.abs(sample.prediction - expected.prediction) <= 1e-6);
      sample.attention.forEach((value, p) => {
        const want = expected.attention[p];
        if (want === null) {
          assert.equal(value, null);
        } else {
          assert.ok(
            Math.abs(value - want) <= 1e-6,
            `text ${i + 1} character ${p + 1}: ${value} vs CLI ${want}`
          );
        }
      });
    });
    await screenshot(page, 'viewer-text-vectorization');
  });
});

test('a variable-length model: each text predicted as Keras predicts it alone; maxlen pads them all', async () => {
  const texts = ORACLE.texts;
  await withLab('viewer-variable-length', {}, async ({ page, lab }) => {
    copy(lab.rootDir, [
      path.join(VARIABLE, 'gru_variable.keras'),
      path.join(VARIABLE, 'tokenizer.json')
    ]);
    await openLab(page, lab);
    const panel = await openViewer(
      page,
      'models/gru_variable.keras',
      'models/tokenizer.json',
      texts
    );
    assert.equal(
      await panel
        .locator('.jp-CharAttention-maxlen')
        .getAttribute('placeholder'),
      'each text’s own length'
    );
    const alone = await waitForPayload(page, texts);
    assert.equal(alone.meta.lengths, 'own');
    alone.samples.forEach((sample, i) =>
      assert.ok(
        Math.abs(sample.prediction - ORACLE.alone[i].prediction[0]) <= 1e-5,
        `text ${i + 1}: ${sample.prediction} vs Keras alone ${ORACLE.alone[i].prediction[0]}`
      )
    );
    await panel.locator('.jp-CharAttention-maxlen').fill('12');
    await panel.locator('.jp-CharAttention-maxlen').dispatchEvent('change');
    const padded = await waitForPayload(
      page,
      texts,
      payload => payload.meta.lengths === 'maxlen'
    );
    padded.samples.forEach((sample, i) =>
      assert.ok(
        Math.abs(sample.prediction - ORACLE.maxlen.predictions[i]) <= 1e-5,
        `text ${i + 1}: ${sample.prediction} vs Keras maxlen 12 ${ORACLE.maxlen.predictions[i]}`
      )
    );
    await screenshot(page, 'viewer-variable-length');
  });
});
