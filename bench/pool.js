/* eslint-disable */
/**
 * Worker-pool benchmark against real Keras, in one run, on the same model
 * file: the reference char-attention model at full size (T=250, vocabulary
 * 70, Embedding 100, GRU 250 reset_after=True), built and saved as .keras by
 * `.venv/bin/python bench/keras_reference.py` (seeded weights).
 *
 * Keras: `model.predict` on CPU (batch 1 median, batch 256 throughput, the
 * 251 inputs of an occlusion of one 250-character text in one predict).
 * This engine through the worker pool (Node worker threads, as the CLI runs
 * it) with 1 worker and N workers (N = CPU count): batch 1, batch 256,
 * occlusion of a 250-character text, integrated gradients with 32 steps and
 * with adaptive steps (the default; the steps and gap reached are shown), and
 * `char-attention predict --file` on 10,000 texts (wall time, peak RSS of
 * the whole process, worker threads included).
 *
 * Run after `npm run build:node`:  node bench/pool.js   (part of `npm run bench`)
 * Environment: BENCH_QUICK=1 for fewer repetitions; BENCH_WORKERS=N.
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
const TEXTS = path.join(WORK, 'texts-10000.txt');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const T = 250;
const VOCAB = 70;
const QUICK = process.env.BENCH_QUICK === '1';
const CORES = os.cpus().length;
const N = Number(process.env.BENCH_WORKERS || CORES);

const { WorkerPool } = require(path.join(LIB, 'workers', 'pool.js'));
const { spawnThreadWorker } = require(
  path.join(LIB, 'workers', 'spawn-thread.js')
);

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function sequences(count, seed) {
  const rnd = rng(seed);
  return Array.from({ length: count }, () => {
    const length = 40 + Math.floor(rnd() * (T - 40));
    return Array.from({ length: T }, (_, t) =>
      t < T - length ? 0 : 1 + Math.floor(rnd() * (VOCAB - 1))
    );
  });
}

function python(args) {
  return spawnSync(
    PYTHON,
    [path.join(__dirname, 'keras_reference.py'), ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, CUDA_VISIBLE_DEVICES: '' }
    }
  );
}

/** The model file (built by Keras once) plus a tokenizer and the 10,000-text file for the CLI. */
function prepare() {
  fs.mkdirSync(WORK, { recursive: true });
  let notice = null;
  if (!fs.existsSync(PYTHON)) {
    notice = `${PYTHON} not found: make the venv with \`npm run venv\` (TensorFlow/Keras); Keras figures are skipped`;
  }
  if (!fs.existsSync(MODEL)) {
    if (notice) {
      throw new Error(
        `${notice}, and the reference model ${MODEL} cannot be built without Keras.`
      );
    }
    const built = python(['build', MODEL]);
    if (built.status !== 0) {
      throw new Error(
        `building the reference model with Keras failed:\n${built.stderr.slice(-2000)}`
      );
    }
  }
  // 69 characters, indices 1..69 (0 is padding), as a {char: index} map.
  const alphabet =
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,!?-:;';
  const map = {};
  for (let i = 0; i < VOCAB - 1; i++) {
    map[alphabet[i]] = i + 1;
  }
  fs.writeFileSync(TOKENIZER, JSON.stringify(map));
  if (!fs.existsSync(TEXTS)) {
    const rnd = rng(7);
    const lines = [];
    for (let i = 0; i < 10000; i++) {
      const length = 20 + Math.floor(rnd() * 200);
      let line = '';
      for (let k = 0; k < length; k++) {
        line += alphabet[Math.floor(rnd() * 62)];
      }
      lines.push(line);
    }
    fs.writeFileSync(TEXTS, lines.join('\n') + '\n');
  }
  return notice;
}

