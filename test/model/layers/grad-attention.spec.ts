/**
 * Attention, AdditiveAttention and MultiHeadAttention gradients: the
 * recorded forward gives the bits of `call` (outputs, scores, key weights,
 * mask), and `backward` is the derivative of the forward (finite
 * differences) over score modes, scales, key inputs, query / value / key
 * masks, causal masks, explicit attention masks and the scores output.
 */
import fc from 'fast-check';
import {
  createDotAttention,
  createMultiHeadAttention
} from '../../../src/model/layers/attention-layers';
import { IMask, ITensor, IWeight } from '../../../src/model/layers/base';
import {
  build,
  gradientError,
  maskOf,
  randomTensor,
  rng,
  weight
} from './grad-check';

const dims = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  nq: fc.integer({ min: 1, max: 4 }),
  nk: fc.integer({ min: 1, max: 4 }),
  dim: fc.integer({ min: 1, max: 3 }),
  dv: fc.integer({ min: 1, max: 3 })
});

/** A mask that keeps step 0 (so every query sees a key) and hides others at random. */
function someMask(
  batch: number,
  steps: number,
  rnd: () => number,
  keepFirst = true
): IMask {
  return maskOf(batch, steps, (_b, t) => (keepFirst && t === 0) || rnd() < 0.6);
}

describe('Attention / AdditiveAttention gradient', () => {
  it('matches finite differences of its forward pass (fast-check: mode, scale, key, masks, causal, scores)', () => {
    fc.assert(
      fc.property(
        dims,
        fc.constantFrom('dot', 'concat', 'additive'),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1 << 20 }),
        (
          d,
          mode,
          useScale,
          withKey,
          causal,
          qMasked,
          vMasked,
          scores,
          seed
        ) => {
          const rnd = rng(seed);
          const additive = mode === 'additive';
          const weights: IWeight[] = [];
          if (useScale) {
            weights.push(weight('scale', additive ? [d.dim] : [], rnd, 0.5));
          }
          if (mode === 'concat') {
            weights.push(weight('concat_score_weight', [], rnd, 0.5));
          }
          // Without a key input the value is the key: its dimension is dim.
          const shapes = [
            [d.nq, d.dim],
            [d.nk, withKey ? d.dv : d.dim],
            ...(withKey ? [[d.nk, d.dim]] : [])
          ];
          const layer = build(
            createDotAttention,
            {
              name: 'att',
              className: additive ? 'AdditiveAttention' : 'Attention',
              config: {
                use_scale: useScale,
                ...(additive ? {} : { score_mode: mode })
              },
              call: {
                inputKwargs: shapes.map(() => null),
                args: {
                  use_causal_mask: causal,
                  return_attention_scores: scores
                }
              }
            },
            shapes,
            weights
          );
          const inputs = shapes.map(s => randomTensor([d.batch, ...s], rnd));
          const masks = [
            qMasked ? someMask(d.batch, d.nq, rnd, false) : null,
            vMasked ? someMask(d.batch, d.nk, rnd) : null,
            ...(withKey ? [null] : [])
          ];
          const err = gradientError(layer, inputs, masks, {
            differentiable: shapes.map((_, i) => i),
            seed
          });
          expect(err).toBeLessThan(2e-3);
        }
      ),
      { numRuns: 120 }
    );
  });

  it('without a key input, the value gets the gradient of both of its roles', () => {
    for (const className of ['Attention', 'AdditiveAttention']) {
      const rnd = rng(5);
      const layer = build(
        createDotAttention,
        { name: 'att', className, config: { use_scale: false } },
        [
          [3, 2],
          [4, 2]
        ]
      );
      const inputs = [
        randomTensor([2, 3, 2], rnd),
        randomTensor([2, 4, 2], rnd)
      ];
      const masks = [null, someMask(2, 4, rnd)];
      const err = gradientError(layer, inputs, masks, {
        differentiable: [0, 1]
      });
      expect({ className, ok: err < 2e-3 }).toEqual({ className, ok: true });
    }
  });

  it('a query that sees no key (causal, first key masked) still passes gradient to its scores, as where(s - 1e9) does', () => {
    const rnd = rng(9);
    const layer = build(
      createDotAttention,
      {
        name: 'att',
        className: 'Attention',
        config: {},
        call: { inputKwargs: [null, null], args: { use_causal_mask: true } }
      },
      [
        [2, 2],
        [2, 2]
      ]
    );
    const q = randomTensor([1, 2, 2], rnd);
    const v = randomTensor([1, 2, 2], rnd);
    const call = layer.callForGradient!(
      [q, v],
      [null, maskOf(1, 2, (_b, t) => t === 1)]
    );
    // Query 0 sees only key 0, which is masked: both scores are s - 1e9.
    const p = Array.from(call.output.data.slice(0, 2));
    expect(p.every(Number.isFinite)).toBe(true);
    const [dq] = call.backward([
      { shape: [1, 2, 2], data: Float32Array.from([1, 0, 0, 0]) }
    ]);
    expect(dq!.data[0] !== 0 || dq!.data[1] !== 0).toBe(true);
  });

  it('masked queries (query mask) output 0 and pass no gradient through the output', () => {
    const rnd = rng(4);
    const layer = build(
      createDotAttention,
      { name: 'att', className: 'Attention', config: {} },
      [
        [3, 2],
        [3, 2]
      ]
    );
    const qMask = maskOf(1, 3, (_b, t) => t !== 1);
    const call = layer.callForGradient!(
      [randomTensor([1, 3, 2], rnd), randomTensor([1, 3, 2], rnd)],
      [qMask, null]
    );
    expect(call.mask).toBe(qMask);
    expect(Array.from(call.output.data.slice(2, 4))).toEqual([0, 0]);
    const dOut = { shape: [1, 3, 2], data: new Float32Array(6) };
    dOut.data.set([1, -2], 2);
    const [dq, dv] = call.backward([dOut]);
    expect(Array.from(dq!.data).every(g => g === 0)).toBe(true);
    expect(Array.from(dv!.data).every(g => g === 0)).toBe(true);
  });
});

