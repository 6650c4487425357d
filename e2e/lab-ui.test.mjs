/**
 * The model runner UI in the real JupyterLab: the Attention Viewer panel with
 * the demo model, right-click "Visualize Attention" on a printed text, export
 * and copy, bad input, and a busy worker not blocking the page.
 *
 * Expected values come from the CLI (`char-attention predict --json`), a
 * separate path through the same model files in Node.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  DEMO_SETTINGS,
  MODEL,
  TOKENIZER,
  assertDemoModel,
  cliPredict,
  copyDemoModel,
  loadDemoInViewer,
  samplesOf
} from './support/demo.mjs';
import { answerExportDialog, answerReplaceDialog } from './support/dialogs.mjs';
import {
  MIME,
  closeBrowser,
  newNotebook,
  notebookWith,
  openLab,
  runInActiveCell,
  screenshot,
  waitForIdleKernel,
  withLab
} from './support/lab.mjs';
import {
  NOTEBOOK,
  cellOutputs,
  isDirty,
  firstCellTable,
  outputCounts,
  printText
} from './support/notebook.mjs';

after(closeBrowser);

// The demo model every scenario loads: its absence is a failure, not a skip.
const uiTest = (name, body) =>
  test(name, async () => {
    assertDemoModel({ cli: true });
    await body();
  });

const LAB_SETTINGS_ID = 'jupyterlab-char-attention:lab';
const TOAST = '.Toastify__toast';

/** [{pos, value}] of the cells of the index-th sample of a rendered table. */
function renderedValues(table, index = 0) {
  return table
    .locator('.jp-CharAttention-sample')
    .nth(index)
    .locator('td.jp-CharAttention-cell')
    .evaluateAll(tds =>
      tds.map(td => ({
        pos: Number(td.dataset.pos),
        value: td.dataset.value === undefined ? null : Number(td.dataset.value),
        text: td.textContent
      }))
    );
}

/** Asserts rendered cells carry the CLI's attention (1e-5), masked/missing cells carry none. */
function assertMatchesCli(cells, sample, label) {
  const seen = new Set();
  for (const cell of cells) {
    seen.add(cell.pos);
    const expected = sample.attention[cell.pos];
    const visible = sample.mask ? sample.mask[cell.pos] !== false : true;
    if (expected === null || expected === undefined || !visible) {
      assert.equal(
        cell.value,
        null,
        `${label}: position ${cell.pos} has no value`
      );
    } else {
      assert.ok(
        Math.abs(cell.value - expected) <= 1e-5,
        `${label}: position ${cell.pos}: ${cell.value} vs CLI ${expected}`
      );
    }
  }
  assert.equal(
    seen.size,
    [...sample.text].length,
    `${label}: one cell per character`
  );
}

/**
 * Lets the kernel finish writing its `language_info` into the notebook's
 * metadata (which marks it dirty on its own), then saves, so that a later
 * dirty flag can only come from what the test does.
 */
async function settleAndSave(page) {
  await waitForIdleKernel(page);
  await page.waitForFunction(
    notebook =>
      !!eval(notebook).context.model.getMetadata('language_info')?.version,
    NOTEBOOK,
    { timeout: 30000 }
  );
  await page.evaluate(notebook => eval(notebook).context.save(), NOTEBOOK);
  await page.waitForFunction(
    notebook => !eval(notebook).context.model.dirty,
    NOTEBOOK,
    { timeout: 10000 }
  );
}

async function openViewerFromLauncher(page) {
  await page
    .locator('.jp-LauncherCard', { hasText: 'Visualize Attention' })
    .first()
    .click();
  await page.locator('.jp-CharAttention-panel').waitFor({ timeout: 15000 });
}

