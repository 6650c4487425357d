/* eslint-disable */
/**
 * This package against real Keras, in one run, on the same model file and
 * the same ids (part of `npm run bench`): the reference model (T=250,
 * vocabulary 70, Embedding 100, GRU 250 reset_after=True, attention head;
 * `bench/keras_reference.py build`), measured
 *
 * - in Keras 3 / TensorFlow on the CPU (`model.predict`, and
 *   `tf.GradientTape` for integrated gradients), warm: two calls of the
 *   same shape first, then the best of five (ours the same way);
 * - in Node through the worker pool with 2 worker threads, as the CLI runs
 *   it, and the CLI itself (`predict --file` on the same 1,024 texts, wall
 *   time with start-up, 1 and 2 workers);
 * - in headless Chromium through the viewer's pool with 2 Web Workers;
 * - in-process (one thread, no worker) for batch 1.
 *
 * Work: throughput on 1,024 full-length (250-character) texts, occlusion of
 * a 250-character text, integrated gradients with 32 steps, batch 1.
 *
 * Run after `npm run build:node`:  node bench/compare.js
 * Environment: BENCH_SKIP_CHROMIUM=1, BENCH_SKIP_KERAS=1,
 * CHAR_ATTENTION_LIB=<lib-node folder> to time another build (Node side).
 */
'use strict';
const { fmt, table } = require('./report');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const LIB = process.env.CHAR_ATTENTION_LIB || path.join(ROOT, 'lib-node');
const WORK = path.join(__dirname, '.work');
const MODEL = path.join(WORK, 'reference.keras');
const TOKENIZER = path.join(WORK, 'tokenizer.json');
const TEXTS_FILE = path.join(WORK, 'texts-1024-full.txt');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const T = 250;
const VOCAB = 70;
const WORKERS = 2;
const ALPHABET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,!?-:;';

const { runSuite, best } = require('./engine-suite');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** 1,024 full-length texts, the occlusion text; their ids as the tokenizer gives them. */
function prepare() {
  fs.mkdirSync(WORK, { recursive: true });
  if (!fs.existsSync(MODEL)) {
    const built = spawnSync(
      PYTHON,
      [path.join(__dirname, 'keras_reference.py'), 'build', MODEL],
      { encoding: 'utf8' }
    );
    if (built.status !== 0) {
      throw new Error(`building ${MODEL} with Keras failed:\n${built.stderr}`);
    }
  }
  const map = {};
  for (let i = 0; i < VOCAB - 1; i++) {
    map[ALPHABET[i]] = i + 1;
  }
  fs.writeFileSync(TOKENIZER, JSON.stringify(map));
  const rnd = rng(11);
  const lines = Array.from({ length: 1024 }, () =>
    Array.from({ length: T }, () => ALPHABET[Math.floor(rnd() * 62)]).join('')
  );
  fs.writeFileSync(TEXTS_FILE, lines.join('\n') + '\n');
  const ids = line => Array.from(line, c => map[c]);
  return {
    texts: lines.map(ids),
    text: ids(lines[1023])
  };
}

function keras(data) {
  if (process.env.BENCH_SKIP_KERAS === '1') {
    return { skipped: 'BENCH_SKIP_KERAS=1' };
  }
  if (!fs.existsSync(PYTHON)) {
    return { skipped: `no ${PYTHON} (npm run venv)` };
  }
  const result = spawnSync(
    PYTHON,
    [path.join(__dirname, 'keras_reference.py'), 'compare', MODEL],
    {
      input: JSON.stringify(data),
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, CUDA_VISIBLE_DEVICES: '' }
    }
  );
  if (result.status !== 0) {
    return { skipped: `Keras failed: ${result.stderr.trim().slice(-400)}` };
  }
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function node(data) {
  const { WorkerPool } = require(path.join(LIB, 'workers', 'pool.js'));
  const { spawnThreadWorker } = require(
    path.join(LIB, 'workers', 'spawn-thread.js')
  );
  const pool = new WorkerPool({
    spawn: () => spawnThreadWorker(),
    size: WORKERS,
    idleMs: 0
  });
  await pool.load({
    'reference.keras': new Uint8Array(fs.readFileSync(MODEL))
  });
  try {
    return await runSuite(pool, data, now);
  } finally {
    pool.dispose();
  }
}

