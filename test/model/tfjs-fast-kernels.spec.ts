/**
 * The strided CPU kernels that replace TensorFlow.js's Transpose, Tile,
 * Sum and broadcasting binary ops, property-tested against TensorFlow.js's
 * own kernels on random shapes, then installed and checked through the tf
 * ops and a gradient that uses them.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import {
  BinaryOp,
  broadcastValues,
  gatherRows,
  installFastKernels,
  sumValues,
  tileValues,
  transposeValues
} from '../../src/explain/tfjs-fast-kernels';

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), {
  minLength: 1,
  maxLength: 4
});

function values(shape: number[], seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  });
}

/** What TensorFlow.js's own kernel computes (before installFastKernels). */
function reference(fn: () => tf.Tensor): { values: number[]; shape: number[] } {
  return tf.tidy(() => {
    const t = fn();
    return { values: Array.from(t.dataSync()), shape: t.shape };
  });
}

function expectClose(actual: ArrayLike<number>, expected: number[]) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-6);
  }
}

describe('strided CPU kernels against TensorFlow.js kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('transposes by any permutation like tf.transpose', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer(), (shape, seed) => {
        const x = values(shape, seed);
        // A seeded shuffle of the axes.
        const perm = shape.map((_, i) => i);
        for (let i = perm.length - 1; i > 0; i--) {
          const j = Math.abs(seed + i * 7) % (i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const expected = reference(() =>
          tf.transpose(tf.tensor(x, shape), perm)
        );
        expectClose(transposeValues(x, shape, perm), expected.values);
      }),
      { numRuns: 200 }
    );
  });

  it('tiles like tf.tile', () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.array(fc.integer({ min: 1, max: 3 }), {
          minLength: 4,
          maxLength: 4
        }),
        fc.integer(),
        (shape, reps4, seed) => {
          const reps = reps4.slice(0, shape.length);
          const x = values(shape, seed);
          const expected = reference(() => tf.tile(tf.tensor(x, shape), reps));
          expectClose(tileValues(x, shape, reps), expected.values);
        }
      ),
      { numRuns: 60 }
    );
  });

  it('sums over any set of axes like tf.sum', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer(), fc.integer(), (shape, mask, seed) => {
        const axes = shape.map((_, i) => i).filter(i => (mask >> i) & 1);
        if (axes.length === 0) {
          axes.push(shape.length - 1);
        }
        const x = values(shape, seed);
        const expected = reference(() => tf.sum(tf.tensor(x, shape), axes));
        const got = sumValues(x, shape, axes);
        expect(got.shape).toEqual(expected.shape);
        expectClose(got.values, expected.values);
      }),
      { numRuns: 200 }
    );
  });

  it('gathers table rows like tf.gather, and refuses indices out of range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 12 }),
        fc.integer(),
        (rows, width, raw, seed) => {
          const table = values([rows, width], seed);
          const ids = raw.map(i => i % rows);
          const expected = reference(() =>
            tf.gather(
              tf.tensor(table, [rows, width]),
              tf.tensor1d(ids, 'int32')
            )
          );
          expectClose(gatherRows(table, rows, width, ids)!, expected.values);
        }
      ),
      { numRuns: 100 }
    );
    expect(gatherRows(new Float32Array(4), 2, 2, [0, 2])).toBeNull();
    expect(gatherRows(new Float32Array(4), 2, 2, [-1])).toBeNull();
  });

  it('broadcasts Multiply, Add, Sub and RealDiv like tf', () => {
    const ops: Array<[BinaryOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['Multiply', tf.mul],
      ['Add', tf.add],
      ['Sub', tf.sub],
      ['RealDiv', tf.div]
    ];
    fc.assert(
      fc.property(
        shapeArb,
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        (shape, ones, drop, seed) => {
          // b: the same shape with some dims set to 1 and leading dims dropped.
          const bShape = shape
            .map((d, i) => ((ones >> i) & 1 ? 1 : d))
            .slice(Math.min(drop, shape.length - 1));
          const a = values(shape, seed);
          const b = values(bShape, seed + 1).map(v => v + 2);
          for (const [op, fn] of ops) {
            for (const [x, xs, y, ys] of [
              [a, shape, b, bShape],
              [b, bShape, a, shape]
            ] as Array<[Float32Array, number[], Float32Array, number[]]>) {
              const expected = reference(() =>
                fn(tf.tensor(x, xs), tf.tensor(y, ys))
              );
              const got = broadcastValues(op, x, xs, y, ys)!;
              expect(got.shape).toEqual(expected.shape);
              expectClose(got.values, expected.values);
            }
          }
        }
      ),
      { numRuns: 60 }
    );
    expect(
      broadcastValues('Add', new Float32Array(2), [2], new Float32Array(3), [3])
    ).toBeNull();
  });

  it('once installed, gives the same ops and gradients as before', () => {
    const x = values([3, 4, 5], 9);
    const y = values([1, 4, 1], 10);
    const program = () => {
      const xt = tf.tensor(x, [3, 4, 5]);
      const yt = tf.tensor(y, [1, 4, 1]);
      const f = (v: tf.Tensor) =>
        tf
          .sum(
            tf.mul(
              tf.transpose(tf.tile(tf.add(v, yt), [1, 1, 2]), [0, 2, 1]),
              tf.sub(tf.transpose(v, [0, 2, 1]).tile([1, 2, 1]), 0.5)
            ),
            [1]
          )
          .sum()
          .add(
            tf
              .gather(v.reshape([12, 5]), tf.tensor1d([3, 0, 11, 3], 'int32'))
              .square()
              .sum()
          );
      const [value, grad] = [f(xt), tf.grad(f)(xt)];
      return tf.concat([value.reshape([1]), grad.reshape([-1])]);
    };
    const before = reference(program);
    const kernelsBefore = tf.getKernelsForBackend('cpu').length;
    const names = [
      'GatherV2',
      'Transpose',
      'Tile',
      'Sum',
      'Multiply',
      'Add',
      'Sub',
      'RealDiv'
    ];
    const originals = names.map(n => tf.getKernel(n, 'cpu')!.kernelFunc);
    installFastKernels(tf);
    installFastKernels(tf);
    expect(tf.getKernelsForBackend('cpu').length).toBe(kernelsBefore);
    names.forEach((n, i) =>
      expect(tf.getKernel(n, 'cpu')!.kernelFunc).not.toBe(originals[i])
    );
    const after = reference(program);
    expectClose(after.values, before.values);
    expect(tf.memory().numTensors).toBe(0);
  });
});
