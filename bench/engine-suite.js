/* eslint-disable */
/**
 * The engine measurements of `bench/compare.js`, written once for both
 * places the engine runs: Node (worker threads, as the CLI runs it) and
 * headless Chromium (Web Workers, as the viewer runs it; this file is
 * bundled into the page). `pool` is a loaded WorkerPool; `data` holds the
 * ids; `now()` is a millisecond clock. Every figure is warm: `WARM_CALLS`
 * calls of the same shape first (V8 optimises the hot JavaScript over
 * several calls), then the best of `runs` (batch 1: the median of 20);
 * `bench/keras_reference.py` times Keras the same way.
 */
'use strict';

const WARM_CALLS = 2;
const TIMED_CALLS = 5;

async function best(now, runs, fn) {
  for (let w = 0; w < WARM_CALLS; w++) {
    await fn();
  }
  let min = Infinity;
  const all = [];
  for (let r = 0; r < runs; r++) {
    const start = now();
    await fn();
    const ms = now() - start;
    all.push(ms);
    min = Math.min(min, ms);
  }
  all.sort((a, b) => a - b);
  return { min, median: all[Math.floor(all.length / 2)] };
}

async function runSuite(pool, data, now, runs = TIMED_CALLS) {
  const out = {};
  const texts = data.texts;
  const tp = await best(now, runs, () => pool.predict(texts));
  out.throughput = (texts.length / tp.min) * 1000;
  out.throughputMedian = (texts.length / tp.median) * 1000;
  out.firstPrediction = (await pool.predict([texts[0]])).predictions[0][0];
  const occ = await best(now, runs, () =>
    pool.explain([data.text], { method: 'occlusion' })
  );
  out.occlusionMs = occ.min;
  out.occlusionMedianMs = occ.median;
  const ig = await best(now, runs, () =>
    pool.explain([data.text], { method: 'integrated-gradients', steps: 32 })
  );
  out.igMs = ig.min;
  out.igMedianMs = ig.median;
  const [occlusion] = await pool.explain([data.text], { method: 'occlusion' });
  const [integrated] = await pool.explain([data.text], {
    method: 'integrated-gradients',
    steps: 32
  });
  out.occlusionValues = occlusion.values;
  out.igValues = integrated.values;
  const latencies = [];
  for (let i = 0; i < 25; i++) {
    const start = now();
    await pool.predict([texts[i % texts.length]]);
    if (i >= 5) {
      latencies.push(now() - start);
    }
  }
  latencies.sort((a, b) => a - b);
  out.batch1Ms = latencies[Math.floor(latencies.length / 2)];
  out.batch1MinMs = latencies[0];
  return out;
}

module.exports = { runSuite, best };