uiTest(
  'panel: typing a text shows the CLI values; Insert adds exactly one output',
  async () => {
    await withLab('viewer-panel', {}, async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      await newNotebook(page);
      await runInActiveCell(page, 'print("before")');
      await page
        .locator('.jp-OutputArea-output', { hasText: 'before' })
        .waitFor({ timeout: 30000 });
      const before = await outputCounts(page);

      await page.evaluate(() =>
        window.jupyterapp.commands.execute('launcher:create')
      );
      await openViewerFromLauncher(page);
      const panel = await loadDemoInViewer(page);
      const info = await panel
        .locator('.jp-CharAttention-modelInfo')
        .textContent();
      assert.match(
        info,
        /attention from \S+/,
        `detected attention layer is shown: ${info}`
      );
      assert.ok(
        Number(await panel.locator('.jp-CharAttention-maxlen').inputValue()) >
          0,
        'input length shown'
      );

      const texts = [
        'the screen arrived broken, I want a refund',
        'a terrific little gadget, works great'
      ];
      await panel.locator('.jp-CharAttention-texts').click();
      await page.keyboard.type(texts.join('\n'), { delay: 5 });
      const table = panel.locator('.jp-RenderedCharAttention');
      await page.waitForFunction(
        count =>
          document.querySelectorAll(
            '.jp-CharAttention-panel .jp-CharAttention-sample'
          ).length === count,
        texts.length,
        { timeout: 60000 }
      );
      // The last keystroke's result is the one shown.
      await page.waitForFunction(
        n =>
          document
            .querySelectorAll(
              '.jp-CharAttention-panel .jp-CharAttention-sample'
            )[1]
            ?.querySelectorAll('td.jp-CharAttention-cell').length === n,
        [...texts[1]].length,
        { timeout: 60000 }
      );
      await screenshot(page, 'viewer-panel');
      const expected = cliPredict(texts);
      for (let i = 0; i < texts.length; i++) {
        assertMatchesCli(
          await renderedValues(table, i),
          expected[i],
          `text ${i + 1}`
        );
      }

      // Insert into the notebook: one new output, earlier outputs untouched.
      const notebookTab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
        hasText: 'Untitled.ipynb'
      });
      await notebookTab.click();
      const firstOutputs = await cellOutputs(page, 0);
      await page
        .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
          hasText: 'Attention Viewer'
        })
        .click();
      await panel.locator('.jp-CharAttention-insert').click();
      await page
        .locator(TOAST, { hasText: 'inserted' })
        .waitFor({ timeout: 10000 });
      // A second click does not add the same table again.
      await panel.locator('.jp-CharAttention-insert').click();
      await page
        .locator(TOAST, { hasText: 'already' })
        .waitFor({ timeout: 10000 });
      await notebookTab.click();
      const afterCounts = await outputCounts(page);
      const added =
        afterCounts.reduce((a, b) => a + b, 0) -
        before.reduce((a, b) => a + b, 0);
      assert.equal(
        added,
        1,
        `exactly one output added (${before} -> ${afterCounts})`
      );
      assert.deepEqual(
        await cellOutputs(page, 0),
        firstOutputs,
        'earlier outputs unchanged'
      );
      const inserted = (
        await page.evaluate(notebook => {
          const cells = eval(notebook).content.model.cells;
          const all = [];
          for (let i = 0; i < cells.length; i++) {
            all.push(...(cells.get(i).outputs?.toJSON() ?? []));
          }
          return all;
        }, NOTEBOOK)
      ).filter(
        output =>
          output.data && output.data['application/x-char-attention+json']
      );
      assert.equal(inserted.length, 1);
      assert.equal(inserted[0].output_type, 'display_data');
      assert.ok(
        inserted[0].data['text/html'].includes('<table'),
        'text/html export included'
      );
      assert.match(
        inserted[0].data['text/plain'],
        /^Character attention: 2 samples/
      );
      await page
        .locator(
          '.jp-NotebookPanel .jp-RenderedCharAttention td.jp-CharAttention-cell'
        )
        .first()
        .waitFor({ timeout: 15000 });
      await screenshot(page, 'viewer-inserted');
    });
  }
);

const PRINTED = 'the box was broken on arrival';

/** Right-click on a table → "Export Attention as HTML…". */
async function exportFromMenu(page, table) {
  await table
    .locator('td.jp-CharAttention-cell')
    .first()
    .click({ button: 'right' });
  await page
    .locator('.lm-Menu .lm-Menu-item', { hasText: 'Export Attention as HTML' })
    .click();
}

