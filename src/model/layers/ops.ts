/**
 * Keras 3 operation layers that appear in saved functional graphs: the mask
 * computation Keras 3 writes explicitly (`NotEqual(tokens, 0)`,
 * `ConvertToTensor`) and `Equal`.
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

export function createComparison(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const args = (spec.call?.args['#args'] as unknown[] | undefined) ?? [];
  const constant = args.find(a => typeof a === 'number');
  if (inputShapes.length !== 1 || typeof constant !== 'number') {
    throw layerError(
      spec,
      'only a comparison of one tensor with a number constant is supported'
    );
  }
  const equal = spec.className === 'Equal';
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    call(inputs: ITensor[]) {
      const x = inputs[0];
      const data = new Float32Array(x.data.length);
      for (let i = 0; i < data.length; i++) {
        data[i] = (x.data[i] === constant) === equal ? 1 : 0;
      }
      return { output: { shape: x.shape, data }, mask: null };
    }
  };
}

export function createConvertToTensor(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      return { output: inputs[0], mask: masks[0] };
    }
  };
}
