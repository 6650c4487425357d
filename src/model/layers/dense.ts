/**
 * Dense (applied to the last axis, like Keras) and the shared affine helper.
 */
import { outputActivationGradient } from './activation-derivatives';
import { outputActivation } from './activations';
import {
  expectWeights,
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  intConfig,
  ITensor,
  IWeight,
  lastDim,
  Shape
} from './base';
import { BufferPool, copyFrom, scratchFrom, zerosFrom } from './buffer-pool';
import { IWeightMatrix, Kernels } from './kernels';
import { lazy } from './vjp';

/**
 * `x[rows x k] . W + bias` as a compact `rows x n` array; its arrays from
 * `buffers` when given.
 */
export function affine(
  kernels: Kernels,
  x: Float32Array,
  rows: number,
  w: IWeightMatrix,
  bias: Float32Array | null,
  buffers?: BufferPool
): Float32Array {
  const { n, np } = w;
  const out = zerosFrom(buffers, rows * np);
  if (bias) {
    Private.copyRows(bias, 0, out, np, rows, bias.length);
  }
  kernels.gemm(x, rows, w, out);
  if (np === n) {
    return out;
  }
  const compact = scratchFrom(buffers, rows * n);
  Private.copyRows(out, np, compact, n, rows, n);
  return compact;
}

export function createDense(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const inShape = inputShapes[0];
  const inDim = lastDim(spec, inShape);
  const units = intConfig(spec, 'units');
  const useBias = spec.config.use_bias !== false;
  const arrays = expectWeights(spec, weights, [
    { name: 'kernel', shape: [inDim, units] },
    ...(useBias ? [{ name: 'bias', shape: [units] }] : [])
  ]);
  const kernels = context.kernels;
  const matrix = kernels.matrix(arrays[0], inDim, units);
  const transposedKernel = lazy(() =>
    kernels.transposedMatrix(arrays[0], inDim, units)
  );
  const bias = useBias ? arrays[1] : null;
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
  const outputShape = [...inShape.slice(0, -1), units];
  const shapeOf = (x: ITensor) => [...x.shape.slice(0, -1), units];
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const rows = x.data.length / inDim;
      const data = affine(kernels, x.data, rows, matrix, bias, context.buffers);
      activation?.(data, units);
      return { output: { shape: shapeOf(x), data }, mask: masks[0] };
    },
    callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
      const wT = transposedKernel();
      const x = inputs[0];
      const rows = x.data.length / inDim;
      const buffers = context.buffers;
      const pre = affine(kernels, x.data, rows, matrix, bias, buffers);
      const data = activation ? copyFrom(buffers, pre) : pre;
      activation?.(data, units);
      return {
        output: { shape: shapeOf(x), data },
        mask: masks[0],
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          const dPre = activationGrad
            ? activationGrad(pre, data, dy.data, units)
            : dy.data;
          const dx = affine(kernels, dPre, rows, wT, null, buffers);
          return [{ shape: x.shape, data: dx }];
        }
      };
    }
  };
}

namespace Private {
  /** Rows shorter than this are copied float by float (a `set` and a `subarray` cost more). */
  const SHORT_ROW = 32;

  /** Copies `rows` rows of `n` floats, `fromStride` and `toStride` apart (0: the same row each time). */
  export function copyRows(
    from: Float32Array,
    fromStride: number,
    to: Float32Array,
    toStride: number,
    rows: number,
    n: number
  ): void {
    for (let r = 0; r < rows; r++) {
      const a = r * fromStride;
      const b = r * toStride;
      if (n < SHORT_ROW) {
        for (let k = 0; k < n; k++) {
          to[b + k] = from[a + k];
        }
      } else {
        to.set(fromStride ? from.subarray(a, a + n) : from, b);
      }
    }
  }
}
