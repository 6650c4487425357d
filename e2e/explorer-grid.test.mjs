/**
 * The explorer's grid painted without Lumino's off-screen copies, in the
 * real JupyterLab (its shared @lumino/datagrid) and the tests' headless
 * Chromium: the grid uses direct painting; scrolling (wheel and jumps)
 * copies nothing from the off-screen buffer; the pixels match Lumino's own
 * painting of the same cells (the oracle: the same grid repainted with
 * Lumino's `_drawCells`) in the light and the dark theme; text is drawn in
 * the theme's text colour and wrong predictions in its error colour.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeBrowser, openLab, screenshot, withLab } from './support/lab.mjs';
import { copyDemoModel, MODEL, TOKENIZER } from './support/demo.mjs';
import {
  EXPLORER,
  EXPLORER_WIDGET,
  waitForState
} from './support/explorer.mjs';

after(closeBrowser);

const ROWS = 3000;

/**
 * Labelled reviews, every third one longer than its column (its text cut
 * at the cell's edge), every fifth one labelled against its words.
 */
function reviewsCsv() {
  const words = [
    'arrived broken',
    'great value',
    'want a refund',
    'works fine'
  ];
  const lines = ['id,text,label'];
  for (let i = 0; i < ROWS; i++) {
    const long =
      i % 3 === 0 ? 'a review longer than its column '.repeat(8) : '';
    const label = (i % 2 === 0) !== (i % 5 === 0) ? 1 : 0;
    lines.push(`${i},${long}${words[i % 4]},${label}`);
  }
  return lines.join('\n') + '\n';
}

/** Page function: the explorer's grid. */
const GRID = `(() => (${EXPLORER_WIDGET})(${JSON.stringify(EXPLORER)}).grid)()`;

/**
 * Paints the whole grid with direct painting, then with Lumino's, then
 * direct again (as it was), and compares: pixels differing by more than
 * `tolerance` in a channel (text edges blend once instead of twice), the
 * largest difference, and pixels of the theme's text and error colours.
 */
async function compareWithLumino(page) {
  // From the top: row 0 (even) has the background colour.
  await page.evaluate(grid => eval(grid).scrollTo(0, 0), GRID);
  await page.waitForTimeout(100);
  return page.evaluate(grid => {
    const g = eval(grid);
    const canvas = g._canvas;
    const gc = canvas.getContext('2d');
    const paint = () => {
      g.paintContent(0, 0, g.viewportWidth, g.viewportHeight);
      return gc.getImageData(0, 0, canvas.width, canvas.height).data;
    };
    // [r, g, b] of a CSS colour, one with alpha blended over `under`.
    const rgb = (css, under = [255, 255, 255]) => {
      gc.fillStyle = css;
      const value = gc.fillStyle;
      if (value.startsWith('#')) {
        const n = parseInt(value.slice(1), 16);
        return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
      }
      const [r, gr, b, a] = value.match(/[\d.]+/g).map(Number);
      return [r, gr, b].map((c, k) => Math.round(c * a + under[k] * (1 - a)));
    };
    const style = getComputedStyle(document.body);
    const css = name => style.getPropertyValue(name).trim();
    const background = rgb(css('--jp-layout-color0'));
    const colors = {
      text: rgb(css('--jp-ui-font-color1'), background),
      error: rgb(css('--jp-error-color1'), background),
      background
    };
    const own = Object.prototype.hasOwnProperty.call(g, '_drawCells')
      ? g._drawCells
      : null;
    const direct = paint();
    delete g._drawCells;
    const lumino = paint();
    g._drawCells = own;
    paint();
    let differing = 0;
    let largest = 0;
    const near = { text: 0, error: 0 };
    for (let i = 0; i < direct.length; i += 4) {
      let d = 0;
      for (let c = 0; c < 3; c++) {
        d = Math.max(d, Math.abs(direct[i + c] - lumino[i + c]));
      }
      largest = Math.max(largest, d);
      differing += d > 24 ? 1 : 0;
      for (const name of ['text', 'error']) {
        const [r, gr, b] = colors[name];
        const far =
          Math.abs(direct[i] - r) +
          Math.abs(direct[i + 1] - gr) +
          Math.abs(direct[i + 2] - b);
        near[name] += far < 30 ? 1 : 0;
      }
    }
    // Row 0, left of the right-aligned row number: the background.
    const at = 4 * ((26 + 11) * canvas.width + 3);
    return {
      hadOwnPainting: !!own,
      pixels: direct.length / 4,
      differing,
      largest,
      near,
      colors,
      background: [direct[at], direct[at + 1], direct[at + 2]]
    };
  }, GRID);
}

