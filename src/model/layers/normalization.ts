/**
 * BatchNormalization (inference: moving statistics) and LayerNormalization
 * (incl. Keras 3 `rms_scaling`), on any axes of the input, with their
 * gradients with respect to the input (the weights are constants here).
 */
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  ILayerOutput,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';

/** Config axes (batch counted, may be negative) as axes of the batch-less shape. */
export function featureAxes(spec: ILayerSpec, shape: Shape): number[] {
  const raw = spec.config.axis ?? -1;
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const rank = shape.length + 1;
  const axes = list.map(a => {
    if (typeof a !== 'number' || !Number.isInteger(a)) {
      throw layerError(spec, `axis ${JSON.stringify(raw)} is not an integer`);
    }
    const ax = a < 0 ? a + rank : a;
    if (ax <= 0 || ax >= rank) {
      throw layerError(
        spec,
        `axis ${a} does not fit an input of shape [batch, ${shape.map(d => d ?? '?').join(', ')}] (axis 0 is the batch)`
      );
    }
    return ax - 1;
  });
  for (const a of axes) {
    if (shape[a] === null) {
      throw layerError(spec, `the size of axis ${a + 1} must be known`);
    }
  }
  return [...new Set(axes)].sort((a, b) => a - b);
}

/**
 * For each element of a tensor with batch-less `shape`, the index of its
 * entry in a parameter spanning `axes` (row-major over those axes).
 */
function paramIndex(shape: number[], axes: number[]): Int32Array {
  const size = shape.reduce((a, d) => a * d, 1);
  const out = new Int32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let p = 0;
    for (const a of axes) {
      p = p * shape[a] + index[a];
    }
    out[i] = p;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) {
        break;
      }
      index[d] = 0;
    }
  }
  return out;
}

/** Reads the named optional weights in Keras order, checking sizes. */
function takeWeights(
  spec: ILayerSpec,
  weights: IWeight[],
  names: Array<[string, boolean]>,
  size: number
): { [name: string]: Float32Array | null } {
  const wanted = names.filter(([, on]) => on).map(([n]) => n);
  if (weights.length !== wanted.length) {
    throw layerError(
      spec,
      `expected ${wanted.length} weight arrays (${wanted.join(', ')}), the file has ${weights.length}`
    );
  }
  const out: { [name: string]: Float32Array | null } = {};
  let at = 0;
  for (const [name, on] of names) {
    if (!on) {
      out[name] = null;
      continue;
    }
    const w = weights[at++];
    if (w.data.length !== size) {
      throw layerError(
        spec,
        `weight ${name} should have ${size} values, the file has [${w.shape.join(', ')}] (${w.name})`
      );
    }
    out[name] = w.data;
  }
  return out;
}

/** What both normalizations read first: the input shape, the feature axes, their parameter count, epsilon. */
function normalizationBasics(
  spec: ILayerSpec,
  inputShapes: Shape[]
): { inShape: Shape; axes: number[]; size: number; epsilon: number } {
  const inShape = inputShapes[0];
  const axes = featureAxes(spec, inShape);
  const size = axes.reduce((a, ax) => a * (inShape[ax] as number), 1);
  const epsilon =
    typeof spec.config.epsilon === 'number' ? spec.config.epsilon : 1e-3;
  return { inShape, axes, size, epsilon };
}

/** `paramIndex` of the last sample shape seen (shapes rarely change between calls). */
function cachedParamIndex(axes: number[]): (sample: number[]) => Int32Array {
  let cache: { shape: string; index: Int32Array } | null = null;
  return sample => {
    const key = sample.join(',');
    if (!cache || cache.shape !== key) {
      cache = { shape: key, index: paramIndex(sample, axes) };
    }
    return cache.index;
  };
}

export function createBatchNormalization(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  _context: IBuildContext
): ILayer {
  // Renorm only changes training; inference uses the moving statistics.
  const { inShape, axes, size, epsilon } = normalizationBasics(
    spec,
    inputShapes
  );
  const w = takeWeights(
    spec,
    weights,
    [
      ['gamma', spec.config.scale !== false],
      ['beta', spec.config.center !== false],
      ['moving_mean', true],
      ['moving_variance', true]
    ],
    size
  );
  // Folded into one multiply-add per element.
  const mul = new Float32Array(size);
  const add = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const inv = 1 / Math.sqrt(w.moving_variance![i] + epsilon);
    mul[i] = inv * (w.gamma ? w.gamma[i] : 1);
    add[i] = (w.beta ? w.beta[i] : 0) - w.moving_mean![i] * mul[i];
  }
  const indexOf = cachedParamIndex(axes);
  const forward = (x: ITensor, mask: IMask | null): ILayerOutput => {
    const index = indexOf(x.shape.slice(1));
    const per = index.length;
    const data = new Float32Array(x.data.length);
    for (let i = 0; i < data.length; i++) {
      const p = index[i % per];
      data[i] = x.data[i] * mul[p] + add[p];
    }
    return { output: { shape: x.shape, data }, mask };
  };
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inShape,
    call: (inputs, masks) => forward(inputs[0], masks[0]),
    callForGradient(inputs, masks): IGradientCall {
      const x = inputs[0];
      return {
        ...forward(x, masks[0]),
        // tf.nn.batch_normalization at inference: y = x * mul + add.
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          const index = indexOf(x.shape.slice(1));
          const per = index.length;
          const dx = new Float32Array(dy.data.length);
          for (let i = 0; i < dx.length; i++) {
            dx[i] = dy.data[i] * mul[index[i % per]];
          }
          return [{ shape: x.shape, data: dx }];
        }
      };
    }
  };
}

