/**
 * The Attention Explorer in the real JupyterLab and Notebook 7: a 2,000-row
 * CSV (generated here) opened from the file browser (JupyterLab) or the
 * command palette's file dialog (Notebook 7, whose notebook page has no file
 * browser), run with the demo model, sorted by loss, filtered to errors,
 * three rows selected and their tables shown with their scores, inserted
 * into the notebook, and still rendered after a reload; a run cancelled
 * midway keeps the rows done; the Attention Viewer's "Evaluate a test
 * set…" opens the explorer with the viewer's model, and the method option
 * fields (from the registry) reach the explanations.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  closeBrowser,
  notebookWith,
  openLab,
  screenshot,
  waitForIdleKernel,
  withLab
} from './support/lab.mjs';
import {
  copyDemoModel,
  loadDemoInViewer,
  MODEL,
  TOKENIZER
} from './support/demo.mjs';
import {
  EXPLORER,
  explorerPayload,
  explorerState,
  gridColumn,
  gridHeader,
  gridRowPoint,
  reviewsCsv,
  waitForExplained,
  waitForState
} from './support/explorer.mjs';
import { cellOutputs, NOTEBOOK, outputCounts } from './support/notebook.mjs';

after(closeBrowser);

const ROWS = 2000;

function files(rows = ROWS) {
  return {
    'reviews.csv': reviewsCsv(rows, 3),
    'explore.ipynb': notebookWith([{ source: '# explorer tables below' }])
  };
}

/** Picks `name` in the open file dialog. */
async function pickInDialog(page, name) {
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('.jp-DirListing-item', { hasText: name }).click();
  await dialog.locator('button.jp-mod-accept').click();
}

/** Opens the explorer on reviews.csv: file browser (lab) or palette + file dialog (notebook). */
async function openExplorer(page, app) {
  if (app === 'lab') {
    const item = page.locator('.jp-DirListing-item', {
      hasText: 'reviews.csv'
    });
    await item.first().waitFor({ timeout: 30000 });
    await item.first().click({ button: 'right' });
    await page
      .locator('.lm-Menu .lm-Menu-item', {
        hasText: 'Open in Attention Explorer'
      })
      .click();
  } else {
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('apputils:activate-command-palette')
    );
    const input = page
      .locator('.jp-ModalCommandPalette input, .lm-CommandPalette-input')
      .first();
    await input.waitFor({ timeout: 10000 });
    await input.fill('Open Attention Explorer');
    await page
      .locator('.lm-CommandPalette-item', {
        hasText: 'Open Attention Explorer'
      })
      .first()
      .click();
    await pickInDialog(page, 'reviews.csv');
  }
  return explorerShown(page);
}

/** The explorer, once visible with room for its grid. */
async function explorerShown(page) {
  const explorer = page.locator(EXPLORER);
  await explorer.waitFor({ state: 'visible', timeout: 30000 });
  const box = await explorer.boundingBox();
  assert.ok(
    box && box.width > 300 && box.height > 300,
    `the explorer has room on screen: ${JSON.stringify(box)}`
  );
  return explorer;
}

/** Runs the model over the file (model typed in; the tokenizer next to it is found). */
async function runModel(page, explorer) {
  await explorer.locator('.jp-CharAttention-explorerModel').fill(MODEL);
  await explorer.locator('.jp-CharAttention-explorerTokenizer').fill('');
  await explorer
    .locator('.jp-CharAttention-explorerClasses')
    .fill('plain,trigger');
  await explorer.locator('.jp-CharAttention-explorerRun').click();
}