uiTest(
  'right-click on printed text → Visualize Attention adds one output; kept after save and reopen',
  async () => {
    const settings = DEMO_SETTINGS;
    await withLab('visualize-output', { settings }, async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      await newNotebook(page);
      const printed = await printText(page, PRINTED);
      const earlier = await cellOutputs(page, 0);
      assert.equal(earlier.length, 1);

      await printed.click({ button: 'right' });
      const item = page.locator('.lm-Menu .lm-Menu-item', {
        hasText: 'Visualize Attention'
      });
      await item.waitFor({ timeout: 10000 });
      await screenshot(page, 'visualize-context-menu');
      // A double run (the command twice in a row) must not duplicate the output.
      await page.evaluate(() => {
        void window.jupyterapp.commands.execute(
          'char-attention:visualize-output'
        );
      });
      await item.click();
      const rendered = firstCellTable(page);
      await rendered
        .locator('td.jp-CharAttention-cell')
        .first()
        .waitFor({ timeout: 90000 });
      await page.waitForTimeout(1500);
      const outputs = await cellOutputs(page, 0);
      assert.equal(outputs.length, 2, 'one new output in the same cell');
      assert.deepEqual(
        outputs[0],
        earlier[0],
        'the printed output is unchanged'
      );
      const payload = outputs[1].data[MIME];
      const sample = samplesOf(payload)[0];
      assert.equal(sample.text, PRINTED);
      assertMatchesCli(
        await renderedValues(rendered),
        cliPredict([PRINTED])[0],
        'printed text'
      );
      await screenshot(page, 'visualize-output');

      // Save, close, reopen: still there, the printed output unchanged.
      // Save through the document context (Ctrl+S would ask to rename Untitled).
      await page.evaluate(notebook => eval(notebook).context.save(), NOTEBOOK);
      assert.equal(await isDirty(page), false, 'saved');
      const saved = JSON.parse(
        fs.readFileSync(path.join(lab.rootDir, 'Untitled.ipynb'), 'utf-8')
      );
      assert.equal(saved.cells[0].outputs.length, 2);
      assert.equal(
        saved.cells[0].outputs[0].text.join?.('') ??
          saved.cells[0].outputs[0].text,
        `${PRINTED}\n`
      );
      assert.deepEqual(saved.cells[0].outputs[1].data[MIME], payload);
      await page
        .locator(
          '.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon'
        )
        .click();
      await page
        .locator('.jp-NotebookPanel')
        .waitFor({ state: 'detached', timeout: 15000 });
      await page
        .locator('.jp-DirListing-item[title*="Untitled.ipynb"]')
        .dblclick();
      const reopened = page.locator(
        '.jp-NotebookPanel .jp-RenderedCharAttention'
      );
      await reopened
        .locator('td.jp-CharAttention-cell')
        .first()
        .waitFor({ timeout: 30000 });
      assert.equal(
        await reopened.locator('td.jp-CharAttention-cell').count(),
        [...PRINTED].length
      );
      await screenshot(page, 'visualize-output-reopened');
    });
  }
);