function keras() {
  const result = python(['time', MODEL]);
  if (result.status !== 0) {
    const missing = /No module named '(tensorflow|keras)'/.exec(result.stderr);
    return {
      error: missing
        ? `${missing[1]} is not installed in ${PYTHON}: Keras figures are skipped`
        : `Keras timing failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`
    };
  }
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

const ms = start => Number(process.hrtime.bigint() - start) / 1e6;

async function time(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return ms(start);
}

async function engine(workers) {
  const pool = new WorkerPool({
    spawn: () => spawnThreadWorker(),
    size: workers,
    idleMs: 0
  });
  await pool.load({
    'reference.keras': new Uint8Array(fs.readFileSync(MODEL))
  });
  const out = { workers };
  // Batch 1: one worker whatever the pool size (small work).
  const one = sequences(QUICK ? 15 : 45, 1);
  for (let i = 0; i < 5; i++) {
    await pool.predict([one[i]]);
  }
  const latencies = [];
  for (let i = 5; i < one.length; i++) {
    latencies.push(await time(() => pool.predict([one[i]])));
  }
  latencies.sort((a, b) => a - b);
  out.batch1 = latencies[Math.floor(latencies.length / 2)];
  const batch = sequences(256, 2);
  await pool.predict(batch); // every worker loads the model and warms up
  let best = Infinity;
  for (let r = 0; r < (QUICK ? 2 : 3); r++) {
    best = Math.min(best, await time(() => pool.predict(batch)));
  }
  out.batch256 = (256 / best) * 1000;
  out.firstPrediction = (await pool.predict([one[0]])).predictions[0][0];
  const text = sequences(1, 3)[0];
  // A full 250-character text: no padding.
  for (let t = 0; t < T; t++) {
    text[t] = 1 + ((t * 7) % (VOCAB - 1));
  }
  try {
    // Warm-up: every worker compiles the kernels and loads the explanation methods.
    await pool.explain([text], { method: 'occlusion' });
    await pool.explain([text], { method: 'integrated-gradients', steps: 32 });
    out.occlusion = Infinity;
    out.ig = Infinity;
    for (let r = 0; r < (QUICK ? 2 : 3); r++) {
      out.occlusion = Math.min(
        out.occlusion,
        await time(() => pool.explain([text], { method: 'occlusion' }))
      );
      out.ig = Math.min(
        out.ig,
        await time(() =>
          pool.explain([text], { method: 'integrated-gradients', steps: 32 })
        )
      );
    }
    Object.assign(out, await adaptiveIntegratedGradients(pool, text));
  } catch (error) {
    out.explainError = error.message;
  }
  pool.dispose();
  return out;
}

/**
 * Integrated gradients with adaptive steps (the default: doubled from 32
 * until the completeness gap is within 1% of |f(x) - f(baseline)|) on the
 * same text: best wall time, the steps it took and the gap it reached.
 */
async function adaptiveIntegratedGradients(pool, text) {
  const options = { method: 'integrated-gradients' };
  const [first] = await pool.explain([text], options);
  let best = Infinity;
  for (let r = 0; r < (QUICK ? 2 : 3); r++) {
    best = Math.min(best, await time(() => pool.explain([text], options)));
  }
  return {
    adaptive: best,
    adaptiveSteps: first.meta.steps,
    adaptiveGap: first.meta.gapRelative
  };
}

/** `char-attention predict --file` on 10,000 texts: wall time and peak RSS (threads included). */
function cliFile(workers) {
  const script =
    `require(${JSON.stringify(path.join(LIB, 'cli', 'main.js'))}).main(process.argv.slice(1))` +
    `.then(code => { process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'); process.exitCode = code; });`;
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      script,
      'predict',
      '--model',
      MODEL,
      '--tokenizer',
      TOKENIZER,
      '--file',
      TEXTS,
      '--workers',
      String(workers)
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 26
    }
  );
  const seconds = ms(start) / 1000;
  if (result.status !== 0) {
    return { error: result.stderr.trim().split('\n').slice(-2).join(' ') };
  }
  const rss = /MAXRSS (\d+)/.exec(result.stderr);
  return { seconds, rssMb: rss ? Number(rss[1]) / 1024 : NaN };
}

