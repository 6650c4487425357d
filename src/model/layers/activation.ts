/**
 * Activation and Softmax layers; identity layers that only matter in training.
 */
import { elementwise, isSoftmax, softmaxAxis } from './activations';
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  Shape
} from './base';

export function createActivation(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  context: IBuildContext
): ILayer {
  const softmax = isSoftmax(spec.config.activation);
  const fn = softmax
    ? null
    : elementwise(spec, spec.config.activation, context.kerasMajor);
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const data = new Float32Array(x.data);
      if (softmax) {
        softmaxAxis(data, x.shape, -1);
      } else {
        fn?.(data, 0, data.length);
      }
      return { output: { shape: x.shape, data }, mask: masks[0] };
    }
  };
}

/** The softmax axis of a Softmax layer config (Keras: int, default -1). */
export function softmaxLayerAxis(config: { [key: string]: any }): number {
  const axis = config.axis;
  if (Array.isArray(axis)) {
    return axis.length === 1 ? axis[0] : -1;
  }
  return typeof axis === 'number' ? axis : -1;
}

export function createSoftmax(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const axis = softmaxLayerAxis(spec.config);
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const x = inputs[0];
      const data = new Float32Array(x.data);
      // Keras adds a large negative to masked positions when the mask matches.
      const mask = masks[0];
      if (mask && x.shape.length === 2 && mask.steps === x.shape[1]) {
        for (let i = 0; i < data.length; i++) {
          if (!mask.data[i]) {
            data[i] -= 1e9;
          }
        }
      }
      softmaxAxis(data, x.shape, axis);
      return { output: { shape: x.shape, data }, mask: masks[0] };
    }
  };
}

/** Dropout, SpatialDropout*, noise and regularisation layers: identity at inference. */
export function createIdentity(
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
