/**
 * Pure parts of the explainer: occlusion geometry, the gemm behind
 * TensorFlow.js's matMul, plan / combine invariants and bad options.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../src/model/engine';
import {
  checkExplainOptions,
  chooseTarget,
  combineRound,
  createExplainer,
  EXPLAIN_METHODS,
  explainCost,
  methodDescriptions,
  planRound
} from '../../src/explain';
import {
  changesInput,
  occluded,
  spreadDrops
} from '../../src/explain/occlusion';
import { buildTfForward } from '../../src/explain/tfjs-forward';
import { loadTf } from '../../src/explain/tfjs-load';
import { matmulInto } from '../../src/explain/tfjs-matmul';
import { Kernels } from '../../src/model/layers/kernels';
import { fixture } from './helpers';

describe('occlusion geometry', () => {
  it('spreads each window drop evenly over the positions it covers and sums the shares', () => {
    // T = 4, k = 2: windows [0,1], [1,2], [2,3], [3] (clipped).
    const values = spreadDrops([2, 4, 6, 8], 2);
    expect(values).toEqual([1, 1 + 2, 2 + 3, 3 + 8]);
    expect(spreadDrops([1, -2, 3], 1)).toEqual([1, -2, 3]);
    // Window as long as the sequence: one share per covering window.
    expect(spreadDrops([3, 0, 0], 3)).toEqual([1, 1, 1]);
  });

  it('skips windows that only cover padding and sets the window to id 0', () => {
    expect(changesInput([0, 0, 5, 6], 0, 2)).toBe(false);
    expect(changesInput([0, 0, 5, 6], 1, 2)).toBe(true);
    expect(occluded([1, 2, 3, 4], 2, 3)).toEqual([1, 2, 0, 0]);
  });
});

describe('matmulInto (the gemm TensorFlow.js runs for matMul)', () => {
  const naive = (
    a: number[],
    b: number[],
    m: number,
    k: number,
    n: number,
    ta: boolean,
    tb: boolean
  ) => {
    const out = new Array(m * n).fill(0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        for (let p = 0; p < k; p++) {
          const av = ta ? a[p * m + i] : a[i * k + p];
          const bv = tb ? b[j * k + p] : b[p * n + j];
          out[i * n + j] += av * bv;
        }
      }
    }
    return out;
  };
  it.each([
    [true, false, false],
    [true, true, false],
    [true, false, true],
    [false, true, true],
    [false, false, false]
  ])('simd %s, transposeA %s, transposeB %s', (simd, ta, tb) => {
    const kernels = new Kernels({ simd });
    const [m, k, n] = [5, 7, 37];
    let seed = 3;
    const rnd = () => (seed = (seed * 69069 + 1) >>> 0) / 4294967296 - 0.5;
    const a = Array.from({ length: m * k }, rnd);
    const b = Array.from({ length: k * n }, rnd);
    const out = new Float32Array(m * n).fill(99);
    matmulInto(
      kernels,
      Float32Array.from(a),
      Float32Array.from(b),
      m,
      k,
      n,
      ta,
      tb,
      out
    );
    const expected = naive(a, b, m, k, n, ta, tb);
    expected.forEach((v, i) => expect(Math.abs(out[i] - v)).toBeLessThan(1e-5));
    kernels.dispose();
  });
});

describe('explainer options and plans', () => {
  it('rejects unknown methods, window < 1, steps 0, a bad tolerance and bad targets with the field named', () => {
    expect(() => checkExplainOptions({ method: 'saliency' })).toThrow(
      "Unknown explanation method 'saliency' (methods: attention, occlusion, grad-x-input, integrated-gradients)"
    );
    expect(() =>
      checkExplainOptions({ method: 'occlusion', window: 0 })
    ).toThrow(
      'window must be an integer from 1 to 1000000 (occlusion: consecutive characters hidden together), got 0'
    );
    expect(() =>
      checkExplainOptions({ method: 'integrated-gradients', steps: 0 })
    ).toThrow(
      /^steps must be an integer from 1 to 4096 \(integrated gradients: fixed number of steps/
    );
    expect(() =>
      checkExplainOptions({ method: 'integrated-gradients', tolerance: 2 })
    ).toThrow(/^tolerance must be a number from 0.000001 to 1 /);
    expect(() =>
      checkExplainOptions({ method: 'occlusion', target: -1 })
    ).toThrow(/^target must be an integer from 0/);
    expect(checkExplainOptions({ method: 'integrated-gradients' })).toBe(
      'integrated-gradients'
    );
    expect(chooseTarget([0.1, 0.7, 0.2], null)).toBe(1);
    expect(chooseTarget([0.3], null)).toBe(0);
    expect(() => chooseTarget([0.3], 1)).toThrow(
      'target 1 is out of range: the model has 1 output unit(s) (0..0)'
    );
  });

  it('lists the methods in user order, each module under its own id, with its options', () => {
    expect(EXPLAIN_METHODS).toEqual([
      'attention',
      'occlusion',
      'grad-x-input',
      'integrated-gradients'
    ]);
    const described = methodDescriptions();
    expect(described.map(m => m.id)).toEqual([...EXPLAIN_METHODS]);
    expect(
      Object.fromEntries(described.map(m => [m.id, m.options.map(o => o.name)]))
    ).toEqual({
      attention: [],
      occlusion: ['window', 'target'],
      'grad-x-input': ['target'],
      'integrated-gradients': ['steps', 'tolerance', 'target']
    });
    const ig = described.find(m => m.id === 'integrated-gradients')!;
    expect(ig.options.map(o => o.defaultValue)).toEqual([null, 0.01, null]);
  });

  it('costs the forward passes of a method (a backward pass counts two)', () => {
    expect(explainCost({ method: 'attention' }, 250)).toBe(1);
    expect(explainCost({ method: 'occlusion' }, 250)).toBe(251);
    expect(explainCost({ method: 'grad-x-input' }, 250)).toBe(4);
    // 32 intervals: 33 points, a forward and a backward pass each, and the prediction.
    expect(explainCost({ method: 'integrated-gradients' }, 250)).toBe(100);
    expect(
      explainCost({ method: 'integrated-gradients', steps: 64 }, 250)
    ).toBe(196);
  });

  it('splits work into at most `parts` units and combines them in any order to the same result', async () => {
    const model = await loadModel({
      'gru_softmax.keras': fixture('keras', 'explain', 'gru_softmax.keras')
    });
    const explainer = createExplainer(model);
    const info = model.info;
    const sequence = [...new Array(14).fill(0), 3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const options = { method: 'occlusion', window: 2 };
    const one = planRound(info, sequence, options, 1, null);
    const four = planRound(info, sequence, options, 4, null);
    expect(one).toHaveLength(1);
    expect(four).toHaveLength(4);
    // Windows over padding only are not run: starts 13..23 remain.
    expect(
      four.flatMap(u => (u.method === 'occlusion' ? u.work.starts : []))
    ).toEqual([...Array(11).keys()].map(i => 13 + i));
    const a = combineRound(
      info,
      sequence,
      options,
      [await explainer.run(one[0])],
      null
    );
    const parts = await Promise.all(four.map(u => explainer.run(u)));
    const b = combineRound(info, sequence, options, parts.reverse(), null);
    expect(a.kind).toBe('done');
    expect(
      b.kind === 'done' && a.kind === 'done' && b.explanation.values
    ).toEqual(a.kind === 'done' && a.explanation.values);
    expect(() =>
      combineRound(info, sequence, options, parts.slice(1), null)
    ).toThrow(/combine needs every partial of the plan/);
    expect(() => planRound(info, sequence.slice(1), options, 1, null)).toThrow(
      'The sequence has 23 positions, the model expects 24 (pad or truncate it first)'
    );
    explainer.dispose();
    model.dispose();
  });
});

describe('models the gradient methods cannot run', () => {
  /** Input [4] -> Dense(1, sigmoid): no Embedding. */
  function denseOnly() {
    const json = {
      format: 'layers-model',
      modelTopology: {
        keras_version: '2.15.0',
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 's',
            layers: [
              {
                class_name: 'InputLayer',
                config: { name: 'ids', batch_input_shape: [null, 4] }
              },
              {
                class_name: 'Dense',
                config: { name: 'out', units: 1, activation: 'sigmoid' }
              }
            ]
          }
        }
      },
      weightsManifest: [
        {
          paths: ['w.bin'],
          weights: [
            { name: 'out/kernel', shape: [4, 1], dtype: 'float32' },
            { name: 'out/bias', shape: [1], dtype: 'float32' }
          ]
        }
      ]
    };
    return {
      'model.json': new TextEncoder().encode(JSON.stringify(json)),
      'w.bin': new Uint8Array(
        Float32Array.from([0.1, -0.2, 0.3, 0.05, 0.01]).buffer
      )
    };
  }

  it('says occlusion still works when the model has no Embedding layer, and runs occlusion', async () => {
    const model = await loadModel(denseOnly());
    const explainer = createExplainer(model);
    const sequence = [0, 2, 1, 3];
    for (const method of ['grad-x-input', 'integrated-gradients']) {
      await expect(explainer.explain([sequence], { method })).rejects.toThrow(
        `The method ${method} cannot explain this model: the model has no Embedding layer (gradients are taken at its output); use occlusion`
      );
    }
    const [result] = await explainer.explain([sequence], {
      method: 'occlusion'
    });
    // Linear score: dropping id v at t lowers the logit by w_t * v.
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const w = [0.1, -0.2, 0.3, 0.05];
    const logit = sequence.reduce((a, v, t) => a + w[t] * v, 0.01);
    sequence.forEach((v, t) =>
      expect(result.values[t]).toBeCloseTo(
        sigmoid(logit) - sigmoid(logit - w[t] * v),
        6
      )
    );
    explainer.dispose();
    model.dispose();
  });

  it('names a layer without a TensorFlow.js forward pass and says occlusion still works', async () => {
    const tf = await loadTf();
    const model = await loadModel({
      'rnn_pool.keras': fixture('keras', 'explain', 'rnn_pool.keras')
    });
    const graph = model.graph;
    const steps = graph.steps.map(s =>
      s.layer.name === 'pool'
        ? { ...s, layer: { ...s.layer, className: 'FancyPooling1D' } }
        : s
    );
    expect(() => buildTfForward(tf, { ...graph, steps })).toThrow(
      "Layer 'pool' (FancyPooling1D): this layer class has no TensorFlow.js forward pass here; the gradient methods (grad-x-input, integrated-gradients) cannot run this model, occlusion still works (--method occlusion)"
    );
    model.dispose();
  });
});

describe('where TensorFlow.js is loaded', () => {
  it('only as a dynamic import in explain/tfjs-load.ts (types elsewhere), never by the renderer or the engine', () => {
    const root = path.join(__dirname, '..', '..', 'src');
    const files: string[] = [];
    const walk = (dir: string) =>
      fs.readdirSync(dir, { withFileTypes: true }).forEach(entry => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(full);
        } else if (entry.name.endsWith('.ts')) {
          files.push(full);
        }
      });
    walk(root);
    const loaders = files.filter(file => {
      const text = fs.readFileSync(file, 'utf8');
      const valueImport =
        /^import\s+(?!type\b)[^;]*from\s+'@tensorflow\/tfjs[^']*'/m.test(text);
      const dynamic = /import\(\s*'@tensorflow\/tfjs/.test(text);
      const required = /require\(\s*'@tensorflow\/tfjs/.test(text);
      return valueImport || dynamic || required;
    });
    expect(loaders.map(f => path.relative(root, f))).toEqual([
      path.join('explain', 'tfjs-load.ts')
    ]);
  });
});
