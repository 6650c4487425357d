/**
 * The fused attention head's forward average (`scaleRowsAndAverage` in
 * fuse.ts: its loops in scaled-average.ts, its WebAssembly SIMD kernel in
 * kernels/scale-average.ts) against the plain computation: the product
 * stored by `scaleRows` (Multiply's floats) and then averaged by the
 * GlobalAveragePooling1D layer itself. Bit for bit (NaN as NaN), with and
 * without the kernel: on random shapes (batch 1, units that are and are
 * not a multiple of 4 and of 8, masks, rows counted as 1, NaN,
 * infinities, -0, magnitudes whose sum depends on the order), on the
 * real-Keras fixtures with the pooled head, masked and not, Keras 3
 * (.keras) and Keras 2 rules (.h5), and in the built engine with relaxed
 * SIMD on and off (child processes).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import fc from 'fast-check';
import { loadModel } from '../../src/model/engine';
import { runGraph } from '../../src/model/graph/graph';
import * as fuse from '../../src/model/graph/fuse';
import { IMask, ITensor } from '../../src/model/layers/base';
import { createGlobalPooling1d } from '../../src/model/layers/pooling';
import { Kernels, simdKernelCalls } from '../../src/model/layers/kernels';
import { fixture, fixtureJson } from './helpers';

/** GlobalAveragePooling1D of the stored product: the layers one by one. */
function plainAverage(
  x: ITensor,
  scale: ITensor,
  mask: IMask | null,
  ones: IMask | null
): Float32Array {
  const [, steps, units] = x.shape;
  const pooling = createGlobalPooling1d(
    { name: 'gap', className: 'GlobalAveragePooling1D', config: {} },
    [[steps, units]],
    [],
    {
      kerasMajor: 3,
      lambdas: {},
      kernels: new Kernels({ simd: false }),
      createLayer: () => {
        throw new Error('no nested layers here');
      }
    }
  );
  const product = fuse.scaleRows(x, scale, ones);
  return pooling.call([product], [mask]).output.data;
}

/** Each float's bits (so -0 is not 0); NaN as NaN (its payload is not the engine's to choose). */
const bits = (a: Float32Array) =>
  Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (b, i) =>
    Number.isNaN(a[i]) ? NaN : b
  );

/** Floats that stress the sums: specials, and terms whose sum depends on the order. */
const value = fc.oneof(
  fc.float({ noNaN: false }),
  fc.constantFrom(0, -0, 1, -1, 2 ** 60, -(2 ** 60), 3e-30, NaN, Infinity),
  fc.float({ min: -1, max: 1, noNaN: true })
);

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    steps: fc.integer({ min: 1, max: 9 }),
    units: fc.integer({ min: 1, max: 19 }),
    masked: fc.boolean(),
    withOnes: fc.boolean()
  })
  .chain(d =>
    fc.record({
      d: fc.constant(d),
      x: fc.array(value, {
        minLength: d.batch * d.steps * d.units,
        maxLength: d.batch * d.steps * d.units
      }),
      scale: fc.array(value, {
        minLength: d.batch * d.steps,
        maxLength: d.batch * d.steps
      }),
      mask: fc.array(fc.boolean(), {
        minLength: d.batch * d.steps,
        maxLength: d.batch * d.steps
      }),
      ones: fc.array(fc.boolean(), {
        minLength: d.batch * d.steps,
        maxLength: d.batch * d.steps
      })
    })
  );

const maskOf = (batch: number, steps: number, on: boolean[]): IMask => ({
  batch,
  steps,
  data: Uint8Array.from(on, v => (v ? 1 : 0))
});

const SIMD = new Kernels();

