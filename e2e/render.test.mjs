/**
 * Payloads displayed from a Python cell, as a kernel-side helper sends them:
 * the renderer wins over text/html, reports malformed payloads and never runs
 * script from user strings.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  colorDistance,
  expectedColors,
  parseCssColor
} from './support/colors.mjs';
import {
  closeBrowser,
  displayBundleCode,
  newNotebook,
  openLab,
  runInActiveCell,
  screenshot,
  withLab
} from './support/lab.mjs';
import {
  BATCH,
  MALFORMED,
  PLOT_TEXT,
  PLOT_VALUES,
  XSS,
  XSS_FLAG
} from './support/payloads.mjs';

after(closeBrowser);

const OUTPUT = '.jp-NotebookPanel .jp-OutputArea-output';

test('a displayed bundle renders our table, not the text/html fallback', async () => {
  await withLab('display', {}, async ({ page, lab }) => {
    await openLab(page, lab);
    await newNotebook(page);
    await runInActiveCell(page, displayBundleCode(BATCH));
    const output = page.locator(`${OUTPUT}.jp-RenderedCharAttention`);
    await output.waitFor({ timeout: 30000 });
    await output.locator('td.jp-CharAttention-cell').first().waitFor();
    await screenshot(page, 'display-rendered');

    assert.equal(
      await page.locator('.char-attention-fallback').count(),
      0,
      'the text/html fallback is shown'
    );
    assert.equal(await page.locator(OUTPUT).count(), 1, 'one output');
    const samples = output.locator('.jp-CharAttention-sample');
    assert.equal(await samples.count(), 2);

    // One cell per character, in order, wrapped after charsPerRow (20) cells.
    const first = samples.nth(0);
    const cells = await first
      .locator('td.jp-CharAttention-cell')
      .evaluateAll(tds =>
        tds.map(td => ({
          pos: Number(td.dataset.pos),
          value:
            td.dataset.value === undefined ? null : Number(td.dataset.value),
          row: td.parentElement,
          background: getComputedStyle(td).backgroundColor
        }))
      );
    assert.equal(cells.length, [...PLOT_TEXT].length);
    assert.deepEqual(
      cells.map(c => c.pos),
      cells.map((_, i) => i)
    );
    assert.deepEqual(
      cells.map(c => c.value),
      PLOT_VALUES
    );
    const rowSizes = await first
      .locator('table.jp-CharAttention-table tbody tr')
      .evaluateAll(rows =>
        rows
          .map(tr => tr.querySelectorAll('td.jp-CharAttention-cell').length)
          .filter(n => n > 0)
      );
    assert.deepEqual(rowSizes, [20, 20, 4]);

    // Background colours follow the Reds table on the fixed 0..1 scale.
    for (const pos of [0, 1, 2, 5, 10, 21, 43]) {
      const actual = parseCssColor(cells[pos].background);
      const candidates = expectedColors('Reds', PLOT_VALUES[pos], 0, 1);
      const distance = Math.min(
        ...candidates.map(c => colorDistance(actual, c))
      );
      assert.ok(
        distance <= 2,
        `cell ${pos} (value ${PLOT_VALUES[pos]}) is ${cells[pos].background}, expected one of ${JSON.stringify(candidates)}`
      );
    }
    // The second sample shares the scale: its last cell (1.0) is the darkest red.
    const last = await samples
      .nth(1)
      .locator('td.jp-CharAttention-cell')
      .last()
      .evaluate(td => getComputedStyle(td).backgroundColor);
    assert.ok(
      colorDistance(parseCssColor(last), expectedColors('Reds', 1, 0, 1)[0]) <=
        2,
      `darkest cell is ${last}`
    );

    const header = await first
      .locator('.jp-CharAttention-header')
      .textContent();
    assert.match(header, /review 1/);
    assert.match(header, /positive/);
    assert.equal(await first.locator('.jp-CharAttention-legend').count(), 1);
  });
});

test('display_attention of the installed Python package renders our table', async () => {
  const values = [0, 0.125, 0.25, 0.5, 0.75, 0.875, 1, 0.5];
  const code = [
    'from jupyterlab_char_attention import display_attention',
    `display_attention('Hi there', ${JSON.stringify(values)}, prediction=0.9, label='greeting',`,
    "                  options={'colormap': 'Blues', 'vmin': 0, 'vmax': 1})"
  ].join('\n');
  await withLab('python-helper', {}, async ({ page, lab }) => {
    await openLab(page, lab);
    await newNotebook(page);
    await runInActiveCell(page, code);
    const output = page.locator(`${OUTPUT}.jp-RenderedCharAttention`);
    await output
      .locator('td.jp-CharAttention-cell')
      .first()
      .waitFor({ timeout: 30000 });
    await screenshot(page, 'python-helper');
    assert.equal(
      await page.locator(OUTPUT).count(),
      1,
      'one output, our renderer'
    );
    const cells = await output
      .locator('td.jp-CharAttention-cell')
      .evaluateAll(tds =>
        tds.map(td => ({
          value: Number(td.dataset.value),
          background: getComputedStyle(td).backgroundColor
        }))
      );
    assert.deepEqual(
      cells.map(c => c.value),
      values
    );
    cells.forEach(({ background }, i) => {
      const candidates = expectedColors('Blues', values[i], 0, 1);
      const distance = Math.min(
        ...candidates.map(c => colorDistance(parseCssColor(background), c))
      );
      assert.ok(
        distance <= 2,
        `cell ${i} (value ${values[i]}) is ${background}, expected one of ${JSON.stringify(candidates)}`
      );
    });
  });
});

test('a malformed payload shows the error box', async () => {
  await withLab('malformed', {}, async ({ page, lab }) => {
    await openLab(page, lab);
    await newNotebook(page);
    await runInActiveCell(page, displayBundleCode(MALFORMED));
    const box = page.locator(`${OUTPUT} .jp-CharAttention-error`);
    await box.waitFor({ timeout: 30000 });
    await screenshot(page, 'malformed-error-box');
    const problems = await box.locator('li').allTextContents();
    assert.ok(problems.length >= 1, 'at least one problem listed');
    assert.ok(
      problems.some(p => /attention/.test(p) && /3/.test(p) && /4/.test(p)),
      `a problem names attention and the counts: ${JSON.stringify(problems)}`
    );
    assert.equal(
      await page.locator(`${OUTPUT} td.jp-CharAttention-cell`).count(),
      0
    );
    assert.equal(await page.locator('.char-attention-fallback').count(), 0);
  });
});

test('user strings never run script (trusted output)', async () => {
  await withLab('xss', {}, async ({ page, lab }) => {
    await openLab(page, lab);
    await newNotebook(page);
    // No text/html here: only our renderer can show the payload.
    await runInActiveCell(page, displayBundleCode(XSS, { html: null }));
    const output = page.locator(`${OUTPUT}.jp-RenderedCharAttention`);
    await output
      .locator('td.jp-CharAttention-cell')
      .first()
      .waitFor({ timeout: 30000 });
    await page.waitForTimeout(1000); // give onerror/onload handlers a chance to fire
    await screenshot(page, 'xss-escaped');

    assert.equal(
      await page.evaluate(flag => window[flag], XSS_FLAG),
      undefined,
      'script from a payload ran'
    );
    assert.equal(
      await output.locator('img, script, svg[onload], iframe').count(),
      0,
      'markup from a payload was inserted'
    );
    const text = await output.textContent();
    assert.ok(text.includes('<script>'), 'the markup is shown as text');
    assert.equal(
      await output.locator('td.jp-CharAttention-cell').count(),
      4 + [...'<iframe src="javascript:alert(1)">'].length
    );
  });
});

test('header fields are isolated: U+202E is shown as a marker and reverses nothing', async () => {
  const rlo = '\u202e';
  const payload = {
    version: 1,
    title: `${rlo}batch`,
    meta: { method: 'occlusion', window: 2 },
    samples: [
      {
        text: 'abc',
        attention: [0.5, -0.25, 0],
        title: `${rlo}evitagen`,
        label: `${rlo}evitagen`,
        prediction: 0.9878539443016052,
        meta: { notice: `cut${rlo}txt.exe`, hidden: `${rlo}x` }
      }
    ]
  };
  await withLab('bidi', {}, async ({ page, lab }) => {
    await openLab(page, lab);
    await newNotebook(page);
    await runInActiveCell(page, displayBundleCode(payload, { html: null }));
    const output = page.locator(`${OUTPUT}.jp-RenderedCharAttention`);
    await output
      .locator('td.jp-CharAttention-cell')
      .first()
      .waitFor({ timeout: 30000 });
    await screenshot(page, 'bidi-header');
    const header = output.locator('.jp-CharAttention-header');
    assert.deepEqual(await header.locator('bdi').allTextContents(), [
      '<U+202E>evitagen',
      'occlusion',
      '0.988',
      '<U+202E>evitagen',
      '2',
      '3 characters'
    ]);
    assert.match(await header.getAttribute('title'), /hidden: <U\+202E>x/);
    assert.equal(
      await output.locator('.jp-CharAttention-note').textContent(),
      'cut<U+202E>txt.exe'
    );
    // Drawn left to right: each character of the label lies right of the one
    // before it (U+202E would have drawn "negative" from right to left).
    const order = await output
      .locator('.jp-CharAttention-label bdi')
      .evaluate(bdi => {
        const text = bdi.firstChild;
        return Array.from(text.textContent, (_, i) => {
          const range = document.createRange();
          range.setStart(text, i);
          range.setEnd(text, i + 1);
          return range.getBoundingClientRect().left;
        });
      });
    for (let i = 1; i < order.length; i++) {
      assert.ok(
        order[i] > order[i - 1],
        `character ${i} is left of ${i - 1}: ${order}`
      );
    }
    assert.equal(
      await page.evaluate(() =>
        /[\u202a-\u202e\u2066-\u2069]/.test(
          document.querySelector('.jp-RenderedCharAttention').innerText
        )
      ),
      false
    );
    // Signed values: red raises the output, blue lowers it; the legend says so.
    assert.equal(
      await output.locator('.jp-CharAttention-legendMeaning').textContent(),
      '− lowers · raises +'
    );
    const [raises, lowers] = (
      await output
        .locator('td.jp-CharAttention-cell')
        .evaluateAll(tds => tds.map(td => getComputedStyle(td).backgroundColor))
    ).map(parseCssColor);
    assert.ok(raises[0] > raises[2] + 50, `0.5 is red: ${raises}`);
    assert.ok(lowers[2] > lowers[0] + 20, `-0.25 is blue: ${lowers}`);
  });
});
