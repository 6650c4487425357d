/**
 * Per-layer outputs computed by Keras 2.0.x (keras-js fixtures). The
 * fixtures hold input, weights and expected output; each layer's config
 * is the one in the keras-js notebook that produced the case.
 */
import { buildGraph, runGraph } from '../../src/model/graph/graph';
import { parseModelConfig } from '../../src/model/graph/keras-config';
import { simdKernelCalls } from '../../src/model/layers/kernels';
import { chainGraph, fixtureJson, maxAbsDiff, weight } from './helpers';

interface ICase {
  input: { data: number[]; shape: number[] };
  weights?: Array<{ data: number[]; shape: number[] }>;
  expected: { data: number[]; shape: number[] };
}

const TOLERANCE = 1e-4;

function load(file: string): { [name: string]: ICase } {
  return fixtureJson('keras-js', file);
}

function run(
  c: ICase,
  layers: Array<{ class_name: string; config: any }>,
  weights: { [layer: string]: number[] },
  simd: boolean
) {
  const w: { [layer: string]: any[] } = {};
  for (const [layer, indices] of Object.entries(weights)) {
    w[layer] = indices.map((i, k) =>
      weight(`${layer}/${k}`, c.weights![i].shape, c.weights![i].data)
    );
  }
  const graph = chainGraph(c.input.shape, layers, w, { simd });
  const out = runGraph(graph, [
    { shape: [1, ...c.input.shape], data: Float32Array.from(c.input.data) }
  ]).outputs[0];
  expect(out.shape.slice(1)).toEqual(c.expected.shape);
  return maxAbsDiff(out.data, c.expected.data);
}

