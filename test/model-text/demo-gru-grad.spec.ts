/**
 * The training-time GRU of scripts/train-demo.js (reset_after=True, forward
 * and backpropagation written by hand) against tfjs autodiff of the same
 * equations, and its forward against a real tf.keras GRU golden output.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const demo = require('../../scripts/train-demo.js');

const GOLDEN = path.resolve(__dirname, '../fixtures/nntrainer-gru');

/** Records of `int32 count` + `count` float32 (nntrainer golden layout). */
function records(file: string): Float32Array[] {
  const buffer = fs.readFileSync(file);
  const out: Float32Array[] = [];
  let at = 0;
  while (at + 4 <= buffer.length) {
    const count = buffer.readInt32LE(at);
    at += 4;
    if (count <= 0 || at + count * 4 > buffer.length) {
      break;
    }
    out.push(
      new Float32Array(
        buffer.buffer.slice(
          buffer.byteOffset + at,
          buffer.byteOffset + at + count * 4
        )
      )
    );
    at += count * 4;
  }
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training-time GRU op', () => {
  it('gradients equal tfjs autodiff of the same GRU (<= 1e-5)', () => {
    const gru = demo.makeGruOp(tf);
    const [B, T, U] = [3, 7, 5];
    const xp = tf.randomNormal([B, T, 3 * U], 0, 1, 'float32', 1);
    const R = tf.randomNormal([U, 3 * U], 0, 0.5, 'float32', 2);
    const b = tf.randomNormal([3 * U], 0, 0.5, 'float32', 3);
    const weights = tf.randomNormal([B, T, U], 0, 1, 'float32', 4);
    const custom = (x: tf.Tensor, r: tf.Tensor, bb: tf.Tensor) =>
      gru(x, r, bb).mul(weights).sum();
    const reference = (x: tf.Tensor, r: tf.Tensor, bb: tf.Tensor) =>
      demo.gruWithTfOps(tf, x, r, bb).mul(weights).sum();
    const g1 = tf.grads(custom as never)([xp, R, b]);
    const g2 = tf.grads(reference as never)([xp, R, b]);
    expect(
      Math.abs(
        custom(xp, R, b).dataSync()[0] - reference(xp, R, b).dataSync()[0]
      )
    ).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) {
      expect(tf.max(tf.abs(g1[i].sub(g2[i]))).dataSync()[0]).toBeLessThan(1e-5);
    }
  });

  it('forward reproduces the tf.keras GRU(reset_after=True) golden output (<= 1e-5)', () => {
    const file = fs
      .readdirSync(GOLDEN)
      .find(
        f =>
          /reset_after/.test(f) &&
          /seq/.test(f) &&
          !/act/.test(f) &&
          !/grucell/.test(f)
      );
    expect(file).toBeDefined();
    const [kernel, recurrent, inputBias, recurrentBias, input, output] =
      records(path.join(GOLDEN, file as string));
    // GRU(units=5) on input (batch 3, time, features 7), per the fixtures README.
    const [B, F, U] = [3, 7, 5];
    expect(kernel.length).toBe(F * 3 * U);
    expect(recurrent.length).toBe(U * 3 * U);
    const steps = input.length / (B * F);
    const x = tf.tensor3d(input, [B, steps, F]);
    const xp = x
      .reshape([B * steps, F])
      .matMul(tf.tensor2d(kernel, [F, 3 * U]))
      .add(tf.tensor1d(inputBias))
      .reshape([B, steps, 3 * U]);
    const h = demo.makeGruOp(tf)(
      xp,
      tf.tensor2d(recurrent, [U, 3 * U]),
      tf.tensor1d(recurrentBias)
    );
    const got = h.dataSync();
    expect(got.length).toBe(output.length);
    let error = 0;
    got.forEach(
      (v: number, i: number) =>
        (error = Math.max(error, Math.abs(v - output[i])))
    );
    expect(error).toBeLessThanOrEqual(1e-5);
  });
});
