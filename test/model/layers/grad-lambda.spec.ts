/**
 * Lambda gradients, every accepted form: the recorded forward gives the
 * bits of `call`, `backward` is the derivative of the forward (finite
 * differences away from ties), and max / min split the gradient equally
 * among tied extrema as TensorFlow's reduce_max / reduce_min do.
 */
import fc from 'fast-check';
import { createLambda } from '../../../src/model/layers/lambda';
import { ILayer, ITensor } from '../../../src/model/layers/base';
import { build, context, gradientError, randomTensor, rng } from './grad-check';

function lambda(form: string, sample: number[]): ILayer {
  const ctx = context();
  ctx.lambdas = { f: form };
  return build(
    createLambda,
    { name: 'f', className: 'Lambda', config: {} },
    [sample],
    [],
    ctx
  );
}

/** Distinct values at least 0.1 apart (a shuffled grid), so no step of the check crosses a tie. */
function distinct(shape: number[], rnd: () => number): ITensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const grid = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [grid[i], grid[j]] = [grid[j], grid[i]];
  }
  return { shape, data: Float32Array.from(grid) };
}

const sampleShape = fc.array(fc.integer({ min: 1, max: 4 }), {
  minLength: 1,
  maxLength: 3
});

describe('Lambda gradients match finite differences of the forward pass', () => {
  it('sum / mean / max / min over any axis, with and without keepdims (fast-check)', () => {
    fc.assert(
      fc.property(
        sampleShape.chain(sample =>
          fc.record({
            sample: fc.constant(sample),
            axis: fc.integer({ min: 1, max: sample.length }),
            negative: fc.boolean()
          })
        ),
        fc.constantFrom('sum', 'mean', 'max', 'min'),
        fc.boolean(),
        fc.integer({ min: 1, max: 1 << 20 }),
        ({ sample, axis, negative }, kind, keep, seed) => {
          const rnd = rng(seed);
          const a = negative ? axis - sample.length - 1 : axis;
          const layer = lambda(
            `${kind}(axis=${a}${keep ? ', keepdims=True' : ''})`,
            sample
          );
          const x = distinct([2, ...sample], rnd);
          const err = gradientError(layer, [x], [null], {
            differentiable: [0],
            seed,
            h: 1e-2
          });
          expect(err).toBeLessThan(1e-3);
        }
      ),
      { numRuns: 80 }
    );
  });

  it.each([
    ['softmax(axis=1)', [4, 3]],
    ['softmax(axis=-1)', [4, 3]],
    ['softmax(axis=2)', [2, 3, 2]],
    ['expand_dims(axis=1)', [4, 3]],
    ['expand_dims(axis=-1)', [4, 3]],
    ['squeeze(axis=2)', [4, 1]],
    ['identity', [4, 3]],
    ['square', [4, 3]],
    ['scale(-2.5)', [4, 3]]
  ])('%s', (form, sample) => {
    for (const seed of [1, 2, 3]) {
      const layer = lambda(form as string, sample as number[]);
      const x = randomTensor([2, ...(sample as number[])], rng(seed));
      const err = gradientError(layer, [x], [null], {
        differentiable: [0],
        seed
      });
      expect({ form, err: err < 1e-3 }).toEqual({ form, err: true });
    }
  });
});

describe('Lambda max / min ties split the gradient equally (tf.reduce_max / reduce_min)', () => {
  const x: ITensor = {
    shape: [2, 4],
    data: Float32Array.from([1, 3, 3, 2, 0, 0, 0, 0])
  };
  const dy: ITensor = { shape: [2], data: Float32Array.from([1, 2]) };

  it('max(axis=1): two tied maxima get half each, four tied get a quarter each', () => {
    const call = lambda('max(axis=1)', [4]).callForGradient!([x], [null]);
    expect(Array.from(call.output.data)).toEqual([3, 0]);
    const [dx] = call.backward([dy]);
    expect(Array.from(dx!.data)).toEqual([0, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0.5]);
  });

  it('min(axis=1, keepdims=True): the single minimum takes it all; ties split', () => {
    const call = lambda('min(axis=1, keepdims=True)', [4]).callForGradient!(
      [x],
      [null]
    );
    expect(call.output.shape).toEqual([2, 1]);
    const [dx] = call.backward([{ shape: [2, 1], data: dy.data }]);
    expect(Array.from(dx!.data)).toEqual([1, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]);
  });

  it('max over the time axis of [batch, time, features]: ties per feature', () => {
    const x3: ITensor = {
      shape: [1, 3, 2],
      data: Float32Array.from([5, 1, 5, 1, 4, 1])
    };
    const call = lambda('max(axis=1)', [3, 2]).callForGradient!([x3], [null]);
    const [dx] = call.backward([
      { shape: [1, 2], data: Float32Array.from([1, 3]) }
    ]);
    expect(Array.from(dx!.data)).toEqual([0.5, 1, 0.5, 1, 0, 1]);
  });

  it('no gradient back when none comes in; the Lambda output has no mask', () => {
    const call = lambda('sum(axis=1)', [4]).callForGradient!([x], [null]);
    expect(call.mask).toBeNull();
    expect(call.backward([null])).toEqual([null]);
  });
});
