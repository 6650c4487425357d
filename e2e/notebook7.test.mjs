/**
 * The extension in Jupyter Notebook 7 (`jupyter notebook`): the renderer in a
 * notebook, an untrusted notebook from disk, right-click "Visualize
 * Attention" on an output, and the Attention Viewer from the View menu and
 * the command palette. Notebook 7's shell shows one widget in its main area
 * (the notebook): the viewer must open in a side panel that is shown.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  DEMO_SETTINGS,
  MODEL,
  TOKENIZER,
  assertViewerModelReady,
  copyDemoModel,
  loadDemoInViewer
} from './support/demo.mjs';
import {
  FALLBACK_HTML,
  MIME,
  closeBrowser,
  displayBundleCode,
  newNotebook,
  notebookWith,
  openLab,
  runInActiveCell,
  screenshot,
  waitForApp,
  waitForIdleKernel,
  withLab
} from './support/lab.mjs';
import {
  cellOutputs,
  firstCellTable,
  visualizeFromMenu,
  visualizePrinted
} from './support/notebook.mjs';
import { BATCH } from './support/payloads.mjs';

after(closeBrowser);

// Notebook 7's own page error is allowed by withLab; nothing else may reach
// the console.
const APP = { app: 'notebook' };
const RENDERED = '.jp-NotebookPanel .jp-RenderedCharAttention';

/** The viewer panel, which must be visible on screen (not only in the DOM). */
async function visibleViewer(page) {
  const panel = page.locator('.jp-CharAttention-panel');
  await panel.waitFor({ state: 'visible', timeout: 15000 });
  const box = await panel.boundingBox();
  assert.ok(
    box && box.width > 100 && box.height > 100,
    `the viewer has room on screen: ${JSON.stringify(box)}`
  );
  return panel;
}

/**
 * Buttons, inputs and selects of the viewer whose content is wider than
 * their box (a squeezed "Browse…", a path or method name cut off), or that
 * stick out of the panel.
 */
function clippedControls(panel) {
  return panel.evaluate(root => {
    const right = root.getBoundingClientRect().right;
    const contentWidth = element => {
      if (element.tagName !== 'SELECT') {
        return element.scrollWidth;
      }
      // A select clips its option's text without scrolling: measure it.
      const style = getComputedStyle(element);
      const probe = document.createElement('span');
      probe.style.cssText =
        'position:absolute;visibility:hidden;white-space:pre';
      probe.style.font = style.font;
      probe.textContent = element.selectedOptions[0]?.textContent ?? '';
      document.body.append(probe);
      const width =
        probe.getBoundingClientRect().width +
        parseFloat(style.paddingLeft) +
        parseFloat(style.paddingRight);
      probe.remove();
      return Math.ceil(width);
    };
    const clipped = [];
    for (const element of root.querySelectorAll('button, input, select')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || element.closest('[hidden]')) {
        continue;
      }
      const name = `${element.tagName.toLowerCase()}.${[...element.classList]
        .filter(c => c.startsWith('jp-CharAttention-'))
        .join('.')}`;
      const content = contentWidth(element);
      if (content > element.clientWidth) {
        clipped.push(
          `${name}: ${content} px of content in ${element.clientWidth} px`
        );
      }
      if (box.right > right + 0.5) {
        clipped.push(
          `${name}: ends ${Math.round(box.right - right)} px outside the panel`
        );
      }
    }
    return clipped;
  });
}

/** Lines of the status line's text that the hover toolbar covers. */
function toolbarOverStatus(table) {
  return table.evaluate(root => {
    const bar = document
      .querySelector('.jp-CharAttention-hoverToolbar')
      .getBoundingClientRect();
    const status = root.querySelector('.jp-CharAttention-status');
    const range = document.createRange();
    range.selectNodeContents(status);
    return [...range.getClientRects()]
      .filter(
        line =>
          line.width > 0 &&
          line.left < bar.right &&
          line.right > bar.left &&
          line.top < bar.bottom &&
          line.bottom > bar.top
      )
      .map(
        line => `${status.textContent.slice(0, 40)}… at ${Math.round(line.top)}`
      );
  });
}

