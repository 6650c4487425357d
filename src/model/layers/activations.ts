/**
 * Keras activation functions on Float32Array ranges.
 */
import { ILayerSpec, layerError } from './base';

/** In-place activation over `data[start, end)`; `axisSize` is the softmax axis length. */
export type ActivationFn = (
  data: Float32Array,
  start: number,
  end: number
) => void;

/** Activation names this engine computes (Keras spelling). */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hard_sigmoid',
  'tanh',
  'softmax',
  'softplus',
  'softsign',
  'elu',
  'selu',
  'exponential',
  'swish',
  'silu',
  'gelu',
  'leaky_relu'
] as const;

/** The activation name of a config value (Keras 2 string or Keras 3 serialized object). */
export function activationName(value: unknown): string {
  if (value === null || value === undefined) {
    return 'linear';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'object') {
    const v = value as { config?: unknown; class_name?: string };
    if (typeof v.config === 'string') {
      return v.config;
    }
    if (v.config && typeof v.config === 'object') {
      const name = (v.config as { name?: unknown }).name;
      if (typeof name === 'string') {
        return name;
      }
    }
    if (typeof v.class_name === 'string') {
      return v.class_name;
    }
  }
  return String(value);
}

/**
 * An elementwise activation (softmax excluded: it needs an axis).
 * `kerasMajor` selects hard_sigmoid: Keras <= 2 uses 0.2x+0.5, Keras 3 x/6+0.5.
 */
export function elementwise(
  spec: ILayerSpec,
  rawName: unknown,
  kerasMajor: number
): ActivationFn | null {
  const name = activationName(rawName).toLowerCase();
  if (name === 'linear' || name === 'none') {
    return null;
  }
  const fn = Private.piecewise(name) ?? Private.smooth(name, kerasMajor);
  if (!fn) {
    throw layerError(
      spec,
      `activation '${name}' is not supported (supported: ${ACTIVATIONS.join(', ')})`
    );
  }
  return fn;
}

/** A scalar activation for recurrent cells (softmax is not allowed there). */
export function scalar(
  spec: ILayerSpec,
  rawName: unknown,
  kerasMajor: number
): (x: number) => number {
  const name = activationName(rawName).toLowerCase();
  switch (name) {
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return x => 1 / (1 + Math.exp(-x));
    case 'hard_sigmoid':
      return kerasMajor >= 3
        ? x => Math.min(1, Math.max(0, x / 6 + 0.5))
        : x => Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case 'relu':
      return x => (x > 0 ? x : 0);
    case 'linear':
    case 'none':
      return x => x;
    default: {
      const fn = elementwise(spec, name, kerasMajor);
      const cell = new Float32Array(1);
      return x => {
        cell[0] = x;
        fn?.(cell, 0, 1);
        return cell[0];
      };
    }
  }
}

/**
 * A tensor of `shape` seen along `axis` (negative counts from the end): the
 * product of the sizes before it, its own size, the product after it.
 */
export function axisExtent(
  shape: number[],
  axis: number
): { outer: number; n: number; inner: number } {
  const rank = shape.length;
  const ax = axis < 0 ? rank + axis : axis;
  let outer = 1;
  for (let i = 0; i < ax; i++) {
    outer *= shape[i];
  }
  const n = shape[ax];
  let inner = 1;
  for (let i = ax + 1; i < rank; i++) {
    inner *= shape[i];
  }
  return { outer, n, inner };
}

/** Softmax along one axis of a tensor of `shape` (batch included), in place. */
export function softmaxAxis(
  data: Float32Array,
  shape: number[],
  axis: number
): void {
  const { outer, n, inner } = axisExtent(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * n * inner + k;
      let max = -Infinity;
      for (let j = 0; j < n; j++) {
        max = Math.max(max, data[base + j * inner]);
      }
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const v = Math.exp(data[base + j * inner] - max);
        data[base + j * inner] = v;
        sum += v;
      }
      for (let j = 0; j < n; j++) {
        data[base + j * inner] /= sum;
      }
    }
  }
}