uiTest(
  'bad input: an output without text, a broken model and a mismatching tokenizer leave the notebook as it was',
  async () => {
    const settings = DEMO_SETTINGS;
    const notebook = notebookWith([
      {
        source: 'display(HTML(...))',
        outputs: [{ 'text/html': '<b>only html</b>' }]
      },
      { source: 'print(long)', outputs: [] }
    ]);
    // A stored stream output (a text longer than the model input is no longer
    // bad input: e2e/ui-right-click.test.mjs shows it truncated and masked).
    const longText = 'abc '.repeat(400);
    notebook.cells[1].outputs = [
      { output_type: 'stream', name: 'stdout', text: `${longText}\n` }
    ];
    await withLab(
      'bad-input',
      { settings, files: { 'bad.ipynb': notebook } },
      async ({ page, lab }) => {
        copyDemoModel(lab.rootDir);
        await openLab(page, lab, 'bad.ipynb');
        await settleAndSave(page);
        const before = await (async () => {
          await page
            .locator('.jp-NotebookPanel .jp-OutputArea-child')
            .nth(1)
            .waitFor({ timeout: 30000 });
          return [await cellOutputs(page, 0), await cellOutputs(page, 1)];
        })();

        await page
          .locator('.jp-NotebookPanel .jp-OutputArea-child', {
            hasText: 'only html'
          })
          .click({ button: 'right' });
        await page
          .locator('.lm-Menu .lm-Menu-item', { hasText: 'Visualize Attention' })
          .click();
        await page
          .locator(TOAST, { hasText: 'no text' })
          .waitFor({ timeout: 10000 });

        await screenshot(page, 'bad-input-notification');
        assert.deepEqual(
          [await cellOutputs(page, 0), await cellOutputs(page, 1)],
          before,
          'outputs unchanged'
        );
        const dirty = await isDirty(page);
        assert.equal(dirty, false, 'the notebook was not modified');

        // A file that is not a model, and a tokenizer that does not fit the model.
        fs.writeFileSync(
          path.join(lab.rootDir, 'broken.h5'),
          'not an HDF5 file'
        );
        fs.writeFileSync(
          path.join(lab.rootDir, 'big-tokenizer.json'),
          JSON.stringify({ a: 1, b: 2, z: 500 })
        );
        await page.evaluate(() =>
          window.jupyterapp.commands.execute('char-attention:open', {
            modelPath: 'broken.h5',
            tokenizerPath: 'big-tokenizer.json'
          })
        );
        await page
          .locator(TOAST, { hasText: 'Could not load the model' })
          .first()
          .waitFor({ timeout: 30000 });
        const status = page.locator('.jp-CharAttention-modelStatus');
        assert.match(await status.textContent(), /broken\.h5/);
        await page.evaluate(() =>
          window.jupyterapp.commands.execute('char-attention:open', {
            modelPath: 'models/demo/demo.h5',
            tokenizerPath: 'big-tokenizer.json'
          })
        );
        await page.waitForFunction(
          () =>
            /does not match the model/.test(
              document.querySelector('.jp-CharAttention-modelStatus')
                ?.textContent ?? ''
            ),
          null,
          { timeout: 60000 }
        );
        console.log(`# model errors shown: ${await status.textContent()}`);
        await screenshot(page, 'bad-input-model');
        assert.deepEqual(
          [await cellOutputs(page, 0), await cellOutputs(page, 1)],
          before,
          'outputs still unchanged'
        );
      }
    );
  }
);

