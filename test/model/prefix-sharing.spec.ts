/**
 * Recurrent layers skip the leading padding of each row and the steps a
 * row shares with row 0 (occlusion variants); the results must equal those
 * of computing every step, bit for bit.
 */
import { IBuildContext, ILayer, ITensor } from '../../src/model/layers/base';
import { Kernels } from '../../src/model/layers/kernels';
import { keptTrajectoryUses } from '../../src/model/layers/recurrent-first-row';
import { createLayer } from '../../src/model/layers/registry';
import {
  planRowStarts,
  StartState
} from '../../src/model/layers/recurrent-starts';
import { weight } from './helpers';

const T = 23;
const VOCAB = 9;
const EMBED = 5;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function randomArray(n: number, rnd: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => rnd() - 0.5);
}

/** Front-padded rows, occlusion variants and a copy of row 0, zeros inside too. */
function batchIds(seed: number, maxPad: number): Float32Array[] {
  const rnd = rng(seed);
  const text = (pad: number) =>
    Float32Array.from({ length: T }, (_, t) =>
      t < pad ? 0 : rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * (VOCAB - 1))
    );
  const first = text(Math.floor(rnd() * maxPad));
  const variant = (from: number, to: number) => {
    const v = Float32Array.from(first);
    v.fill(0, from, to);
    return v;
  };
  return [
    first,
    variant(T - 3, T),
    text(maxPad),
    variant(5, 7),
    Float32Array.from(first),
    text(0),
    variant(0, 2),
    text(T),
    variant(12, 13),
    text(Math.floor(rnd() * T))
  ];
}

function context(share: boolean, simd: boolean): IBuildContext {
  const ctx: IBuildContext = {
    kerasMajor: 3,
    lambdas: {},
    kernels: new Kernels({ simd }),
    shareSteps: share,
    createLayer: (s, shapes, w) => createLayer(s, shapes, w, ctx)
  };
  return ctx;
}

interface ICase {
  name: string;
  className: string;
  config: { [key: string]: unknown };
}

function cellWeights(c: ICase, inputDim: number, rnd: () => number) {
  const wrapped = c.config.layer as {
    class_name: string;
    config: ICase['config'];
  };
  const inner =
    c.className === 'Bidirectional'
      ? { className: wrapped.class_name, config: wrapped.config }
      : c;
  const units = inner.config.units as number;
  const gates =
    inner.className === 'LSTM' ? 4 : inner.className === 'GRU' ? 3 : 1;
  const g = gates * units;
  const resetAfter =
    inner.className === 'GRU' && inner.config.reset_after === true;
  const one = () => [
    weight('kernel', [inputDim, g], randomArray(inputDim * g, rnd)),
    weight('recurrent_kernel', [units, g], randomArray(units * g, rnd)),
    resetAfter
      ? weight('bias', [2, g], randomArray(2 * g, rnd))
      : weight('bias', [g], randomArray(g, rnd))
  ];
  return c.className === 'Bidirectional' ? [...one(), ...one()] : one();
}

/** Embedding then the recurrent layer, built with and without sharing. */
function pipeline(c: ICase, maskZero: boolean, share: boolean, simd: boolean) {
  const rnd = rng(7);
  const ctx = context(share, simd);
  const embedding = createLayer(
    {
      name: 'embedding',
      className: 'Embedding',
      config: { input_dim: VOCAB, output_dim: EMBED, mask_zero: maskZero }
    },
    [[T]],
    [weight('embeddings', [VOCAB, EMBED], randomArray(VOCAB * EMBED, rnd))],
    ctx
  );
  const rnn = createLayer(
    { name: c.name, className: c.className, config: c.config },
    [[T, EMBED]],
    cellWeights(c, EMBED, rnd),
    ctx
  );
  return (rows: Float32Array[]) => run(embedding, rnn, rows);
}

