/**
 * The messages between a page and the extension's model workers, as the page
 * sees them, to check what the workers really did (a cancelled run stops in
 * the workers, not only on the screen). Installed before the application
 * loads: the page's `Worker` becomes a subclass that records, for workers
 * named like the extension's (src/workers/spawn-web-worker.ts), each request
 * posted (type, id) and each reply received (type, id, and done of total
 * for progress).
 */

import assert from 'node:assert/strict';

/** The `name` the extension gives its model workers. */
export const MODEL_WORKER_NAME = 'char-attention-model';

const LOG = '__e2eModelWorkerTraffic';

/** Records the model workers' traffic of every document `page` loads from now on. */
export async function recordModelWorkerTraffic(page) {
  await page.addInitScript(
    ([name, key]) => {
      const log = [];
      window[key] = log;
      let started = 0;
      window.Worker = class extends window.Worker {
        constructor(url, options) {
          super(url, options);
          if (options?.name !== name) {
            return;
          }
          const worker = started++;
          this.addEventListener('message', ({ data }) =>
            log.push({
              worker,
              dir: 'reply',
              type: data?.type,
              id: data?.id,
              done: data?.done,
              total: data?.total
            })
          );
          const post = this.postMessage.bind(this);
          this.postMessage = (message, ...rest) => {
            log.push({
              worker,
              dir: 'request',
              type: message?.type,
              id: message?.id
            });
            return post(message, ...rest);
          };
        }
      };
    },
    [MODEL_WORKER_NAME, LOG]
  );
}

/** What was recorded so far: [{ worker, dir, type, id, done?, total? }]. */
export function modelWorkerTraffic(page) {
  return page.evaluate(key => window[key] ?? null, LOG);
}

const FINAL = new Set([
  'loaded',
  'predicted',
  'explained',
  'disposed',
  'cancelled',
  'error'
]);

/**
 * Waits until every request the page cancelled has its final reply, and
 * returns, per request cancelled from message `from` on (a count of
 * `modelWorkerTraffic` taken before), how it ended: { worker, id, request
 * (its type), final (the reply type), done, total (its last progress) },
 * plus the requests posted after the first of those cancels (`after`).
 */
export async function cancelledRequests(
  page,
  { from = 0, timeout = 15000 } = {}
) {
  await page.waitForFunction(
    ([key, final]) => {
      const log = window[key] ?? [];
      const open = new Set();
      for (const m of log) {
        const at = `${m.worker}:${m.id}`;
        if (m.dir === 'request' && m.type === 'cancel') {
          open.add(at);
        } else if (m.dir === 'reply' && final.includes(m.type)) {
          open.delete(at);
        }
      }
      return open.size === 0;
    },
    [LOG, [...FINAL]],
    { timeout }
  );
  const log = await modelWorkerTraffic(page);
  const firstCancel = log.findIndex(
    (m, index) => index >= from && m.type === 'cancel'
  );
  if (firstCancel < 0) {
    return { cancelled: [], after: [] };
  }
  const cancelled = log
    .slice(firstCancel)
    .filter(m => m.dir === 'request' && m.type === 'cancel')
    .map(({ worker, id }) => {
      const own = log.filter(m => m.worker === worker && m.id === id);
      const progress = own.filter(m => m.type === 'progress').pop();
      return {
        worker,
        id,
        request: own.find(m => m.dir === 'request')?.type,
        final: own.find(m => m.dir === 'reply' && FINAL.has(m.type))?.type,
        done: progress?.done ?? 0,
        total: progress?.total ?? null
      };
    });
  const after = log
    .slice(firstCancel)
    .filter(m => m.dir === 'request' && m.type !== 'cancel');
  return { cancelled, after };
}

/**
 * Asserts that a Cancel (after message `from`) stopped the work in the
 * workers: it reached them, each explain request in flight ended cancelled
 * (or had just finished), at least one in the middle of its share, and no
 * request was sent after it.
 */
export async function assertWorkersStopped(page, { from = 0 } = {}) {
  const { cancelled, after } = await cancelledRequests(page, { from });
  const said = JSON.stringify(cancelled);
  assert.ok(cancelled.length > 0, 'Cancel reaches the workers');
  assert.ok(
    cancelled.every(r => r.request === 'explain'),
    `explain requests cancelled: ${said}`
  );
  assert.ok(
    cancelled.every(r => ['cancelled', 'explained'].includes(r.final)),
    `each ends cancelled, or done just before: ${said}`
  );
  assert.ok(
    cancelled.some(r => r.final === 'cancelled' && r.done < r.total),
    `a worker stops in the middle of its share: ${said}`
  );
  assert.deepEqual(after, [], 'nothing is sent to the workers after Cancel');
}