/** Per-sample statistics of a LayerNormalization call, kept for its backward pass. */
interface ILayerNormStats {
  /** Parameter index of each element of a sample. */
  index: Int32Array;
  /** Normalisation group of each element of a sample. */
  groupOf: Int32Array;
  groups: number;
  /** Mean and 1 / sqrt(variance + epsilon), per [batch, group]. */
  mean: Float64Array;
  inv: Float64Array;
}

/** LayerNormalization's parameters, fixed when the layer is built. */
interface ILayerNormParams {
  axes: number[];
  size: number;
  epsilon: number;
  rms: boolean;
  gamma: Float32Array | null;
  beta: Float32Array | null;
}

/** The normalised output of `x` and the statistics its backward pass reuses. */
function layerNormForward(
  x: ITensor,
  { axes, size, epsilon, rms, gamma, beta }: ILayerNormParams
): { y: ITensor; stats: ILayerNormStats } {
  const sample = x.shape.slice(1);
  const index = paramIndex(sample, axes);
  // Elements sharing the non-normalised coordinates form one group.
  const rest = sample.map((_, i) => i).filter(i => !axes.includes(i));
  const groupOf = paramIndex(sample, rest);
  const groups = rest.reduce((a, i) => a * sample[i], 1);
  const per = index.length;
  const batch = x.shape[0];
  const data = new Float32Array(x.data.length);
  const mean = new Float64Array(batch * groups);
  const inv = new Float64Array(batch * groups);
  const sq = new Float64Array(groups);
  for (let b = 0; b < batch; b++) {
    const base = b * per;
    const m = mean.subarray(b * groups, (b + 1) * groups);
    sq.fill(0);
    for (let i = 0; i < per; i++) {
      m[groupOf[i]] += x.data[base + i];
    }
    for (let g = 0; g < groups; g++) {
      m[g] /= size;
    }
    for (let i = 0; i < per; i++) {
      const d = x.data[base + i] - m[groupOf[i]];
      sq[groupOf[i]] += d * d;
    }
    for (let g = 0; g < groups; g++) {
      inv[b * groups + g] = 1 / Math.sqrt(sq[g] / size + epsilon);
    }
    for (let i = 0; i < per; i++) {
      const g = groupOf[i];
      const p = index[i];
      // rms_scaling (Keras 3): x / sqrt(var + eps) * gamma, no centring.
      const centred = rms ? x.data[base + i] : x.data[base + i] - m[g];
      data[base + i] =
        centred * inv[b * groups + g] * (gamma ? gamma[p] : 1) +
        (beta ? beta[p] : 0);
    }
  }
  return {
    y: { shape: x.shape, data },
    stats: { index, groupOf, groups, mean, inv }
  };
}

export function createLayerNormalization(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const { inShape, axes, size, epsilon } = normalizationBasics(
    spec,
    inputShapes
  );
  const rms = spec.config.rms_scaling === true;
  // Keras 3 creates no beta with rms_scaling.
  const w = takeWeights(
    spec,
    weights,
    [
      ['gamma', spec.config.scale !== false],
      ['beta', spec.config.center !== false && !rms]
    ],
    size
  );
  const params: ILayerNormParams = {
    axes,
    size,
    epsilon,
    rms,
    gamma: w.gamma,
    beta: w.beta
  };
  const forward = (x: ITensor) => layerNormForward(x, params);
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      return { output: forward(inputs[0]).y, mask: masks[0] };
    },
    callForGradient(inputs, masks): IGradientCall {
      const x = inputs[0];
      const { y, stats } = forward(x);
      return {
        output: y,
        mask: masks[0],
        backward: ([dy]) => [
          dy ? layerNormBackward(x, dy, stats, params) : null
        ]
      };
    }
  };
}

/**
 * The input gradient of a LayerNormalization, per group of `size` elements
 * with g = dy * gamma and xhat = (x - mean) * inv:
 * dx = inv * (g - mean(g) - xhat * mean(g * xhat)); with rms_scaling (no
 * centring, variance still about the mean):
 * dx = inv * g - inv^3 * (x - mean) * mean(g * x).
 */
function layerNormBackward(
  x: ITensor,
  dy: ITensor,
  stats: ILayerNormStats,
  { gamma, size, rms }: ILayerNormParams
): ITensor {
  const { index, groupOf, groups, mean, inv } = stats;
  const per = index.length;
  const batch = x.shape[0];
  const dx = new Float32Array(x.data.length);
  const sumG = new Float64Array(groups);
  const sumGX = new Float64Array(groups);
  for (let b = 0; b < batch; b++) {
    const base = b * per;
    const at = b * groups;
    sumG.fill(0);
    sumGX.fill(0);
    for (let i = 0; i < per; i++) {
      const k = groupOf[i];
      const g = dy.data[base + i] * (gamma ? gamma[index[i]] : 1);
      const centred = x.data[base + i] - mean[at + k];
      sumG[k] += g;
      sumGX[k] += g * (rms ? x.data[base + i] : centred * inv[at + k]);
    }
    for (let i = 0; i < per; i++) {
      const k = groupOf[i];
      const s = inv[at + k];
      const g = dy.data[base + i] * (gamma ? gamma[index[i]] : 1);
      const centred = x.data[base + i] - mean[at + k];
      dx[base + i] = rms
        ? s * g - s * s * s * centred * (sumGX[k] / size)
        : s * (g - sumG[k] / size - centred * s * (sumGX[k] / size));
    }
  }
  return { shape: x.shape, data: dx };
}
