/**
 * Activation layers with parameters: ReLU (max_value, negative_slope,
 * threshold), LeakyReLU (Keras 2 `alpha`, Keras 3 `negative_slope`), PReLU
 * (learned slopes, `shared_axes`) and ELU (alpha), with their gradients as
 * TensorFlow registers them for the ops Keras runs (kinks included).
 */
import {
  Derivative,
  eluDerivative,
  leakyReluDerivative
} from './activation-derivatives';
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';
import { maskKeepingLayer } from './vjp';

function numberConfig(
  spec: ILayerSpec,
  key: string,
  fallback: number | null
): number | null {
  const v = spec.config[key];
  if (v === undefined || v === null) {
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw layerError(spec, `config field '${key}' is not a number`);
  }
  return v;
}

function elementwiseLayer(
  spec: ILayerSpec,
  inputShapes: Shape[],
  fn: (v: number) => number,
  derivative: Derivative
): ILayer {
  const forward = (x: ITensor): ITensor => {
    const data = new Float32Array(x.data.length);
    for (let i = 0; i < data.length; i++) {
      data[i] = fn(x.data[i]);
    }
    return { shape: x.shape, data };
  };
  return maskKeepingLayer(spec, inputShapes[0], forward, (x, y, dy) => {
    const dx = new Float32Array(dy.data.length);
    for (let i = 0; i < dx.length; i++) {
      dx[i] = dy.data[i] * derivative(x.data[i], y.data[i]);
    }
    return { shape: x.shape, data: dx };
  });
}

export function createRelu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const rawMax = numberConfig(spec, 'max_value', null);
  const slope = numberConfig(spec, 'negative_slope', 0) as number;
  const rawThreshold = numberConfig(spec, 'threshold', 0) as number;
  // Keras casts both bounds to the input's float32.
  const maxValue = rawMax === null ? null : Math.fround(rawMax);
  const threshold = Math.fround(rawThreshold);
  // Keras's relu(): keep x above the threshold, clip to [0, max_value],
  // then subtract slope * relu(threshold - x).
  return elementwiseLayer(
    spec,
    inputShapes,
    v => {
      let y = v > threshold ? v : 0;
      if (maxValue !== null) {
        y = Math.min(Math.max(y, 0), maxValue);
      }
      return slope !== 0 ? y - slope * Math.max(threshold - v, 0) : y;
    },
    reluDerivative(maxValue, slope, threshold)
  );
}

/**
 * The derivative of Keras's ReLU as its ops pass gradients: leaky_relu
 * (slope at and below 0) when only a slope is set; else where(x >
 * threshold) or relu (0 at the kink), relu6 when max_value is 6 without a
 * threshold (0 at 0 and at 6), clip_by_value otherwise (passes at its
 * bounds), plus the slope below the threshold (relu(threshold - x): not at
 * it).
 */
function reluDerivative(
  maxValue: number | null,
  slope: number,
  threshold: number
): Derivative {
  if (slope !== 0 && maxValue === null && threshold === 0) {
    return leakyReluDerivative(slope);
  }
  const relu6 = threshold === 0 && maxValue === 6;
  return x => {
    let d: number;
    if (relu6) {
      d = x > 0 && x < 6 ? 1 : 0;
    } else {
      d = x > threshold ? 1 : 0;
      const kept = x > threshold ? x : 0;
      if (maxValue !== null && (kept < 0 || kept > maxValue)) {
        d = 0;
      }
    }
    return slope !== 0 && x < threshold ? d + slope : d;
  };
}

export function createLeakyRelu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const slope = (numberConfig(spec, 'negative_slope', null) ??
    numberConfig(spec, 'alpha', 0.3)) as number;
  return elementwiseLayer(
    spec,
    inputShapes,
    v => (v >= 0 ? v : slope * v),
    leakyReluDerivative(slope)
  );
}

export function createElu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const alpha = numberConfig(spec, 'alpha', 1) as number;
  return elementwiseLayer(
    spec,
    inputShapes,
    v => (v > 0 ? v : alpha * Math.expm1(v)),
    eluDerivative(alpha)
  );
}

/** PReLU's shared axes (batch-less), the shape of its slopes and the slopes, checked. */
function preluWeights(
  spec: ILayerSpec,
  inShape: Shape,
  weights: IWeight[]
): { shared: Set<number>; paramShape: Shape; alpha: IWeight } {
  const shared = new Set<number>(
    (Array.isArray(spec.config.shared_axes)
      ? spec.config.shared_axes
      : spec.config.shared_axes
        ? [spec.config.shared_axes]
        : []
    ).map((a: number) => a - 1)
  );
  const paramShape = inShape.map((d, i) => (shared.has(i) ? 1 : d));
  if (paramShape.some(d => d === null)) {
    throw layerError(
      spec,
      'input axes that are not shared must have a known size'
    );
  }
  if (weights.length !== 1) {
    throw layerError(
      spec,
      `expected 1 weight array (alpha), the file has ${weights.length}`
    );
  }
  const alpha = weights[0];
  const size = (paramShape as number[]).reduce((a, d) => a * d, 1);
  if (alpha.data.length !== size) {
    throw layerError(
      spec,
      `weight alpha should have shape [${paramShape.join(', ')}], the file has [${alpha.shape.join(', ')}]`
    );
  }
  return { shared, paramShape, alpha };
}

export function createPrelu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const inShape = inputShapes[0];
  const { shared, paramShape, alpha } = preluWeights(spec, inShape, weights);
  // The slope of each element of a sample, for the sample shape last seen.
  let cache: { shape: string; slopes: Float32Array } | null = null;
  const slopesOf = (sample: number[]): Float32Array => {
    const key = sample.join(',');
    if (!cache || cache.shape !== key) {
      cache = {
        shape: key,
        slopes: slopeTable(sample, paramShape, shared, alpha.data)
      };
    }
    return cache.slopes;
  };
  const forward = (x: ITensor): ITensor => {
    const slopes = slopesOf(x.shape.slice(1));
    const per = slopes.length;
    const data = new Float32Array(x.data.length);
    for (let i = 0; i < data.length; i++) {
      const v = x.data[i];
      data[i] = v >= 0 ? v : slopes[i % per] * v;
    }
    return { shape: x.shape, data };
  };
  // relu(x) - alpha * relu(-x): 1 above 0, alpha below, 0 at 0.
  return maskKeepingLayer(spec, inShape, forward, (x, _y, dy) => {
    const slopes = slopesOf(x.shape.slice(1));
    const per = slopes.length;
    const dx = new Float32Array(dy.data.length);
    for (let i = 0; i < dx.length; i++) {
      const v = x.data[i];
      const d = v > 0 ? 1 : v < 0 ? slopes[i % per] : 0;
      dx[i] = dy.data[i] * d;
    }
    return { shape: x.shape, data: dx };
  });
}

/** The learned slope of each element of a sample (shared axes repeat it). */
function slopeTable(
  sample: number[],
  paramShape: Array<number | null>,
  shared: Set<number>,
  alpha: Float32Array
): Float32Array {
  const per = sample.reduce((a, d) => a * d, 1);
  const out = new Float32Array(per);
  const index = new Array<number>(sample.length).fill(0);
  for (let i = 0; i < per; i++) {
    let p = 0;
    for (let d = 0; d < sample.length; d++) {
      p = p * (paramShape[d] as number) + (shared.has(d) ? 0 : index[d]);
    }
    out[i] = alpha[p];
    for (let d = sample.length - 1; d >= 0; d--) {
      if (++index[d] < sample[d]) {
        break;
      }
      index[d] = 0;
    }
  }
  return out;
}