uiTest(
  'export writes an .html next to the notebook matching the table; copy as TSV',
  async () => {
    const payload = {
      version: 1,
      options: { colormap: 'Blues', vmin: 0, vmax: 1, charsPerRow: 10 },
      samples: [
        {
          text: 'a\tb <c>&d é😀',
          attention: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 0.55]
        }
      ]
    };
    const notebook = notebookWith([
      {
        source: 'display(...)',
        outputs: [{ [MIME]: payload, 'text/plain': 'x' }]
      }
    ]);
    await withLab(
      'export',
      { files: { 'work/run.ipynb': notebook } },
      async ({ page, lab }) => {
        await page
          .context()
          .grantPermissions(['clipboard-read', 'clipboard-write'], {
            origin: lab.url
          });
        await openLab(page, lab, 'work/run.ipynb');
        const table = page.locator(
          '.jp-NotebookPanel .jp-RenderedCharAttention'
        );
        await table
          .locator('td.jp-CharAttention-cell')
          .first()
          .waitFor({ timeout: 30000 });

        await exportFromMenu(page, table);
        // A save dialog proposes the name next to the notebook.
        await answerExportDialog(page, { proposed: 'work/run.attention.html' });
        await page
          .locator(TOAST, { hasText: 'Saved' })
          .waitFor({ timeout: 15000 });
        const exported = path.join(lab.rootDir, 'work', 'run.attention.html');
        assert.ok(
          fs.existsSync(exported),
          'run.attention.html written next to the notebook'
        );
        const written = fs.readFileSync(exported, 'utf-8');

        // Again: the next free name is proposed; typing the existing one
        // asks before replacing it, and declining writes nothing.
        await exportFromMenu(page, table);
        await answerExportDialog(page, {
          proposed: 'work/run.attention-2.html',
          path: 'work/run.attention.html'
        });
        await answerReplaceDialog(page, { replace: false });
        await page.waitForTimeout(500);
        assert.deepEqual(
          fs
            .readdirSync(path.join(lab.rootDir, 'work'))
            .filter(name => !name.startsWith('.'))
            .sort(),
          ['run.attention.html', 'run.ipynb'],
          'declining wrote no file'
        );
        assert.equal(
          fs.readFileSync(exported, 'utf-8'),
          written,
          'the existing file is kept'
        );

        // Same characters and colours: compare the rendered cells with the file opened in a page.
        const cellStyle = tds =>
          tds.map(td => ({
            text: td.textContent,
            background: getComputedStyle(td).backgroundColor
          }));
        const rendered = await table
          .locator('td.jp-CharAttention-cell')
          .evaluateAll(cellStyle);
        const filePage = await page.context().newPage();
        await filePage.setContent(fs.readFileSync(exported, 'utf-8'));
        // Every td of the export is a character cell (headers are th).
        const fileChars = await filePage.locator('td').evaluateAll(cellStyle);
        await filePage.close();
        assert.deepEqual(
          fileChars.map(c => c.text),
          rendered.map(c => c.text),
          'same characters in the file and the table'
        );
        assert.deepEqual(
          fileChars.map(c => c.background),
          rendered.map(c => c.background),
          'same colours in the file and the table'
        );

        // Copy values as TSV from the hover toolbar.
        await table.locator('td.jp-CharAttention-cell').nth(3).hover();
        const toolbar = page.locator('.jp-CharAttention-hoverToolbar');
        await toolbar.waitFor({ state: 'visible', timeout: 5000 });
        await screenshot(page, 'export-hover-toolbar');
        await toolbar
          .locator('button[data-command="char-attention:copy-tsv"]')
          .click();
        await page
          .locator(TOAST, { hasText: 'TSV' })
          .waitFor({ timeout: 10000 });
        const clipboard = await page.evaluate(() =>
          navigator.clipboard.readText()
        );
        const chars = [...payload.samples[0].text];
        const escape = c =>
          c
            .replace(/\\/g, '\\\\')
            .replace(/\t/g, '\\t')
            .replace(/\n/g, '\\n')
            .replace(/\r/g, '\\r');
        const expectedLines = [
          'character\tposition\tvalue',
          ...chars.map(
            (c, i) => `${escape(c)}\t${i}\t${payload.samples[0].attention[i]}`
          )
        ];
        assert.deepEqual(
          clipboard.replace(/\n$/, '').split('\n'),
          expectedLines
        );
      }
    );
  }
);

