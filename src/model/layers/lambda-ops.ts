/**
 * The operations a Lambda layer may be mapped to, on plain tensors: the
 * forward pass and its vector-Jacobian product, each the gradient
 * TensorFlow registers for the op Keras runs (`tf.reduce_max` / `min`
 * split the gradient equally among tied extrema; `tf.square` gives 2x).
 */
import { softmaxAxisGradient } from './activation-derivatives';
import { softmaxAxis } from './activations';
import { ITensor } from './base';

/** A parsed Lambda operation; `axis` counts the batch axis (as in Keras code). */
export type LambdaOp =
  | { kind: 'sum' | 'mean' | 'max' | 'min'; axis: number; keepDims: boolean }
  | { kind: 'softmax' | 'expand_dims' | 'squeeze'; axis: number }
  | { kind: 'identity' | 'square' }
  | { kind: 'scale'; factor: number };

type Reduction = 'sum' | 'mean' | 'max' | 'min';

/** The op applied to `x` (axes already made non-negative). */
export function applyLambdaOp(op: LambdaOp, x: ITensor): ITensor {
  switch (op.kind) {
    case 'identity':
      return x;
    case 'square':
      return { shape: x.shape, data: x.data.map(v => v * v) };
    case 'scale':
      return { shape: x.shape, data: x.data.map(v => v * op.factor) };
    case 'softmax': {
      const data = new Float32Array(x.data);
      softmaxAxis(data, x.shape, op.axis);
      return { shape: x.shape, data };
    }
    case 'expand_dims':
      return {
        shape: [...x.shape.slice(0, op.axis), 1, ...x.shape.slice(op.axis)],
        data: x.data
      };
    case 'squeeze':
      return { shape: x.shape.filter((_, k) => k !== op.axis), data: x.data };
    default:
      return reduce(x, op.kind, op.axis, op.keepDims);
  }
}

/** The gradient with respect to `x` of the op's output `y`, given `dy`. */
export function lambdaOpBackward(
  op: LambdaOp,
  x: ITensor,
  y: ITensor,
  dy: ITensor
): ITensor {
  const like = (data: Float32Array): ITensor => ({ shape: x.shape, data });
  switch (op.kind) {
    case 'identity':
    case 'expand_dims':
    case 'squeeze':
      return like(dy.data);
    case 'square':
      // Square's gradient: dy * 2x.
      return like(dy.data.map((g, i) => g * 2 * x.data[i]));
    case 'scale':
      return like(dy.data.map(g => g * op.factor));
    case 'softmax':
      return like(softmaxAxisGradient(y.data, dy.data, x.shape, op.axis));
    default:
      return like(reduceBackward(x, y, dy, op.kind, op.axis));
  }
}

/** Sizes around `axis`: outer (before), n (the axis), inner (after). */
function split(
  shape: number[],
  axis: number,
  length: number
): { outer: number; n: number; inner: number } {
  let outer = 1;
  for (let i = 0; i < axis; i++) {
    outer *= shape[i];
  }
  const n = shape[axis];
  return { outer, n, inner: length / outer / Math.max(n, 1) };
}

function reduce(
  x: ITensor,
  kind: Reduction,
  axis: number,
  keepDims: boolean
): ITensor {
  const shape = x.shape;
  const { outer, n, inner } = split(shape, axis, x.data.length);
  const data = new Float32Array(outer * inner);
  const src = x.data;
  // Reduced axis outside, the rest inside (memory order); every output
  // still takes its terms in order, in double precision.
  const acc = new Float64Array(inner);
  const start = kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0;
  for (let o = 0; o < outer; o++) {
    acc.fill(start);
    for (let j = 0; j < n; j++) {
      const row = (o * n + j) * inner;
      if (kind === 'max') {
        for (let k = 0; k < inner; k++) {
          acc[k] = Math.max(acc[k], src[row + k]);
        }
      } else if (kind === 'min') {
        for (let k = 0; k < inner; k++) {
          acc[k] = Math.min(acc[k], src[row + k]);
        }
      } else {
        for (let k = 0; k < inner; k++) {
          acc[k] += src[row + k];
        }
      }
    }
    for (let k = 0; k < inner; k++) {
      data[o * inner + k] = kind === 'mean' ? acc[k] / n : acc[k];
    }
  }
  const outShape = keepDims
    ? shape.map((d, i) => (i === axis ? 1 : d))
    : shape.filter((_, i) => i !== axis);
  return { shape: outShape, data };
}

/**
 * A reduction's VJP: sum broadcasts dy, mean divides it by the axis length,
 * max / min give dy / (number of tied extrema) to each element equal to
 * the result (TensorFlow's _MinOrMaxGrad), 0 elsewhere.
 */
function reduceBackward(
  x: ITensor,
  y: ITensor,
  dy: ITensor,
  kind: Reduction,
  axis: number
): Float32Array {
  const { outer, n, inner } = split(x.shape, axis, x.data.length);
  const dx = new Float32Array(x.data.length);
  const extreme = kind === 'max' || kind === 'min';
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const at = o * inner + k;
      const g = dy.data[at];
      if (!extreme) {
        const share = kind === 'mean' ? g / n : g;
        for (let j = 0; j < n; j++) {
          dx[(o * n + j) * inner + k] = share;
        }
        continue;
      }
      let ties = 0;
      for (let j = 0; j < n; j++) {
        if (x.data[(o * n + j) * inner + k] === y.data[at]) {
          ties++;
        }
      }
      for (let j = 0; j < n; j++) {
        const i = (o * n + j) * inner + k;
        dx[i] = x.data[i] === y.data[at] ? g / ties : 0;
      }
    }
  }
  return dx;
}
