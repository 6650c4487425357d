/**
 * Outputs stored in notebook files: rendered when opened untrusted from disk,
 * and still there after save, close and reopen.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  FALLBACK_HTML,
  MIME,
  closeBrowser,
  dismissListingRaceDialog,
  displayBundleCode,
  newNotebook,
  notebookWith,
  openLab,
  runInActiveCell,
  screenshot,
  withLab
} from './support/lab.mjs';
import { BATCH, PLOT_TEXT } from './support/payloads.mjs';

after(closeBrowser);

const RENDERED =
  '.jp-NotebookPanel .jp-OutputArea-output.jp-RenderedCharAttention';
const cellCount = [...PLOT_TEXT].length + 5;

test('a notebook opened from disk, untrusted, renders the table', async () => {
  const notebook = notebookWith([
    { type: 'markdown', source: '# Stored output' },
    {
      source: 'display_attention(...)',
      // A text/html fallback with script: an untrusted notebook must not run it.
      outputs: [
        {
          [MIME]: BATCH,
          'text/html': `${FALLBACK_HTML}<script>window.fallbackRan = true</script>`,
          'text/plain': 'fallback'
        }
      ]
    }
  ]);
  await withLab(
    'untrusted',
    { files: { 'stored.ipynb': notebook } },
    async ({ page, lab }) => {
      await openLab(page, lab, 'stored.ipynb');
      const output = page.locator(RENDERED);
      await output
        .locator('td.jp-CharAttention-cell')
        .first()
        .waitFor({ timeout: 30000 });
      await screenshot(page, 'untrusted-from-disk');
      const trusted = await page.evaluate(() => {
        const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
        return cells.get(1).trusted;
      });
      assert.equal(trusted, false, 'the notebook is untrusted');
      assert.equal(
        await output.locator('td.jp-CharAttention-cell').count(),
        cellCount
      );
      assert.equal(await page.locator('.char-attention-fallback').count(), 0);
      assert.equal(await page.evaluate(() => window.fallbackRan), undefined);
    }
  );
});

test('save, close and reopen keeps the output and renders it', async () => {
  await withLab('reopen', {}, async ({ page, lab, errors }) => {
    await openLab(page, lab);
    await newNotebook(page);
    await runInActiveCell(page, displayBundleCode(BATCH));
    await page
      .locator(`${RENDERED} td.jp-CharAttention-cell`)
      .first()
      .waitFor({ timeout: 30000 });

    // First save of an untitled notebook: JupyterLab asks for a name.
    await page.keyboard.press('Control+s');
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor({ timeout: 10000 });
    await dialog
      .locator('input.jp-mod-styled[type="text"], input')
      .first()
      .fill('saved.ipynb');
    await dialog.locator('button.jp-mod-accept').click();
    await page.waitForFunction(
      () => {
        const context = window.jupyterapp.shell.currentWidget.context;
        return context.path === 'saved.ipynb' && !context.model.dirty;
      },
      null,
      { timeout: 15000 }
    );
    const saved = JSON.parse(
      fs.readFileSync(path.join(lab.rootDir, 'saved.ipynb'), 'utf-8')
    );
    const outputs = saved.cells.flatMap(cell => cell.outputs ?? []);
    assert.equal(outputs.length, 1);
    assert.deepEqual(
      outputs[0].data[MIME],
      BATCH,
      'the payload is saved unchanged'
    );
    await dismissListingRaceDialog(page, { errors });

    await page
      .locator(
        '.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon'
      )
      .click();
    await page
      .locator('.jp-NotebookPanel')
      .waitFor({ state: 'detached', timeout: 15000 });
    await screenshot(page, 'reopen-closed');

    await page.locator('.jp-DirListing-item[title*="saved.ipynb"]').dblclick();
    const output = page.locator(RENDERED);
    await output
      .locator('td.jp-CharAttention-cell')
      .first()
      .waitFor({ timeout: 30000 });
    await screenshot(page, 'reopen-rendered');
    assert.equal(
      await output.locator('td.jp-CharAttention-cell').count(),
      cellCount
    );
    assert.equal(await page.locator('.char-attention-fallback').count(), 0);
  });
});