/** Batch 1 in this thread (no worker, no message passing): median and min of 40. */
async function inProcess(data) {
  const { loadModel } = require(path.join(LIB, 'model', 'engine.js'));
  const model = await loadModel({
    'reference.keras': new Uint8Array(fs.readFileSync(MODEL))
  });
  const times = [];
  for (let i = 0; i < 50; i++) {
    const start = now();
    await model.forward([data.texts[i]]);
    if (i >= 10) {
      times.push(now() - start);
    }
  }
  model.dispose();
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0] };
}

/** `char-attention predict --file` on the 1,024 texts: wall time, start-up included. */
function cli(workers) {
  const start = now();
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(path.join(LIB, 'cli', 'main.js'))}).main(process.argv.slice(1)).then(c => process.exitCode = c)`,
      'predict',
      '--model',
      MODEL,
      '--tokenizer',
      TOKENIZER,
      '--file',
      TEXTS_FILE,
      '--workers',
      String(workers)
    ],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] }
  );
  const ms = now() - start;
  return result.status === 0
    ? { ms }
    : { error: result.stderr.trim().split('\n').slice(-2).join(' ') };
}

async function chromium(data) {
  if (process.env.BENCH_SKIP_CHROMIUM === '1') {
    return { skipped: 'BENCH_SKIP_CHROMIUM=1' };
  }
  const esbuild = require('esbuild');
  const { launchChromium, CHROMIUM_PATH } = require('../scripts/chromium');
  if (!fs.existsSync(CHROMIUM_PATH)) {
    return { skipped: `no Chromium at ${CHROMIUM_PATH}` };
  }
  const bundle = entry =>
    esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      logLevel: 'error'
    }).outputFiles[0].text;
  const worker = bundle(path.join(ROOT, 'src', 'workers', 'web-worker.ts'));
  const page = bundle(path.join(__dirname, 'engine-page-entry.js'));
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>${page.replace(/<\/script/g, '<\\/script')}</script></body></html>`;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const routes = {
      '/page.html': ['text/html', html],
      '/worker.js': ['text/javascript', worker],
      '/data.json': ['application/json', JSON.stringify(data)],
      '/reference.keras': ['application/octet-stream', fs.readFileSync(MODEL)]
    };
    await context.route('http://bench.local/**', route => {
      const hit = routes[new URL(route.request().url()).pathname];
      return hit
        ? route.fulfill({ contentType: hit[0], body: hit[1] })
        : route.abort();
    });
    await tab.goto('http://bench.local/page.html');
    const result = await tab.evaluate(w => window.runEngineBench(w), WORKERS);
    result.version = browser.version();
    return result;
  } finally {
    await browser.close();
  }
}

function relative(a, b) {
  if (!a || !b) {
    return NaN;
  }
  const scale = Math.max(...b.map(Math.abs));
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
  return worst / scale;
}

