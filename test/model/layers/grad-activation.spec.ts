/**
 * Gradients of the Activation and Softmax layers, the identity layers and
 * ReLU / LeakyReLU / PReLU / ELU: the recorded forward gives the bits of
 * `call`, and `backward` is the derivative of the forward (finite
 * differences away from the kinks). What happens exactly at a kink is
 * checked against TensorFlow's rules in `grad-tie-rules.spec.ts`.
 */
import fc from 'fast-check';
import {
  createActivation,
  createIdentity,
  createSoftmax
} from '../../../src/model/layers/activation';
import {
  createElu,
  createLeakyRelu,
  createPrelu,
  createRelu
} from '../../../src/model/layers/activation-layers';
import { ACTIVATIONS } from '../../../src/model/layers/activations';
import { LayerFactory } from '../../../src/model/layers/base';
import {
  awayFrom,
  build,
  context,
  gradientError,
  maskOf,
  randomTensor,
  rng,
  weight
} from './grad-check';

/** Where each activation's derivative jumps (Keras 3 hard_sigmoid: x = -3, 3; Keras 2: -2.5, 2.5). */
const KINKS: { [name: string]: number[] } = {
  relu: [0],
  relu6: [0, 6],
  elu: [0],
  selu: [0],
  leaky_relu: [0]
};

describe('Activation layer gradient', () => {
  for (const kerasMajor of [2, 3]) {
    it.each(ACTIVATIONS.map(a => [a]))(
      `%s (Keras ${kerasMajor}) matches finite differences of its forward pass`,
      name => {
        const kinks =
          name === 'hard_sigmoid'
            ? kerasMajor >= 3
              ? [-3, 3]
              : [-2.5, 2.5]
            : (KINKS[name] ?? []);
        const layer = build(
          createActivation,
          {
            name: 'act',
            className: 'Activation',
            config: { activation: name }
          },
          [[5, 3]],
          [],
          context(kerasMajor)
        );
        for (const seed of [1, 2, 3]) {
          const x = randomTensor([2, 5, 3], rng(seed), awayFrom(kinks));
          const err = gradientError(layer, [x], [null], {
            differentiable: [0],
            seed
          });
          expect({ name, ok: err < 1e-3 }).toEqual({ name, ok: true });
        }
      }
    );
  }

  it('linear passes the gradient unchanged; the mask is kept', () => {
    const layer = build(
      createActivation,
      {
        name: 'act',
        className: 'Activation',
        config: { activation: 'linear' }
      },
      [[3]]
    );
    const mask = maskOf(1, 3, () => true);
    const call = layer.callForGradient!([randomTensor([1, 3], rng(1))], [mask]);
    expect(call.mask).toBe(mask);
    const dy = randomTensor([1, 3], rng(2));
    expect(call.backward([dy])[0]!.data).toEqual(dy.data);
    expect(call.backward([null])).toEqual([null]);
  });
});

describe('Softmax layer gradient', () => {
  it('matches finite differences over any axis (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), {
          minLength: 1,
          maxLength: 3
        }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 1 << 20 }),
        (sample, pick, seed) => {
          const axis = ((pick - 1) % sample.length) + 1;
          const layer = build(
            createSoftmax,
            { name: 'sm', className: 'Softmax', config: { axis } },
            [sample]
          );
          const x = randomTensor([2, ...sample], rng(seed));
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

  it('with a mask (Keras 3: where(mask, x, -1e9), softmax, where(mask, y, 0)): masked steps get weight 0 and no gradient; a fully masked row is all 0', () => {
    const layer = build(
      createSoftmax,
      { name: 'sm', className: 'Softmax', config: {} },
      [[4]]
    );
    const rnd = rng(8);
    const x = randomTensor([2, 4], rnd);
    const mask = maskOf(2, 4, (b, t) => b === 0 && t !== 2);
    const call = layer.callForGradient!([x], [mask]);
    expect(call.output.data[2]).toBe(0);
    expect(Array.from(call.output.data.slice(4))).toEqual([0, 0, 0, 0]);
    const err = gradientError(layer, [x], [mask], { differentiable: [0] });
    expect(err).toBeLessThan(1e-3);
    const [dx] = call.backward([randomTensor([2, 4], rnd)]);
    expect(dx!.data[2]).toBe(0);
    expect(Array.from(dx!.data.slice(4))).toEqual([0, 0, 0, 0]);
  });
});

describe('identity layers pass the gradient through', () => {
  it.each(['Dropout', 'SpatialDropout1D', 'GaussianNoise'])('%s', className => {
    const layer = build(createIdentity, { name: 'i', className, config: {} }, [
      [3]
    ]);
    const x = randomTensor([1, 3], rng(1));
    const call = layer.callForGradient!([x], [null]);
    expect(call.output).toBe(x);
    const dy = randomTensor([1, 3], rng(2));
    expect(call.backward([dy])[0]).toBe(dy);
  });
});

describe('ReLU / LeakyReLU / ELU / PReLU gradients match finite differences away from their kinks', () => {
  const cases: Array<[string, LayerFactory, object, number[]]> = [
    ['ReLU', createRelu, {}, [0]],
    ['ReLU', createRelu, { max_value: 6 }, [0, 6]],
    ['ReLU', createRelu, { max_value: 1.5 }, [0, 1.5]],
    ['ReLU', createRelu, { negative_slope: 0.2 }, [0]],
    ['ReLU', createRelu, { threshold: 0.7 }, [0.7]],
    ['ReLU', createRelu, { threshold: -0.7, max_value: 2 }, [-0.7, 0, 2]],
    [
      'ReLU',
      createRelu,
      { negative_slope: 0.1, threshold: 0.5, max_value: 2 },
      [0.5, 2]
    ],
    ['ReLU', createRelu, { negative_slope: 0.3, max_value: 6 }, [0, 6]],
    ['LeakyReLU', createLeakyRelu, { negative_slope: 0.25 }, [0]],
    ['LeakyReLU', createLeakyRelu, { alpha: 0.1 }, [0]],
    ['ELU', createElu, { alpha: 1 }, [0]],
    ['ELU', createElu, { alpha: 0.4 }, [0]]
  ];
  it.each(cases)('%s %j', (className, factory, config, kinks) => {
    const layer = build(factory, { name: 'a', className, config }, [[6, 2]]);
    for (const seed of [1, 2, 3, 4]) {
      const x = randomTensor([2, 6, 2], rng(seed), awayFrom(kinks));
      const err = gradientError(layer, [x], [null], {
        differentiable: [0],
        seed
      });
      expect(err).toBeLessThan(1e-3);
    }
  });

  it.each([[[]], [[1]], [[2]], [[1, 2]]])(
    'PReLU shared_axes %j',
    sharedAxes => {
      const rnd = rng(5);
      const shape = [4, 3].map((d, i) => (sharedAxes.includes(i + 1) ? 1 : d));
      const layer = build(
        createPrelu,
        {
          name: 'p',
          className: 'PReLU',
          config: { shared_axes: sharedAxes }
        },
        [[4, 3]],
        [weight('alpha', shape, rnd)]
      );
      for (const seed of [1, 2]) {
        const x = randomTensor([2, 4, 3], rng(seed), awayFrom([0]));
        const err = gradientError(layer, [x], [null], {
          differentiable: [0],
          seed
        });
        expect(err).toBeLessThan(1e-3);
      }
    }
  );
});