interface IMhaCase {
  batch: number;
  nq: number;
  nk: number;
  dq: number;
  dk: number;
  dv: number;
  heads: number;
  keyDim: number;
  valueDim: number;
  outDim: number | null;
  useBias: boolean;
}

function mhaWeights(c: IMhaCase, rnd: () => number): IWeight[] {
  const out = c.outDim ?? c.dq;
  const parts: Array<[string, number[], number[]]> = [
    ['query', [c.dq, c.heads, c.keyDim], [c.heads, c.keyDim]],
    ['key', [c.dk, c.heads, c.keyDim], [c.heads, c.keyDim]],
    ['value', [c.dv, c.heads, c.valueDim], [c.heads, c.valueDim]],
    ['attention_output', [c.heads, c.valueDim, out], [out]]
  ];
  return parts.flatMap(([part, kernel, bias]) => [
    weight(`mha/${part}/kernel`, kernel, rnd),
    ...(c.useBias ? [weight(`mha/${part}/bias`, bias, rnd)] : [])
  ]);
}

const mhaCase = fc.record({
  batch: fc.integer({ min: 1, max: 2 }),
  nq: fc.integer({ min: 1, max: 4 }),
  nk: fc.integer({ min: 1, max: 4 }),
  dq: fc.integer({ min: 1, max: 3 }),
  dk: fc.integer({ min: 1, max: 3 }),
  dv: fc.integer({ min: 1, max: 3 }),
  heads: fc.integer({ min: 1, max: 3 }),
  keyDim: fc.integer({ min: 1, max: 3 }),
  valueDim: fc.integer({ min: 1, max: 3 }),
  outDim: fc.option(fc.integer({ min: 1, max: 3 })),
  useBias: fc.boolean()
});

