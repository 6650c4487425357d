/**
 * Reading the open notebook and driving right-click "Visualize Attention" in
 * end-to-end tests (JupyterLab and Notebook 7 alike).
 */
import { runInActiveCell, waitForIdleKernel } from './lab.mjs';

/** Page expression: the first open notebook panel (whatever widget is in front). */
export const NOTEBOOK = `(() => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.content?.model?.cells) return widget;
  }
  throw new Error('no notebook open');
})()`;

/** JSON of the outputs of one cell of the open notebook. */
export const cellOutputs = (page, index) =>
  page.evaluate(
    ([notebook, i]) =>
      eval(notebook).content.model.cells.get(i).outputs.toJSON(),
    [NOTEBOOK, index]
  );

/** Number of outputs per cell of the open notebook. */
export const outputCounts = page =>
  page.evaluate(notebook => {
    const cells = eval(notebook).content.model.cells;
    const counts = [];
    for (let i = 0; i < cells.length; i++) {
      counts.push(cells.get(i).outputs?.length ?? 0);
    }
    return counts;
  }, NOTEBOOK);

/** Whether the open notebook has unsaved changes. */
export const isDirty = page =>
  page.evaluate(notebook => eval(notebook).context.model.dirty, NOTEBOOK);

/** Visible items of the open context menu: labels, separators as '---'. */
export const menuItems = page =>
  page
    .locator('.lm-Menu')
    .first()
    .evaluate(menu =>
      Array.from(menu.querySelectorAll('.lm-Menu-item'))
        .filter(item => getComputedStyle(item).display !== 'none')
        .map(item =>
          item.getAttribute('data-type') === 'separator'
            ? '---'
            : (item.querySelector('.lm-Menu-itemLabel')?.textContent ?? '')
        )
    );

/** The attention table of the first cell. */
export const firstCellTable = page =>
  page.locator(
    '.jp-NotebookPanel .jp-Cell >> nth=0 >> .jp-RenderedCharAttention'
  );

/**
 * Prints `text` in the active cell, waits for the output and an idle kernel,
 * and returns the output's locator.
 */
export async function printText(page, text) {
  await runInActiveCell(page, `print(${JSON.stringify(text)})`);
  const printed = page
    .locator('.jp-NotebookPanel .jp-OutputArea-child', { hasText: text })
    .first();
  await printed.waitFor({ timeout: 30000 });
  await waitForIdleKernel(page);
  return printed;
}

/** Right-click on `target` → "Visualize Attention". */
export async function visualizeFromMenu(page, target) {
  await target.click({ button: 'right' });
  await page
    .locator('.lm-Menu .lm-Menu-item', { hasText: 'Visualize Attention' })
    .click();
}

/**
 * Prints `text`, runs right-click "Visualize Attention" on it and waits for
 * the table in the first cell (its locator).
 */
export async function visualizePrinted(page, text, { timeout = 90000 } = {}) {
  await visualizeFromMenu(page, await printText(page, text));
  const rendered = firstCellTable(page);
  await rendered.locator('td.jp-CharAttention-cell').first().waitFor({
    timeout
  });
  return rendered;
}
