/**
 * The engine's reverse pass against an independent implementation:
 * models built with stock TensorFlow.js layers (its own GRU, LSTM,
 * SimpleRNN, Bidirectional, Conv1D, pooling, merges; seeded random
 * weights), loaded by the engine from the files TensorFlow.js saves, and
 * differentiated by TensorFlow.js autodiff through those same layers. The
 * gradient x input terms and weighted path terms (as integrated gradients
 * asks for them) of every output unit, and f, must agree.
 *
 * Masks: the Sequential cases replay the layers eagerly with the mask the
 * Embedding computes from the ids (TensorFlow.js's recurrent layers honour
 * it); the functional cases have no mask. Cases avoid what TensorFlow.js
 * does differently from Keras (it ignores masks in GlobalAveragePooling1D,
 * repeats outputs at masked steps where Keras's Bidirectional writes
 * zeros, has no GRU reset_after): those are checked against real Keras in
 * explain-keras.spec.ts and gradients-keras.spec.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { ILoadedModel, loadModel } from '../../src/model/engine';
import {
  createPathGradients,
  IPathPoint
} from '../../src/explain/path-gradients';
import { randomize, saveFiles } from './support/tfjs-models';

const T = 9;
const VOCAB = 12;
const DIM = 5;
// Keras's default gate activation (TensorFlow.js layers default to hard_sigmoid).
const SIGMOID = { recurrentActivation: 'sigmoid' } as const;

/**
 * Front padding of 0..4 ids (pad_sequences), then random ids; without
 * padding (and distinct ids) where a max pooling must not meet ties.
 */
function sequences(count: number, seed: number, padding = true): number[][] {
  let s = seed;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  if (!padding) {
    return Array.from({ length: count }, (_, i) =>
      Array.from({ length: T }, (_, t) => 1 + ((t + 3 * i) % (VOCAB - 1)))
    );
  }
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: T }, (_, t) =>
      t < (i * 2) % 5 ? 0 : 1 + Math.floor(rnd() * (VOCAB - 1))
    )
  );
}

/** Largest |a - b| over max |b| (absolute when b is all zeros). */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return scale === 0 ? worst : worst / scale;
}

interface ITfCase {
  /** The model from the Embedding output on, as f(e, mask) -> [n, outputs]. */
  rest(e: tf.Tensor, mask: tf.Tensor | null): tf.Tensor;
  embedding: tf.layers.Layer;
  model: tf.LayersModel;
}

/** A Sequential model: Embedding, then `layers`, replayed eagerly with masks. */
function sequentialCase(layers: tf.layers.Layer[], maskZero: boolean): ITfCase {
  const model = tf.sequential();
  const embedding = tf.layers.embedding({
    inputDim: VOCAB,
    outputDim: DIM,
    inputLength: T,
    maskZero
  });
  model.add(embedding);
  layers.forEach(l => model.add(l));
  return {
    model,
    embedding,
    rest(e, mask) {
      let x = e;
      let m = mask;
      for (const layer of layers) {
        const y = layer.apply(x, m ? { mask: m } : {}) as tf.Tensor;
        m = (layer.computeMask(x, m ?? undefined) as tf.Tensor | null) ?? null;
        x = y;
      }
      return x.reshape([x.shape[0], -1]);
    }
  };
}

/** Layers applied to a symbolic or (eagerly) a concrete tensor. */
type Body = (x: any) => any;

/**
 * A functional model without masks: `body` from the Embedding output on
 * (one or several outputs, flattened and concatenated as the engine does),
 * replayed eagerly on the same layer objects for the oracle.
 */
function functionalCase(body: () => Body): ITfCase {
  const apply = body();
  const ids = tf.input({ shape: [T] });
  const embedding = tf.layers.embedding({ inputDim: VOCAB, outputDim: DIM });
  const model = tf.model({
    inputs: ids,
    outputs: apply(embedding.apply(ids) as tf.SymbolicTensor)
  });
  return {
    model,
    embedding,
    rest: x => {
      const ys = [apply(x) as tf.Tensor | tf.Tensor[]].flat();
      return tf.concat(
        ys.map(y => y.reshape([y.shape[0], -1])),
        1
      );
    }
  };
}

/** TensorFlow.js's terms and f for the points, by autodiff through its own layers. */
function tfTerms(
  c: ITfCase,
  sequence: number[],
  points: IPathPoint[],
  target: number
): { terms: number[]; f: number[] } {
  return tf.tidy(() => {
    const n = points.length;
    const ids = tf.tensor2d(
      points.flatMap(() => sequence),
      [n, T]
    );
    const e = c.embedding.apply(ids) as tf.Tensor;
    const mask =
      (c.embedding.computeMask(ids) as tf.Tensor | null | undefined) ?? null;
    const alphas = tf.tensor3d(
      points.map(p => p.alpha),
      [n, 1, 1]
    );
    const scaled = tf.mul(e, alphas);
    const f = (x: tf.Tensor) => tf.slice(c.rest(x, mask), [0, target], [n, 1]);
    const g = tf.grad(x => tf.sum(f(x)))(scaled);
    const weights = tf.tensor3d(
      points.map(p => p.weight),
      [n, 1, 1]
    );
    const terms = tf.sum(tf.mul(tf.mul(g, e), weights), [0, 2]);
    return {
      terms: Array.from(terms.dataSync()),
      f: Array.from(f(scaled).dataSync())
    };
  });
}

