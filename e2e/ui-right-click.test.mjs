/**
 * Right-click "Visualize Attention" in the real JupyterLab with the demo
 * model: several printed lines give one sample per line; a text longer than
 * the model's input gives a table with the truncated characters masked and a
 * notice; the context menu keeps the extension's items together under one
 * separator, after the notebook's own items; the header names the method.
 *
 * Expected values come from the CLI (`char-attention predict --json`), a
 * separate path through the same model files in Node.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  DEMO_SETTINGS,
  assertDemoModel,
  assertSamplesMatchCli,
  cliPredict,
  copyDemoModel
} from './support/demo.mjs';
import {
  MIME,
  closeBrowser,
  newNotebook,
  openLab,
  runInActiveCell,
  screenshot,
  waitForIdleKernel,
  withLab
} from './support/lab.mjs';
import {
  cellOutputs,
  firstCellTable,
  menuItems,
  visualizePrinted
} from './support/notebook.mjs';

after(closeBrowser);

const SETTINGS = DEMO_SETTINGS;
assertDemoModel({ cli: true });

const LINES = [
  'The screen arrived BROKEN, I want a refund.',
  'Lovely kettle, boils fast and looks great.',
  'Terrible support, never again.'
];

for (const app of ['lab', 'notebook']) {
  test(`${app}: several printed lines give one sample per line; menu items grouped under one separator`, async () => {
    await withLab(
      `ui-lines-${app}`,
      {
        app,
        settings: SETTINGS,
        viewport: { width: 1440, height: 900 }
      },
      async ({ page, lab }) => {
        copyDemoModel(lab.rootDir);
        await openLab(page, lab);
        await newNotebook(page, lab);
        await runInActiveCell(
          page,
          `for t in ${JSON.stringify(LINES)}:\n    print(t)`
        );
        const printed = page
          .locator('.jp-NotebookPanel .jp-OutputArea-child', {
            hasText: LINES[0]
          })
          .first();
        await printed.waitFor({ timeout: 30000 });
        await waitForIdleKernel(page);

        await printed.click({ button: 'right' });
        await page
          .locator('.lm-Menu .lm-Menu-item', { hasText: 'Visualize Attention' })
          .waitFor({ timeout: 10000 });
        const onOutput = await menuItems(page);
        await screenshot(page, `ui-menu-output-${app}`);
        const at = onOutput.indexOf('Visualize Attention');
        assert.ok(at > 0, `Visualize Attention in ${JSON.stringify(onOutput)}`);
        assert.equal(onOutput[at - 1], '---', 'one separator before our group');
        assert.ok(
          onOutput.indexOf('Clear Cell Output') < at,
          `the notebook's items come first: ${JSON.stringify(onOutput)}`
        );
        await page
          .locator('.lm-Menu .lm-Menu-item', { hasText: 'Visualize Attention' })
          .click();

        const rendered = firstCellTable(page);
        await rendered
          .locator('td.jp-CharAttention-cell')
          .first()
          .waitFor({ timeout: 90000 });
        const outputs = await cellOutputs(page, 0);
        assert.equal(outputs.length, 2, 'one new output');
        const payload = outputs[1].data[MIME];
        assert.deepEqual(
          payload.samples.map(sample => sample.text),
          LINES,
          'one sample per printed line'
        );
        assertSamplesMatchCli(payload.samples, cliPredict(LINES));
        assert.equal(payload.meta.method, 'attention');
        assert.deepEqual(
          await rendered
            .locator('.jp-CharAttention-method b')
            .evaluateAll(nodes => nodes.map(node => node.textContent)),
          ['attention', 'attention', 'attention'],
          'every header names the method'
        );
        // The usage hint once per output area.
        assert.equal(
          await rendered.locator('.jp-CharAttention-hint:visible').count(),
          1
        );

        // On the table: our four items together, one separator before them,
        // nothing of the notebook's in between.
        await rendered
          .locator('td.jp-CharAttention-cell')
          .first()
          .click({ button: 'right' });
        await page
          .locator('.lm-Menu .lm-Menu-item', {
            hasText: 'Copy Attention as HTML'
          })
          .waitFor({ timeout: 10000 });
        const onTable = await menuItems(page);
        await screenshot(page, `ui-menu-table-${app}`);
        const first = onTable.indexOf('Open Attention in Viewer');
        assert.ok(first > 0, JSON.stringify(onTable));
        assert.deepEqual(onTable.slice(first - 1, first + 4), [
          '---',
          'Open Attention in Viewer',
          'Export Attention as HTML…',
          'Copy Attention as HTML',
          'Copy Attention Values as TSV'
        ]);
        assert.ok(onTable.indexOf('Clear Cell Output') < first);
        for (let i = 1; i < onTable.length; i++) {
          assert.ok(
            !(onTable[i] === '---' && onTable[i - 1] === '---'),
            `no doubled separators: ${JSON.stringify(onTable)}`
          );
        }
        await page.keyboard.press('Escape');
      }
    );
  });
}

test('a text longer than the model input: truncated characters masked, with a notice', async () => {
  // The demo model reads 80 characters; Keras truncates at the front.
  const long =
    'At first the kettle seemed fine and it boiled water quickly, but then it arrived BROKEN.';
  assert.ok(long.length > 80);
  await withLab('ui-long', { settings: SETTINGS }, async ({ page, lab }) => {
    copyDemoModel(lab.rootDir);
    await openLab(page, lab);
    await newNotebook(page, lab);
    const rendered = await visualizePrinted(page, long);
    const payload = (await cellOutputs(page, 0))[1].data[MIME];
    const sample = payload.samples[0];
    const masked = long.length - 80;
    assert.deepEqual(
      sample.mask,
      Array.from(long, (_, i) => i >= masked),
      'the first characters are masked (truncating pre)'
    );
    assertSamplesMatchCli([sample], cliPredict([long]));
    assert.equal(
      await rendered.locator('td.jp-CharAttention-masked').count(),
      masked
    );
    const meta = await rendered.locator('.jp-CharAttention-note').textContent();
    assert.match(
      meta,
      new RegExp(
        `the first ${masked} of ${long.length} characters are not seen by the model`
      )
    );
    assert.match(
      await rendered.locator('.jp-CharAttention-summary').textContent(),
      new RegExp(`${masked} masked`)
    );
    // The user is told in a notification too.
    await page
      .locator('.Toastify__toast', { hasText: 'truncated' })
      .first()
      .waitFor({ timeout: 10000 });
    await screenshot(page, 'ui-long-text');
  });
});
