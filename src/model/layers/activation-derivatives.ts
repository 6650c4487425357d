/**
 * Derivatives of the Keras activations of `activations.ts`, as the gradient
 * TensorFlow registers for the op Keras runs computes them, kinks included:
 * relu'(0) = 0 (ReluGrad: x > 0), relu6 passes nothing at 0 and 6
 * (Relu6Grad: 0 < x < 6), leaky_relu'(0) = slope (LeakyReluGrad: x > 0),
 * elu'(0) = alpha and selu'(0) = scale (EluGrad / SeluGrad on the output:
 * y < 0), Keras 2's hard_sigmoid (clip_by_value of 0.2x + 0.5) passes the
 * gradient at its bounds (Minimum / Maximum give ties to x) and Keras 3's
 * (relu6(x + 3) / 6) does not.
 */
import {
  activationName,
  ACTIVATIONS,
  axisExtent,
  erf,
  isSoftmax
} from './activations';
import { ILayerSpec, layerError } from './base';

/** f'(x) from the activation's input `x` and its output `y = f(x)`. */
export type Derivative = (x: number, y: number) => number;

/**
 * `dx[i] = dy[i] * f'(x[i])` over `[start, end)`, from the activation's
 * input `x` and output `y` (same indices).
 */
export type ActivationGradFn = (
  x: Float32Array,
  y: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  start: number,
  end: number
) => void;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_COEFF = 0.044715;
const INV_SQRT_2PI = 0.3989422804014327;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** ELU with `alpha`: Keras's `where(x > 0, elu(x), alpha * elu(x))`. */
export function eluDerivative(alpha: number): Derivative {
  return x => (x > 0 ? 1 : alpha * Math.exp(x));
}

/** tf.nn.leaky_relu: the slope below and at 0 (LeakyReluGrad: x > 0). */
export function leakyReluDerivative(slope: number): Derivative {
  return x => (x > 0 ? 1 : slope);
}

