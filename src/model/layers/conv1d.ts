/**
 * Conv1D (channels_last; valid, same and causal padding; strides; dilation)
 * as im2col + one matrix multiply, or on an Embedding input as gathers and
 * adds of its folded taps (`vocabulary-tables.ts`).
 */
import { outputActivationGradient } from './activation-derivatives';
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
import { ConvTaps } from './vocabulary-tables';
import { lazy } from './vjp';

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
  const conv = Private.convSettings(
    spec,
    windowInput(spec, inputShapes),
    weights
  );
  const { channels, filters, size, kernel, bias } = conv;
  const kernels = context.kernels;
  const matrix = kernels.matrix(kernel, size * channels, filters);
  const transposedKernel = lazy(() =>
    kernels.transposedMatrix(kernel, size * channels, filters)
  );
  const activation = outputActivation(
    spec,
    spec.config.activation,
    context.kerasMajor
  );
  const activationGrad = outputActivationGradient(
    spec,
    spec.config.activation,
    context.kerasMajor
  );
  const tapsFor = Private.foldedTaps(context, conv);
  /** The pre-activation output (folded taps, or im2col and one matrix multiply). */
  const linear = (x: ITensor) => {
    const [batch, length] = x.shape;
    const g = Private.geometry(conv, length);
    const folded = tapsFor(x);
    const data = folded
      ? folded.linear(x.gather!, batch, g, bias)
      : affine(
          kernels,
          Private.im2col(x.data, batch, g),
          batch * g.outLength,
          matrix,
          bias
        );
    return { data, g, shape: [batch, g.outLength, filters] };
  };
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [Private.outputSteps(conv), filters],
    call(inputs: ITensor[]) {
      const { data, shape } = linear(inputs[0]);
      activation?.(data, filters);
      return { output: { shape, data }, mask: null };
    },
    callForGradient(inputs: ITensor[]) {
      const wT = transposedKernel();
      const x = inputs[0];
      const { data: pre, g, shape } = linear(x);
      const data = activation ? new Float32Array(pre) : pre;
      activation?.(data, filters);
      return {
        output: { shape, data },
        mask: null,
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          const dPre = activationGrad
            ? activationGrad(pre, data, dy.data, filters)
            : dy.data;
          const rows = x.shape[0] * g.outLength;
          const dCols = affine(kernels, dPre, rows, wT, null);
          return [
            { shape: x.shape, data: Private.col2im(dCols, x.shape[0], g) }
          ];
        }
      };
    }
  };
}

namespace Private {
  /** A Conv1D's config (checked) and weights. */
  export interface IConvSettings {
    /** Input steps (null when variable). */
    steps: number | null;
    channels: number;
    filters: number;
    size: number;
    stride: number;
    dilation: number;
    padding: string;
    /** `[size, channels, filters]`, as Keras stores it. */
    kernel: Float32Array;
    bias: Float32Array | null;
  }

  /** Reads and checks the config and weights of a channels_last input shape. */
  export function convSettings(
    spec: ILayerSpec,
    inShape: Shape,
    weights: IWeight[]
  ): IConvSettings {
    if ((spec.config.groups ?? 1) !== 1) {
      throw layerError(spec, 'grouped convolution is not supported');
    }
    const channels = lastDim(spec, inShape);
    const filters = intConfig(spec, 'filters');
    const size = single(spec.config.kernel_size, 1);
    const useBias = spec.config.use_bias !== false;
    const arrays = expectWeights(spec, weights, [
      { name: 'kernel', shape: [size, channels, filters] },
      ...(useBias ? [{ name: 'bias', shape: [filters] }] : [])
    ]);
    return {
      steps: inShape[0],
      channels,
      filters,
      size,
      stride: single(spec.config.strides, 1),
      dilation: single(spec.config.dilation_rate, 1),
      padding: String(spec.config.padding ?? 'valid').toLowerCase(),
      kernel: arrays[0],
      bias: useBias ? arrays[1] : null
    };
  }

  /** The geometry of one call: input length and channels, window, output length. */
  export interface IGeometry {
    length: number;
    channels: number;
    size: number;
    stride: number;
    dilation: number;
    outLength: number;
    padLeft: number;
  }

  export function geometry(conv: IConvSettings, length: number): IGeometry {
    const { channels, size, stride, dilation, padding } = conv;
    return {
      length,
      channels,
      size,
      stride,
      dilation,
      ...windowGeometry(length, size, stride, dilation, padding)
    };
  }

  export function outputSteps(conv: IConvSettings): number | null {
    const { steps, size, stride, dilation, padding } = conv;
    return windowSteps(steps, size, stride, dilation, padding);
  }

  /**
   * The folded taps of an Embedding input's table, or null; made again
   * only when the table changes.
   */
  export function foldedTaps(
    context: IBuildContext,
    conv: IConvSettings
  ): (x: ITensor) => ConvTaps | null {
    const { channels, size, filters } = conv;
    let taps: ConvTaps | null = null;
    return x => {
      const gather = x.gather;
      if (
        context.foldTables === false ||
        !gather ||
        gather.width !== channels
      ) {
        return null;
      }
      if (taps?.table !== gather.table) {
        const vocabulary = gather.table.length / channels;
        taps = ConvTaps.fits(vocabulary, size, channels, filters)
          ? new ConvTaps(gather.table, conv.kernel, size, channels, filters)
          : null;
      }
      return taps;
    };
  }

  /**
   * Calls `visit(column, step)` for every tap inside the input: the offset of
   * the tap's `channels` values in the im2col matrix and in the input.
   */
  export function forEachTap(
    batch: number,
    g: IGeometry,
    visit: (column: number, step: number) => void
  ): void {
    const { length, channels, size, outLength } = g;
    const width = size * channels;
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < outLength; o++) {
        const row = (b * outLength + o) * width;
        for (let k = 0; k < size; k++) {
          const t = o * g.stride - g.padLeft + k * g.dilation;
          if (t >= 0 && t < length) {
            visit(row + k * channels, (b * length + t) * channels);
          }
        }
      }
    }
  }

  /** Row (b, o) holds the `size` input steps output step o reads, zeros past the ends. */
  export function im2col(
    x: Float32Array,
    batch: number,
    g: IGeometry
  ): Float32Array {
    const { channels } = g;
    const cols = new Float32Array(batch * g.outLength * g.size * channels);
    forEachTap(batch, g, (column, step) =>
      cols.set(x.subarray(step, step + channels), column)
    );
    return cols;
  }

  /** The adjoint of `im2col`: each column entry's gradient back to the step it copied. */
  export function col2im(
    dCols: Float32Array,
    batch: number,
    g: IGeometry
  ): Float32Array {
    const { channels } = g;
    const dx = new Float32Array(batch * g.length * channels);
    forEachTap(batch, g, (column, step) => {
      for (let c = 0; c < channels; c++) {
        dx[step + c] += dCols[column + c];
      }
    });
    return dx;
  }
}
