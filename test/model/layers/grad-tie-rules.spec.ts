/**
 * Ties and kinks exactly as TensorFlow's registered gradients treat them,
 * against the probes real TensorFlow / Keras ran in
 * `test/fixtures/keras/gradients/tie-rules.json` (gradient of sum(output)
 * with tf.GradientTape): reduce_max / reduce_min split among tied extrema,
 * relu'(0) = 0, relu6 and clip bounds, leaky_relu / ELU / PReLU at 0,
 * Keras 3 hard_sigmoid's bounds.
 */
import {
  createActivation,
  createSoftmax
} from '../../../src/model/layers/activation';
import {
  createElu,
  createLeakyRelu,
  createPrelu,
  createRelu
} from '../../../src/model/layers/activation-layers';
import { ILayer, ITensor } from '../../../src/model/layers/base';
import { createLambda } from '../../../src/model/layers/lambda';
import { fixtureJson } from '../helpers';
import { build, context } from './grad-check';

interface IProbe {
  rule: string;
  inputs: any[];
  output: any;
  gradient: any[];
}

const PROBES: { [name: string]: IProbe } = fixtureJson(
  'keras',
  'gradients',
  'tie-rules.json'
).probes;

function flat(x: any): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

function shapeOf(x: any): number[] {
  return Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [];
}

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

function activation(name: string, sample: number[]): ILayer {
  return build(
    createActivation,
    { name: 'a', className: 'Activation', config: { activation: name } },
    [sample]
  );
}

/** Our layer for each probe of a layer in these modules (sample shape given). */
const LAYERS: { [probe: string]: (sample: number[]) => ILayer } = {
  reduce_max: s => lambda('max(axis=1)', s),
  'keras.ops.max (Lambda)': s => lambda('max(axis=1)', s),
  reduce_min: s => lambda('min(axis=1)', s),
  'relu at 0': s => build(createRelu, relu({}), [s]),
  'relu6 at 0 and 6': s => activation('relu6', s),
  'ReLU(max_value=6)': s => build(createRelu, relu({ max_value: 6 }), [s]),
  'ReLU(max_value=0.75)': s =>
    build(createRelu, relu({ max_value: 0.75 }), [s]),
  'ReLU(threshold=0.5)': s => build(createRelu, relu({ threshold: 0.5 }), [s]),
  'ReLU(max_value=0.75, negative_slope=0.1, threshold=0.5)': s =>
    build(
      createRelu,
      relu({ max_value: 0.75, negative_slope: 0.1, threshold: 0.5 }),
      [s]
    ),
  'leaky_relu at 0': s =>
    build(
      createLeakyRelu,
      { name: 'l', className: 'LeakyReLU', config: { negative_slope: 0.25 } },
      [s]
    ),
  'ReLU(negative_slope=0.1) at 0': s =>
    build(createRelu, relu({ negative_slope: 0.1 }), [s]),
  'elu at 0': s =>
    build(createElu, { name: 'e', className: 'ELU', config: {} }, [s]),
  'ELU(alpha=0.7) at 0': s =>
    build(createElu, { name: 'e', className: 'ELU', config: { alpha: 0.7 } }, [
      s
    ]),
  'PReLU at 0': s =>
    build(
      createPrelu,
      { name: 'p', className: 'PReLU', config: {} },
      [s],
      [
        {
          name: 'alpha',
          shape: s,
          data: new Float32Array(s.reduce((a, d) => a * d, 1)).fill(0.3)
        }
      ]
    ),
  'hard_sigmoid (Keras 3) at -3 and 3': s => activation('hard_sigmoid', s)
};

function relu(config: object) {
  return { name: 'r', className: 'ReLU', config };
}

describe('ties and kinks as real TensorFlow computes them (tie-rules.json)', () => {
  it('has every probe these layers are checked against', () => {
    expect(Object.keys(PROBES)).toEqual(
      expect.arrayContaining(Object.keys(LAYERS))
    );
  });

  it.each(Object.keys(LAYERS))('%s', name => {
    const probe = PROBES[name];
    const [raw] = probe.inputs;
    const x: ITensor = {
      shape: shapeOf(raw),
      data: Float32Array.from(flat(raw))
    };
    const layer = LAYERS[name](x.shape.slice(1));
    const call = layer.callForGradient!([x], [null]);
    expect(Array.from(call.output.data)).toEqual(
      flat(probe.output).map(v => Math.fround(v))
    );
    // d sum(output) / d input: a cotangent of ones.
    const ones = new Float32Array(call.output.data.length).fill(1);
    const [dx] = call.backward([{ shape: call.output.shape, data: ones }]);
    const expected = flat(probe.gradient[0]);
    expect(dx!.shape).toEqual(x.shape);
    Array.from(dx!.data).forEach((g, i) =>
      expect({ i, g: Math.abs(g - expected[i]) <= 1e-7 }).toEqual({
        i,
        g: true
      })
    );
  });

  it('Softmax with a fully masked row gives zeros and no gradient (Keras 3 masks the output)', () => {
    const layer = build(
      createSoftmax,
      { name: 's', className: 'Softmax', config: {} },
      [[3]]
    );
    const x: ITensor = { shape: [1, 3], data: Float32Array.from([1, 2, 3]) };
    const mask = { batch: 1, steps: 3, data: Uint8Array.from([0, 0, 0]) };
    const call = layer.callForGradient!([x], [mask]);
    expect(Array.from(call.output.data)).toEqual([0, 0, 0]);
    const [dx] = call.backward([
      { shape: [1, 3], data: Float32Array.from([1, -1, 2]) }
    ]);
    expect(Array.from(dx!.data)).toEqual([0, 0, 0]);
  });
});
