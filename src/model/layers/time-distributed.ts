/**
 * TimeDistributed: applies the wrapped layer to every time step by folding
 * time into the batch axis.
 */
import { nestedSpec } from '../graph/keras-config';
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

export function createTimeDistributed(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const inShape = inputShapes[0];
  if (inShape.length < 2) {
    throw layerError(spec, 'expects input with a time axis');
  }
  const innerSpec = nestedSpec(spec, 'layer');
  const inner = context.createLayer(innerSpec, [inShape.slice(1)], weights);
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [inShape[0], ...inner.outputShape],
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const [batch, steps, ...rest] = x.shape;
      const folded = inner.call(
        [{ shape: [batch * steps, ...rest], data: x.data }],
        [null]
      );
      const out = folded.output;
      return {
        output: {
          shape: [batch, steps, ...out.shape.slice(1)],
          data: out.data
        },
        mask: masks[0]
      };
    }
  };
}