describe.each([true, false])('keras-js fixtures (simd=%s)', simd => {
  let callsBefore = 0;
  beforeAll(() => {
    callsBefore = simdKernelCalls();
  });
  const gru = load('GRU.json');
  // Cases 5-8 are stateful (second predict call) and do not apply to inference from a zero state.
  const gruConfigs: { [name: string]: any } = {
    'recurrent.GRU.0': {
      units: 4,
      activation: 'tanh',
      recurrent_activation: 'hard_sigmoid'
    },
    'recurrent.GRU.1': {
      units: 5,
      activation: 'sigmoid',
      recurrent_activation: 'sigmoid'
    },
    'recurrent.GRU.2': {
      units: 4,
      activation: 'tanh',
      recurrent_activation: 'hard_sigmoid',
      return_sequences: true
    },
    'recurrent.GRU.3': {
      units: 4,
      activation: 'tanh',
      recurrent_activation: 'hard_sigmoid',
      go_backwards: true
    },
    'recurrent.GRU.4': {
      units: 4,
      activation: 'tanh',
      recurrent_activation: 'hard_sigmoid',
      return_sequences: true,
      go_backwards: true
    }
  };
  it.each(Object.keys(gruConfigs))('%s', name => {
    const layers = [
      { class_name: 'GRU', config: { name: 'gru', ...gruConfigs[name] } }
    ];
    expect(
      run(gru[name], layers, { gru: [0, 1, 2] }, simd)
    ).toBeLessThanOrEqual(TOLERANCE);
  });

  const embedding = load('Embedding.json');
  it.each(Object.keys(embedding))('%s', name => {
    const c = embedding[name];
    const [inputDim, outputDim] = c.weights![0].shape;
    const layers = [
      {
        class_name: 'Embedding',
        config: { name: 'emb', input_dim: inputDim, output_dim: outputDim }
      }
    ];
    expect(run(c, layers, { emb: [0] }, simd)).toBeLessThanOrEqual(TOLERANCE);
  });

  const td = load('TimeDistributed.json');
  it('wrappers.TimeDistributed.0 (Dense)', () => {
    const layers = [
      {
        class_name: 'TimeDistributed',
        config: {
          name: 'td',
          layer: { class_name: 'Dense', config: { name: 'dense', units: 4 } }
        }
      }
    ];
    expect(
      run(td['wrappers.TimeDistributed.0'], layers, { td: [0, 1] }, simd)
    ).toBeLessThanOrEqual(TOLERANCE);
  });

  const permute = load('Permute.json');
  const dims: { [name: string]: number[] } = {
    'core.Permute.0': [2, 1],
    'core.Permute.1': [3, 2, 1],
    'core.Permute.2': [2, 1, 3],
    'core.Permute.3': [3, 1, 2, 4]
  };
  it.each(Object.keys(dims))('%s', name => {
    const layers = [
      { class_name: 'Permute', config: { name: 'p', dims: dims[name] } }
    ];
    expect(run(permute[name], layers, {}, simd)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('core.RepeatVector.0', () => {
    const layers = [
      { class_name: 'RepeatVector', config: { name: 'r', n: 7 } }
    ];
    expect(
      run(load('RepeatVector.json')['core.RepeatVector.0'], layers, {}, simd)
    ).toBeLessThanOrEqual(TOLERANCE);
  });

  const flatten = load('Flatten.json');
  it.each(Object.keys(flatten))('%s', name => {
    const layers = [{ class_name: 'Flatten', config: { name: 'f' } }];
    expect(run(flatten[name], layers, {}, simd)).toBeLessThanOrEqual(TOLERANCE);
  });

  const activation = load('Activation.json');
  const activations = [
    'softmax',
    'elu',
    'selu',
    'softplus',
    'softsign',
    'relu',
    'tanh',
    'sigmoid',
    'hard_sigmoid',
    'linear'
  ];
  it.each(activations.map((a, i) => [`core.Activation.${i}`, a]))(
    '%s (%s)',
    (name, act) => {
      const layers = [
        { class_name: 'Dense', config: { name: 'dense', units: 2 } },
        { class_name: 'Activation', config: { name: 'act', activation: act } }
      ];
      expect(
        run(activation[name], layers, { dense: [0, 1] }, simd)
      ).toBeLessThanOrEqual(TOLERANCE);
    }
  );

  const multiply = load('Multiply.json');
  it.each(Object.keys(multiply))('%s', name => {
    const c = multiply[name];
    const branches = c.weights!.length / 2;
    const layers: any[] = [
      {
        class_name: 'InputLayer',
        config: { name: 'in', batch_input_shape: [null, 6] },
        inbound_nodes: []
      }
    ];
    const weights: { [k: string]: number[] } = {};
    for (let b = 0; b < branches; b++) {
      layers.push({
        class_name: 'Dense',
        config: { name: `d${b}`, units: 2 },
        inbound_nodes: [[['in', 0, 0, {}]]]
      });
      weights[`d${b}`] = [2 * b, 2 * b + 1];
    }
    layers.push({
      class_name: 'Multiply',
      config: { name: 'mul' },
      inbound_nodes: [
        Array.from({ length: branches }, (_, b) => [`d${b}`, 0, 0, {}])
      ]
    });
    const spec = parseModelConfig(
      {
        class_name: 'Model',
        config: {
          layers,
          input_layers: [['in', 0, 0]],
          output_layers: [['mul', 0, 0]]
        }
      },
      'test'
    );
    const w = new Map(
      Object.entries(weights).map(([k, idx]) => [
        k,
        idx.map(i => weight(k, c.weights![i].shape, c.weights![i].data))
      ])
    );
    const graph = buildGraph(spec, w, { kerasMajor: 2, simd });
    const out = runGraph(graph, [
      { shape: [1, 6], data: Float32Array.from(c.input.data) }
    ]).outputs[0];
    expect(maxAbsDiff(out.data, c.expected.data)).toBeLessThanOrEqual(
      TOLERANCE
    );
  });

  it(
    simd ? 'ran the WebAssembly SIMD kernels' : 'never ran the SIMD kernels',
    () => {
      const calls = simdKernelCalls() - callsBefore;
      if (simd) {
        expect(calls).toBeGreaterThan(0);
      } else {
        expect(calls).toBe(0);
      }
    }
  );
});