uiTest(
  'a batch of 256 texts is computed in the worker while typing in a notebook still works',
  async () => {
    await withLab('busy-worker', {}, async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      await newNotebook(page);
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('char-attention:open')
      );
      await page.locator('.jp-CharAttention-panel').waitFor({ timeout: 15000 });
      await loadDemoInViewer(page);

      const texts = Array.from(
        { length: 256 },
        (_, i) =>
          `review number ${i}: the plot was ${i % 2 ? 'great' : 'dull'} and the cast ${'x'.repeat(i % 40)}`
      );
      // Page-side records: main-thread gaps (a 20 ms timer) and when the
      // viewer is computing (its jp-mod-computing class), on one clock.
      await page.evaluate(() => {
        const panel = document.querySelector('.jp-CharAttention-panel');
        window.__probe = { gaps: [], times: [], computing: [] };
        let last = performance.now();
        window.__probe.timer = setInterval(() => {
          const now = performance.now();
          window.__probe.gaps.push(now - last);
          window.__probe.times.push(now);
          last = now;
        }, 20);
        new MutationObserver(() => {
          window.__probe.computing.push([
            performance.now(),
            panel.classList.contains('jp-mod-computing')
          ]);
        }).observe(panel, { attributes: true, attributeFilter: ['class'] });
      });
      await page.locator('.jp-CharAttention-texts').fill(texts.join('\n'));

      // Straight to the notebook: type while the batch is computed.
      await page
        .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
          hasText: 'Untitled.ipynb'
        })
        .click();
      const editor = page.locator(
        '.jp-NotebookPanel .jp-Cell.jp-mod-active .cm-content'
      );
      await editor.click();
      const typed = 'typing while the model runs in its worker';
      const typingStart = await page.evaluate(() => performance.now());
      await page.keyboard.type(typed, { delay: 40 });
      await page.waitForFunction(
        text =>
          window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel
            .getSource()
            .includes(text),
        typed,
        { timeout: 5000 }
      );
      const typingEnd = await page.evaluate(() => performance.now());
      // Wait for the batch to finish (the viewer's result is ready).
      await page.waitForFunction(
        () =>
          window.__probe.computing.some(([, on]) => on) &&
          !document
            .querySelector('.jp-CharAttention-panel')
            .classList.contains('jp-mod-computing'),
        null,
        { timeout: 180000 }
      );
      await page.waitForTimeout(500);
      const probe = await page.evaluate(() => {
        clearInterval(window.__probe.timer);
        return window.__probe;
      });
      const intervals = [];
      probe.computing.forEach(([time, on], i) => {
        if (on) {
          const off = probe.computing.slice(i + 1).find(([, state]) => !state);
          intervals.push([time, off ? off[0] : Infinity]);
        }
      });
      const overlap = intervals.reduce(
        (sum, [from, to]) =>
          sum +
          Math.max(0, Math.min(to, typingEnd) - Math.max(from, typingStart)),
        0
      );
      const computeMs = intervals.reduce(
        (sum, [from, to]) => sum + (to - from),
        0
      );
      // Gaps from the first keystroke on (switching tabs before it is
      // JupyterLab's own work, not the model's).
      const worst = Math.max(
        ...probe.gaps.filter((_, i) => probe.times[i] >= typingStart)
      );
      const long = probe.gaps
        .map((gap, i) => [
          Math.round(probe.times[i] - typingStart),
          Math.round(gap)
        ])
        .filter(([, gap]) => gap > 100);
      console.log(
        `# gaps > 100 ms [ms after typing start, gap]: ${JSON.stringify(long)}; computing: ${JSON.stringify(
          intervals.map(([a, b]) => [
            Math.round(a - typingStart),
            Math.round(b - typingStart)
          ])
        )}`
      );
      console.log(
        `# batch of 256 computed in ${computeMs.toFixed(0)} ms, ${overlap.toFixed(0)} ms of it while typing ` +
          `(${(typingEnd - typingStart).toFixed(0)} ms); worst main-thread gap ${worst.toFixed(0)} ms over ${probe.gaps.length} ticks`
      );
      assert.ok(intervals.length > 0, 'the batch was computed');
      assert.ok(
        overlap > 0,
        'typing happened while the batch was being computed'
      );
      assert.ok(
        worst < 250,
        `the main thread never stalled (worst gap ${worst.toFixed(0)} ms)`
      );
      await page
        .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
          hasText: 'Attention Viewer'
        })
        .click();
      // The viewer draws its table when it is shown again.
      await page.waitForFunction(
        () =>
          document.querySelectorAll(
            '.jp-CharAttention-panel .jp-CharAttention-sample'
          ).length === 256,
        null,
        { timeout: 60000 }
      );
      await screenshot(page, 'busy-worker');
    });
  }
);

