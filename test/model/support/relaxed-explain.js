/* eslint-disable */
/**
 * Run by test/model/relaxed-simd.spec.ts in a Node started with
 * --experimental-wasm-relaxed-simd (or without it): the real-Keras explain
 * fixtures through the built engine (lib-node), predictions, occlusion,
 * gradient x input and integrated gradients, with the default kernels and
 * with the plain ones, and each sample alone against all in one batch;
 * prints the largest differences as JSON.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..', '..');
const LIB = path.join(ROOT, 'lib-node');
const DIR = path.join(ROOT, 'test', 'fixtures', 'keras', 'explain');
const { loadModel } = require(path.join(LIB, 'model', 'engine.js'));
const { createExplainer } = require(path.join(LIB, 'explain', 'index.js'));
const { kernelsSupported, kernelModuleBytes } = require(
  path.join(LIB, 'model', 'layers', 'kernels', 'module.js')
);

const MODELS = ['seed_attention', 'conv_bilstm', 'gru_softmax', 'rnn_pool'];

function relative(actual, expected) {
  const scale = Math.max(...expected.map(Math.abs));
  let worst = 0;
  actual.forEach(
    (v, i) => (worst = Math.max(worst, Math.abs(v - expected[i])))
  );
  return scale > 0 ? worst / scale : worst;
}

async function explainAll(model, sample) {
  const explainer = createExplainer(model);
  const out = { prediction: (await model.forward([sample.input]))[0] };
  const target = { target: sample.target };
  out.occlusion = {};
  for (const window of Object.keys(sample.occlusion)) {
    const [e] = await explainer.explain([sample.input], {
      method: 'occlusion',
      window: Number(window),
      ...target
    });
    out.occlusion[window] = e.values;
  }
  const [gxi] = await explainer.explain([sample.input], {
    method: 'grad-x-input',
    ...target
  });
  out.gradXInput = gxi.values;
  const [ig] = await explainer.explain([sample.input], {
    method: 'integrated-gradients',
    steps: sample.integratedGradients.steps,
    ...target
  });
  out.integratedGradients = ig.values;
  explainer.dispose();
  return out;
}

/**
 * The GRU gate update of the relaxed module (multiply-adds in the exp
 * polynomial, its reduction and the update) against the plain module's on
 * the same row: 4,096 units of random arguments in [-12, 12] and extremes,
 * states in [-1, 1].
 * Returns the largest difference and how many outputs are finite in one
 * and not the other.
 */
function gatesAgainstPlain() {
  const units = 4096;
  const extremes = [0, -0, 1e-30, 30, -30, 87.9, -87.9, 1e30, -1e30];
  extremes.push(Infinity, -Infinity);
  let s = 11;
  const input = Float32Array.from({ length: 7 * units }, (_, i) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    // Extremes among the arguments only: the state h is in [-1, 1].
    if (i >= 6 * units) {
      return 2 * (s / 4294967296 - 0.5);
    }
    return i % 11 === 0
      ? extremes[(i / 11) % extremes.length]
      : 24 * (s / 4294967296 - 0.5);
  });
  const run = relaxed => {
    const { exports } = new WebAssembly.Instance(
      new WebAssembly.Module(kernelModuleBytes(relaxed)),
      {}
    );
    exports.memory.grow(4);
    const f32 = new Float32Array(exports.memory.buffer);
    f32.set(input);
    // x: 3 gates at 0, inner: 3 gates at 3 * units, h at 6 * units, out after.
    exports.gru_gates(
      0,
      12 * units,
      24 * units,
      28 * units,
      units / 4,
      4 * units
    );
    return f32.slice(7 * units, 8 * units);
  };
  const [fused, plain] = [run(true), run(false)];
  let worst = 0;
  let finiteDiffers = 0;
  fused.forEach((v, i) => {
    if (Number.isFinite(v) !== Number.isFinite(plain[i])) {
      finiteDiffers++;
    } else if (Number.isFinite(v)) {
      worst = Math.max(worst, Math.abs(v - plain[i]));
    }
  });
  return { worst, finiteDiffers };
}

