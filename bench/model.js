/* eslint-disable */
/**
 * Inference benchmark of the reference char-attention model at full size
 * (T=250, vocabulary 70, Embedding 100, GRU 250 with reset_after=True,
 * random weights): batch-1 latency and batch-256 throughput of this
 * engine (WebAssembly SIMD kernel and plain-JS kernel) next to stock
 * TensorFlow.js 4.22 running the same architecture with reset_after=False
 * (stock tfjs refuses reset_after=True), measured in the same run.
 *
 * Run after `npm run build:node`:  npm run bench:model
 * Environment: BENCH_QUICK=1 for fewer repetitions, BENCH_STOCK=1 to add the
 * stock TensorFlow.js baseline (about 15 minutes on 2 cores; skipped by
 * default).
 */
'use strict';
const { fmt } = require('./report');
const path = require('path');

const LIB =
  process.env.CHAR_ATTENTION_LIB || path.join(__dirname, '..', 'lib-node');
const { loadModel } = require(path.join(LIB, 'model', 'engine.js'));

const T = 250;
const VOCAB = 70;
const EMBED = 100;
const UNITS = 250;
const BIG_BATCH = 256;
const QUICK = process.env.BENCH_QUICK === '1';
const LATENCY_RUNS = QUICK ? 10 : 40;
// Stock tfjs needs minutes for a batch of 256 here; BENCH_STOCK_BATCH lowers it.
const STOCK_BATCH = Number(
  process.env.BENCH_STOCK_BATCH || (QUICK ? 32 : BIG_BATCH)
);

// FLOPs of one text (multiply-add = 2): GRU input projection and recurrent
// multiply dominate; the rest is the attention head.
const FLOPS_PER_TEXT =
  T * (2 * EMBED * 3 * UNITS + 2 * UNITS * 3 * UNITS) +
  T * 2 * UNITS +
  T * UNITS +
  T * UNITS +
  2 * UNITS;

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** The reference model as a tfjs layers model.json + shard (Keras 2 layout, reset_after=True). */
function referenceFiles() {
  const rnd = rng(42);
  const w = (name, shape, scale) => ({
    name,
    shape,
    data: Float32Array.from(
      { length: shape.reduce((a, d) => a * d, 1) },
      () => rnd() * scale
    )
  });
  const weights = [
    w('embedding/embeddings', [VOCAB, EMBED], 0.5),
    w('gru/gru_cell/kernel', [EMBED, 3 * UNITS], 0.2),
    w('gru/gru_cell/recurrent_kernel', [UNITS, 3 * UNITS], 0.1),
    w('gru/gru_cell/bias', [2, 3 * UNITS], 0.1),
    w('time_distributed/kernel', [UNITS, 1], 0.5),
    w('time_distributed/bias', [1], 0.1),
    w('dense/kernel', [UNITS, 1], 0.5),
    w('dense/bias', [1], 0.1)
  ];
  const layer = (class_name, name, config, inbound) => ({
    class_name,
    name,
    config: { name, ...config },
    inbound_nodes: inbound.length ? [inbound.map(i => [i, 0, 0, {}])] : []
  });
  const config = {
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: [
        layer('InputLayer', 'input_1', { batch_input_shape: [null, T] }, []),
        layer(
          'Embedding',
          'embedding',
          { input_dim: VOCAB, output_dim: EMBED },
          ['input_1']
        ),
        layer(
          'GRU',
          'gru',
          {
            units: UNITS,
            return_sequences: true,
            reset_after: true,
            activation: 'tanh',
            recurrent_activation: 'sigmoid'
          },
          ['embedding']
        ),
        layer(
          'TimeDistributed',
          'time_distributed',
          {
            layer: {
              class_name: 'Dense',
              config: { name: 'dense_1', units: 1, activation: 'tanh' }
            }
          },
          ['gru']
        ),
        layer('Flatten', 'flatten', {}, ['time_distributed']),
        layer('Activation', 'attention_vec', { activation: 'softmax' }, [
          'flatten'
        ]),
        layer('RepeatVector', 'repeat_vector', { n: UNITS }, ['attention_vec']),
        layer('Permute', 'permute', { dims: [2, 1] }, ['repeat_vector']),
        layer('Multiply', 'multiply', {}, ['gru', 'permute']),
        layer(
          'Lambda',
          'lambda',
          { function: ['', null, null], function_type: 'lambda' },
          ['multiply']
        ),
        layer('Dense', 'dense', { units: 1, activation: 'sigmoid' }, ['lambda'])
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [['dense', 0, 0]]
    }
  };
  const total = weights.reduce((a, x) => a + x.data.length, 0);
  const shard = new Float32Array(total);
  let at = 0;
  for (const x of weights) {
    shard.set(x.data, at);
    at += x.data.length;
  }
  const json = {
    format: 'layers-model',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: config
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: weights.map(x => ({
          name: x.name,
          shape: x.shape,
          dtype: 'float32'
        }))
      }
    ]
  };
  return {
    'model.json': new TextEncoder().encode(JSON.stringify(json)),
    'group1-shard1of1.bin': new Uint8Array(shard.buffer)
  };
}