function run(embedding: ILayer, rnn: ILayer, rows: Float32Array[]): ITensor[] {
  const ids = new Float32Array(rows.length * T);
  rows.forEach((r, b) => ids.set(r, b * T));
  const e = embedding.call([{ shape: [rows.length, T], data: ids }], [null]);
  const y = rnn.call([e.output], [e.mask]);
  return [y.output, ...(y.extra ?? [])];
}

function expectSameBits(actual: ITensor[], expected: ITensor[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(a.shape).toEqual(expected[i].shape);
    const x = new Uint32Array(Float32Array.from(a.data).buffer);
    const y = new Uint32Array(Float32Array.from(expected[i].data).buffer);
    let differing = 0;
    for (let k = 0; k < x.length; k++) {
      differing += x[k] !== y[k] ? 1 : 0;
    }
    expect({ tensor: i, differing }).toEqual({ tensor: i, differing: 0 });
  });
}

const rnnCases = (
  className: string,
  extra: { [key: string]: unknown } = {}
): ICase[] => {
  const out: ICase[] = [];
  for (const returnSequences of [false, true]) {
    for (const goBackwards of [false, true]) {
      out.push({
        name: 'rnn',
        className,
        config: {
          units: 6,
          return_sequences: returnSequences,
          go_backwards: goBackwards,
          return_state: !returnSequences || goBackwards,
          ...extra
        }
      });
    }
  }
  return out;
};

const CASES: ICase[] = [
  ...rnnCases('GRU', { reset_after: true }),
  ...rnnCases('GRU', { reset_after: true, units: 8 }),
  ...rnnCases('GRU', { reset_after: false }),
  ...rnnCases('LSTM'),
  ...rnnCases('SimpleRNN'),
  ...[true, false].map(returnSequences => ({
    name: 'bidi',
    className: 'Bidirectional',
    config: {
      layer: {
        class_name: 'GRU',
        config: {
          name: 'gru',
          units: 6,
          reset_after: true,
          return_sequences: returnSequences
        }
      }
    }
  })),
  {
    name: 'bidi',
    className: 'Bidirectional',
    config: {
      merge_mode: 'sum',
      layer: {
        class_name: 'LSTM',
        config: { name: 'lstm', units: 5, return_sequences: true }
      }
    }
  }
];

const label = (c: ICase) =>
  `${c.className} ${JSON.stringify(c.config).replace(/"/g, '')}`;

