/**
 * Ties and kinks of the engine's gradients against what TensorFlow 2.21 /
 * Keras 3.15 do, as observed with tf.GradientTape on tiny tensors
 * (test/fixtures/keras/gradients/tie-rules.json, made by
 * scripts/keras_fixtures/gradients.py): each probe's gradient of
 * sum(output) with respect to each input, through the engine's own layers
 * and activation derivatives.
 */
import {
  derivative,
  eluDerivative,
  leakyReluDerivative
} from '../../../src/model/layers/activation-derivatives';
import { elementwise } from '../../../src/model/layers/activations';
import { IBuildContext, ILayer, ITensor } from '../../../src/model/layers/base';
import { Kernels } from '../../../src/model/layers/kernels';
import { createLayer } from '../../../src/model/layers/registry';
import { fixtureJson } from '../helpers';

interface IProbe {
  rule: string;
  inputs: any[];
  gradient: any;
}

const PROBES: { [name: string]: IProbe } = fixtureJson(
  'keras',
  'gradients',
  'tie-rules.json'
).probes;

const CONTEXT: IBuildContext = {
  kerasMajor: 3,
  lambdas: {},
  kernels: new Kernels({ simd: false }),
  createLayer: () => {
    throw new Error('not used');
  }
};

/** A nested array as a tensor (its own shape, batch first). */
function tensorOf(value: any): ITensor {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
  }
  return { shape, data: Float32Array.from(value.flat(Infinity)) };
}

/** The gradient of sum(output) with respect to each input, through `layer`. */
function gradientOfSum(layer: ILayer, inputs: ITensor[]): number[][] {
  const call = layer.callForGradient!(
    inputs,
    inputs.map(() => null)
  );
  const ones = {
    shape: call.output.shape,
    data: new Float32Array(call.output.data.length).fill(1)
  };
  return call.backward([ones]).map(d => Array.from(d!.data));
}

function layerProbe(className: string, config: object, probe: IProbe) {
  const inputs = probe.inputs.map(tensorOf);
  const layer = createLayer(
    { name: 'probe', className, config },
    inputs.map(t => t.shape.slice(1)),
    [],
    CONTEXT
  );
  const expected = probe.gradient.map((g: any) => g.flat(Infinity));
  const got = gradientOfSum(layer, inputs);
  got.forEach((g, i) =>
    g.forEach((v, k) => expect(v).toBeCloseTo(expected[i][k], 6))
  );
}

describe('tie rules of the engine against TensorFlow (tie-rules.json)', () => {
  it.each([
    ['GlobalMaxPooling1D', 'GlobalMaxPooling1D', {}],
    ['keras.ops.max (Lambda)', 'GlobalMaxPooling1D', {}],
    ['MaxPooling1D(2)', 'MaxPooling1D', { pool_size: 2 }],
    [
      'MaxPooling1D(3, strides=1)',
      'MaxPooling1D',
      { pool_size: 3, strides: 1 }
    ],
    [
      "MaxPooling1D(3, strides=1, padding='same')",
      'MaxPooling1D',
      { pool_size: 3, strides: 1, padding: 'same' }
    ],
    ['Maximum layer (3 inputs)', 'Maximum', {}],
    ['Minimum layer (3 inputs)', 'Minimum', {}]
  ] as Array<[string, string, object]>)(
    '%s: as TensorFlow (%s)',
    (probe, className, config) => {
      expect(PROBES[probe]).toBeDefined();
      layerProbe(className, config, PROBES[probe]);
    }
  );

  it.each([
    ['maximum', 'Maximum'],
    ['minimum', 'Minimum']
  ])(
    'tf.%s of two tensors: a tie goes to the first (%s layer)',
    (probe, className) => {
      const p = PROBES[probe];
      // The probe's inputs are rank 1: as a batch of one row each.
      layerProbe(
        className,
        {},
        {
          ...p,
          inputs: p.inputs.map(x => [x]),
          gradient: p.gradient.map((g: number[]) => [g])
        }
      );
    }
  );

  it.each([
    ['relu at 0', 'relu', 3],
    ['relu6 at 0 and 6', 'relu6', 3],
    ['elu at 0', 'elu', 3],
    ['hard_sigmoid (Keras 3) at -3 and 3', 'hard_sigmoid', 3]
  ] as Array<[string, string, number]>)(
    '%s: the derivative of %s',
    (probe, name, kerasMajor) => {
      const p = PROBES[probe];
      expect(p).toBeDefined();
      const spec = { name: 'a', className: 'Activation', config: {} };
      const f = elementwise(spec, name, kerasMajor)!;
      const d = derivative(spec, name, kerasMajor)!;
      const x = Float32Array.from(p.inputs[0]);
      const y = new Float32Array(x);
      f(y, 0, y.length);
      const expected = p.gradient[0];
      x.forEach((v, i) => expect(d(v, y[i])).toBeCloseTo(expected[i], 6));
    }
  );

  it('leaky_relu at 0 (LeakyReLU(negative_slope=0.25)): the slope', () => {
    const p = PROBES['leaky_relu at 0'];
    const d = leakyReluDerivative(0.25);
    p.inputs[0].forEach((x: number, i: number) =>
      expect(d(x, x > 0 ? x : 0.25 * x)).toBeCloseTo(p.gradient[0][i], 6)
    );
  });

  it('ELU(alpha=0.7) at 0: alpha', () => {
    const p = PROBES['ELU(alpha=0.7) at 0'];
    const d = eluDerivative(0.7);
    p.inputs[0].forEach((x: number, i: number) =>
      expect(d(x, NaN)).toBeCloseTo(p.gradient[0][i], 6)
    );
  });

  it('Keras 2 hard_sigmoid, clip_by_value(0.2x + 0.5, 0, 1): its bounds pass the gradient', () => {
    const p = PROBES['clip_by_value at the bounds'];
    const spec = { name: 'a', className: 'Activation', config: {} };
    const d = derivative(spec, 'hard_sigmoid', 2)!;
    // clip's input z = 0.2x + 0.5 at the probe's points.
    p.inputs[0].forEach((z: number, i: number) =>
      expect(d((z - 0.5) / 0.2, NaN)).toBeCloseTo(0.2 * p.gradient[0][i], 6)
    );
  });
});
