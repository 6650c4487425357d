/**
 * Activation layers with parameters: ReLU (max_value, negative_slope,
 * threshold), LeakyReLU (Keras 2 `alpha`, Keras 3 `negative_slope`), PReLU
 * (learned slopes, `shared_axes`) and ELU (alpha).
 */
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';

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
  fn: (v: number) => number
): ILayer {
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const data = new Float32Array(x.data.length);
      for (let i = 0; i < data.length; i++) {
        data[i] = fn(x.data[i]);
      }
      return { output: { shape: x.shape, data }, mask: masks[0] };
    }
  };
}

export function createRelu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const maxValue = numberConfig(spec, 'max_value', null);
  const slope = numberConfig(spec, 'negative_slope', 0) as number;
  const threshold = numberConfig(spec, 'threshold', 0) as number;
  // Keras's relu(): keep x above the threshold, clip to [0, max_value],
  // then subtract slope * relu(threshold - x).
  return elementwiseLayer(spec, inputShapes, v => {
    let y = v > threshold ? v : 0;
    if (maxValue !== null) {
      y = Math.min(Math.max(y, 0), maxValue);
    }
    return slope !== 0 ? y - slope * Math.max(threshold - v, 0) : y;
  });
}

export function createLeakyRelu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const slope = (numberConfig(spec, 'negative_slope', null) ??
    numberConfig(spec, 'alpha', 0.3)) as number;
  return elementwiseLayer(spec, inputShapes, v => (v >= 0 ? v : slope * v));
}

export function createElu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const alpha = numberConfig(spec, 'alpha', 1) as number;
  return elementwiseLayer(spec, inputShapes, v =>
    v > 0 ? v : alpha * Math.expm1(v)
  );
}

export function createPrelu(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const inShape = inputShapes[0];
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
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const sample = x.shape.slice(1);
      const per = sample.reduce((a, d) => a * d, 1);
      const data = new Float32Array(x.data.length);
      const index = new Array<number>(sample.length).fill(0);
      for (let i = 0; i < per; i++) {
        let p = 0;
        for (let d = 0; d < sample.length; d++) {
          p = p * (paramShape[d] as number) + (shared.has(d) ? 0 : index[d]);
        }
        const a = alpha.data[p];
        for (let b = 0; b < x.shape[0]; b++) {
          const v = x.data[b * per + i];
          data[b * per + i] = v >= 0 ? v : a * v;
        }
        for (let d = sample.length - 1; d >= 0; d--) {
          if (++index[d] < sample[d]) {
            break;
          }
          index[d] = 0;
        }
      }
      return { output: { shape: x.shape, data }, mask: masks[0] };
    }
  };
}