/**
 * A layer's `activation` applied to its output, whose last axis has
 * `lastDim` entries (softmax works over that axis, as in Keras).
 */
export function outputActivation(
  spec: ILayerSpec,
  rawName: unknown,
  kerasMajor: number
): ((data: Float32Array, lastDim: number) => void) | null {
  if (isSoftmax(rawName)) {
    return (data, lastDim) =>
      softmaxAxis(data, [data.length / lastDim, lastDim], -1);
  }
  const fn = elementwise(spec, rawName, kerasMajor);
  return fn ? data => fn(data, 0, data.length) : null;
}

/** Whether an activation config value is softmax. */
export function isSoftmax(value: unknown): boolean {
  return activationName(value).toLowerCase() === 'softmax';
}

/** erf to double precision (series near 0, continued fraction beyond). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a < 2.5) {
    // Maclaurin series converges fast here.
    let term = a;
    let sum = a;
    const a2 = a * a;
    for (let n = 1; n < 60; n++) {
      term *= -a2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-16) {
        break;
      }
    }
    return sign * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc at larger |x| (Abramowitz-Stegun 7.1.26 is too coarse for 1e-5).
  let f = 0;
  for (let n = 40; n >= 1; n--) {
    f = n / 2 / (a + f);
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
  return sign * (1 - erfc);
}

namespace Private {
  /** The rectifier family: relu, relu6, elu, selu, leaky_relu. */
  export function piecewise(name: string): ActivationFn | undefined {
    switch (name) {
      case 'relu':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            if (d[i] < 0) {
              d[i] = 0;
            }
          }
        };
      case 'relu6':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            d[i] = Math.min(6, Math.max(0, d[i]));
          }
        };
      case 'elu':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            if (d[i] < 0) {
              d[i] = Math.expm1(d[i]);
            }
          }
        };
      case 'selu': {
        const alpha = 1.6732632423543772;
        const scale = 1.0507009873554805;
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            const x = d[i];
            d[i] = scale * (x > 0 ? x : alpha * Math.expm1(x));
          }
        };
      }
      case 'leaky_relu':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            if (d[i] < 0) {
              d[i] *= 0.2;
            }
          }
        };
      default:
        return undefined;
    }
  }

  /** The smooth ones: sigmoid, hard_sigmoid, tanh, softplus, softsign, exponential, swish/silu, gelu. */
  export function smooth(
    name: string,
    kerasMajor: number
  ): ActivationFn | undefined {
    switch (name) {
      case 'sigmoid':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            d[i] = 1 / (1 + Math.exp(-d[i]));
          }
        };
      case 'hard_sigmoid':
        return kerasMajor >= 3
          ? (d, s, e) => {
              for (let i = s; i < e; i++) {
                d[i] = Math.min(1, Math.max(0, d[i] / 6 + 0.5));
              }
            }
          : (d, s, e) => {
              for (let i = s; i < e; i++) {
                d[i] = Math.min(1, Math.max(0, 0.2 * d[i] + 0.5));
              }
            };
      case 'tanh':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            d[i] = Math.tanh(d[i]);
          }
        };
      case 'softplus':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            const x = d[i];
            d[i] = x > 20 ? x : Math.log1p(Math.exp(x));
          }
        };
      case 'softsign':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            d[i] = d[i] / (1 + Math.abs(d[i]));
          }
        };
      case 'exponential':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            d[i] = Math.exp(d[i]);
          }
        };
      case 'swish':
      case 'silu':
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            d[i] = d[i] / (1 + Math.exp(-d[i]));
          }
        };
      case 'gelu':
        // Keras default approximate=False: x * Phi(x), via erf.
        return (d, s, e) => {
          for (let i = s; i < e; i++) {
            const x = d[i];
            d[i] = 0.5 * x * (1 + erf(x / Math.SQRT2));
          }
        };
      default:
        return undefined;
    }
  }
}
