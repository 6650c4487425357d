/**
 * Light and dark themes: the text of every rendered cell keeps a WCAG
 * contrast ratio of at least 4.5 against its computed background, and the
 * sample header reads well (named facts, signed values explained in the
 * legend). Also saves the README screenshots (artifacts/e2e/lab-light.png,
 * lab-dark.png, header-light.png, header-dark.png; scripts/screenshot-header.sh
 * copies the header ones to docs/).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { composite, contrastRatio, parseCssColor } from './support/colors.mjs';
import {
  MIME,
  closeBrowser,
  notebookWith,
  openLab,
  repoRoot,
  screenshot,
  waitForIdleKernel,
  withLab
} from './support/lab.mjs';
import { reviewsPayload } from './support/payloads.mjs';

after(closeBrowser);

const CODE = [
  'from jupyterlab_char_attention import display_attention',
  '',
  '# attention: output of the softmax layer "attention_vec", one row per review',
  'display_attention(reviews, attention, predictions=predictions, labels=labels,',
  "                  titles=['review 1', 'review 2'], options={'charsPerRow': 40})"
].join('\n');

function notebook(colormap) {
  const payload = reviewsPayload(colormap);
  return notebookWith([
    {
      type: 'markdown',
      source:
        '## Which characters does the model look at?\nAttention of the `attention_vec` softmax of a char-level GRU sentiment classifier.'
    },
    {
      source: CODE,
      outputs: [{ [MIME]: payload, 'text/plain': '<AttentionView: 2 samples>' }]
    }
  ]);
}

/**
 * For every rendered cell (and whitespace glyph), the text colour against the
 * effective background: the cell's own colour composited over the first
 * opaque ancestor background.
 */
async function cellContrasts(page) {
  const raw = await page
    .locator('.jp-RenderedCharAttention td.jp-CharAttention-cell')
    .evaluateAll(tds => {
      const opaqueBackground = element => {
        for (let node = element; node; node = node.parentElement) {
          const color = getComputedStyle(node).backgroundColor;
          if (
            color &&
            color !== 'transparent' &&
            !/rgba\([^)]*,\s*0\)$/.test(color)
          ) {
            return { node, color };
          }
        }
        return { node: null, color: 'rgb(255, 255, 255)' };
      };
      return tds.flatMap(td => {
        const own = getComputedStyle(td).backgroundColor;
        const under = opaqueBackground(td.parentElement).color;
        const glyphs = [td, ...td.querySelectorAll('.jp-CharAttention-ws')];
        return glyphs.map(glyph => ({
          pos: td.dataset.pos,
          text: glyph.textContent,
          color: getComputedStyle(glyph).color,
          own,
          under
        }));
      });
    });
  return raw.map(entry => {
    const under = parseCssColor(entry.under);
    const background = composite(parseCssColor(entry.own), under);
    const text = composite(parseCssColor(entry.color), background);
    return { ...entry, ratio: contrastRatio(text, background) };
  });
}

/** Integrated gradients of the demo model, as `char-attention explain` wrote them. */
const EXPLAINED = JSON.parse(
  fs.readFileSync(
    path.join(repoRoot, 'examples', 'integrated-gradients.json'),
    'utf8'
  )
);

/**
 * The header of the first sample: its fields, its tooltip, and the legend
 * (text contrast of the legend's words against the page).
 */
