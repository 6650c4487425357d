/**
 * Conv1D (channels_last; valid, same and causal padding; strides; dilation)
 * as im2col + one matrix multiply.
 */
import { outputActivation } from './activations';
import {
  expectWeights,
  IBuildContext,
  ILayer,
  ILayerSpec,
  intConfig,
  ITensor,
  IWeight,
  lastDim,
  layerError,
  Shape
} from './base';
import { affine } from './dense';

/** A Keras int-or-tuple config value. */
export function single(value: unknown, fallback: number): number {
  if (Array.isArray(value)) {
    return typeof value[0] === 'number' ? value[0] : fallback;
  }
  return typeof value === 'number' ? value : fallback;
}

/** Output length and left padding of a 1-D window op. */
export function windowGeometry(
  length: number,
  size: number,
  stride: number,
  dilation: number,
  padding: string
): { outLength: number; padLeft: number } {
  const span = dilation * (size - 1) + 1;
  if (padding === 'same') {
    const outLength = Math.ceil(length / stride);
    const total = Math.max((outLength - 1) * stride + span - length, 0);
    return { outLength, padLeft: Math.floor(total / 2) };
  }
  if (padding === 'causal') {
    const padLeft = span - 1;
    return {
      outLength: Math.floor((length + padLeft - span) / stride) + 1,
      padLeft
    };
  }
  return {
    outLength: Math.max(Math.floor((length - span) / stride) + 1, 0),
    padLeft: 0
  };
}

/** The `[steps, channels]` input shape of a 1-D layer (checked). */
export function stepsInput(spec: ILayerSpec, inputShapes: Shape[]): Shape {
  const inShape = inputShapes[0];
  if (inShape.length !== 2) {
    throw layerError(spec, 'expects input of shape [batch, steps, channels]');
  }
  return inShape;
}

/** The channels_last `[steps, channels]` input shape of a 1-D window op. */
export function windowInput(spec: ILayerSpec, inputShapes: Shape[]): Shape {
  const inShape = stepsInput(spec, inputShapes);
  if (spec.config.data_format === 'channels_first') {
    throw layerError(spec, "data_format 'channels_first' is not supported");
  }
  return inShape;
}

/** Output steps of a 1-D window op (null when the input steps are). */
export function windowSteps(
  steps: number | null,
  size: number,
  stride: number,
  dilation: number,
  padding: string
): number | null {
  return steps === null
    ? null
    : windowGeometry(steps, size, stride, dilation, padding).outLength;
}

export function createConv1d(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const inShape = windowInput(spec, inputShapes);
  if ((spec.config.groups ?? 1) !== 1) {
    throw layerError(spec, 'grouped convolution is not supported');
  }
  const channels = lastDim(spec, inShape);
  const filters = intConfig(spec, 'filters');
  const size = single(spec.config.kernel_size, 1);
  const stride = single(spec.config.strides, 1);
  const dilation = single(spec.config.dilation_rate, 1);
  const padding = String(spec.config.padding ?? 'valid').toLowerCase();
  const useBias = spec.config.use_bias !== false;
  const arrays = expectWeights(spec, weights, [
    { name: 'kernel', shape: [size, channels, filters] },
    ...(useBias ? [{ name: 'bias', shape: [filters] }] : [])
  ]);
  const matrix = context.kernels.matrix(arrays[0], size * channels, filters);
  const bias = useBias ? arrays[1] : null;
  const activation = outputActivation(
    spec,
    spec.config.activation,
    context.kerasMajor
  );
  const steps = inShape[0];
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [windowSteps(steps, size, stride, dilation, padding), filters],
    call(inputs: ITensor[]) {
      const x = inputs[0];
      const [batch, length] = x.shape;
      const { outLength, padLeft } = windowGeometry(
        length,
        size,
        stride,
        dilation,
        padding
      );
      const width = size * channels;
      const cols = new Float32Array(batch * outLength * width);
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < outLength; o++) {
          const row = (b * outLength + o) * width;
          for (let k = 0; k < size; k++) {
            const t = o * stride - padLeft + k * dilation;
            if (t >= 0 && t < length) {
              const src = (b * length + t) * channels;
              cols.set(
                x.data.subarray(src, src + channels),
                row + k * channels
              );
            }
          }
        }
      }
      const data = affine(
        context.kernels,
        cols,
        batch * outLength,
        matrix,
        bias
      );
      activation?.(data, filters);
      return {
        output: { shape: [batch, outLength, filters], data },
        mask: null
      };
    }
  };
}
