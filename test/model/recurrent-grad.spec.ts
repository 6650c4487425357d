/**
 * The native recurrent path of the gradient methods (forward on the
 * engine's kernels, hand-written backward pass through time) against
 * TensorFlow.js autodiff through the same layers unrolled in tf ops: model
 * outputs, gradient x input and integrated-gradient terms must agree.
 * Models: GRU reset_after=True from real Keras 3 (fixtures), and GRU
 * reset_after=False, LSTM, SimpleRNN and Bidirectional built with
 * TensorFlow.js layers, with masks, go_backwards and return_sequences.
 */
import * as tf from '@tensorflow/tfjs';
import { ILoadedModel, loadModel } from '../../src/model/engine';
import { IGraph } from '../../src/model/graph/graph';
import {
  gradTimesInput,
  integratedGradientTerms
} from '../../src/explain/gradients';
import { buildTfForward, RecurrentPath } from '../../src/explain/tfjs-forward';
import { loadTf } from '../../src/explain/tfjs-load';
import { fixture, fixtureJson } from './helpers';
import { randomize, saveFiles } from './support/tfjs-models';

const T = 9;
// Keras's default gate activation (TensorFlow.js layers default to hard_sigmoid).
const SIGMOID = { recurrentActivation: 'sigmoid' } as const;
const VOCAB = 12;

function sequences(count: number, seed: number): number[][] {
  let s = seed;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  // Front padding of 0..4 ids (pad_sequences), then random ids.
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: T }, (_, t) =>
      t < i % 5 ? 0 : 1 + Math.floor(rnd() * (VOCAB - 1))
    )
  );
}

async function tfjsModel(
  layers: () => tf.layers.Layer[],
  maskZero: boolean
): Promise<ILoadedModel> {
  const model = tf.sequential();
  model.add(
    tf.layers.embedding({
      inputDim: VOCAB,
      outputDim: 5,
      inputLength: T,
      maskZero
    })
  );
  layers().forEach(l => model.add(l));
  randomize(model, 3);
  const files = await saveFiles(model);
  model.dispose();
  return loadModel(files);
}