async function expectSameGradients(c: ITfCase, padding = true): Promise<void> {
  randomize(c.model, 3);
  const model: ILoadedModel = await loadModel(await saveFiles(c.model));
  const paths = createPathGradients(model);
  const outputs = c.model.outputs
    .map(o => (o.shape as number[]).slice(1).reduce((a, d) => a * d, 1))
    .reduce((a, n) => a + n, 0);
  try {
    const points: IPathPoint[][] = [
      [{ alpha: 1, weight: 1 }],
      [
        { alpha: 0.1, weight: 0.3 },
        { alpha: 0.55, weight: 0.3 },
        { alpha: 0.9, weight: 0.4 }
      ]
    ];
    for (const sequence of sequences(4, 11, padding)) {
      for (let target = 0; target < outputs; target++) {
        for (const path of points) {
          const ours = await paths.at(sequence, path, target);
          const theirs = tfTerms(c, sequence, path, target);
          expect(relative(ours.terms, theirs.terms)).toBeLessThanOrEqual(1e-4);
          expect(relative(ours.f, theirs.f)).toBeLessThanOrEqual(1e-5);
        }
      }
    }
  } finally {
    paths.dispose();
    model.dispose();
    c.model.dispose();
  }
}

describe('gradients against TensorFlow.js autodiff of stock TensorFlow.js layers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    [
      'GRU reset_after=False, masked, sequences into a masked LSTM',
      true,
      () => [
        tf.layers.gru({ units: 6, returnSequences: true, ...SIGMOID }),
        tf.layers.lstm({ units: 3, ...SIGMOID }),
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
      'LSTM with Keras 2 hard_sigmoid gates, masked, go_backwards',
      true,
      () => [
        tf.layers.lstm({
          units: 4,
          recurrentActivation: 'hardSigmoid',
          goBackwards: true
        }),
        tf.layers.dense({ units: 2, activation: 'softmax' })
      ]
    ],
    [
      'SimpleRNN masked, softmax over 2',
      true,
      () => [
        tf.layers.simpleRNN({ units: 6 }),
        tf.layers.dense({ units: 2, activation: 'softmax' })
      ]
    ],
    [
      'SimpleRNN relu, GRU tanh/sigmoid stacked, masked sequences',
      true,
      () => [
        tf.layers.simpleRNN({
          units: 5,
          activation: 'relu',
          returnSequences: true
        }),
        tf.layers.gru({ units: 4, ...SIGMOID }),
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
      'Bidirectional GRU concat, masked, last state',
      true,
      () => [
        tf.layers.bidirectional({
          layer: tf.layers.gru({ units: 3, ...SIGMOID }) as any
        }),
        tf.layers.dense({ units: 2, activation: 'softmax' })
      ]
    ],
    [
      'Bidirectional GRU mul and ave, sequences, GlobalMaxPooling1D',
      false,
      () => [
        tf.layers.bidirectional({
          layer: tf.layers.gru({
            units: 4,
            returnSequences: true,
            ...SIGMOID
          }) as any,
          mergeMode: 'mul'
        }),
        tf.layers.bidirectional({
          layer: tf.layers.simpleRNN({
            units: 3,
            returnSequences: true
          }) as any,
          mergeMode: 'ave'
        }),
        tf.layers.globalMaxPooling1d(),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ],
    [
      'GRU sequences, TimeDistributed(Dense tanh), Permute, Flatten',
      false,
      () => [
        tf.layers.gru({ units: 4, returnSequences: true, ...SIGMOID }),
        tf.layers.timeDistributed({
          layer: tf.layers.dense({ units: 2, activation: 'tanh' })
        }),
        tf.layers.permute({ dims: [2, 1] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ],
    [
      'Conv1D same and strided, MaxPooling1D, AveragePooling1D',
      false,
      () => [
        tf.layers.conv1d({
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'tanh'
        }),
        tf.layers.conv1d({
          filters: 3,
          kernelSize: 2,
          activation: 'elu'
        }),
        tf.layers.maxPooling1d({ poolSize: 2, strides: 1 }),
        tf.layers.conv1d({ filters: 3, kernelSize: 2, strides: 2 }),
        // TensorFlow.js's gradient of a partial 'same' window divides by the
        // full window (TensorFlow by the steps it covers, as the engine does).
        tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' })
      ]
    ],
    [
      'Dense on sequences, GlobalAveragePooling1D, RepeatVector, Reshape',
      false,
      () => [
        tf.layers.dense({ units: 4, activation: 'selu' }),
        tf.layers.globalAveragePooling1d(),
        tf.layers.repeatVector({ n: 3 }),
        tf.layers.reshape({ targetShape: [12] }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' })
      ]
    ]
  ] as Array<[string, boolean, () => tf.layers.Layer[]]>)(
    '%s',
    async (name, maskZero, layers) => {
      // Ties of a max pooling are checked against Keras (gradients-keras.spec.ts).
      const padding = !name.includes('MaxPooling1D');
      await expectSameGradients(sequentialCase(layers(), maskZero), padding);
    }
  );

  it.each([
    [
      'Add, Multiply (three inputs), Average, Concatenate of branches',
      () => {
        const a = tf.layers.dense({ units: 3, activation: 'tanh' });
        const b = tf.layers.dense({ units: 3, activation: 'sigmoid' });
        const rnn = tf.layers.gru({ units: 3, ...SIGMOID });
        const out = tf.layers.dense({ units: 2, activation: 'softmax' });
        return (x: tf.SymbolicTensor) => {
          const ha = a.apply(x) as tf.SymbolicTensor;
          const hb = b.apply(x) as tf.SymbolicTensor;
          const sum = tf.layers.add().apply([ha, hb]) as tf.SymbolicTensor;
          const prod = tf.layers
            .multiply()
            .apply([sum, ha, hb]) as tf.SymbolicTensor;
          const mean = tf.layers
            .average()
            .apply([prod, ha]) as tf.SymbolicTensor;
          const both = tf.layers
            .concatenate({ axis: -1 })
            .apply([mean, sum]) as tf.SymbolicTensor;
          return out.apply(rnn.apply(both)) as tf.SymbolicTensor;
        };
      }
    ],
    [
      'Maximum and Minimum of branches (no ties), a tensor read twice',
      () => {
        const a = tf.layers.dense({ units: 3 });
        const b = tf.layers.dense({ units: 3, activation: 'tanh' });
        const rnn = tf.layers.lstm({ units: 3, ...SIGMOID });
        const out = tf.layers.dense({ units: 1, activation: 'sigmoid' });
        return (x: tf.SymbolicTensor) => {
          const ha = a.apply(x) as tf.SymbolicTensor;
          const hb = b.apply(x) as tf.SymbolicTensor;
          const hi = tf.layers.maximum().apply([ha, hb]) as tf.SymbolicTensor;
          const lo = tf.layers.minimum().apply([ha, hi]) as tf.SymbolicTensor;
          return out.apply(rnn.apply(lo)) as tf.SymbolicTensor;
        };
      }
    ],
    [
      'Dot of two recurrent states, plain and normalized',
      () => {
        const a = tf.layers.gru({ units: 4, ...SIGMOID });
        const b = tf.layers.simpleRNN({ units: 4 });
        const out = tf.layers.dense({ units: 1, activation: 'sigmoid' });
        return (x: tf.SymbolicTensor) => {
          const ha = a.apply(x) as tf.SymbolicTensor;
          const hb = b.apply(x) as tf.SymbolicTensor;
          const plain = tf.layers
            .dot({ axes: -1 })
            .apply([ha, hb]) as tf.SymbolicTensor;
          const cosine = tf.layers
            .dot({ axes: -1, normalize: true })
            .apply([ha, hb]) as tf.SymbolicTensor;
          const both = tf.layers
            .concatenate()
            .apply([plain, cosine, ha]) as tf.SymbolicTensor;
          return out.apply(both) as tf.SymbolicTensor;
        };
      }
    ],
    [
      'return_state into initial_state (GRU, LSTM), two model outputs',
      () => {
        const encoder = tf.layers.gru({
          units: 4,
          returnSequences: true,
          returnState: true,
          ...SIGMOID
        });
        const decoder = tf.layers.gru({ units: 4, ...SIGMOID });
        const lstm = tf.layers.lstm({
          units: 3,
          returnState: true,
          ...SIGMOID
        });
        const last = tf.layers.lstm({ units: 3, ...SIGMOID });
        const head = tf.layers.dense({ units: 2, activation: 'softmax' });
        const side = tf.layers.dense({ units: 1, activation: 'sigmoid' });
        return (x: tf.SymbolicTensor) => {
          const [seq, h] = encoder.apply(x) as tf.SymbolicTensor[];
          const decoded = decoder.apply(seq, {
            initialState: [h]
          }) as tf.SymbolicTensor;
          const [, lh, lc] = lstm.apply(x) as tf.SymbolicTensor[];
          const again = last.apply(seq, {
            initialState: [lh, lc]
          }) as tf.SymbolicTensor;
          const both = tf.layers
            .concatenate()
            .apply([decoded, again]) as tf.SymbolicTensor;
          // Outputs in model order: the softmax head, then one on a final state.
          return [
            head.apply(both) as tf.SymbolicTensor,
            side.apply(lc) as tf.SymbolicTensor
          ];
        };
      }
    ]
  ] as Array<[string, () => Body]>)('%s', async (_name, body) => {
    await expectSameGradients(functionalCase(body));
  });
});
