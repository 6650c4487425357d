/**
 * The plain-loop merge and step-major pooling paths against the straight
 * per-element definitions they replace: the same bits, special values
 * (NaN, -0, infinities) included.
 */
import { IBuildContext, IMask, ITensor } from '../../../src/model/layers/base';
import { Kernels } from '../../../src/model/layers/kernels';
import { createElementwiseMerge } from '../../../src/model/layers/merge';
import { createGlobalPooling1d } from '../../../src/model/layers/pooling';

const CONTEXT: IBuildContext = {
  kerasMajor: 3,
  lambdas: {},
  kernels: new Kernels({ simd: false }),
  createLayer: () => {
    throw new Error('not used');
  }
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-40, -3.5e38];

function values(n: number, seed: number): Float32Array {
  const rnd = rng(seed);
  return Float32Array.from({ length: n }, () =>
    rnd() < 0.05
      ? SPECIAL[Math.floor(rnd() * SPECIAL.length)]
      : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4)
  );
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(Float32Array.from(a).buffer));
}

describe('element-wise layers give the bits of their definitions', () => {
  const ops: { [name: string]: (a: number, b: number) => number } = {
    Multiply: (a, b) => a * b,
    Add: (a, b) => a + b,
    Subtract: (a, b) => a - b,
    Average: (a, b) => a + b,
    Maximum: (a, b) => Math.max(a, b)
  };
  it.each(Object.keys(ops))('%s of same-shape tensors', className => {
    const shape = [3, 7, 5];
    const inputs = [0, 1, 2]
      .slice(0, className === 'Subtract' ? 2 : 3)
      .map(i => ({ shape, data: values(3 * 7 * 5, 10 + i) }));
    const layer = createElementwiseMerge(
      { name: 'm', className, config: {} },
      inputs.map(() => [7, 5]),
      [],
      CONTEXT
    );
    const got = layer.call(
      inputs,
      inputs.map(() => null)
    ).output;
    const expected = new Float32Array(inputs[0].data);
    for (const next of inputs.slice(1)) {
      for (let i = 0; i < expected.length; i++) {
        expected[i] = ops[className](expected[i], next.data[i]);
      }
    }
    if (className === 'Average') {
      for (let i = 0; i < expected.length; i++) {
        expected[i] /= inputs.length;
      }
    }
    expect(got.shape).toEqual(shape);
    expect(bits(got.data)).toEqual(bits(expected));
  });

  it.each([
    ['GlobalAveragePooling1D', false],
    ['GlobalAveragePooling1D', true],
    ['GlobalMaxPooling1D', false]
  ])('%s (mask %s) sums each channel in step order', (className, masked) => {
    const [batch, length, channels] = [4, 9, 6];
    const x: ITensor = {
      shape: [batch, length, channels],
      data: values(batch * length * channels, 3)
    };
    const rnd = rng(4);
    const mask: IMask | null = masked
      ? {
          batch,
          steps: length,
          data: Uint8Array.from({ length: batch * length }, (_, i) =>
            i < length ? 0 : rnd() < 0.3 ? 0 : 1
          )
        }
      : null;
    const layer = createGlobalPooling1d(
      { name: 'p', className: className as string, config: {} },
      [[length, channels]],
      [],
      CONTEXT
    );
    const got = layer.call([x], [mask]).output;
    const isMax = (className as string).includes('Max');
    const expected = new Float32Array(batch * channels);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < channels; c++) {
        let acc = isMax ? -Infinity : 0;
        let count = 0;
        for (let t = 0; t < length; t++) {
          if (mask && !isMax && !mask.data[b * length + t]) {
            continue;
          }
          const v = x.data[(b * length + t) * channels + c];
          acc = isMax ? Math.max(acc, v) : acc + v;
          count++;
        }
        expected[b * channels + c] = isMax ? acc : acc / Math.max(count, 1);
      }
    }
    expect(bits(got.data)).toEqual(bits(expected));
  });
});
