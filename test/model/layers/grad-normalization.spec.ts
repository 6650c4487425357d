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

/** The axes of a rank-`rank` tensor (batch counted) that `axes` names, -1 = last. */
function positiveAxes(axes: number[], rank: number): number[] {
  return axes.map(a => (a < 0 ? rank + a : a));
}

/**
 * The finite-difference step LayerNormalization's check can trust: each
 * normalised group g varies on the scale s_g = sqrt(var_g + epsilon)
 * (with rms_scaling too: Keras 3 divides by the same root), so a step that moves the
 * group by more than a fraction of s_g leaves the region where the
 * derivative describes the function (two nearly equal values with epsilon
 * 1e-5 have s_g ~ 3e-3, under the default step of 1e-2). The step is a
 * tenth of the smallest s_g per unit of the direction's norm over the
 * group (its entries are in [-1, 1]), and never above the default 1e-2.
 */
function conditionedStep(
  x: { shape: number[]; data: Float32Array },
  axes: number[],
  epsilon: number
): number {
  const normalized = new Set(positiveAxes(axes, x.shape.length));
  const groups = new Map<string, number[]>();
  x.data.forEach((v, flat) => {
    const key: number[] = [];
    let rest = flat;
    for (let a = x.shape.length - 1; a >= 0; a--) {
      if (!normalized.has(a)) {
        key.push(rest % x.shape[a]);
      }
      rest = Math.floor(rest / x.shape[a]);
    }
    const id = key.join(',');
    groups.set(id, [...(groups.get(id) ?? []), v]);
  });
  let step = 1e-2;
  for (const values of groups.values()) {
    const n = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const spread = values.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    step = Math.min(step, (0.1 * Math.sqrt(spread + epsilon)) / Math.sqrt(n));
  }
  return step;
}

interface ILayerNormCase {
  sample: number[];
  axes: number[];
  center: boolean;
  scale: boolean;
  rms: boolean;
  epsilon: number;
  seed: number;
}

/** The relative gradient error of one LayerNormalization case, at its conditioned step. */
function layerNormGradientError(c: ILayerNormCase): number {
  const rnd = rng(c.seed);
  const size = paramSize(c.sample, c.axes);
  const weights: IWeight[] = [];
  if (c.scale) {
    weights.push(weight('gamma', [size], rnd, 1));
  }
  if (c.center && !c.rms) {
    weights.push(weight('beta', [size], rnd));
  }
  const layer = build(
    createLayerNormalization,
    {
      name: 'ln',
      className: 'LayerNormalization',
      config: {
        axis: c.axes,
        center: c.center,
        scale: c.scale,
        epsilon: c.epsilon,
        rms_scaling: c.rms
      }
    },
    [c.sample],
    weights
  );
  const x = randomTensor([2, ...c.sample], rnd);
  return gradientError(layer, [x], [null], {
    differentiable: [0],
    seed: c.seed,
    h: conditionedStep(x, c.axes, c.epsilon)
  });
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
          const err = layerNormGradientError({
            sample,
            axes,
            center,
            scale,
            rms,
            epsilon,
            seed
          });
          expect(err).toBeLessThan(2e-3);
        }
      ),
      { numRuns: 60 }
    );
  });

  // Found by the property above: two features whose values nearly coincide,
  // epsilon 1e-5 (a step of 1e-2 gave errors of 5e-2 and 1.2e-2).
  it.each([
    [
      {
        sample: [4, 2],
        axes: [-1],
        center: false,
        scale: false,
        rms: false,
        epsilon: 1e-5,
        seed: 612989
      }
    ],
    [
      {
        sample: [3, 2],
        axes: [-1],
        center: false,
        scale: true,
        rms: false,
        epsilon: 1e-5,
        seed: 9
      }
    ]
  ])('matches finite differences on nearly degenerate groups: %j', c => {
    expect(layerNormGradientError(c)).toBeLessThan(2e-3);
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