describe('MultiHeadAttention gradient', () => {
  it('matches finite differences of its forward pass (fast-check: dims, bias, key, masks, attention_mask, causal, scores, dropout)', () => {
    fc.assert(
      fc.property(
        mhaCase,
        fc.record({
          withKey: fc.boolean(),
          causal: fc.boolean(),
          qMasked: fc.boolean(),
          vMasked: fc.boolean(),
          kMasked: fc.boolean(),
          attentionMask: fc.boolean(),
          scores: fc.boolean(),
          dropout: fc.boolean()
        }),
        fc.integer({ min: 1, max: 1 << 20 }),
        (c, o, seed) => {
          const rnd = rng(seed);
          const dk = o.withKey ? c.dk : c.dv;
          const shapes = [
            [c.nq, c.dq],
            [c.nk, c.dv],
            ...(o.withKey ? [[c.nk, dk]] : []),
            ...(o.attentionMask ? [[c.nq, c.nk]] : [])
          ];
          const kwargs = [
            null,
            null,
            ...(o.withKey ? ['key'] : []),
            ...(o.attentionMask ? ['attention_mask'] : [])
          ];
          const layer = build(
            createMultiHeadAttention,
            {
              name: 'mha',
              className: 'MultiHeadAttention',
              config: {
                num_heads: c.heads,
                key_dim: c.keyDim,
                value_dim: c.valueDim,
                output_shape: c.outDim,
                use_bias: c.useBias,
                dropout: o.dropout ? 0.1 : 0
              },
              call: {
                inputKwargs: kwargs,
                args: {
                  use_causal_mask: o.causal,
                  return_attention_scores: o.scores
                }
              }
            },
            shapes,
            mhaWeights({ ...c, dk }, rnd)
          );
          const inputs: ITensor[] = shapes.map((s, i) =>
            kwargs[i] === 'attention_mask'
              ? randomTensor([c.batch, ...s], rnd, r => (r() < 0.7 ? 1 : 0))
              : randomTensor([c.batch, ...s], rnd)
          );
          const masks = [
            o.qMasked ? someMask(c.batch, c.nq, rnd, false) : null,
            o.vMasked ? someMask(c.batch, c.nk, rnd, false) : null,
            ...(o.withKey
              ? [o.kMasked ? someMask(c.batch, c.nk, rnd, false) : null]
              : []),
            ...(o.attentionMask ? [null] : [])
          ];
          const differentiable = kwargs
            .map((k, i) => (k === 'attention_mask' ? -1 : i))
            .filter(i => i >= 0);
          const err = gradientError(layer, inputs, masks, {
            differentiable,
            seed
          });
          expect(err).toBeLessThan(2e-3);
          if (o.attentionMask) {
            const call = layer.callForGradient!(inputs, masks);
            const grads = call.backward([
              randomTensor(call.output.shape, rnd),
              ...(call.extra ?? []).map(t => randomTensor(t.shape, rnd))
            ]);
            expect(grads[kwargs.indexOf('attention_mask')]).toBeNull();
          }
        }
      ),
      { numRuns: 120 }
    );
  });

  it('a query that sees no key averages the values evenly: its value gradient is 1/Tk of the context gradient, its scores get none', () => {
    const rnd = rng(21);
    const c: IMhaCase = {
      batch: 1,
      nq: 2,
      nk: 3,
      dq: 2,
      dk: 2,
      dv: 2,
      heads: 1,
      keyDim: 2,
      valueDim: 2,
      outDim: null,
      useBias: false
    };
    const layer = build(
      createMultiHeadAttention,
      {
        name: 'mha',
        className: 'MultiHeadAttention',
        config: { num_heads: 1, key_dim: 2, use_bias: false }
      },
      [
        [2, 2],
        [3, 2]
      ],
      mhaWeights(c, rnd)
    );
    const q = randomTensor([1, 2, 2], rnd);
    const v = randomTensor([1, 3, 2], rnd);
    // Query 0 is masked: it sees no key.
    const masks = [maskOf(1, 2, (_b, t) => t === 1), null];
    const call = layer.callForGradient!([q, v], masks);
    const dOut = { shape: [1, 2, 2], data: Float32Array.from([1, 1, 0, 0]) };
    const [dq] = call.backward([dOut]);
    expect(Array.from(dq!.data)).toEqual([0, 0, 0, 0]);
    const err = gradientError(layer, [q, v], masks, { differentiable: [0, 1] });
    expect(err).toBeLessThan(2e-3);
  });
});