describe('scaleRowsAndAverage', () => {
  it('has its SIMD kernel here', () => {
    expect(SIMD.simd).toBe(true);
  });

  it('equals the stored product averaged by GlobalAveragePooling1D, bit for bit, on random inputs', () => {
    fc.assert(
      fc.property(caseArb, ({ d, x, scale, mask, ones }) => {
        const xs = {
          shape: [d.batch, d.steps, d.units],
          data: Float32Array.from(x)
        };
        const ss = {
          shape: [d.batch, d.steps],
          data: Float32Array.from(scale)
        };
        const m = d.masked ? maskOf(d.batch, d.steps, mask) : null;
        const o = d.withOnes ? maskOf(d.batch, d.steps, ones) : null;
        const plain = bits(plainAverage(xs, ss, m, o));
        const scalar = fuse.scaleRowsAndAverage(xs, ss, m, o);
        expect(scalar.shape).toEqual([d.batch, d.units]);
        expect(bits(scalar.data)).toEqual(plain);
        const calls = simdKernelCalls();
        const simd = fuse.scaleRowsAndAverage(xs, ss, m, o, SIMD);
        expect(bits(simd.data)).toEqual(plain);
        // The kernel ran wherever a row has a counted step and 4 units.
        const counted = !m || m.data.some(v => v !== 0);
        expect(simdKernelCalls() > calls).toBe(counted && d.units >= 4);
      }),
      { numRuns: 400 }
    );
  });

  it('sums each unit in step order in double precision (units in and after the blocks)', () => {
    // 2^60 + 1 - 2^60 is 0 in this order in doubles, 1 in float32 or out of order.
    const units = 11;
    const steps = [2 ** 60, 1, -(2 ** 60)];
    const x = new Float32Array(2 * 3 * units);
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 3; t++) {
        x.fill(
          steps[b === 0 ? t : 2 - t],
          (b * 3 + t) * units,
          (b * 3 + t + 1) * units
        );
      }
    }
    const scale = { shape: [2, 3], data: new Float32Array(6).fill(1) };
    const xs = { shape: [2, 3, units], data: x };
    const fused = fuse.scaleRowsAndAverage(xs, scale, null, null, SIMD);
    expect(Array.from(fused.data)).toEqual([
      ...new Array(units).fill(0),
      ...new Array(units).fill(0)
    ]);
    expect(bits(fused.data)).toEqual(bits(plainAverage(xs, scale, null, null)));
  });

  it('carries each sum in order across chunks of steps', () => {
    // Eight 1s, then 2^60 and -2^60: in step order the 1s are lost (0); summed
    // chunk by chunk (8 steps) and the partial sums added, they are not (0.8).
    const units = 13;
    const column = [1, 1, 1, 1, 1, 1, 1, 1, 2 ** 60, -(2 ** 60)];
    const x = new Float32Array(column.length * units);
    column.forEach((v, t) => x.fill(v, t * units, (t + 1) * units));
    const xs = { shape: [1, column.length, units], data: x };
    const scale = {
      shape: [1, column.length],
      data: new Float32Array(column.length).fill(1)
    };
    for (const kernels of [SIMD, null]) {
      const fused = fuse.scaleRowsAndAverage(xs, scale, null, null, kernels);
      expect(Array.from(fused.data)).toEqual(new Array(units).fill(0));
    }
  });

  it('leaves masked steps out and adds the scale alone where the states count as 1', () => {
    const units = 9;
    const x = new Float32Array(3 * units);
    [5, 5, 7].forEach((v, t) => x.fill(v, t * units, (t + 1) * units));
    const xs = { shape: [1, 3, units], data: x };
    const scale = { shape: [1, 3], data: Float32Array.from([1, 2, 1]) };
    const mask = maskOf(1, 3, [true, true, false]);
    // The states' mask: step 1 masked, so the product there is its scale.
    const ones = maskOf(1, 3, [true, false, true]);
    const fused = fuse.scaleRowsAndAverage(xs, scale, mask, ones, SIMD);
    expect(Array.from(fused.data)).toEqual(new Array(units).fill((5 + 2) / 2));
    expect(bits(fused.data)).toEqual(bits(plainAverage(xs, scale, mask, ones)));
  });
});

/** The real-Keras fixtures whose pooling reads the head's product. */
const HEADS = [
  'attention_head.keras',
  'attention_head.h5',
  'attention_head_masked.keras',
  'attention_head_masked.h5'
];

describe.each(HEADS)('the pooled head of gradients/%s', file => {
  it('predicts the floats of the layers run one by one, bit for bit', async () => {
    const model = await loadModel({
      [file]: fixture('keras', 'gradients', file)
    });
    const spy = jest.spyOn(fuse, 'scaleRowsAndAverage');
    const kernel = jest.spyOn(Kernels.prototype, 'scaleAverage');
    try {
      const expected = fixtureJson(
        'keras',
        'gradients',
        file.replace(/\.(keras|h5)$/, '.json')
      );
      const samples: Array<{ input: number[] }> = expected.samples;
      const T = model.info.inputLength!;
      const data = Float32Array.from(samples.flatMap(s => s.input.slice(-T)));
      const input = [{ shape: [samples.length, T], data }];
      const fused = runGraph(model.graph, input, { outputs: ['gap'] });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(kernel).toHaveBeenCalled();
      spy.mockClear();
      // Asking for the Permute output runs the head layer by layer.
      const plain = runGraph(model.graph, input, {
        outputs: ['gap', 'permute']
      });
      expect(spy).not.toHaveBeenCalled();
      expect(bits(fused.activations.gap.data)).toEqual(
        bits(plain.activations.gap.data)
      );
      expect(bits(fused.outputs[0].data)).toEqual(bits(plain.outputs[0].data));
      expect(fused.activations.gap.data.some(v => v !== 0)).toBe(true);
    } finally {
      spy.mockRestore();
      kernel.mockRestore();
      model.dispose();
    }
  });
});

describe('the built engine, relaxed SIMD on and off', () => {
  const script = path.join(__dirname, 'support', 'scaled-average-modes.js');
  it.each([
    [['--experimental-wasm-relaxed-simd'], true],
    [[], false]
  ])('node %j: the kernel gives the scalar floats', (flags, relaxed) => {
    const run = spawnSync(process.execPath, [...flags, script], {
      encoding: 'utf8'
    });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report).toEqual({
      relaxed,
      simd: true,
      kernelCalls: expect.any(Number),
      differ: 0
    });
    expect(report.kernelCalls).toBeGreaterThan(100);
  });
});
