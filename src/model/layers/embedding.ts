/**
 * Embedding (with `mask_zero`) and Masking.
 */
import {
  expectWeights,
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  intConfig,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';

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
      // Every row is written below.
      const data = context.buffers
        ? context.buffers.scratch(n * outputDim)
        : new Float32Array(n * outputDim);
      for (let i = 0; i < n; i++) {
        const index = x.data[i];
        if (!(index >= 0 && index < inputDim) || Math.floor(index) !== index) {
          throw layerError(
            spec,
            `input index ${index} is outside the vocabulary [0, ${inputDim - 1}]`
          );
        }
        data.set(
          table.subarray(index * outputDim, (index + 1) * outputDim),
          i * outputDim
        );
      }
      let mask: IMask | null = null;
      if (maskZero && x.shape.length === 2) {
        const bits = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          bits[i] = x.data[i] !== 0 ? 1 : 0;
        }
        mask = { batch: x.shape[0], steps: x.shape[1], data: bits };
      }
      return {
        output: {
          shape: [...x.shape, outputDim],
          data,
          gather: { indices: x.data, table, width: outputDim }
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
