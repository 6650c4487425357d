/**
 * The model worker pool in the real JupyterLab: a batch of 200 texts in the
 * Attention Viewer is split across more than one Web Worker, and the page's
 * main thread never blocks for more than 100 ms from the start of typing
 * until the 200 samples are drawn (PerformanceObserver 'longtask' entries),
 * neither while the workers compute nor while the table is drawn.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  assertDemoModel,
  copyDemoModel,
  loadDemoInViewer
} from './support/demo.mjs';
import { closeBrowser, openLab, screenshot, withLab } from './support/lab.mjs';

after(closeBrowser);

/** The model workers the page runs now (the worker chunk is named after them). */
const modelWorkers = page =>
  page
    .workers()
    .filter(worker => worker.url().includes('char-attention-model'));

test('a 200-text batch in the viewer uses several workers without blocking the page', async () => {
  assertDemoModel();
  await withLab('worker-pool', {}, async ({ page, lab }) => {
    copyDemoModel(lab.rootDir);
    await openLab(page, lab);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.ok(
      cores >= 2,
      `the browser reports ${cores} core(s); the pool needs 2 to use two workers`
    );
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('char-attention:open')
    );
    const panel = await loadDemoInViewer(page);
    // Loading costs one worker only.
    assert.equal(modelWorkers(page).length, 1, 'one worker after loading');

    // Long tasks and the viewer's computing state, on the page's clock.
    await page.evaluate(() => {
      const node = document.querySelector('.jp-CharAttention-panel');
      window.__pool = {
        longTasks: [],
        computing: [],
        typing: null,
        typed: null,
        computed: null,
        drawn: null,
        painted: null
      };
      // The first task after the one that inserts the typed text (below).
      node
        .querySelector('.jp-CharAttention-texts')
        .addEventListener(
          'input',
          () =>
            window.__pool.typed ??
            setTimeout(() => (window.__pool.typed ??= performance.now()), 0),
          { capture: true }
        );
      new MutationObserver(() => {
        const probe = window.__pool;
        // The pool's last progress: every worker's share is back.
        if (
          probe.computed === null &&
          node.textContent.includes(
            'attention of 200 texts: 200 of 200 forward passes'
          )
        ) {
          probe.computed = performance.now();
        }
        // The last sample is in the DOM; the frame after it lays it out.
        if (
          probe.computed !== null &&
          probe.drawn === null &&
          node.querySelectorAll('.jp-CharAttention-sample').length === 200
        ) {
          probe.drawn = performance.now();
          requestAnimationFrame(() =>
            setTimeout(() => (probe.painted = performance.now()), 0)
          );
        }
      }).observe(node, { subtree: true, childList: true, characterData: true });
      new PerformanceObserver(list => {
        for (const entry of list.getEntries()) {
          window.__pool.longTasks.push([entry.startTime, entry.duration]);
        }
      }).observe({ type: 'longtask', buffered: false });
      new MutationObserver(() =>
        window.__pool.computing.push([
          performance.now(),
          node.classList.contains('jp-mod-computing')
        ])
      ).observe(node, { attributes: true, attributeFilter: ['class'] });
    });
    const texts = Array.from(
      { length: 200 },
      (_, i) =>
        `review ${'abcdefghik'[i % 10]}: the plot was ${i % 2 ? 'great' : 'dull'} and the cast ${'x'.repeat(i % 60)}`
    );
    let most = 0;
    const count = setInterval(() => {
      most = Math.max(most, modelWorkers(page).length);
    }, 50);
    await page.evaluate(() => (window.__pool.typing = performance.now()));
    await panel.locator('.jp-CharAttention-texts').fill(texts.join('\n'));
    await page.waitForFunction(
      () =>
        window.__pool.computing.some(([, on]) => on) &&
        !document
          .querySelector('.jp-CharAttention-panel')
          .classList.contains('jp-mod-computing'),
      null,
      { timeout: 180000 }
    );
    await page.waitForFunction(() => window.__pool.painted !== null, null, {
      timeout: 60000
    });
    // Long-task entries arrive after their task: give the last one time.
    await page.waitForTimeout(500);
    clearInterval(count);
    most = Math.max(most, modelWorkers(page).length);
    const probe = await page.evaluate(() => window.__pool);
    const intervals = [];
    probe.computing.forEach(([time, on], i) => {
      if (on) {
        const off = probe.computing.slice(i + 1).find(([, state]) => !state);
        intervals.push([time, off ? off[0] : Infinity]);
      }
    });
    assert.ok(
      probe.computed !== null,
      'the viewer showed the progress "attention of 200 texts: 200 of 200 forward passes"'
    );
    // Workers' phase: from the start of computing to the last result; then
    // the viewer draws the table. Both are reported, and the whole interval
    // from the first keystroke to the drawn 200 samples is what must not block.
    const start = intervals[0][0];
    const overlaps = (from, to) =>
      probe.longTasks.filter(
        ([at, duration]) => at < to && at + duration > from
      );
    const during = overlaps(start, probe.computed);
    const drawing = overlaps(probe.computed, probe.painted);
    // The insertion of the 200 lines by fill() is one task of Chromium's
    // editing: it fires an input event per line and updates the layout after
    // each (about a second here), whatever the listener does; a real paste
    // fires one. It is reported apart; the interval checked starts after it.
    const typing = overlaps(probe.typing, probe.typed);
    const whole = overlaps(probe.typed, probe.painted);
    const ms = tasks => JSON.stringify(tasks.map(([, d]) => Math.round(d)));
    console.log(
      `# workers seen: ${most}; computing ${Math.round(probe.computed - start)} ms in the workers, ` +
        `${JSON.stringify(intervals.map(([a, b]) => Math.round(b - a)))} ms with the first rows; ` +
        `long tasks while the workers computed: ${ms(during)}`
    );
    console.log(
      `# 200 samples drawn ${Math.round(probe.drawn - probe.computed)} ms after the last result ` +
        `(${Math.round(probe.painted - probe.typing)} ms from typing to the laid-out table); ` +
        `long tasks while the table was drawn: ${ms(drawing)}; ` +
        `longest from the typed text to the drawn table: ${Math.round(Math.max(0, ...whole.map(([, d]) => d)))} ms ` +
        `(the textarea's own insertion of the text: ${ms(typing)})`
    );
    assert.ok(most > 1, `the batch used more than one worker (saw ${most})`);
    assert.deepEqual(
      during.filter(([, duration]) => duration > 100),
      [],
      'no main-thread task over 100 ms while the workers compute the batch'
    );
    assert.deepEqual(
      whole.filter(([, duration]) => duration > 100),
      [],
      'no main-thread task over 100 ms from the typed text until the 200 samples are drawn'
    );
    assert.equal(
      await page.evaluate(
        () =>
          document.querySelectorAll(
            '.jp-CharAttention-panel .jp-CharAttention-sample'
          ).length
      ),
      200
    );
    await screenshot(page, 'worker-pool');
  });
});
