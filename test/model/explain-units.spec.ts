/**
 * Pure parts of the explainer: occlusion geometry, plan / combine
 * invariants, bad options, and the models the gradient methods refuse.
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
import { graphGradients } from '../../src/model/graph/backward';
import { IGraph } from '../../src/model/graph/graph';
import { fixture, fixtureJson } from './helpers';

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
    // Windows over padding only are not run: starts 13..23 remain, dealt
    // in turn to the units (each then costs about the same).
    const starts = four.map(u =>
      u.method === 'occlusion' ? u.work.starts : []
    );
    expect(starts).toEqual([
      [13, 17, 21],
      [14, 18, 22],
      [15, 19, 23],
      [16, 20]
    ]);
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
  /** Input [4] of integer ids -> Dense(1, sigmoid): no Embedding. */
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
                config: {
                  name: 'ids',
                  batch_input_shape: [null, 4],
                  dtype: 'int32'
                }
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

  /** The graph with layer `name`'s gradient taken away (and a reason given). */
  const without = (graph: IGraph, name: string, noGradient?: string) => ({
    ...graph,
    steps: graph.steps.map(s =>
      s.layer.name === name && s.impl
        ? {
            ...s,
            impl: {
              ...s.impl,
              callForGradient: undefined,
              ...(noGradient ? { noGradient } : {})
            }
          }
        : s
    )
  });

  it('names a layer on the gradient path without a gradient, with its reason, and says occlusion still works', async () => {
    const model = await loadModel({
      'rnn_pool.keras': fixture('keras', 'explain', 'rnn_pool.keras')
    });
    const graph = model.graph;
    expect(() =>
      graphGradients(without(graph, 'pool', 'its tie rule is unknown'))
    ).toThrow(
      "Layer 'pool' (GlobalAveragePooling1D): its tie rule is unknown; the gradient methods (grad-x-input, integrated-gradients) cannot run this model, occlusion still works (--method occlusion)"
    );
    expect(() => graphGradients(without(graph, 'rnn'))).toThrow(
      "Layer 'rnn' (SimpleRNN): this layer has no gradient here; the gradient methods (grad-x-input, integrated-gradients) cannot run this model, occlusion still works (--method occlusion)"
    );
    // The Embedding starts the path: its own gradient is not needed.
    expect(graphGradients(without(graph, 'embedding')).embeddingLayer).toBe(
      'embedding'
    );
    model.dispose();
  });

  it('does not need a gradient from layers off the path (a mask computed from the ids)', async () => {
    const model = await loadModel({
      'bidirectional.keras': fixture(
        'keras',
        'gradients',
        'bidirectional.keras'
      )
    });
    const graph = model.graph;
    expect(graph.steps.some(s => s.layer.className === 'NotEqual')).toBe(true);
    const maskOps = graph.steps
      .filter(s => s.layer.className === 'NotEqual')
      .map(s => s.layer.name);
    const stripped = maskOps.reduce(
      (g, name) => without(g, name) as IGraph,
      graph
    );
    const pass = graphGradients(stripped);
    const sample = fixtureJson('keras', 'gradients', 'bidirectional.json')
      .samples[0];
    const run = pass.run(sample.input, [1], 0);
    expect(run.f[0]).toBeCloseTo(sample.prediction[0], 5);
    model.dispose();
  });
});

describe('TensorFlow.js', () => {
  it('is imported nowhere in the product (src/): the engine computes gradients itself', () => {
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
    expect(files.length).toBeGreaterThan(50);
    const importers = files.filter(file =>
      /['"]@tensorflow\/tfjs/.test(fs.readFileSync(file, 'utf8'))
    );
    expect(importers.map(f => path.relative(root, f))).toEqual([]);
    const pkg = JSON.parse(
      fs.readFileSync(path.join(root, '..', 'package.json'), 'utf8')
    );
    expect(pkg.dependencies['@tensorflow/tfjs']).toBeUndefined();
    expect(pkg.devDependencies['@tensorflow/tfjs']).toBeDefined();
  });
});