function texts(count, seed) {
  const rnd = rng(seed);
  return Array.from({ length: count }, () => {
    const length = 40 + Math.floor((rnd() + 0.5) * 210);
    return Array.from({ length: T }, (_, t) =>
      t < T - length ? 0 : 1 + Math.floor((rnd() + 0.5) * (VOCAB - 1))
    );
  });
}

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const q = p =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { median: q(0.5), p90: q(0.9), min: sorted[0] };
}

const memory = { rss: 0, heap: 0, external: 0 };
function sampleMemory() {
  const m = process.memoryUsage();
  memory.rss = Math.max(memory.rss, m.rss);
  memory.heap = Math.max(memory.heap, m.heapUsed);
  memory.external = Math.max(
    memory.external,
    m.external + (m.arrayBuffers || 0)
  );
}

async function timeAsync(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Wall and CPU milliseconds of one call (CPU time shows what contention hides). */
async function timeWithCpu(fn) {
  const cpu = process.cpuUsage();
  const wall = await timeAsync(fn);
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

async function benchEngine(label, simd) {
  const model = await loadModel(referenceFiles(), {
    simd,
    lambdas: { lambda: 'sum(axis=1)' }
  });
  const one = texts(LATENCY_RUNS + 5, 1);
  for (let i = 0; i < 5; i++) {
    await model.predict([one[i]]);
  }
  const latencies = [];
  for (let i = 5; i < one.length; i++) {
    latencies.push(await timeAsync(() => model.predict([one[i]])));
    sampleMemory();
  }
  const batch = texts(BIG_BATCH, 2);
  const runs = simd ? (QUICK ? 1 : 3) : 1;
  let best = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < runs; r++) {
    const t = await timeWithCpu(() => model.predict(batch));
    if (t.wall < best.wall) {
      best = t;
    }
    sampleMemory();
  }
  model.dispose();
  return {
    label,
    latency: stats(latencies),
    batchMs: best.wall,
    batchCpuMs: best.cpu
  };
}

async function benchStock() {
  let tf;
  try {
    tf = require('@tensorflow/tfjs');
  } catch (e) {
    return null;
  }
  await tf.setBackend('cpu');
  class SumOverTime extends tf.layers.Layer {
    computeOutputShape(s) {
      return [s[0], s[2]];
    }
    call(inputs) {
      return tf.tidy(() =>
        tf.sum(Array.isArray(inputs) ? inputs[0] : inputs, 1)
      );
    }
    static get className() {
      return 'SumOverTime';
    }
  }
  const input = tf.input({ shape: [T] });
  const embedded = tf.layers
    .embedding({ inputDim: VOCAB, outputDim: EMBED })
    .apply(input);
  const states = tf.layers
    .gru({
      units: UNITS,
      returnSequences: true,
      resetAfter: false,
      recurrentActivation: 'sigmoid'
    })
    .apply(embedded);
  const scores = tf.layers
    .timeDistributed({
      layer: tf.layers.dense({ units: 1, activation: 'tanh' })
    })
    .apply(states);
  const attention = tf.layers
    .activation({ activation: 'softmax', name: 'attention_vec' })
    .apply(tf.layers.flatten().apply(scores));
  const spread = tf.layers
    .permute({ dims: [2, 1] })
    .apply(tf.layers.repeatVector({ n: UNITS }).apply(attention));
  const weighted = tf.layers.multiply().apply([states, spread]);
  const pooled = new SumOverTime({}).apply(weighted);
  const output = tf.layers
    .dense({ units: 1, activation: 'sigmoid' })
    .apply(pooled);
  const model = tf.model({ inputs: input, outputs: [output, attention] });
  const run = seqs =>
    tf.tidy(() => {
      const outs = model.predict(
        tf.tensor2d(seqs, [seqs.length, T], 'float32')
      );
      return outs.map(o => o.dataSync());
    });
  const one = texts(8, 1);
  run([one[0]]);
  const latencies = [];
  for (let i = 1; i < (QUICK ? 3 : 6); i++) {
    latencies.push(await timeAsync(async () => run([one[i]])));
    sampleMemory();
  }
  const batch = texts(BIG_BATCH, 2);
  const { wall: batchMs, cpu: batchCpuMs } = await timeWithCpu(async () =>
    run(batch)
  );
  sampleMemory();
  const leaked = tf.memory().numTensors;
  model.dispose();
  return {
    label: 'stock tfjs 4.22 (cpu, reset_after=False)',
    latency: stats(latencies),
    batchMs,
    batchCpuMs,
    leaked
  };
}

async function main() {
  const rows = [];
  rows.push(await benchEngine('this engine, WebAssembly SIMD kernel', true));
  rows.push(await benchEngine('this engine, plain JS kernel', false));
  const stock = process.env.BENCH_STOCK === '1' ? await benchStock() : null;
  if (stock) {
    rows.push(stock);
  }
  const base = rows[0];
  const header = [
    'implementation',
    'b1 median ms',
    'b1 p90 ms',
    'b1 GFLOP/s',
    `b${BIG_BATCH} texts/s`,
    `b${BIG_BATCH} texts/CPU-s`,
    `b${BIG_BATCH} GFLOP/s`,
    'b1 vs stock',
    `b${BIG_BATCH} vs stock`
  ];
  const table = rows.map(r => {
    const tps = (BIG_BATCH / r.batchMs) * 1000;
    return [
      r.label,
      fmt(r.latency.median),
      fmt(r.latency.p90),
      fmt(FLOPS_PER_TEXT / (r.latency.median * 1e6), 2),
      fmt(tps),
      fmt((BIG_BATCH / r.batchCpuMs) * 1000),
      fmt((FLOPS_PER_TEXT * tps) / 1e9, 2),
      stock ? `${fmt(stock.latency.median / r.latency.median)}x` : 'n/a',
      stock ? `${fmt(tps / ((BIG_BATCH / stock.batchMs) * 1000))}x` : 'n/a'
    ];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map(r => r[i].length))
  );
  const line = cells =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(
    `\nReference model: T=${T}, vocabulary ${VOCAB}, Embedding ${EMBED}, GRU ${UNITS} (reset_after=True; stock tfjs: False), ` +
      `${fmt(FLOPS_PER_TEXT / 1e6)} MFLOP per text; node ${process.version}, ${require('os').cpus().length} CPUs\n`
  );
  console.log(line(header));
  console.log('|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|');
  table.forEach(r => console.log(line(r)));
  const maxRss = process.resourceUsage
    ? process.resourceUsage().maxRSS / 1024
    : memory.rss / 2 ** 20;
  console.log(
    `\nPeak memory (whole run): max RSS ${fmt(maxRss)} MiB, heap used ${fmt(memory.heap / 2 ** 20)} MiB, ` +
      `external/ArrayBuffers ${fmt(memory.external / 2 ** 20)} MiB`
  );
  console.log(
    `Targets: batch-1 median <= 25 ms: ${base.latency.median <= 25 ? 'met' : 'NOT met'} (${fmt(base.latency.median)} ms); ` +
      `batch-${BIG_BATCH} >= 150 texts/s: ${(BIG_BATCH / base.batchMs) * 1000 >= 150 ? 'met' : 'NOT met'} ` +
      `(${fmt((BIG_BATCH / base.batchMs) * 1000)} texts/s)`
  );
  if (stock) {
    console.log(
      `Stock tfjs tensors left after its run: ${stock.leaked} (model weights included)`
    );
  }
  const load = require('os').loadavg()[0];
  console.log(
    `GFLOP/s = model FLOPs (${fmt(FLOPS_PER_TEXT / 1e6)} M per text, GRU input projection included) / wall time; ` +
      `texts/CPU-s = texts per second of this process's CPU time. Load average during the run: ${fmt(load, 2)} ` +
      `on ${require('os').cpus().length} CPUs${load > 1.5 ? ' (other processes competed for the CPU: wall figures are pessimistic)' : ''}.`
  );
}

// bench/explain.js reuses the reference model.
module.exports = { referenceFiles, texts, T, VOCAB, EMBED, UNITS };

if (require.main === module) {
  main().catch(e => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  });
}
