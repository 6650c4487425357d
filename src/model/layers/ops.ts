/**
 * Keras 3 operation layers that appear in saved functional graphs: the mask
 * computation Keras 3 writes explicitly (`NotEqual(tokens, 0)`,
 * `ConvertToTensor`) and `Equal`.
 *
 * Gradients: a comparison has none (TensorFlow registers None for Equal and
 * NotEqual), so its input's gradient is null, not a refusal; ConvertToTensor
 * passes the gradient through.
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
  const compare = (x: ITensor): ILayerOutput => {
    const data = new Float32Array(x.data.length);
    for (let i = 0; i < data.length; i++) {
      data[i] = (x.data[i] === constant) === equal ? 1 : 0;
    }
    return { output: { shape: x.shape, data }, mask: null };
  };
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    call: (inputs: ITensor[]) => compare(inputs[0]),
    callForGradient: (inputs: ITensor[]): IGradientCall => ({
      ...compare(inputs[0]),
      backward: () => [null]
    })
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
    },
    callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
      return {
        output: inputs[0],
        mask: masks[0],
        backward: ([dy]) => [dy ?? null]
      };
    }
  };
}