function assertLikeLumino(result, theme) {
  const where = `${theme}: ${JSON.stringify(result)}`;
  console.log(`# ${where}`);
  assert.ok(result.hadOwnPainting, `direct painting installed (${where})`);
  assert.ok(result.pixels > 300000, where);
  // Antialiased text edges may blend differently; nothing else may.
  assert.ok(result.differing <= result.pixels / 2000, where);
  assert.ok(result.near.text > 500, `text in the text colour (${where})`);
  assert.ok(result.near.error > 20, `✗ in the error colour (${where})`);
  assert.deepEqual(result.background, result.colors.background, where);
}

test('the explorer grid paints without off-screen copies, like Lumino, in both themes', async () => {
  await withLab(
    'explorer-grid',
    {
      files: { 'reviews.csv': reviewsCsv() },
      viewport: { width: 1400, height: 900 }
    },
    async ({ page, lab }) => {
      copyDemoModel(lab.rootDir);
      await openLab(page, lab);
      await page.evaluate(() =>
        window.jupyterapp.commands.execute('char-attention:open-explorer', {
          path: 'reviews.csv'
        })
      );
      const explorer = page.locator(`${EXPLORER}[data-state="idle"]`);
      await explorer.waitFor({ timeout: 60000 });
      await explorer.locator('.jp-CharAttention-explorerModel').fill(MODEL);
      await explorer
        .locator('.jp-CharAttention-explorerTokenizer')
        .fill(TOKENIZER);
      await explorer.locator('.jp-CharAttention-explorerRun').click();
      const state = await waitForState(page, ['done', 'error', 'cancelled']);
      assert.equal(state.state, 'done');
      assert.equal(Number(state.rows), ROWS);
      const grid = page.locator(`${EXPLORER} .jp-CharAttention-explorerGrid`);
      assert.equal(await grid.getAttribute('data-cell-painting'), 'direct');

      // Scroll with the wheel and by jumps, counting copies from the buffer.
      await page.evaluate(grid => {
        const g = eval(grid);
        const blit = g._blitContent;
        window.bufferCopies = 0;
        window.canvasCopies = 0;
        g._blitContent = function (source, ...rest) {
          if (source === g._buffer) {
            window.bufferCopies++;
          } else {
            window.canvasCopies++;
          }
          return blit.call(this, source, ...rest);
        };
      }, GRID);
      const box = await grid.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (const dy of [100, 900, 900, -300]) {
        await page.mouse.wheel(0, dy);
        await page.waitForTimeout(50);
      }
      for (const fraction of [0.9, 0.37, 0.5]) {
        await page.evaluate(
          ([grid, f]) => eval(grid).scrollTo(0, f * eval(grid).maxScrollY),
          [GRID, fraction]
        );
        await page.waitForTimeout(50);
      }
      const copies = await page.evaluate(grid => {
        const g = eval(grid);
        return {
          buffer: window.bufferCopies,
          canvas: window.canvasCopies,
          top: g.scrollY
        };
      }, GRID);
      assert.equal(copies.buffer, 0, JSON.stringify(copies));
      assert.ok(copies.top > 1000, `scrolled: ${JSON.stringify(copies)}`);

      // Errors only: the "correct" column is all ✗ (the error colour).
      await page
        .locator(`${EXPLORER} .jp-CharAttention-explorerErrors`)
        .check();
      await page.waitForTimeout(200);
      assertLikeLumino(await compareWithLumino(page), 'light');
      await screenshot(page, 'explorer-grid-light');

      await page.evaluate(() =>
        window.jupyterapp.commands.execute('apputils:change-theme', {
          theme: 'JupyterLab Dark'
        })
      );
      await page.waitForFunction(
        () => document.body.dataset.jpThemeLight === 'false',
        null,
        { timeout: 30000 }
      );
      await page.waitForTimeout(500);
      const dark = await compareWithLumino(page);
      assertLikeLumino(dark, 'dark');
      assert.ok(
        dark.background.every(c => c < 80),
        `a dark background: ${dark.background}`
      );
      await screenshot(page, 'explorer-grid-dark');
    }
  );
});
