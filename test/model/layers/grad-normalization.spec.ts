/**
 * BatchNormalization and LayerNormalization gradients: the recorded forward
 * gives the bits of `call`, and `backward` is the derivative of the forward
 * (finite differences, any axes, center / scale on or off, rms_scaling).
 */
import fc from 'fast-check';
import {
  createBatchNormalization,
  createLayerNormalization
} from '../../../src/model/layers/normalization';
import { IWeight } from '../../../src/model/layers/base';
import {
  build,
  gradientError,
  maskOf,
  randomTensor,
  rng,
  weight
} from './grad-check';

/** A sample shape of rank 1 to 3 and a non-empty set of its axes (batch counted). */
const shapeAndAxes = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain(sample =>
    fc.record({
      sample: fc.constant(sample),
      axes: fc
        .subarray(
          sample.map((_, i) => i + 1),
          { minLength: 1 }
        )
        .map(axes => axes.map(a => (a === sample.length ? -1 : a)))
    })
  );

function paramSize(sample: number[], axes: number[]): number {
  return axes
    .map(a => (a < 0 ? sample.length + 1 + a : a))
    .reduce((n, a) => n * sample[a - 1], 1);
}

describe('LayerNormalization gradient', () => {
  it('matches finite differences of its forward pass (fast-check: shapes, axes, center, scale, rms_scaling)', () => {
    fc.assert(
      fc.property(
        shapeAndAxes,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1e-3, 1e-5, 0.5),
        fc.integer({ min: 1, max: 1 << 20 }),
        ({ sample, axes }, center, scale, rms, epsilon, seed) => {
          const rnd = rng(seed);
          const size = paramSize(sample, axes);
          const weights: IWeight[] = [];
          if (scale) {
            weights.push(weight('gamma', [size], rnd, 1));
          }
          if (center && !rms) {
            weights.push(weight('beta', [size], rnd));
          }
          const layer = build(
            createLayerNormalization,
            {
              name: 'ln',
              className: 'LayerNormalization',
              config: { axis: axes, center, scale, epsilon, rms_scaling: rms }
            },
            [sample],
            weights
          );
          const x = randomTensor([2, ...sample], rnd);
          const err = gradientError(layer, [x], [null], {
            differentiable: [0],
            seed
          });
          expect(err).toBeLessThan(2e-3);
        }
      ),
      { numRuns: 60 }
    );
  });

  it('keeps the mask and passes no gradient when none comes back', () => {
    const rnd = rng(3);
    const layer = build(
      createLayerNormalization,
      { name: 'ln', className: 'LayerNormalization', config: {} },
      [[5, 4]],
      [weight('gamma', [4], rnd, 1), weight('beta', [4], rnd)]
    );
    const mask = maskOf(1, 5, (_b, t) => t > 1);
    const call = layer.callForGradient!([randomTensor([1, 5, 4], rnd)], [mask]);
    expect(call.mask).toBe(mask);
    expect(call.backward([null])).toEqual([null]);
  });

  it('sums to zero over each normalised group (the output does not move with a shift of the group)', () => {
    const rnd = rng(11);
    const layer = build(
      createLayerNormalization,
      { name: 'ln', className: 'LayerNormalization', config: { axis: -1 } },
      [[3, 6]],
      [weight('gamma', [6], rnd, 1), weight('beta', [6], rnd)]
    );
    const call = layer.callForGradient!([randomTensor([2, 3, 6], rnd)], [null]);
    const [dx] = call.backward([randomTensor([2, 3, 6], rnd)]);
    for (let g = 0; g < 6; g++) {
      const sum = dx!.data.slice(g * 6, g * 6 + 6).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum)).toBeLessThan(1e-5);
    }
  });
});

describe('BatchNormalization gradient', () => {
  it('matches finite differences of its forward pass (fast-check: shapes, axes, center, scale)', () => {
    fc.assert(
      fc.property(
        shapeAndAxes,
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1 << 20 }),
        ({ sample, axes }, center, scale, seed) => {
          const rnd = rng(seed);
          const size = paramSize(sample, axes);
          const weights: IWeight[] = [];
          if (scale) {
            weights.push(weight('gamma', [size], rnd, 1));
          }
          if (center) {
            weights.push(weight('beta', [size], rnd));
          }
          weights.push(weight('moving_mean', [size], rnd));
          weights.push(weight('moving_variance', [size], rnd, 1.5));
          const layer = build(
            createBatchNormalization,
            {
              name: 'bn',
              className: 'BatchNormalization',
              config: { axis: axes, center, scale }
            },
            [sample],
            weights
          );
          const x = randomTensor([3, ...sample], rnd);
          const err = gradientError(layer, [x], [null], {
            differentiable: [0],
            seed
          });
          expect(err).toBeLessThan(1e-3);
        }
      ),
      { numRuns: 40 }
    );
  });
});