/**
 * The module's two one-row products (`gemm`, two panels per pass, and
 * `gemm_narrow`, one) on the same random row: how many of the 768 output
 * floats differ.
 */
function oneRowDiffers(relaxed) {
  const { exports } = new WebAssembly.Instance(
    new WebAssembly.Module(kernelModuleBytes(relaxed)),
    {}
  );
  const k = 250;
  const np = 768;
  exports.memory.grow(16);
  const f32 = new Float32Array(exports.memory.buffer);
  let s = 7;
  const out = k + k * np;
  for (let i = 0; i < out + np; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    f32[i] = s / 4294967296 - 0.5;
  }
  const start = f32.slice(out, out + np);
  exports.gemm(0, 1, k, k * 4, np, out * 4, out * 4, 0);
  const wide = f32.slice(out, out + np);
  f32.set(start, out);
  exports.gemm_narrow(0, 1, k, k * 4, np, out * 4, out * 4, 0);
  const narrow = f32.slice(out, out + np);
  return wide.filter((v, i) => !Object.is(v, narrow[i])).length;
}

async function main() {
  const report = {
    relaxedSupported: kernelsSupported(true),
    oneRowDiffers: kernelsSupported(true) ? oneRowDiffers(true) : null,
    gates: kernelsSupported(true) ? gatesAgainstPlain() : null,
    models: {}
  };
  for (const name of MODELS) {
    const oracle = JSON.parse(
      fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')
    );
    const files = {
      [`${name}.keras`]: new Uint8Array(
        fs.readFileSync(path.join(DIR, `${name}.keras`))
      )
    };
    const models = {
      fast: await loadModel(files, { lambdas: oracle.lambdas }),
      plain: await loadModel(files, {
        lambdas: oracle.lambdas,
        relaxedSimd: false
      })
    };
    const worst = {
      relaxed: models.fast.graph.kernels.relaxed,
      keras: {},
      plain: {}
    };
    const keep = (where, key, value) =>
      (where[key] = Math.max(where[key] || 0, value));
    for (const sample of oracle.samples) {
      const fast = await explainAll(models.fast, sample);
      const plain = await explainAll(models.plain, sample);
      const pairs = [
        [
          'prediction',
          fast.prediction,
          plain.prediction,
          sample.prediction,
          'abs'
        ],
        ['gradXInput', fast.gradXInput, plain.gradXInput, sample.gradXInput],
        [
          'integratedGradients',
          fast.integratedGradients,
          plain.integratedGradients,
          sample.integratedGradients.values
        ]
      ];
      for (const window of Object.keys(sample.occlusion)) {
        pairs.push([
          `occlusion${window}`,
          fast.occlusion[window],
          plain.occlusion[window],
          sample.occlusion[window]
        ]);
      }
      for (const [key, a, b, k, kind] of pairs) {
        const diff =
          kind === 'abs'
            ? (x, y) => Math.max(...x.map((v, i) => Math.abs(v - y[i])))
            : relative;
        keep(worst.keras, key, diff(a, k));
        keep(worst.plain, key, diff(a, b));
      }
    }
    // A row's result does not depend on its batch (pairs or the one-row
    // kernel): every sample alone against all of them in one batch.
    const inputs = oracle.samples.map(s => s.input);
    for (const kind of ['fast', 'plain']) {
      const together = await models[kind].forward(inputs);
      let differ = 0;
      for (let i = 0; i < inputs.length; i++) {
        const [alone] = await models[kind].forward([inputs[i]]);
        alone.forEach(
          (v, k) => (differ += Object.is(v, together[i][k]) ? 0 : 1)
        );
      }
      worst[`${kind}BatchDiffers`] = differ;
      worst.batchRows = inputs.length;
    }
    models.fast.dispose();
    models.plain.dispose();
    report.models[name] = worst;
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