test('Notebook 7: a displayed bundle renders our table, not the fallback', async () => {
  await withLab('nb7-display', APP, async ({ page, lab }) => {
    await openLab(page, lab);
    await newNotebook(page, lab);
    await runInActiveCell(page, displayBundleCode(BATCH));
    const table = page.locator(RENDERED);
    await table
      .locator('td.jp-CharAttention-cell')
      .first()
      .waitFor({ timeout: 30000 });
    assert.equal(
      await table.locator('.jp-CharAttention-sample').count(),
      BATCH.samples.length
    );
    assert.equal(
      await page.locator('.char-attention-fallback').count(),
      0,
      'the text/html fallback is not shown'
    );
    // The hover toolbar leaves the status line (the hovered value) readable.
    await table.locator('td.jp-CharAttention-cell').nth(2).hover();
    await page
      .locator('.jp-CharAttention-hoverToolbar')
      .waitFor({ state: 'visible', timeout: 5000 });
    assert.deepEqual(
      await toolbarOverStatus(table.first()),
      [],
      'status text under the hover toolbar'
    );
    await screenshot(page, 'nb7-display');
  });
});

test('Notebook 7: an untrusted notebook from disk renders, and its HTML fallback script does not run', async () => {
  const notebook = notebookWith([
    {
      source: 'display_attention(...)',
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
    'nb7-untrusted',
    { ...APP, files: { 'stored.ipynb': notebook } },
    async ({ page, lab }) => {
      await openLab(page, lab, 'stored.ipynb');
      await page
        .locator(`${RENDERED} td.jp-CharAttention-cell`)
        .first()
        .waitFor({ timeout: 30000 });
      const trusted = await page.evaluate(
        () =>
          window.jupyterapp.shell.currentWidget.content.model.cells.get(0)
            .trusted
      );
      assert.equal(trusted, false, 'the notebook is untrusted');
      assert.equal(await page.evaluate(() => window.fallbackRan), undefined);
      await screenshot(page, 'nb7-untrusted');
    }
  );
});

test('Notebook 7: right-click → Visualize Attention adds the table below a printed text', async () => {
  const text = 'the box was broken on arrival';
  await withLab(
    'nb7-visualize',
    { ...APP, settings: DEMO_SETTINGS },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      await newNotebook(page, lab);
      const rendered = await visualizePrinted(page, text);
      const outputs = await cellOutputs(page, 0);
      assert.equal(outputs.length, 2, 'one new output in the same cell');
      const payload = outputs[1].data[MIME];
      const sample = payload.samples ? payload.samples[0] : payload;
      assert.equal(sample.text, text);
      assert.equal(
        await rendered.locator('td.jp-CharAttention-cell').count(),
        [...text].length
      );
      await screenshot(page, 'nb7-visualize');
    }
  );
});

test('Notebook 7: View → Visualize Attention… and the palette open a visible Attention Viewer that loads the model', async () => {
  await withLab(
    'nb7-viewer',
    { ...APP, files: { 'empty.ipynb': notebookWith([{ source: '' }]) } },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab, 'empty.ipynb');
      await waitForIdleKernel(page);
      // The View menu of the notebook page.
      await page
        .locator('.lm-MenuBar-item', { hasText: /^View$/ })
        .first()
        .click();
      await page
        .locator('.lm-Menu .lm-Menu-item', { hasText: 'Visualize Attention' })
        .first()
        .click();
      await visibleViewer(page);
      let panel = await loadDemoInViewer(page);
      await panel.locator('.jp-CharAttention-texts').click();
      await page.keyboard.type('great value', { delay: 5 });
      await panel
        .locator('.jp-RenderedCharAttention td.jp-CharAttention-cell')
        .first()
        .waitFor({ timeout: 60000 });
      await screenshot(page, 'nb7-viewer');

      // At the side panel's default width no control is clipped; the hover
      // toolbar stays away (the viewer has its own export and copy buttons),
      // so the status line (hint, hovered value) stays readable.
      assert.deepEqual(await clippedControls(panel), [], 'clipped controls');
      await panel
        .locator('.jp-RenderedCharAttention td.jp-CharAttention-cell')
        .nth(2)
        .hover();
      await page.waitForTimeout(500);
      assert.equal(
        await page.locator('.jp-CharAttention-hoverToolbar').isVisible(),
        false,
        'no hover toolbar over the viewer'
      );
      await screenshot(page, 'nb7-viewer-hover');

      // Close the panel, then the palette finds the command under its menu
      // name and shows the viewer again.
      await page.evaluate(() => {
        for (const area of ['main', 'left', 'right', 'down']) {
          for (const widget of window.jupyterapp.shell.widgets(area)) {
            if (widget.node.querySelector('.jp-CharAttention-panel')) {
              widget.close();
            }
          }
        }
      });
      await page
        .locator('.jp-CharAttention-panel')
        .waitFor({ state: 'detached', timeout: 10000 });
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('apputils:activate-command-palette')
      );
      const input = page
        .locator('.jp-ModalCommandPalette input, .lm-CommandPalette-input')
        .first();
      await input.waitFor({ timeout: 10000 });
      await input.fill('Visualize Attention');
      const entry = page
        .locator('.lm-CommandPalette-item', {
          hasText: 'Visualize Attention…'
        })
        .first();
      await entry.waitFor({ timeout: 10000 });
      await entry.click();
      panel = await visibleViewer(page);
      await screenshot(page, 'nb7-viewer-palette');
    }
  );
});

