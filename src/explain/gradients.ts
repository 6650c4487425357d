/**
 * Gradient attributions at the Embedding output E, with TensorFlow.js
 * autodiff over the tf forward pass (`tfjs-forward.ts`). Every tensor is
 * made inside `tf.tidy`; only plain arrays leave.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { ITfForward, TF } from './tfjs-forward';

/** Most scaled inputs differentiated in one batch. */
const MAX_BATCH = 32;
/**
 * Most batch x time steps per batch: the backward pass keeps every step's
 * gates (a GRU of 250 units: about 5 kB per row and step), so long texts
 * take fewer scaled inputs at a time.
 */
const MAX_ROW_STEPS = 8192;

/** `f` = output unit `target` of `fwd` for a batch, summed (a scalar for tf.grad). */
function objective(
  tf: TF,
  fwd: ITfForward,
  ids: tfjs.Tensor2D,
  target: number
): (e: tfjs.Tensor) => tfjs.Scalar {
  return e => {
    const out = fwd.run(ids, e);
    return tf.sum(tf.slice(out, [0, target], [out.shape[0], 1])) as tfjs.Scalar;
  };
}

/** `sum_e df/dE[t,e] * E[t,e]` per position t of one sequence. */
export function gradTimesInput(
  tf: TF,
  fwd: ITfForward,
  sequence: number[],
  target: number
): number[] {
  const values = tf.tidy(() => {
    const ids = tf.tensor2d(sequence, [1, sequence.length]);
    const e = fwd.embed(ids);
    const g = tf.grad(objective(tf, fwd, ids, target))(e);
    return tf.sum(tf.mul(g, e), -1);
  });
  const out = Array.from(values.dataSync());
  values.dispose();
  return out;
}

/**
 * Integrated-gradients terms of some steps of the Riemann midpoint rule:
 * `sum_{i in steps} sum_e E[t,e] * df/dE[t,e] at ((i + 0.5) / N) E`, per t
 * (the caller divides the sum over all steps by N).
 */
export function integratedGradientTerms(
  tf: TF,
  fwd: ITfForward,
  sequence: number[],
  target: number,
  steps: number[],
  total: number
): number[] {
  return pathTerms(
    tf,
    fwd,
    sequence,
    target,
    steps.map(i => (i + 0.5) / total)
  );
}

/**
 * `sum_{alpha in alphas} sum_e E[t,e] * df/dE[t,e] at alpha * E`, per
 * position t.
 */
export function pathTerms(
  tf: TF,
  fwd: ITfForward,
  sequence: number[],
  target: number,
  alphas: number[]
): number[] {
  const T = sequence.length;
  const sum = new Float64Array(T);
  const batch = Math.max(1, Math.min(MAX_BATCH, Math.floor(MAX_ROW_STEPS / T)));
  for (let from = 0; from < alphas.length; from += batch) {
    const chunk = alphas.slice(from, from + batch);
    const part = tf.tidy(() => {
      const n = chunk.length;
      const one = tf.tensor2d(sequence, [1, T]);
      const e = fwd.embed(one);
      const scale = tf.tensor3d(chunk, [n, 1, 1]);
      const scaled = tf.mul(scale, e);
      const ids = tf.tile(one, [n, 1]) as tfjs.Tensor2D;
      const g = tf.grad(objective(tf, fwd, ids, target))(scaled);
      return tf.sum(tf.mul(tf.sum(g, 0), tf.squeeze(e, [0])), -1);
    });
    const data = part.dataSync();
    for (let t = 0; t < T; t++) {
      sum[t] += data[t];
    }
    part.dispose();
  }
  return Array.from(sum);
}

/** `f` at the input's own embedding and at the zero baseline, through the tf pass. */
export function endpoints(
  tf: TF,
  fwd: ITfForward,
  sequence: number[],
  target: number
): { input: number; baseline: number } {
  const both = tf.tidy(() => {
    const ids = tf.tensor2d(sequence, [1, sequence.length]);
    const e = fwd.embed(ids);
    const at = (x: tfjs.Tensor) =>
      tf.slice(fwd.run(ids, x), [0, target], [1, 1]);
    return tf.concat([at(e), at(tf.zerosLike(e))], 1);
  });
  const [input, baseline] = Array.from(both.dataSync());
  both.dispose();
  return { input, baseline };
}