async function scenario(app) {
  await withLab(
    `explorer-${app}`,
    {
      app,
      files: files(),
      viewport: { width: 1400, height: 900 }
    },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab, 'explore.ipynb');
      await waitForIdleKernel(page);
      // The notebook's code cell is the active cell the tables go into.
      await page.locator('.jp-NotebookPanel .jp-Cell').first().click();
      const explorer = await openExplorer(page, app);
      await runModel(page, explorer);
      let state = await waitForState(page, ['done', 'error', 'cancelled']);
      assert.equal(
        state.state,
        'done',
        await explorer.locator('.jp-CharAttention-explorerStatus').textContent()
      );
      assert.equal(Number(state.rows), ROWS);
      assert.equal(
        await explorer
          .locator('.jp-CharAttention-explorerTokenizer')
          .inputValue(),
        TOKENIZER,
        'the tokenizer next to the model is found'
      );
      const accuracy = await explorer
        .locator('[data-fact="accuracy"] b')
        .textContent();
      assert.match(accuracy, /^\d+(\.\d)?%$/);
      assert.equal(
        await explorer
          .locator('.jp-CharAttention-explorerConfusion td')
          .count(),
        4
      );

      // A click on the "row" header sorts by row (ascending), a second click flips it.
      for (const arrow of ['▲', '▼']) {
        const header = await gridRowPoint(page, -1, 30);
        await page.mouse.click(header.x, header.y);
        assert.equal(await gridHeader(page, 0), `row ${arrow}`);
      }
      assert.deepEqual((await gridColumn(page, 'row', 0, 3)).map(Number), [
        ROWS,
        ROWS - 1,
        ROWS - 2
      ]);

      // Sort by loss (descending) with the keyboard-accessible sort field.
      await explorer
        .locator('.jp-CharAttention-explorerSort')
        .selectOption('loss');
      const losses = (await gridColumn(page, 'loss', 0, 200)).map(Number);
      assert.equal(losses.length, 200);
      assert.deepEqual(
        [...losses].sort((a, b) => b - a),
        losses,
        'sorted by loss, largest first'
      );

      // Errors only.
      await explorer.locator('.jp-CharAttention-explorerErrors').check();
      state = await explorerState(page);
      const visible = Number(state.visible);
      assert.ok(visible > 0 && visible < ROWS, `errors: ${visible} of ${ROWS}`);
      const marks = await gridColumn(page, 'correct', 0, visible);
      assert.ok(
        marks.every(mark => mark === '✗'),
        'only wrong predictions'
      );

      // Select three rows (click, shift+click) and see their tables with scores.
      const first = await gridRowPoint(page, 0);
      const third = await gridRowPoint(page, 2);
      await page.mouse.click(first.x, first.y);
      await page.keyboard.down('Shift');
      await page.mouse.click(third.x, third.y);
      await page.keyboard.up('Shift');
      const details = explorer.locator('.jp-CharAttention-explorerDetails');
      await waitForExplained(page, 3);
      // The payload shown holds the three rows; the renderer draws those in view.
      const titles = (await explorerPayload(page)).samples.map(s => s.title);
      assert.equal(titles.length, 3);
      const headers = await details
        .locator('.jp-CharAttention-sample')
        .allTextContents();
      assert.ok(headers.length >= 1, 'at least one table drawn');
      for (const text of [...titles, ...headers]) {
        assert.match(text, /comprehensiveness -?\d/);
        assert.match(text, /sufficiency -?\d/);
        assert.match(text, /τ\(attention, occlusion\) (-?\d|–)/);
      }
      const chars = explorer.locator('.jp-CharAttention-explorerBars li');
      assert.ok((await chars.count()) > 0, 'characters the model relies on');
      await screenshot(page, `explorer-${app}`);

      // Insert into the notebook, save, reload: the tables and summary render.
      await explorer.locator('.jp-CharAttention-explorerInsert').click();
      await page.waitForFunction(
        notebook =>
          eval(notebook).content.model.cells.get(0).outputs.length === 2,
        NOTEBOOK,
        { timeout: 10000 }
      );
      assert.deepEqual(await outputCounts(page), [2]);
      const outputs = await cellOutputs(page, 0);
      assert.ok(
        outputs.every(o => o.data['text/html']),
        'each output carries its static HTML copy'
      );
      await page.evaluate(notebook => eval(notebook).context.save(), NOTEBOOK);
      await openLab(page, lab, 'explore.ipynb');
      const rendered = page.locator(
        '.jp-NotebookPanel .jp-RenderedCharAttention .jp-CharAttention-sample'
      );
      // The three tables (drawn one after another).
      await page.waitForFunction(
        selector => document.querySelectorAll(selector).length >= 3,
        '.jp-NotebookPanel .jp-RenderedCharAttention .jp-CharAttention-sample',
        { timeout: 30000 }
      );
      assert.equal(await rendered.count(), 3);
      assert.equal(
        await page
          .locator('.jp-NotebookPanel .jp-OutputArea-output .cae')
          .count(),
        1,
        'the summary output renders'
      );
      await screenshot(page, `explorer-${app}-reloaded`);
    }
  );
}

test('JupyterLab: open a 2,000-row CSV, run, sort, filter, select, insert, reload', () =>
  scenario('lab'));

test('Notebook 7: open a 2,000-row CSV, run, sort, filter, select, insert, reload', () =>
  scenario('notebook'));

