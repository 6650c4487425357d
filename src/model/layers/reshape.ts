/**
 * Layers that only move data: Flatten, RepeatVector, Permute, Reshape.
 */
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  ILayerOutput,
  ILayerSpec,
  ITensor,
  IWeight,
  intConfig,
  layerError,
  Shape
} from './base';
import { reshaped } from './vjp';

function product(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (d === null) {
      return null;
    }
    n *= d;
  }
  return n;
}

export function createFlatten(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [product(inputShapes[0])],
    call(inputs: ITensor[]) {
      const x = inputs[0];
      const batch = x.shape[0];
      return {
        output: {
          shape: [batch, x.data.length / Math.max(batch, 1)],
          data: x.data
        },
        mask: null
      };
    },
    callForGradient(inputs: ITensor[]) {
      return reshapeCall(this.call(inputs, [null]), inputs[0].shape);
    }
  };
}

/** A reshape's gradient: the output's gradient under the input's shape. */
function reshapeCall(result: ILayerOutput, inShape: number[]): IGradientCall {
  return { ...result, backward: ([dy]) => [reshaped(dy, inShape)] };
}

export function createRepeatVector(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const n = intConfig(spec, 'n');
  if (inputShapes[0].length !== 1) {
    throw layerError(spec, 'expects input of shape [batch, features]');
  }
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [n, inputShapes[0][0]],
    call(inputs: ITensor[]) {
      const [batch, d] = inputs[0].shape;
      const data = new Float32Array(batch * n * d);
      for (let b = 0; b < batch; b++) {
        const row = inputs[0].data.subarray(b * d, (b + 1) * d);
        for (let i = 0; i < n; i++) {
          data.set(row, (b * n + i) * d);
        }
      }
      return { output: { shape: [batch, n, d], data }, mask: null };
    },
    callForGradient(inputs: ITensor[]) {
      return {
        ...this.call(inputs, [null]),
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          // Each input row was copied n times: their gradients add up.
          const [batch, d] = inputs[0].shape;
          const dx = new Float32Array(batch * d);
          for (let b = 0; b < batch; b++) {
            for (let i = 0; i < n; i++) {
              const from = (b * n + i) * d;
              for (let k = 0; k < d; k++) {
                dx[b * d + k] += dy.data[from + k];
              }
            }
          }
          return [{ shape: inputs[0].shape, data: dx }];
        }
      };
    }
  };
}

/** Transposes `x` so that output axis i is input axis `perm[i]` (batch included). */
export function transpose(x: ITensor, perm: number[]): ITensor {
  const rank = x.shape.length;
  if (rank === 3 && perm[0] === 0 && perm[1] === 2 && perm[2] === 1) {
    // The attention head's Permute((2, 1)): a plain per-sample matrix transpose.
    const [batch, rows, cols] = x.shape;
    const data = new Float32Array(x.data.length);
    for (let b = 0; b < batch; b++) {
      const base = b * rows * cols;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          data[base + c * rows + r] = x.data[base + r * cols + c];
        }
      }
    }
    return { shape: [batch, cols, rows], data };
  }
  const shape = perm.map(p => x.shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= x.shape[i];
  }
  const strides = perm.map(p => inStrides[p]);
  const data = new Float32Array(x.data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < data.length; o++) {
    data[o] = x.data[src];
    for (let a = rank - 1; a >= 0; a--) {
      index[a]++;
      src += strides[a];
      if (index[a] < shape[a]) {
        break;
      }
      src -= strides[a] * shape[a];
      index[a] = 0;
    }
  }
  return { shape, data };
}

export function createPermute(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const dims = spec.config.dims;
  const inShape = inputShapes[0];
  if (
    !Array.isArray(dims) ||
    dims.length !== inShape.length ||
    [...dims]
      .sort((a: number, b: number) => a - b)
      .some((d: number, i: number) => d !== i + 1)
  ) {
    throw layerError(
      spec,
      `dims ${JSON.stringify(dims)} is not a permutation of 1..${inShape.length}`
    );
  }
  const perm = [0, ...dims.map((d: number) => d)];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return {
    name: spec.name,
    className: spec.className,
    outputShape: dims.map((d: number) => inShape[d - 1]),
    call(inputs: ITensor[]) {
      return { output: transpose(inputs[0], perm), mask: null };
    },
    callForGradient(inputs: ITensor[]) {
      return {
        ...this.call(inputs, [null]),
        backward: ([dy]) => [dy ? transpose(dy, inverse) : null]
      };
    }
  };
}

export function createReshape(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const target = spec.config.target_shape;
  if (
    !Array.isArray(target) ||
    target.filter((d: number) => d === -1 || d === null).length > 1
  ) {
    throw layerError(
      spec,
      `target_shape ${JSON.stringify(target)} is not valid`
    );
  }
  const resolve = (size: number): number[] => {
    const known = target.reduce(
      (a: number, d: number) => (d > 0 ? a * d : a),
      1
    );
    const shape = target.map((d: number) => (d > 0 ? d : size / known));
    if (
      shape.reduce((a: number, d: number) => a * d, 1) !== size ||
      shape.some((d: number) => !Number.isInteger(d))
    ) {
      throw layerError(
        spec,
        `cannot reshape ${size} values to ${JSON.stringify(target)}`
      );
    }
    return shape;
  };
  const inSize = product(inputShapes[0]);
  return {
    name: spec.name,
    className: spec.className,
    outputShape:
      inSize === null
        ? target.map((d: number) => (d > 0 ? d : null))
        : resolve(inSize),
    call(inputs: ITensor[]) {
      const x = inputs[0];
      const batch = x.shape[0];
      return {
        output: {
          shape: [batch, ...resolve(x.data.length / Math.max(batch, 1))],
          data: x.data
        },
        mask: null
      };
    },
    callForGradient(inputs: ITensor[]) {
      return reshapeCall(this.call(inputs, [null]), inputs[0].shape);
    }
  };
}