async function checkHeader(page) {
  const sample = page
    .locator('.jp-RenderedCharAttention .jp-CharAttention-sample')
    .first();
  const header = sample.locator('.jp-CharAttention-header');
  assert.deepEqual(await header.locator('bdi').allTextContents(), [
    'Sample 1',
    'integrated gradients',
    '0.99999',
    'negative',
    '< 0.01%',
    '512',
    '0',
    '43 characters'
  ]);
  assert.match(
    await header.getAttribute('title'),
    /^prediction: 0\.9999858736991882\n/
  );
  const meaning = sample.locator('.jp-CharAttention-legendMeaning');
  assert.equal(await meaning.textContent(), '− lowers · raises +');
  const ratio = await meaning.evaluate(node => {
    const channel = c => {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const luminance = css => {
      const [r, g, b] = css.match(/\d+(\.\d+)?/g).map(Number);
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    let under = node;
    while (
      under &&
      /rgba\([^)]*,\s*0\)|transparent/.test(
        getComputedStyle(under).backgroundColor
      )
    ) {
      under = under.parentElement;
    }
    const [a, b] = [
      luminance(getComputedStyle(node).color),
      luminance(
        under ? getComputedStyle(under).backgroundColor : 'rgb(255,255,255)'
      )
    ].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
  assert.ok(ratio >= 4.5, `legend words have contrast ${ratio.toFixed(2)}`);
  return sample;
}

for (const [theme, name, isLight] of [
  ['JupyterLab Light', 'light', true],
  ['JupyterLab Dark', 'dark', false]
]) {
  test(`${name} theme: every cell has text contrast >= 4.5`, async () => {
    const settings = { '@jupyterlab/apputils-extension:themes': { theme } };
    const files = {
      'reviews.ipynb': notebook('Reds'),
      'viridis.ipynb': notebook('viridis'),
      'explained.ipynb': notebookWith([
        {
          source:
            '!char-attention explain --model demo.h5 --tokenizer tokenizer.json --method integrated-gradients --steps 512 --file reviews.txt',
          outputs: [{ [MIME]: EXPLAINED, 'text/plain': 'explained' }]
        }
      ])
    };
    await withLab(
      `theme-${name}`,
      { files, settings, viewport: { width: 1280, height: 720 } },
      async ({ page, lab }) => {
        // The header of an explanation (README screenshot: the header, the
        // legend and the first rows of the first sample).
        await openLab(page, lab, 'explained.ipynb');
        await page
          .locator('.jp-RenderedCharAttention td.jp-CharAttention-cell')
          .first()
          .waitFor({ timeout: 30000 });
        const explained = await checkHeader(page);
        await page.evaluate(() =>
          window.jupyterapp.commands.execute('application:toggle-left-area')
        );
        await page.mouse.move(0, 0);
        await page.waitForTimeout(300);
        // Both samples: a negative review (red raises its prediction) and a
        // positive one.
        const first = await explained.boundingBox();
        const last = await page
          .locator('.jp-RenderedCharAttention .jp-CharAttention-sample')
          .last()
          .boundingBox();
        await screenshot(page, `header-${name}`, {
          clip: {
            x: Math.max(0, first.x - 12),
            y: Math.max(0, first.y - 12),
            width: Math.min(1000, first.width + 24),
            height: last.y + last.height - first.y + 24
          }
        });
        await page.evaluate(() =>
          window.jupyterapp.commands.execute('application:toggle-left-area')
        );
        for (const file of ['viridis.ipynb', 'reviews.ipynb']) {
          await openLab(page, lab, file);
          await page
            .locator('.jp-RenderedCharAttention td.jp-CharAttention-cell')
            .first()
            .waitFor({ timeout: 30000 });
          assert.equal(
            await page.evaluate(() => document.body.dataset.jpThemeLight),
            String(isLight)
          );
          const contrasts = await cellContrasts(page);
          assert.ok(
            contrasts.length > 150,
            `cells measured: ${contrasts.length}`
          );
          const worst = contrasts.reduce((a, b) => (b.ratio < a.ratio ? b : a));
          assert.ok(
            worst.ratio >= 4.5,
            `${file}: cell ${worst.pos} "${worst.text}" has contrast ${worst.ratio.toFixed(2)} (${worst.color} on ${worst.own} over ${worst.under})`
          );
          console.log(
            `# ${name} ${file}: ${contrasts.length} glyphs, lowest contrast ${worst.ratio.toFixed(2)}`
          );
        }
        // README screenshot: the Reds notebook, file browser collapsed, kernel
        // idle, the code cell active and the pointer on the strongest character.
        await waitForIdleKernel(page);
        await page.evaluate(async () => {
          const app = window.jupyterapp;
          await app.commands.execute('application:toggle-left-area');
          const notebook = app.shell.currentWidget.content;
          notebook.activeCellIndex = 1;
          notebook.mode = 'command';
          // The kernel's language_info marks the notebook changed: save it.
          await app.commands.execute('docmanager:save');
        });
        const peak = await page
          .locator('.jp-CharAttention-sample >> nth=0')
          .locator('td.jp-CharAttention-cell')
          .evaluateAll(
            tds =>
              tds.reduce((best, td) =>
                Number(td.dataset.value) > Number(best.dataset.value)
                  ? td
                  : best
              ).dataset.pos
          );
        await page
          .locator('.jp-CharAttention-sample >> nth=0')
          .locator(`td.jp-CharAttention-cell[data-pos="${peak}"]`)
          .hover();
        await page.waitForTimeout(300);
        await screenshot(page, `lab-${name}`);
      }
    );
  });
}