test('Cancel mid-run keeps the rows done; the model choice is remembered', async () => {
  const rows = 40000;
  await withLab(
    'explorer-cancel',
    { files: files(rows), viewport: { width: 1400, height: 900 } },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      let explorer = await openExplorer(page, 'lab');
      await runModel(page, explorer);
      await page.waitForFunction(
        selector => Number(document.querySelector(selector)?.dataset.rows) > 0,
        EXPLORER,
        { timeout: 120000 }
      );
      await explorer.locator('.jp-CharAttention-explorerCancel').click();
      const state = await waitForState(page, ['cancelled', 'done', 'error']);
      assert.equal(state.state, 'cancelled');
      const kept = Number(state.rows);
      assert.ok(kept > 0 && kept < rows, `kept ${kept} of ${rows}`);
      assert.equal(Number(state.visible), kept, 'the grid shows them');
      assert.match(
        await explorer
          .locator('.jp-CharAttention-explorerStatus')
          .textContent(),
        new RegExp(`Cancelled: ${kept} of ${rows} rows kept`)
      );
      // Keyboard: Tab from the last filter reaches the grid (first row
      // selected), arrow keys move, Shift extends the selection.
      await explorer.locator('.jp-CharAttention-explorerDescending').focus();
      await page.keyboard.press('Tab');
      assert.ok(
        await explorer
          .locator('.jp-CharAttention-explorerGrid .lm-DataGrid-viewport')
          .evaluate(node => node === document.activeElement)
      );
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await waitForExplained(page, 2);
      // Reload: a new explorer offers the model used last.
      await openLab(page, lab);
      explorer = await openExplorer(page, 'lab');
      assert.equal(
        await explorer.locator('.jp-CharAttention-explorerModel').inputValue(),
        MODEL
      );
      assert.equal(
        await explorer
          .locator('.jp-CharAttention-explorerClasses')
          .inputValue(),
        'plain,trigger'
      );
    }
  );
});

test('the viewer\'s "Evaluate a test set…" opens the explorer with its model; option fields reach the methods', async () => {
  await withLab(
    'explorer-from-viewer',
    {
      // No default model in the settings: the explorer's model comes from the viewer.
      files: { 'small.csv': reviewsCsv(60, 9) },
      viewport: { width: 1400, height: 900 }
    },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('char-attention:open')
      );
      const panel = await loadDemoInViewer(page);
      await panel.locator('.jp-CharAttention-openExplorer').click();
      await pickInDialog(page, 'small.csv');
      const explorer = await explorerShown(page);
      assert.equal(
        await explorer.locator('.jp-CharAttention-explorerModel').inputValue(),
        MODEL
      );
      assert.equal(
        await explorer
          .locator('.jp-CharAttention-explorerTokenizer')
          .inputValue(),
        TOKENIZER
      );
      // Integrated gradients only, with fixed steps typed in its option field.
      const method = id => explorer.locator(`input[data-method="${id}"]`);
      await method('attention').uncheck();
      await method('occlusion').uncheck();
      await method('integrated-gradients').check();
      const steps = explorer.locator('.jp-CharAttention-steps');
      assert.ok(await steps.isVisible(), 'the steps field is shown');
      assert.equal(await steps.getAttribute('placeholder'), 'automatic');
      assert.ok(
        !(await explorer.locator('.jp-CharAttention-window').isVisible()),
        "occlusion's window is hidden while occlusion is not chosen"
      );
      await steps.fill('16');
      await steps.dispatchEvent('change');
      await explorer.locator('.jp-CharAttention-explorerRun').click();
      const state = await waitForState(page, ['done', 'error', 'cancelled']);
      assert.equal(state.state, 'done');
      assert.equal(Number(state.rows), 60);
      const row = await gridRowPoint(page, 0);
      await page.mouse.click(row.x, row.y);
      await waitForExplained(page, 1);
      const [sample] = (await explorerPayload(page)).samples;
      assert.equal(sample.meta.steps, 16);
      assert.equal(sample.meta.rule, 'riemann-midpoint');
      assert.equal(typeof sample.meta.gapRelative, 'number');
      const header = explorer.locator(
        '.jp-CharAttention-explorerDetails .jp-CharAttention-sample'
      );
      await header.first().waitFor({ timeout: 30000 });
      assert.match(await header.first().textContent(), /steps 16/);
      assert.match(
        await header.first().textContent(),
        /integrated gradients: comprehensiveness -?\d/
      );
    }
  );
});
