/* eslint-disable */
/**
 * Explanation benchmark on the reference model (T=250, vocabulary 70,
 * Embedding 100, GRU 250, attention head; see bench/model.js): occlusion
 * (window 1) of a 250-character text, gradient x input and integrated
 * gradients with 32 steps in this package (native engine: forward passes,
 * and the engine's own reverse pass for the gradients), next to real
 * TensorFlow/Keras on the CPU computing the same with the same weights, in
 * the same run (.venv/bin/python).
 *
 * Run after `npm run build:node`:  node bench/explain.js
 * Environment: BENCH_QUICK=1 for fewer repetitions, BENCH_RUNS=N for more,
 * BENCH_SKIP_KERAS=1 to skip TF, CHAR_ATTENTION_LIB=<lib-node folder> to time
 * another build of this package (e.g. an older one) with the same script.
 */
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const { spawnSync } = require('child_process');
const { referenceFiles, T, VOCAB, EMBED, UNITS } = require('./model.js');

const LIB =
  process.env.CHAR_ATTENTION_LIB || path.join(__dirname, '..', 'lib-node');
const { loadModel } = require(path.join(LIB, 'model', 'engine.js'));
const { createExplainer } = require(path.join(LIB, 'explain', 'index.js'));

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS || (QUICK ? 1 : 3));
const STEPS = 32;
const PYTHON = path.join(__dirname, '..', '.venv', 'bin', 'python');

/** A 250-character text's ids (no padding). */
function sequence() {
  let s = 12345;
  return Array.from({ length: T }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return 1 + (s % (VOCAB - 1));
  });
}

async function explainOnce(explainer, seq, options) {
  const [explanation] = await explainer.explain([seq], options);
  return explanation;
}

async function timeBest(fn, runs) {
  const times = [];
  let value;
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    value = await fn();
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    times.push({ wall, cpu: (used.user + used.system) / 1000 });
  }
  times.sort((a, b) => a.wall - b.wall);
  return { best: times[0], median: times[Math.floor(times.length / 2)], value };
}

function weightsOf(files) {
  const json = JSON.parse(new TextDecoder().decode(files['model.json']));
  const shard = files['group1-shard1of1.bin'];
  const data = new Float32Array(
    shard.buffer,
    shard.byteOffset,
    shard.byteLength / 4
  );
  let at = 0;
  return json.weightsManifest[0].weights.map(w => {
    const n = w.shape.reduce((a, d) => a * d, 1);
    const flat = Array.from(data.subarray(at, at + n));
    at += n;
    return [w.name, w.shape, flat];
  });
}

function runKeras(files, seq) {
  if (process.env.BENCH_SKIP_KERAS === '1') {
    return { skipped: 'BENCH_SKIP_KERAS=1' };
  }
  if (!fs.existsSync(PYTHON)) {
    return { skipped: `TensorFlow is absent: no ${PYTHON} (run npm run venv)` };
  }
  const input = JSON.stringify({
    T,
    units: UNITS,
    vocab: VOCAB,
    embed: EMBED,
    weights: weightsOf(files),
    sequence: seq,
    steps: STEPS,
    runs: RUNS
  });
  const out = spawnSync(PYTHON, [path.join(__dirname, 'explain_keras.py')], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 << 20
  });
  if (out.status !== 0) {
    const last =
      (out.stderr || '')
        .trim()
        .split('\n')
        .filter(l => /Error/.test(l))
        .slice(-1)[0] || (out.stderr || '').trim().slice(-300);
    return { skipped: `TensorFlow is absent or failed: ${last}` };
  }
  return JSON.parse(out.stdout);
}

function relative(a, b) {
  const scale = Math.max(...b.map(Math.abs));
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
  return worst / scale;
}

