/**
 * Layers without Keras fixtures (LSTM, SimpleRNN, Bidirectional, Conv1D,
 * pooling, Concatenate, masking) checked against TensorFlow.js layers, an
 * independent port of Keras: the tfjs model is saved with its own
 * serializer (model.json + weights), loaded here, and both predict the same
 * random input.
 */
import * as tf from '@tensorflow/tfjs';
import { loadGraph } from '../../src/model/engine';
import { runGraph } from '../../src/model/graph/graph';
import { maxAbsDiff } from './helpers';
import { randomize, saveFiles } from './support/tfjs-models';

async function compare(
  build: () => tf.LayersModel,
  input: tf.Tensor,
  seed = 1
): Promise<number> {
  const model = build();
  randomize(model, seed);
  const expected = (model.predict(input) as tf.Tensor).dataSync();
  const files = await saveFiles(model);
  model.dispose();
  const { graph } = loadGraph(files);
  const out = runGraph(graph, [
    {
      shape: input.shape as number[],
      data: Float32Array.from(input.dataSync())
    }
  ]).outputs[0];
  return maxAbsDiff(out.data, expected);
}

function randomInput(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

const T = 7;
const F = 5;

describe('layers against TensorFlow.js', () => {
  const seq = (layers: tf.layers.Layer[], inputShape: number[]) => () => {
    const model = tf.sequential();
    layers.forEach((l, i) => {
      if (i === 0) {
        model.add(tf.layers.inputLayer({ inputShape }));
      }
      model.add(l);
    });
    return model;
  };

  it.each([
    ['LSTM', () => tf.layers.lstm({ units: 6 })],
    [
      'LSTM return_sequences go_backwards',
      () =>
        tf.layers.lstm({ units: 6, returnSequences: true, goBackwards: true })
    ],
    [
      'LSTM hard_sigmoid',
      () => tf.layers.lstm({ units: 4, recurrentActivation: 'hardSigmoid' })
    ],
    [
      'SimpleRNN relu sequences',
      () =>
        tf.layers.simpleRNN({
          units: 6,
          activation: 'relu',
          returnSequences: true
        })
    ],
    [
      'GRU reset_after=False',
      () => tf.layers.gru({ units: 6, returnSequences: true })
    ],
    [
      'Bidirectional LSTM concat',
      () =>
        tf.layers.bidirectional({
          layer: tf.layers.lstm({ units: 4, returnSequences: true }) as any
        })
    ],
    [
      'Bidirectional GRU sum',
      () =>
        tf.layers.bidirectional({
          layer: tf.layers.gru({ units: 4 }) as any,
          mergeMode: 'sum'
        })
    ],
    [
      'Conv1D valid relu',
      () => tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' })
    ],
    [
      'Conv1D same stride 2',
      () =>
        tf.layers.conv1d({
          filters: 3,
          kernelSize: 3,
          strides: 2,
          padding: 'same'
        })
    ],
    [
      'Conv1D dilation 2',
      () => tf.layers.conv1d({ filters: 3, kernelSize: 2, dilationRate: 2 })
    ],
    ['MaxPooling1D', () => tf.layers.maxPooling1d({ poolSize: 2 })],
    [
      'AveragePooling1D same',
      () =>
        tf.layers.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' })
    ],
    ['GlobalMaxPooling1D', () => tf.layers.globalMaxPooling1d()],
    ['GlobalAveragePooling1D', () => tf.layers.globalAveragePooling1d()],
    [
      'TimeDistributed Dense softmax',
      () =>
        tf.layers.timeDistributed({
          layer: tf.layers.dense({ units: 3, activation: 'softmax' })
        })
    ],
    ['Reshape', () => tf.layers.reshape({ targetShape: [F, T] })],
    ['Softmax layer', () => tf.layers.softmax({ axis: -1 })]
  ])('%s', async (_name, make) => {
    const diff = await compare(
      seq([make() as tf.layers.Layer], [T, F]),
      randomInput([3, T, F], 5)
    );
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('Embedding mask_zero carries the GRU state over padded steps', async () => {
    const build = () => {
      const input = tf.input({ shape: [T] });
      const embedded = tf.layers
        .embedding({ inputDim: 9, outputDim: 4, maskZero: true })
        .apply(input);
      const states = tf.layers
        .gru({ units: 5, returnSequences: true })
        .apply(embedded);
      const last = tf.layers.lstm({ units: 3 }).apply(states);
      return tf.model({ inputs: input, outputs: last as tf.SymbolicTensor });
    };
    const input = tf.tensor2d(
      [
        [0, 0, 0, 1, 2, 3, 4],
        [5, 6, 7, 8, 1, 2, 3],
        [1, 2, 0, 0, 3, 0, 8]
      ],
      [3, T]
    );
    expect(await compare(build, input)).toBeLessThanOrEqual(1e-5);
  });

  it('Masking + Bidirectional GRU final states (masked steps carry the state)', async () => {
    // tfjs ignores masks in GlobalAveragePooling1D and repeats the previous
    // output at masked steps where Keras's Bidirectional writes zeros, so
    // only the final states are compared.
    const build = () => {
      const input = tf.input({ shape: [T, F] });
      const masked = tf.layers.masking({ maskValue: 0 }).apply(input);
      const both = tf.layers
        .bidirectional({ layer: tf.layers.gru({ units: 3 }) as any })
        .apply(masked) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: both });
    };
    const x = randomInput([2, T, F], 4).arraySync() as number[][][];
    x[0][0] = new Array(F).fill(0);
    x[0][1] = new Array(F).fill(0);
    x[1][4] = new Array(F).fill(0);
    x[1][6] = new Array(F).fill(0);
    expect(await compare(build, tf.tensor3d(x))).toBeLessThanOrEqual(1e-5);
  });

  it('Dot of two dense branches', async () => {
    const build = () => {
      const input = tf.input({ shape: [F] });
      const a = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
      const b = tf.layers
        .dense({ units: 4, activation: 'tanh' })
        .apply(input) as tf.SymbolicTensor;
      return tf.model({
        inputs: input,
        outputs: tf.layers.dot({ axes: -1 }).apply([a, b]) as tf.SymbolicTensor
      });
    };
    expect(await compare(build, randomInput([3, F], 2))).toBeLessThanOrEqual(
      1e-5
    );
  });

  it('Concatenate and Add of two branches', async () => {
    const build = () => {
      const input = tf.input({ shape: [T, F] });
      const a = tf.layers
        .dense({ units: 3, activation: 'tanh' })
        .apply(input) as tf.SymbolicTensor;
      const b = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
      const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
      const cat = tf.layers
        .concatenate({ axis: -1 })
        .apply([a, sum]) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: cat });
    };
    expect(await compare(build, randomInput([2, T, F], 9))).toBeLessThanOrEqual(
      1e-5
    );
  });
});
