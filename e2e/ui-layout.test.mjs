/**
 * How tables fit and read in the real JupyterLab: rows wrap to the width of
 * the output area (1440 px with the file browser open) and re-wrap when it
 * changes; hover and legend give values at the same precision; the usage hint
 * is shown once per output area; the Attention Viewer names the method and
 * offers the method picker; an untitled export is named attention.html.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  closeBrowser,
  displayBundleCode,
  newNotebook,
  openLab,
  runInActiveCell,
  screenshot,
  waitForIdleKernel,
  withLab
} from './support/lab.mjs';
import { MODEL, TOKENIZER, copyDemoModel } from './support/demo.mjs';
import { answerExportDialog } from './support/dialogs.mjs';

after(closeBrowser);

/** 200 characters, values from a fixed formula (no charsPerRow option). */
function longPayload() {
  const text = 'The screen arrived broken and support never answered. '
    .repeat(4)
    .slice(0, 200);
  const attention = Array.from(text, (_, i) => ((i * 37) % 101) / 2000);
  attention[5] = 0.04985887184739113;
  return { version: 1, title: 'Wide', text, attention };
}

/** Columns shown, whether the table overflows its scroll box. */
const layoutOf = table =>
  table.evaluate(node => {
    const scroll = node.querySelector('.jp-CharAttention-scroll');
    return {
      columns: node.querySelectorAll('thead th').length - 1,
      overflow: scroll.scrollWidth - scroll.clientWidth,
      width: node.clientWidth
    };
  });

test('rows wrap to the output width and re-wrap on resize; one hint per output area; hover precision', async () => {
  await withLab(
    'ui-fit',
    { viewport: { width: 1440, height: 900 } },
    async ({ page, lab }) => {
      await openLab(page, lab);
      await newNotebook(page, lab);
      const payload = longPayload();
      const code = displayBundleCode(payload, { html: null });
      // Three tables in one cell's outputs.
      await runInActiveCell(page, [code, code, code].join('\n'));
      const tables = page.locator(
        '.jp-NotebookPanel .jp-OutputArea-child .jp-RenderedCharAttention'
      );
      await tables.nth(2).locator('td').first().waitFor({ timeout: 30000 });
      await waitForIdleKernel(page);
      assert.ok(
        await page.locator('.jp-FileBrowser').isVisible(),
        'the file browser is open'
      );
      const table = tables.first();
      await page.waitForTimeout(500);
      const narrow = await layoutOf(table);
      await screenshot(page, 'ui-fit-1440-filebrowser');
      assert.ok(
        narrow.overflow <= 0,
        `no horizontal scroll: ${JSON.stringify(narrow)}`
      );
      assert.ok(narrow.columns >= 8, JSON.stringify(narrow));

      // Wider output area (left sidebar closed): more characters per row.
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('application:toggle-left-area')
      );
      await page.waitForFunction(
        ([selector, columns]) =>
          document.querySelector(selector)?.querySelectorAll('thead th')
            .length -
            1 >
          columns,
        [
          '.jp-NotebookPanel .jp-OutputArea-child .jp-RenderedCharAttention',
          narrow.columns
        ],
        { timeout: 10000 }
      );
      const wide = await layoutOf(table);
      assert.ok(wide.overflow <= 0, JSON.stringify(wide));
      assert.ok(
        wide.columns > narrow.columns,
        JSON.stringify({ narrow, wide })
      );

      // One usage hint for the three tables of the cell.
      assert.equal(
        await page.locator('.jp-CharAttention-hint:visible').count(),
        1
      );

      // Hover shows the value as the legend shows values (4 digits).
      await table.locator('td[data-pos="5"]').hover();
      assert.match(
        await table.locator('.jp-CharAttention-status').textContent(),
        /value 0\.04986$/
      );
      const legendMax = await table
        .locator('.jp-CharAttention-legendMax')
        .textContent();
      assert.match(legendMax, /^0\.\d{1,4}$/);
      assert.equal(
        await table.locator('td[data-pos="5"]').getAttribute('data-value'),
        '0.04985887184739113',
        'the exact value stays in the cell'
      );
    }
  );
});

test('Attention Viewer: header names the method, method picker, export named attention.html', async () => {
  await withLab('ui-viewer', {}, async ({ page, lab }) => {
    copyDemoModel(lab.rootDir);
    await openLab(page, lab);
    await page.evaluate(
      ([modelPath, tokenizerPath]) =>
        window.jupyterapp.commands.execute('char-attention:open', {
          modelPath,
          tokenizerPath,
          texts: ['The screen arrived BROKEN.']
        }),
      [MODEL, TOKENIZER]
    );
    const panel = page.locator('.jp-CharAttention-panel');
    await panel
      .locator('.jp-RenderedCharAttention td.jp-CharAttention-cell')
      .first()
      .waitFor({ timeout: 90000 });
    const picker = panel.locator('.jp-CharAttention-methodPicker');
    assert.equal(
      await picker.inputValue(),
      'attention',
      'attention by default'
    );
    assert.deepEqual(
      await picker
        .locator('option')
        .evaluateAll(options => options.map(option => option.value)),
      ['attention', 'occlusion', 'grad-x-input', 'integrated-gradients']
    );
    assert.equal(
      await panel.locator('.jp-CharAttention-method b').first().textContent(),
      'attention'
    );
    // Inputs of the chosen method only.
    const window = panel.locator('.jp-CharAttention-window');
    const steps = panel.locator('.jp-CharAttention-steps');
    assert.equal(await window.isVisible(), false);
    await picker.selectOption('integrated-gradients');
    assert.equal(await steps.isVisible(), true);
    assert.equal(await window.isVisible(), false);
    await picker.selectOption('occlusion');
    assert.equal(await window.isVisible(), true);
    await picker.selectOption('attention');
    await screenshot(page, 'viewer-methods');

    // No notebook, no title: the export is attention.html, not attention.attention.html.
    await panel.locator('.jp-CharAttention-export').click();
    await answerExportDialog(page, { proposed: 'attention.html' });
    await page
      .locator('.Toastify__toast', { hasText: 'Saved' })
      .first()
      .waitFor({ timeout: 10000 });
    assert.ok(fs.existsSync(path.join(lab.rootDir, 'attention.html')));
    assert.ok(
      !fs.existsSync(path.join(lab.rootDir, 'attention.attention.html'))
    );
  });
});