/** GELU, exact (x * Phi(x), Keras's default) or tanh-approximate. */
export function gelu(x: number, approximate: boolean): number {
  if (approximate) {
    const u = SQRT_2_OVER_PI * (x + GELU_COEFF * x * x * x);
    return 0.5 * x * (1 + Math.tanh(u));
  }
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** d gelu / dx, exact or tanh-approximate (autodiff of tf.nn.gelu's ops). */
export function geluDerivative(approximate: boolean): Derivative {
  if (approximate) {
    return x => {
      const t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_COEFF * x * x * x));
      const du = SQRT_2_OVER_PI * (1 + 3 * GELU_COEFF * x * x);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
    };
  }
  return x =>
    0.5 * (1 + erf(x / Math.SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * f' of an elementwise activation (softmax excluded: see
 * `softmaxAxisGradient`); null for linear. `kerasMajor` selects
 * hard_sigmoid as in `elementwise`.
 */
export function derivative(
  spec: ILayerSpec,
  rawName: unknown,
  kerasMajor: number
): Derivative | null {
  const name = activationName(rawName).toLowerCase();
  switch (name) {
    case 'linear':
    case 'none':
      return null;
    case 'relu':
      return (_x, y) => (y > 0 ? 1 : 0);
    case 'relu6':
      return (_x, y) => (y > 0 && y < 6 ? 1 : 0);
    case 'sigmoid':
      return (_x, y) => y * (1 - y);
    case 'hard_sigmoid':
      return kerasMajor >= 3 ? hardSigmoid3 : hardSigmoid2;
    case 'tanh':
      return (_x, y) => 1 - y * y;
    case 'softplus':
      return x => sigmoid(x);
    case 'softsign':
      return x => {
        const d = 1 + Math.abs(x);
        return 1 / (d * d);
      };
    case 'elu':
      return (_x, y) => (y < 0 ? y + 1 : 1);
    case 'selu':
      return (_x, y) => (y < 0 ? y + SELU_SCALE * SELU_ALPHA : SELU_SCALE);
    case 'exponential':
      return (_x, y) => y;
    case 'swish':
    case 'silu':
      return x => {
        const s = sigmoid(x);
        return s * (1 + x * (1 - s));
      };
    case 'gelu':
      return geluDerivative(false);
    case 'leaky_relu':
      // y > 0 exactly where x > 0.
      return (_x, y) => (y > 0 ? 1 : 0.2);
    default:
      throw layerError(
        spec,
        `activation '${name}' has no derivative here (supported: ${ACTIVATIONS.join(', ')})`
      );
  }
}

/**
 * Whether `derivative(...)` reads its input x; the others need only the
 * output y (a backward pass may then keep outputs only).
 */
export function derivativeUsesInput(rawName: unknown): boolean {
  return USES_INPUT.has(activationName(rawName).toLowerCase());
}

const USES_INPUT = new Set([
  'hard_sigmoid',
  'softplus',
  'softsign',
  'swish',
  'silu',
  'gelu'
]);

/** Keras 2: clip_by_value(0.2x + 0.5, 0, 1), float32 steps; bounds pass. */
function hardSigmoid2(x: number): number {
  const z = Math.fround(Math.fround(x * Math.fround(0.2)) + 0.5);
  return z >= 0 && z <= 1 ? 0.2 : 0;
}

/** Keras 3: relu6(x + 3) / 6; Relu6Grad passes inside (0, 6) only. */
function hardSigmoid3(x: number): number {
  const z = Math.fround(x + 3);
  return z > 0 && z < 6 ? 1 / 6 : 0;
}

/** The VJP loop of an elementwise activation; null for linear (dx = dy). */
export function elementwiseGradient(
  spec: ILayerSpec,
  rawName: unknown,
  kerasMajor: number
): ActivationGradFn | null {
  const d = derivative(spec, rawName, kerasMajor);
  if (!d) {
    return null;
  }
  return (x, y, dy, dx, start, end) => {
    for (let i = start; i < end; i++) {
      dx[i] = dy[i] * d(x[i], y[i]);
    }
  };
}

/**
 * The VJP of a softmax along `axis` of a tensor of `shape` (batch
 * included): `dx = y * (dy - sum(dy * y))` along the axis, as TF's
 * SoftmaxGrad. Returns a new array.
 */
export function softmaxAxisGradient(
  y: Float32Array,
  dy: Float32Array,
  shape: number[],
  axis: number
): Float32Array {
  const { outer, n, inner } = axisExtent(shape, axis);
  const dx = new Float32Array(y.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * n * inner + k;
      let dot = 0;
      for (let j = 0; j < n; j++) {
        const at = base + j * inner;
        dot += dy[at] * y[at];
      }
      for (let j = 0; j < n; j++) {
        const at = base + j * inner;
        dx[at] = y[at] * (dy[at] - dot);
      }
    }
  }
  return dx;
}

/**
 * The VJP of `outputActivation` (softmax over the last axis of `lastDim`
 * entries, or elementwise): from the pre-activation `x`, the output `y` and
 * `dy`, a new `dx`. Null for linear (dx = dy).
 */
export function outputActivationGradient(
  spec: ILayerSpec,
  rawName: unknown,
  kerasMajor: number
):
  | ((
      x: Float32Array,
      y: Float32Array,
      dy: Float32Array,
      lastDim: number
    ) => Float32Array)
  | null {
  if (isSoftmax(rawName)) {
    return (_x, y, dy, lastDim) =>
      softmaxAxisGradient(y, dy, [y.length / lastDim, lastDim], -1);
  }
  const fn = elementwiseGradient(spec, rawName, kerasMajor);
  if (!fn) {
    return null;
  }
  return (x, y, dy) => {
    const dx = new Float32Array(dy.length);
    fn(x, y, dy, dx, 0, dy.length);
    return dx;
  };
}