async function main() {
  const notice = prepare();
  const k = notice ? { error: notice } : keras();
  const single = await engine(1);
  const multi = await engine(N);
  const file1 = cliFile(1);
  const fileN = cliFile(N);
  const load = os.loadavg()[0];

  console.log(
    `\nWorker pool vs Keras ${k.keras ? `${k.keras} (${k.backend}, CPU)` : ''}: reference model T=${T}, vocabulary ${VOCAB}, ` +
      `Embedding 100, GRU 250 (reset_after=True), ${path.relative(ROOT, MODEL)}; node ${process.version}, ${CORES} CPUs, N=${N} workers\n`
  );
  if (k.error) {
    console.log(`NOTICE: ${k.error}\n`);
  }
  if (single.explainError || multi.explainError) {
    console.log(
      `NOTICE: explanations not measured: ${single.explainError || multi.explainError}\n`
    );
  }
  const rows = [
    [
      'batch 1 median (ms)',
      fmt(k.batch1_median_ms),
      fmt(single.batch1),
      fmt(multi.batch1)
    ],
    [
      'batch 256 (texts/s)',
      fmt(k.batch256_texts_per_s),
      fmt(single.batch256),
      fmt(multi.batch256)
    ],
    [
      'occlusion, 250 chars (s)',
      k.occlusion250_s
        ? `${fmt(k.occlusion250_s, 3)} (one predict of 251)`
        : 'n/a',
      fmt(single.occlusion / 1000, 3),
      fmt(multi.occlusion / 1000, 3)
    ],
    [
      'integrated gradients, 32 steps (s)',
      'n/a',
      fmt(single.ig / 1000, 3),
      fmt(multi.ig / 1000, 3)
    ],
    [
      `integrated gradients, adaptive (s): ${single.adaptiveSteps ?? '?'} steps, gap ${fmt(100 * single.adaptiveGap, 2)}%`,
      'n/a',
      fmt(single.adaptive / 1000, 3),
      fmt(multi.adaptive / 1000, 3)
    ],
    [
      '10,000-text file, wall (s)',
      'n/a',
      fmt(file1.seconds),
      fmt(fileN.seconds)
    ],
    [
      '10,000-text file, peak RSS (MB)',
      'n/a',
      fmt(file1.rssMb, 0),
      fmt(fileN.rssMb, 0)
    ]
  ];
  const header = [
    'measure',
    'Keras predict',
    'engine, 1 worker',
    `engine, ${N} workers`
  ];
  table(header, rows);

  const scaling = multi.batch256 / (N * single.batch256);
  const fileScaling = file1.seconds / (N * fileN.seconds);
  const best = (a, b) =>
    Number.isFinite(a) && Number.isFinite(b) ? Math.min(a, b) : a;
  const bestRate = Math.max(single.batch256, multi.batch256);
  const targets = [
    [
      'batch 256 >= 2x Keras predict',
      k.batch256_texts_per_s ? bestRate / k.batch256_texts_per_s : NaN,
      2,
      'x',
      true
    ],
    [
      'batch 1 >= 10x faster than Keras predict',
      k.batch1_median_ms
        ? k.batch1_median_ms / best(single.batch1, multi.batch1)
        : NaN,
      10,
      'x',
      true
    ],
    [
      `scaling efficiency, batch 256, ${N} workers >= 0.85`,
      scaling,
      0.85,
      '',
      true
    ],
    [
      `occlusion of 250 chars with ${N} workers <= 0.3 s`,
      multi.occlusion / 1000,
      0.3,
      ' s',
      false
    ],
    ['10,000-text file peak RSS <= 400 MB', fileN.rssMb, 400, ' MB', false]
  ].map(([name, value, limit, unit, atLeast]) => [
    name,
    `${fmt(value, 2)}${unit}`,
    !Number.isFinite(value)
      ? 'n/a'
      : (atLeast ? value >= limit : value <= limit)
        ? 'pass'
        : 'MISS'
  ]);
  console.log('');
  table(['target', 'measured', 'result'], targets);
  console.log(
    `\nScaling efficiency = N-worker throughput / (N x 1-worker throughput); for the 10,000-text file: ${fmt(fileScaling, 2)}.` +
      `\nSame output: first prediction Keras-loaded model in this engine, 1 worker ${fmt(single.firstPrediction, 6)}, ${N} workers ${fmt(multi.firstPrediction, 6)}.` +
      `\nLoad average during the run: ${fmt(load, 2)} on ${CORES} CPUs` +
      (load > 1.5
        ? ' (other processes competed for the CPU: figures are indicative only).'
        : '.')
  );
  if (file1.error || fileN.error) {
    console.log(`NOTICE: the CLI run failed: ${file1.error || fileN.error}`);
  }
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
