/* eslint-disable */
/**
 * Main-thread CPU time of a page's tasks, from a Chromium trace (CDP,
 * category `toplevel`): a long task's wall time also counts the time the
 * renderer waited for a CPU on a loaded machine; its thread time is the work
 * the page itself did. Used by bench/evaluate.js beside the PerformanceObserver
 * for long tasks.
 *
 *   const stop = await traceMainThread(page);  ...  const { longest, over50 } = await stop();
 */
'use strict';

const TASKS = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);

async function traceMainThread(page) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  await cdp.send('Tracing.start', {
    categories: 'toplevel,__metadata',
    transferMode: 'ReportEvents'
  });
  return async () => {
    const complete = new Promise(resolve =>
      cdp.once('Tracing.tracingComplete', resolve)
    );
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
    // The renderer main threads (this page's, the only renderer traced with work).
    const main = new Set(
      events
        .filter(
          e => e.name === 'thread_name' && e.args.name === 'CrRendererMain'
        )
        .map(e => `${e.pid}:${e.tid}`)
    );
    const ms = events
      .filter(
        e =>
          e.ph === 'X' &&
          TASKS.has(e.name) &&
          main.has(`${e.pid}:${e.tid}`) &&
          Number.isFinite(e.tdur)
      )
      .map(e => e.tdur / 1000);
    return {
      tasks: ms.length,
      longest: ms.length ? Math.max(...ms) : NaN,
      over50: ms.filter(t => t > 50).length
    };
  };
}

module.exports = { traceMainThread };
