/**
 * TimeDistributed: applies the wrapped layer to every time step by folding
 * time into the batch axis.
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
import { nestedSpec } from './layer-config';
import { withGradient } from './vjp';

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
  const fold = (x: ITensor): ITensor => {
    const [batch, steps, ...rest] = x.shape;
    return { shape: [batch * steps, ...rest], data: x.data };
  };
  const unfold = (x: ITensor, out: ITensor): ITensor => ({
    shape: [x.shape[0], x.shape[1], ...out.shape.slice(1)],
    data: out.data
  });
  const layer: ILayer = {
    name: spec.name,
    className: spec.className,
    outputShape: [inShape[0], ...inner.outputShape],
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const folded = inner.call([fold(x)], [null]);
      return { output: unfold(x, folded.output), mask: masks[0] };
    }
  };
  return withGradient(layer, inner, (inputs, masks) => {
    const x = inputs[0];
    const folded = inner.callForGradient!([fold(x)], [null]);
    return {
      output: unfold(x, folded.output),
      mask: masks[0],
      backward([dy]) {
        const [dx] = folded.backward([dy ? fold(dy) : null]);
        return [dx ? { shape: x.shape, data: dx.data } : null];
      }
    };
  });
}