uiTest(
  'file browser: Open in Attention Viewer loads the model with the tokenizer next to it',
  async () => {
    await withLab('open-model', {}, async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      await page
        .locator('.jp-DirListing-item[title*="models"]')
        .first()
        .dblclick();
      await page
        .locator('.jp-DirListing-item[title*="demo"]')
        .first()
        .dblclick();
      const file = page
        .locator('.jp-DirListing-item[title*="demo.h5"]')
        .first();
      await file.click({ button: 'right' });
      const item = page.locator('.lm-Menu .lm-Menu-item', {
        hasText: 'Open in Attention Viewer'
      });
      await item.waitFor({ timeout: 10000 });
      await item.click();
      const panel = page.locator('.jp-CharAttention-panel');
      await page.waitForFunction(
        () =>
          document.querySelector('.jp-CharAttention-panel')?.dataset
            .modelState === 'ready',
        null,
        { timeout: 90000 }
      );
      assert.equal(
        await panel.locator('.jp-CharAttention-modelPath').inputValue(),
        MODEL
      );
      assert.equal(
        await panel.locator('.jp-CharAttention-tokenizerPath').inputValue(),
        TOKENIZER
      );

      // A tokenizer file is not offered as a model.
      await page
        .locator('.jp-DirListing-item[title*="tokenizer.json"]')
        .first()
        .click({ button: 'right' });
      await page
        .locator('.lm-Menu .lm-Menu-item:visible', { hasText: 'Rename' })
        .waitFor({ timeout: 10000 });
      assert.equal(
        await page
          .locator('.lm-Menu .lm-Menu-item:visible', {
            hasText: 'Open in Attention Viewer'
          })
          .count(),
        0
      );
      await page.keyboard.press('Escape');
      await screenshot(page, 'open-model');

      // "Browse…" picks the tokenizer in JupyterLab's file dialog.
      const panelNode = page.locator('.jp-CharAttention-panel');
      await panelNode.locator('.jp-CharAttention-tokenizerPath').fill('');
      await panelNode.locator('.jp-CharAttention-browseTokenizer').click();
      const dialog = page.locator('.jp-Dialog');
      await dialog.waitFor({ timeout: 10000 });
      // The dialog opens in the model's folder.
      await dialog
        .locator('.jp-DirListing-item', { hasText: 'tokenizer.json' })
        .first()
        .waitFor({ timeout: 10000 });
      await dialog
        .locator('.jp-DirListing-item', { hasText: 'tokenizer.json' })
        .first()
        .click();
      // The tokenizer dialog offers folders and JSON files only.
      assert.equal(
        await dialog
          .locator('.jp-DirListing-item:not(.jp-mod-hidden)', {
            hasText: 'demo.h5'
          })
          .count(),
        0,
        'the tokenizer dialog does not offer .h5 files'
      );
      await screenshot(page, 'open-model-dialog');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await dialog.waitFor({ state: 'detached', timeout: 10000 });
      assert.equal(
        await panelNode.locator('.jp-CharAttention-tokenizerPath').inputValue(),
        TOKENIZER
      );
      await page.waitForFunction(
        () =>
          document.querySelector('.jp-CharAttention-panel')?.dataset
            .modelState === 'ready',
        null,
        { timeout: 60000 }
      );
    });
  }
);

uiTest(
  'static HTML setting: outputs without text/html get the exported table, once',
  async () => {
    const payload = {
      version: 1,
      text: 'static <copy>',
      attention: [...'static <copy>'].map((_, i) => i / 12)
    };
    const settings = { [LAB_SETTINGS_ID]: { staticHtmlFallback: true } };
    const notebook = notebookWith([
      {
        source: 'display(...)',
        outputs: [{ [MIME]: payload, 'text/plain': 'summary' }]
      },
      {
        source: 'display(...)',
        outputs: [{ [MIME]: payload, 'text/html': '<p>kernel html</p>' }]
      }
    ]);
    await withLab(
      'static-html',
      { settings, files: { 'static.ipynb': notebook } },
      async ({ page, lab }) => {
        await openLab(page, lab, 'static.ipynb');
        await page
          .locator(
            '.jp-NotebookPanel .jp-RenderedCharAttention td.jp-CharAttention-cell'
          )
          .first()
          .waitFor({ timeout: 30000 });
        await page.waitForFunction(
          notebook =>
            !!eval(notebook).content.model.cells.get(0).outputs.get(0).data[
              'text/html'
            ],
          NOTEBOOK,
          { timeout: 10000 }
        );
        const [first] = await cellOutputs(page, 0);
        const [second] = await cellOutputs(page, 1);
        assert.match(first.data['text/html'], /<table/);
        assert.ok(
          first.data['text/html'].includes('&lt;'),
          'characters escaped in the static copy'
        );
        assert.equal(first.data['text/plain'], 'summary', 'other data kept');
        assert.deepEqual(first.data[MIME], payload);
        assert.equal(
          second.data['text/html'],
          '<p>kernel html</p>',
          'existing text/html never overwritten'
        );
        // Still rendered by the extension, not by the static copy.
        assert.equal(
          await page
            .locator('.jp-NotebookPanel .jp-RenderedCharAttention')
            .count(),
          2
        );
        await page.evaluate(
          notebook => eval(notebook).context.save(),
          NOTEBOOK
        );
        const saved = JSON.parse(
          fs.readFileSync(path.join(lab.rootDir, 'static.ipynb'), 'utf-8')
        );
        const html = saved.cells[0].outputs[0].data['text/html'];
        assert.match(Array.isArray(html) ? html.join('') : html, /<table/);
      }
    );
  }
);