describe('recurrent layers skipping shared steps', () => {
  for (const simd of [true, false]) {
    for (const maskZero of [false, true]) {
      it.each(CASES.map(c => [label(c), c]))(
        `simd=${simd} mask_zero=${maskZero}: %s equals every step computed`,
        (_name, c) => {
          const shared = pipeline(c as ICase, maskZero, true, simd);
          const reference = pipeline(c as ICase, maskZero, false, simd);
          // Growing padding: the cached pad trajectory is extended lazily.
          for (const [seed, maxPad] of [
            [1, 4],
            [2, 15],
            [3, T - 1]
          ]) {
            const rows = batchIds(seed, maxPad);
            expectSameBits(shared(rows), reference(rows));
            // Batches starting with the same row again take its kept run.
            const uses = keptTrajectoryUses();
            const again = [rows[0], rows[3], rows[1], rows[8], rows[6]];
            expectSameBits(shared(again), reference(again));
            expectSameBits(
              shared(again.slice(0, 2)),
              reference(again.slice(0, 2))
            );
            expect(keptTrajectoryUses()).toBeGreaterThan(uses);
            // A batch of one and a batch without row 0's variants.
            expectSameBits(
              shared(rows.slice(2, 3)),
              reference(rows.slice(2, 3))
            );
            expectSameBits(shared(rows.slice(5)), reference(rows.slice(5)));
          }
        }
      );
    }
  }

  it('skips leading padding, masked steps and the steps shared with row 0', () => {
    const ids = Float32Array.from([
      ...[0, 0, 3, 4, 5],
      ...[0, 0, 3, 0, 5],
      ...[0, 0, 0, 0, 0],
      ...[0, 1, 3, 4, 5],
      ...[0, 0, 3, 4, 5]
    ]);
    const plan = (options: {
      mask?: boolean;
      goBackwards?: boolean;
      share?: boolean;
    }) =>
      planRowStarts({
        batch: 5,
        steps: 5,
        goBackwards: options.goBackwards === true,
        ids,
        data: new Float32Array(0),
        features: 0,
        mask: options.mask
          ? Uint8Array.from(ids, i => (i !== 0 ? 1 : 0))
          : null,
        hasInitial: false,
        share: options.share !== false
      });
    const forward = plan({});
    expect(Array.from(forward.start)).toEqual([2, 3, 5, 1, 5]);
    expect(Array.from(forward.padSteps)).toEqual([2, 2, 5, 1, 2]);
    expect(Array.from(forward.source)).toEqual([
      StartState.Pad,
      StartState.FirstRow,
      StartState.Pad,
      StartState.Pad,
      StartState.FirstRow
    ]);
    expect(Array.from(forward.order)).toEqual([3, 0, 1, 2, 4]);
    // Masked: row 1 is masked at step 3 where row 0 is not.
    expect(Array.from(plan({ mask: true }).start)).toEqual([2, 3, 5, 1, 5]);
    // Backwards the padding comes last; rows share with row 0 until they differ.
    const backward = plan({ goBackwards: true });
    expect(Array.from(backward.start)).toEqual([0, 1, 5, 3, 5]);
    expect(Array.from(plan({ share: false }).start)).toEqual([0, 0, 0, 0, 0]);
  });

  it('the matrix kernel gives a row the same bits wherever it sits in the batch', () => {
    const rnd = rng(11);
    const kernels = new Kernels();
    const k = 37;
    const n = 70;
    const m = 9;
    const w = kernels.matrix(randomArray(k * n, rnd), k, n);
    const x = randomArray(m * k, rnd);
    const init = randomArray(m * w.np, rnd);
    const all = Float32Array.from(init);
    kernels.gemm(x, m, w, all);
    for (let r = 0; r < m; r++) {
      // The row alone, and moved to every position of a batch of others.
      const alone = init.slice(r * w.np, (r + 1) * w.np);
      kernels.gemm(x.subarray(r * k, (r + 1) * k), 1, w, alone);
      expect(alone).toEqual(all.subarray(r * w.np, (r + 1) * w.np));
      for (let at = 0; at < m; at++) {
        const xs = Float32Array.from(x);
        const outs = Float32Array.from(init);
        xs.copyWithin(at * k, r * k, (r + 1) * k);
        outs.copyWithin(at * w.np, r * w.np, (r + 1) * w.np);
        kernels.gemm(xs, m, w, outs);
        expect(outs.subarray(at * w.np, (at + 1) * w.np)).toEqual(
          all.subarray(r * w.np, (r + 1) * w.np)
        );
      }
    }
  });

  it('shares steps between rows of a float input (no Embedding)', () => {
    const rnd = rng(5);
    const features = 4;
    const spec = {
      name: 'gru',
      className: 'GRU',
      config: { units: 8, reset_after: true, return_sequences: true }
    };
    const weights = cellWeights(spec, features, rnd);
    const make = (share: boolean) =>
      createLayer(spec, [[T, features]], weights, context(share, true));
    const shared = make(true);
    const reference = make(false);
    const batch = 6;
    const first = randomArray(T * features, rnd);
    const data = new Float32Array(batch * T * features);
    for (let b = 0; b < batch; b++) {
      data.set(first, b * T * features);
      if (b > 1) {
        // Rows 2.. differ from row 0 from step 3b on; row 1 equals it.
        data.set(
          randomArray((T - 3 * b) * features, rnd),
          (b * T + 3 * b) * features
        );
      }
    }
    const x = { shape: [batch, T, features], data };
    expectSameBits(
      [shared.call([x], [null]).output],
      [reference.call([x], [null]).output]
    );
  });
});