/** Largest |a - b| over max |b|. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  expect(a.length).toBe(b.length);
  return scale === 0 ? worst : worst / scale;
}

function bothPaths(graph: IGraph) {
  const make = (recurrent: RecurrentPath) =>
    buildTfForward(tf, graph, { recurrent });
  return { native: make('native'), reference: make('tf') };
}

async function expectSameGradients(
  model: ILoadedModel,
  T0: number,
  nativeLayers: number
) {
  const { native, reference } = bothPaths(model.graph);
  expect(native.nativeRecurrent).toHaveLength(nativeLayers);
  expect(reference.nativeRecurrent).toHaveLength(0);
  const inputs = sequences(6, 11).map(s =>
    T0 === T ? s : [...new Array(Math.max(0, T0 - T)).fill(0), ...s].slice(-T0)
  );
  try {
    const run = (fwd: typeof native) =>
      tf.tidy(() =>
        Array.from(fwd.run(tf.tensor2d(inputs, [inputs.length, T0])).dataSync())
      );
    expect(relative(run(native), run(reference))).toBeLessThanOrEqual(1e-5);
    const outputs = tf.tidy(
      () => reference.run(tf.tensor2d([inputs[0]], [1, T0])).shape[1]
    );
    for (const input of inputs) {
      for (let target = 0; target < outputs; target++) {
        expect(
          relative(
            gradTimesInput(tf, native, input, target),
            gradTimesInput(tf, reference, input, target)
          )
        ).toBeLessThanOrEqual(1e-5);
      }
      // Several scaled inputs in one batch.
      const steps = [0, 3, 5, 7];
      expect(
        relative(
          integratedGradientTerms(tf, native, input, 0, steps, 8),
          integratedGradientTerms(tf, reference, input, 0, steps, 8)
        )
      ).toBeLessThanOrEqual(1e-5);
    }
  } finally {
    native.dispose();
    reference.dispose();
  }
}

describe('native recurrent gradients against TensorFlow.js autodiff', () => {
  beforeAll(async () => {
    // The backend the explainer runs on (CPU, engine gemm for matMul).
    await loadTf();
    expect(tf.getBackend()).toBe('cpu');
  });

  it.each([
    ['seed_attention', 1],
    ['gru_softmax', 1],
    ['conv_bilstm', 2],
    ['rnn_pool', 1]
  ] as Array<[string, number]>)(
    'agree on the real-Keras model %s (GRU reset_after=True, BiLSTM, SimpleRNN)',
    async (name, nativeLayers) => {
      const file = `${name}.keras`;
      const info = fixtureJson('keras', 'explain', `${name}.json`);
      const model = await loadModel(
        { [file]: fixture('keras', 'explain', file) },
        { lambdas: info.lambdas }
      );
      await expectSameGradients(model, info.inputLength, nativeLayers);
      model.dispose();
    }
  );

  it.each([
    [
      'GRU reset_after=False, masked, sequences, average pooling',
      true,
      () => [
        tf.layers.gru({ units: 6, returnSequences: true, ...SIGMOID }),
        tf.layers.globalAveragePooling1d(),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ],
    [
      'LSTM go_backwards, sequences, softmax over 3',
      false,
      () => [
        tf.layers.lstm({
          units: 6,
          returnSequences: true,
          goBackwards: true,
          ...SIGMOID
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' })
      ]
    ],
    [
      'LSTM masked, last state',
      true,
      () => [
        tf.layers.lstm({ units: 5, ...SIGMOID }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ],
    [
      'SimpleRNN masked',
      true,
      () => [
        tf.layers.simpleRNN({ units: 6 }),
        tf.layers.dense({ units: 2, activation: 'softmax' })
      ]
    ],
    [
      'Bidirectional GRU masked, sequences, max pooling',
      true,
      () => [
        tf.layers.bidirectional({
          layer: tf.layers.gru({
            units: 4,
            returnSequences: true,
            ...SIGMOID
          }) as any
        }),
        tf.layers.globalMaxPooling1d(),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ],
    [
      'Bidirectional LSTM sum, last state',
      false,
      () => [
        tf.layers.bidirectional({
          layer: tf.layers.lstm({ units: 4, ...SIGMOID }) as any,
          mergeMode: 'sum'
        }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ],
    [
      'LSTM hard_sigmoid (runs in tf ops on both paths)',
      true,
      () => [
        tf.layers.lstm({ units: 4, recurrentActivation: 'hardSigmoid' }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ]
  ] as Array<[string, boolean, () => tf.layers.Layer[]]>)(
    'agree on %s (TensorFlow.js-built)',
    async (name, maskZero, layers) => {
      const model = await tfjsModel(layers, maskZero);
      const nativeLayers = name.includes('hard_sigmoid')
        ? 0
        : name.startsWith('Bidirectional')
          ? 2
          : 1;
      await expectSameGradients(model, T, nativeLayers);
      model.dispose();
    }
  );

  it('frees the kernels of native layers on dispose and leaves no tensor behind', async () => {
    const info = fixtureJson('keras', 'explain', 'seed_attention.json');
    const model = await loadModel(
      {
        'seed_attention.keras': fixture(
          'keras',
          'explain',
          'seed_attention.keras'
        )
      },
      { lambdas: info.lambdas }
    );
    const before = tf.memory().numTensors;
    const fwd = buildTfForward(tf, model.graph);
    const input = sequences(1, 5)[0].concat(
      new Array(info.inputLength - T).fill(1)
    );
    for (let i = 0; i < 5; i++) {
      integratedGradientTerms(tf, fwd, input, 0, [0, 1, 2], 3);
    }
    fwd.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