test('Notebook 7: the file browser’s “Open in Attention Viewer” shows the model loaded in a visible viewer', async () => {
  await withLab('nb7-file-browser', APP, async ({ page, lab }) => {
    copyDemoModel(lab.rootDir);
    await page.goto(`${lab.url}/tree/models/demo?token=${lab.token}`);
    await page.waitForFunction(() => !!window.jupyterapp?.restored, null, {
      timeout: 60000
    });
    await page.evaluate(() => window.jupyterapp.restored);
    const item = page.locator('.jp-DirListing-item', { hasText: 'demo.h5' });
    await item.first().waitFor({ timeout: 30000 });
    await item.first().click({ button: 'right' });
    await page
      .locator('.lm-Menu .lm-Menu-item', {
        hasText: 'Open in Attention Viewer'
      })
      .click();
    await visibleViewer(page);
    await assertViewerModelReady(page);
    await screenshot(page, 'nb7-file-browser');
  });
});

/** A notebook whose first cell has printed `text` (a stored stream output). */
function printedNotebook(text) {
  const notebook = notebookWith([{ source: `print(${JSON.stringify(text)})` }]);
  notebook.cells[0].execution_count = 1;
  notebook.cells[0].outputs = [
    { output_type: 'stream', name: 'stdout', text: `${text}\n` }
  ];
  return notebook;
}

test('the model chosen for right-click in JupyterLab is used by the next page, in Notebook 7, without asking', async () => {
  const text = 'the box was broken on arrival';
  await withLab(
    'nb7-remember',
    {
      ...APP,
      files: {
        'a.ipynb': printedNotebook(text),
        'b.ipynb': printedNotebook(text)
      }
    },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      // JupyterLab, served by the same server: no model set, so it asks.
      // (The notebook is opened by command, not by a /lab/tree/a.ipynb URL:
      // after such a URL, Notebook 7.6.3's notebook pages on the same server
      // throw "Command 'filebrowser:open-path' not registered", with no
      // extension installed too.)
      await page.goto(`${lab.url}/lab?reset&token=${lab.token}`);
      await waitForApp(page);
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('docmanager:open', {
          path: 'a.ipynb'
        })
      );
      const printed = page
        .locator('.jp-NotebookPanel .jp-OutputArea-child', { hasText: text })
        .first();
      await printed.waitFor({ timeout: 30000 });
      await visualizeFromMenu(page, printed);
      const dialog = page.locator('.jp-Dialog');
      await dialog.waitFor({ timeout: 15000 });
      for (const folder of ['models', 'demo']) {
        await dialog
          .locator('.jp-DirListing-item', { hasText: folder })
          .first()
          .dblclick();
      }
      await dialog
        .locator('.jp-DirListing-item', { hasText: 'demo.h5' })
        .first()
        .click();
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await firstCellTable(page)
        .locator('td.jp-CharAttention-cell')
        .first()
        .waitFor({ timeout: 90000 });
      await page
        .locator('.Toastify__toast', { hasText: 'on other pages too' })
        .first()
        .waitFor({ timeout: 10000 });
      const stored = await (
        await fetch(
          `${lab.url}/lab/api/settings/jupyterlab-char-attention:lab`,
          { headers: { Authorization: `token ${lab.token}` } }
        )
      ).json();
      assert.equal(stored.settings.modelPath, MODEL);
      assert.equal(stored.settings.tokenizerPath, TOKENIZER);

      // Notebook 7, a new page: right-click runs with that model at once.
      await openLab(page, lab, 'b.ipynb');
      const printedHere = page
        .locator('.jp-NotebookPanel .jp-OutputArea-child', { hasText: text })
        .first();
      await printedHere.waitFor({ timeout: 30000 });
      await visualizeFromMenu(page, printedHere);
      await firstCellTable(page)
        .locator('td.jp-CharAttention-cell')
        .first()
        .waitFor({ timeout: 90000 });
      assert.equal(
        await page.locator('.jp-Dialog').count(),
        0,
        'no file dialog: the model was remembered'
      );
      const outputs = await cellOutputs(page, 0);
      assert.equal(outputs.length, 2);
      assert.equal(outputs[1].data[MIME].samples[0].text, text);
      await screenshot(page, 'nb7-remembered-model');
    }
  );
});
