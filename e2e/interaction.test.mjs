/**
 * Pointer and keyboard: hovering or focusing a cell shows its details in the
 * status line; arrow keys, Home/End and Ctrl+Home/End move a roving focus
 * across cells.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  MIME,
  closeBrowser,
  notebookWith,
  openLab,
  screenshot,
  withLab
} from './support/lab.mjs';
import { BATCH, PLOT_TEXT, PLOT_VALUES } from './support/payloads.mjs';

after(closeBrowser);

const FIRST_SAMPLE =
  '.jp-RenderedCharAttention .jp-CharAttention-sample >> nth=0';
const files = {
  'stored.ipynb': notebookWith([
    {
      source: 'display(...)',
      outputs: [{ [MIME]: BATCH, 'text/plain': 'fallback' }]
    }
  ])
};

/** Focused element's data-pos, or null when focus is not on a cell. */
const focusedPos = page =>
  page.evaluate(() => {
    const active = document.activeElement;
    return active?.classList.contains('jp-CharAttention-cell')
      ? Number(active.dataset.pos)
      : null;
  });

/** U+XXXX of a character. */
const codePoint = char =>
  `U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The number after "value" in a status line or title, or NaN. */
const shownValue = text =>
  Number((/value:?\s*(-?[\d.]+(?:e-?\d+)?)/i.exec(text) ?? [])[1]);

/** data-pos of the cells with tabindex=0 in the first sample. */
const tabStops = sample =>
  sample
    .locator('td.jp-CharAttention-cell[tabindex="0"]')
    .evaluateAll(tds => tds.map(td => Number(td.dataset.pos)));

test('hover shows the value of a cell in the status line', async () => {
  await withLab('hover', { files }, async ({ page, lab }) => {
    await openLab(page, lab, 'stored.ipynb');
    const sample = page.locator(FIRST_SAMPLE);
    const cell = sample.locator('td.jp-CharAttention-cell[data-pos="12"]');
    await cell.waitFor({ timeout: 30000 });
    await cell.hover();
    const status = page
      .locator('.jp-RenderedCharAttention .jp-CharAttention-status')
      .first();
    await page.waitForFunction(
      () =>
        /position 12\b/.test(
          document.querySelector(
            '.jp-RenderedCharAttention .jp-CharAttention-status'
          )?.textContent ?? ''
        ),
      null,
      { timeout: 5000 }
    );
    await screenshot(page, 'hover-status');
    const text = await status.textContent();
    const char = [...PLOT_TEXT][12];
    assert.ok(
      text.includes(char),
      `status names the character "${char}": ${text}`
    );
    assert.ok(
      text.includes(codePoint(char)),
      `status names the code point: ${text}`
    );
    assert.equal(
      shownValue(text),
      PLOT_VALUES[12],
      `status shows the value: ${text}`
    );
    const title = (await cell.getAttribute('title')) ?? '';
    assert.equal(
      shownValue(title),
      PLOT_VALUES[12],
      `title shows the value: ${title}`
    );
  });
});

test('keyboard focus moves across cells with a roving tabindex', async () => {
  await withLab('keyboard', { files }, async ({ page, lab }) => {
    await openLab(page, lab, 'stored.ipynb');
    const sample = page.locator(FIRST_SAMPLE);
    await sample
      .locator('td.jp-CharAttention-cell')
      .first()
      .waitFor({ timeout: 30000 });
    assert.deepEqual(
      await tabStops(sample),
      [0],
      'one tab stop, on the first cell'
    );

    await sample.locator('td.jp-CharAttention-cell[tabindex="0"]').focus();
    assert.equal(await focusedPos(page), 0);
    await page.keyboard.press('ArrowRight');
    // In a notebook in command mode, JupyterLab's shortcuts (ArrowLeft/Right:
    // collapse/expand heading, ArrowUp/Down: select cell) see the key first.
    assert.equal(
      await focusedPos(page),
      1,
      'ArrowRight did not reach the table (taken by a notebook shortcut?)'
    );
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedPos(page), 2);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedPos(page), 1);
    assert.deepEqual(await tabStops(sample), [1], 'the tab stop follows focus');
    const status = await page
      .locator('.jp-RenderedCharAttention .jp-CharAttention-status')
      .first()
      .textContent();
    assert.equal(
      shownValue(status),
      PLOT_VALUES[1],
      `focus writes the status: ${status}`
    );

    await page.keyboard.press('ArrowDown');
    const below = await focusedPos(page);
    assert.equal(
      below,
      21,
      'ArrowDown moves one table row (20 characters) down'
    );
    // Grid keys: Home/End within the row, Ctrl+Home/Ctrl+End within the sample.
    await page.keyboard.press('End');
    assert.equal(await focusedPos(page), 39);
    await page.keyboard.press('Home');
    assert.equal(await focusedPos(page), 20);
    await page.keyboard.press('Control+End');
    assert.equal(await focusedPos(page), [...PLOT_TEXT].length - 1);
    await page.keyboard.press('Control+Home');
    assert.equal(await focusedPos(page), 0);
    assert.deepEqual(await tabStops(sample), [0]);
    await screenshot(page, 'keyboard-focus');
  });
});
