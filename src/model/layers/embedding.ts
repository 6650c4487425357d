/**
 * Embedding (with `mask_zero`) and Masking.
 */
import {
  expectWeights,
  IBuildContext,
  IGather,
  ILayer,
  ILayerSpec,
  IMask,
  intConfig,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';
import { BufferPool, scratchFrom } from './buffer-pool';

export function createEmbedding(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const inputDim = intConfig(spec, 'input_dim');
  const outputDim = intConfig(spec, 'output_dim');
  const maskZero = spec.config.mask_zero === true;
  const [table] = expectWeights(spec, weights, [
    { name: 'embeddings', shape: [inputDim, outputDim] }
  ]);
  const inShape = inputShapes[0];
  const layer: ILayer = {
    name: spec.name,
    className: spec.className,
    outputShape: [...inShape, outputDim],
    // Integer ids have no gradient: the gradient methods take it at the output.
    callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
      return { ...layer.call(inputs, masks), backward: () => [null] };
    },
    call(inputs: ITensor[]) {
      const x = inputs[0];
      const n = x.data.length;
      for (let i = 0; i < n; i++) {
        const index = x.data[i];
        if (!(index >= 0 && index < inputDim) || Math.floor(index) !== index) {
          throw layerError(
            spec,
            `input index ${index} is outside the vocabulary [0, ${inputDim - 1}]`
          );
        }
      }
      let mask: IMask | null = null;
      if (maskZero && x.shape.length === 2) {
        const bits = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          bits[i] = x.data[i] !== 0 ? 1 : 0;
        }
        mask = { batch: x.shape[0], steps: x.shape[1], data: bits };
      }
      const gather = { indices: x.data, table, width: outputDim };
      let rows: Float32Array | null = null;
      return {
        output: {
          shape: [...x.shape, outputDim],
          // Gathered when first read: a layer folding the table reads the ids only.
          get data() {
            return (rows ??= Private.gatherRows(gather, context.buffers));
          },
          gather
        },
        mask
      };
    }
  };
  return layer;
}

/** Masking: steps whose features all equal `mask_value` are masked and zeroed. */
export function createMasking(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const value =
    typeof spec.config.mask_value === 'number' ? spec.config.mask_value : 0;
  const layer: ILayer = {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    // x * keep: the gradient passes on the kept steps (the mask is a comparison).
    callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
      const result = layer.call(inputs, masks);
      const keep = result.mask!;
      return {
        ...result,
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          const width = dy.data.length / keep.data.length;
          const dx = new Float32Array(dy.data);
          keep.data.forEach((on, s) => {
            if (!on) {
              dx.fill(0, s * width, (s + 1) * width);
            }
          });
          return [{ shape: dy.shape, data: dx }];
        }
      };
    },
    call(inputs: ITensor[]) {
      const x = inputs[0];
      if (x.shape.length !== 3) {
        throw layerError(
          spec,
          'expects input of shape [batch, time, features]'
        );
      }
      const [b, t, f] = x.shape;
      const data = new Float32Array(x.data);
      const bits = new Uint8Array(b * t);
      for (let s = 0; s < b * t; s++) {
        let keep = 0;
        for (let k = 0; k < f; k++) {
          if (data[s * f + k] !== value) {
            keep = 1;
            break;
          }
        }
        bits[s] = keep;
        if (!keep) {
          data.fill(0, s * f, s * f + f);
        }
      }
      return {
        output: { shape: x.shape, data },
        mask: { batch: b, steps: t, data: bits }
      };
    }
  };
  return layer;
}

namespace Private {
  /** The table rows of the ids (checked against the vocabulary). */
  export function gatherRows(
    { indices, table, width }: IGather,
    buffers: BufferPool | undefined
  ): Float32Array {
    const n = indices.length;
    // Every row is written below.
    const data = scratchFrom(buffers, n * width);
    for (let i = 0; i < n; i++) {
      const index = indices[i];
      data.set(table.subarray(index * width, (index + 1) * width), i * width);
    }
    return data;
  }
}