async function main() {
  const files = referenceFiles();
  const seq = sequence();
  const model = await loadModel(files, { lambdas: { lambda: 'sum(axis=1)' } });
  const explainer = createExplainer(model);
  // Warm-up: WebAssembly kernel, the gradient pass's transposed weights.
  await explainOnce(explainer, seq, { method: 'occlusion' });
  await explainOnce(explainer, seq, {
    method: 'integrated-gradients',
    steps: 2
  });
  const occ = await timeBest(
    () => explainOnce(explainer, seq, { method: 'occlusion' }),
    RUNS
  );
  const gxi = await timeBest(
    () => explainOnce(explainer, seq, { method: 'grad-x-input' }),
    RUNS
  );
  const ig = await timeBest(
    () =>
      explainOnce(explainer, seq, {
        method: 'integrated-gradients',
        steps: STEPS
      }),
    RUNS
  );
  explainer.dispose();
  model.dispose();
  const keras = runKeras(files, seq);

  const rows = [
    ['occlusion, window 1 (251 forward passes)', occ, keras.occlusion, 500],
    ['gradient x input', gxi, keras.gxi, null],
    [`integrated gradients, ${STEPS} steps`, ig, keras.ig, 3000]
  ];
  const header = [
    'explanation',
    'ours best ms',
    'ours median ms',
    'ours CPU ms',
    'Keras best ms',
    'Keras / ours',
    'target',
    'max diff vs Keras'
  ];
  const table = rows.map(([name, ours, k, target]) => {
    let diff = 'n/a';
    if (k && name.startsWith('occlusion')) {
      diff = relative(ours.value.values, k.drops).toExponential(1);
    } else if (k) {
      diff = relative(ours.value.values, k.values).toExponential(1);
    }
    return [
      name,
      ours.best.wall.toFixed(0),
      ours.median.wall.toFixed(0),
      ours.best.cpu.toFixed(0),
      k ? k.minMs.toFixed(0) : 'n/a',
      k ? `${(k.minMs / ours.best.wall).toFixed(2)}x` : 'n/a',
      target === null
        ? 'none'
        : `<= ${target} ms: ${ours.best.wall <= target ? 'met' : 'NOT met'}`,
      diff
    ];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map(r => r[i].length))
  );
  const line = cells =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const load = os.loadavg()[0];
  console.log(
    `\nExplanations of the reference model (T=${T}, Embedding ${EMBED}, GRU ${UNITS}, reset_after=True) on one ` +
      `${T}-character text; node ${process.version}, ${os.cpus().length} CPUs; ours: one thread ` +
      `(the native engine: forward passes for occlusion, its own reverse pass for the gradients; ` +
      `${LIB === path.join(__dirname, '..', 'lib-node') ? 'this build' : `build in ${LIB}`})` +
      (keras.tensorflow
        ? `; TensorFlow ${keras.tensorflow} / Keras ${keras.keras} CPU, same weights`
        : '') +
      '\n'
  );
  console.log(line(header));
  console.log('|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|');
  table.forEach(r => console.log(line(r)));
  if (keras.skipped) {
    console.log(`\nKeras comparison skipped: ${keras.skipped}`);
  }
  console.log(
    `\nKeras / ours > 1 means ours is faster. Max diff = max |ours - Keras| / max |Keras| (occlusion: drops per position). ` +
      `Load average during the run: ${load.toFixed(2)} on ${os.cpus().length} CPUs` +
      (load > 1.5
        ? ' (other processes competed for the CPU: wall figures are pessimistic).'
        : '.')
  );
}

main()
  .then(adaptiveVersusFixed)
  .catch(e => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  });

/**
 * Integrated gradients with adaptive steps (the default: a trapezoid rule
 * doubled from 32 intervals until the completeness gap is within 1% of
 * |f(x) - f(baseline)|) against fixed 32 midpoint steps, on the reference
 * model's text and on the demo model's texts (examples/models/demo): wall
 * time in this thread, the steps adaptive took and the gaps reached.
 */
async function adaptiveVersusFixed() {
  const cases = [];
  const reference = await loadModel(referenceFiles(), {
    lambdas: { lambda: 'sum(axis=1)' }
  });
  cases.push({
    name: `reference model, ${T} characters`,
    model: reference,
    seq: sequence()
  });
  const demoDir = path.join(__dirname, '..', 'examples', 'models', 'demo');
  const demo = await loadModel({
    'demo.h5': new Uint8Array(fs.readFileSync(path.join(demoDir, 'demo.h5')))
  });
  const { encodeTexts, parseTokenizer } = require(
    path.join(LIB, 'text', 'tokenizer.js')
  );
  const tokenizer = parseTokenizer(
    fs.readFileSync(path.join(demoDir, 'tokenizer.json'), 'utf8')
  );
  for (const text of [
    'My kettle arrived broken!',
    'The screen arrived BROKEN, I want a refund.'
  ]) {
    const [item] = encodeTexts(tokenizer, [text], { maxlen: 80 }).items;
    cases.push({
      name: `demo model, "${text}"`,
      model: demo,
      seq: item.padded
    });
  }
  const rows = [];
  for (const c of cases) {
    const explainer = createExplainer(c.model);
    await explainOnce(explainer, c.seq, {
      method: 'integrated-gradients',
      steps: 2
    });
    const fixed = await timeBest(
      () =>
        explainOnce(explainer, c.seq, {
          method: 'integrated-gradients',
          steps: 32
        }),
      RUNS
    );
    const adaptive = await timeBest(
      () => explainOnce(explainer, c.seq, { method: 'integrated-gradients' }),
      RUNS
    );
    explainer.dispose();
    const gap = e => `${(100 * e.meta.gapRelative).toFixed(2)}%`;
    rows.push([
      c.name,
      fixed.best.wall.toFixed(0),
      gap(fixed.value),
      adaptive.best.wall.toFixed(0),
      String(adaptive.value.meta.steps),
      gap(adaptive.value)
    ]);
  }
  reference.dispose();
  demo.dispose();
  const header = [
    'integrated gradients',
    'fixed 32 ms',
    'fixed 32 gap',
    'adaptive ms',
    'adaptive steps',
    'adaptive gap'
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length))
  );
  const line = cells =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(
    '\nAdaptive integrated gradients (gap within 1% of |f(x) - f(baseline)|) against fixed 32 midpoint steps, one thread:\n'
  );
  console.log(line(header));
  console.log('|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|');
  rows.forEach(r => console.log(line(r)));
}