async function main() {
  const data = prepare();
  const loadBefore = os.loadavg()[0];
  const k = keras(data);
  const n = await node(data);
  const local = await inProcess(data);
  const cli1 = cli(1);
  const cli2 = cli(WORKERS);
  let c;
  try {
    c = await chromium(data);
  } catch (error) {
    c = { skipped: `Chromium failed: ${error.message}` };
  }
  const load = os.loadavg();
  const occDrops = v => v; // window 1: the value at t is the drop of window t
  const rows = [
    [
      `throughput, 1,024 texts of ${T} chars (texts/s)`,
      k.throughput
        ? `${fmt(k.throughput, 0)} (batch_size ${k.throughputBatchSize})`
        : 'n/a',
      fmt(n.throughput, 0),
      fmt(c.throughput, 0),
      '>= 1.0x Keras',
      k.throughput
        ? `${fmt(n.throughput / k.throughput, 2)}x / ${fmt(c.throughput / k.throughput, 2)}x`
        : 'n/a'
    ],
    [
      `occlusion of ${T} chars (ms)`,
      fmt(k.occlusionMs, 0),
      fmt(n.occlusionMs, 0),
      fmt(c.occlusionMs, 0),
      "<= Keras's time",
      k.occlusionMs
        ? `${fmt(k.occlusionMs / n.occlusionMs, 2)}x / ${fmt(k.occlusionMs / c.occlusionMs, 2)}x`
        : 'n/a'
    ],
    [
      'integrated gradients, 32 steps (ms)',
      fmt(k.igMs, 0),
      fmt(n.igMs, 0),
      fmt(c.igMs, 0),
      '>= 1.5x Keras',
      k.igMs
        ? `${fmt(k.igMs / n.igMs, 2)}x / ${fmt(k.igMs / c.igMs, 2)}x`
        : 'n/a'
    ],
    [
      'batch 1, median (ms)',
      fmt(k.batch1Ms, 1),
      `${fmt(n.batch1Ms, 2)} (pool); in-process ${fmt(local.median, 2)} (min ${fmt(local.min, 2)})`,
      fmt(c.batch1Ms, 2),
      '<= 5 ms',
      k.batch1Ms ? `${fmt(k.batch1Ms / local.median, 0)}x` : 'n/a'
    ]
  ];
  console.log(
    `\nThis package vs Keras ${k.keras || ''} / TensorFlow ${k.tensorflow || ''} (CPU), one run, same file (${path.relative(ROOT, MODEL)}) and ids; ` +
      `node ${process.version}, ${os.cpus().length} CPUs, ${WORKERS} workers; Chromium ${c.version || 'n/a'}\n`
  );
  if (k.skipped) console.log(`NOTICE: Keras skipped: ${k.skipped}`);
  if (c.skipped) console.log(`NOTICE: Chromium skipped: ${c.skipped}`);
  table(
    [
      'work',
      'Keras (warm, best of 5)',
      `Node, ${WORKERS} worker threads`,
      `Chromium, ${WORKERS} Web Workers`,
      'target',
      'Keras / ours (Node / Chromium)'
    ],
    rows
  );
  console.log(
    `\nSame results: first prediction Keras ${fmt(k.firstPrediction, 7)}, Node ${fmt(n.firstPrediction, 7)}, Chromium ${fmt(c.firstPrediction, 7)}; ` +
      `occlusion max diff vs Keras (of max |drop|) Node ${relative(n.occlusionValues, k.occlusionDrops).toExponential(1)}, ` +
      `Chromium ${relative(c.occlusionValues, k.occlusionDrops).toExponential(1)}; ` +
      `integrated gradients Node ${relative(n.igValues, k.igValues).toExponential(1)}, Chromium ${relative(c.igValues, k.igValues).toExponential(1)}.`
  );
  const rate = r => (r.ms ? fmt((1024 / r.ms) * 1000, 0) : r.error);
  console.log(
    `CLI \`predict --file\` on the same 1,024 texts (wall, start-up and JSON output included): ` +
      `1 worker ${fmt(cli1.ms / 1000, 2)} s (${rate(cli1)} texts/s), ${WORKERS} workers ${fmt(cli2.ms / 1000, 2)} s (${rate(cli2)} texts/s), ` +
      `speed-up ${fmt(cli1.ms / cli2.ms, 2)}x.`
  );
  console.log(
    `Medians: throughput Keras ${fmt(k.throughputMedian, 0)}, Node ${fmt(n.throughputMedian, 0)}, Chromium ${fmt(c.throughputMedian, 0)} texts/s; ` +
      `occlusion Keras ${fmt(k.occlusionMedianMs, 0)}, Node ${fmt(n.occlusionMedianMs, 0)}, Chromium ${fmt(c.occlusionMedianMs, 0)} ms; ` +
      `integrated gradients Keras ${fmt(k.igMedianMs, 0)}, Node ${fmt(n.igMedianMs, 0)}, Chromium ${fmt(c.igMedianMs, 0)} ms.`
  );
  console.log(
    `Load average: ${fmt(loadBefore, 2)} before, ${load.map(l => fmt(l, 2)).join(' / ')} (1 / 5 / 15 min) after, on ${os.cpus().length} CPUs` +
      (load[0] > 2.5
        ? ': other processes competed for the CPU, figures are pessimistic.'
        : '.')
  );
}

module.exports = { prepare, keras, node, inProcess, cli, chromium };

if (require.main === module) {
  main().catch(e => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  });
}
