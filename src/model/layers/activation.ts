/**
 * Activation and Softmax layers; identity layers that only matter in
 * training. Each with its gradient: the activation's derivative as
 * TensorFlow registers it (`activation-derivatives.ts`).
 */
import {
  elementwiseGradient,
  softmaxAxisGradient
} from './activation-derivatives';
import { elementwise, isSoftmax, softmaxAxis } from './activations';
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  Shape
} from './base';
import { maskKeepingLayer } from './vjp';

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
  const grad = softmax
    ? null
    : elementwiseGradient(spec, spec.config.activation, context.kerasMajor);
  const forward = (x: ITensor): ITensor => {
    const data = new Float32Array(x.data);
    if (softmax) {
      softmaxAxis(data, x.shape, -1);
    } else {
      fn?.(data, 0, data.length);
    }
    return { shape: x.shape, data };
  };
  return maskKeepingLayer(spec, inputShapes[0], forward, (x, y, dy) => {
    if (softmax) {
      const dx = softmaxAxisGradient(y.data, dy.data, x.shape, -1);
      return { shape: x.shape, data: dx };
    }
    if (!grad) {
      return dy;
    }
    const dx = new Float32Array(dy.data.length);
    grad(x.data, y.data, dy.data, dx, 0, dx.length);
    return { shape: x.shape, data: dx };
  });
}

/** The softmax axis of a Softmax layer config (Keras: int, default -1). */
export function softmaxLayerAxis(config: { [key: string]: any }): number {
  const axis = config.axis;
  if (Array.isArray(axis)) {
    return axis.length === 1 ? axis[0] : -1;
  }
  return typeof axis === 'number' ? axis : -1;
}

/**
 * A Softmax layer. With a mask over its (batch, time) input it does what
 * Keras 3 does: `where(mask, x, -1e9)`, the softmax, then `where(mask, y,
 * 0)`; masked positions get weight 0 and pass no gradient.
 */
export function createSoftmax(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const axis = softmaxLayerAxis(spec.config);
  const applies = (x: ITensor, mask: IMask | null): mask is IMask =>
    !!mask && x.shape.length === 2 && mask.steps === x.shape[1];
  const forward = (x: ITensor, mask: IMask | null) => {
    const data = new Float32Array(x.data);
    const masked = applies(x, mask);
    if (masked) {
      for (let i = 0; i < data.length; i++) {
        if (!mask.data[i]) {
          data[i] = -1e9;
        }
      }
    }
    softmaxAxis(data, x.shape, axis);
    // The softmax before the output's masking, for the backward pass.
    const soft = masked ? new Float32Array(data) : data;
    if (masked) {
      for (let i = 0; i < data.length; i++) {
        if (!mask.data[i]) {
          data[i] = 0;
        }
      }
    }
    return { y: { shape: x.shape, data }, soft, masked };
  };
  return {
    name: spec.name,
    className: spec.className,
    outputShape: inputShapes[0],
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      return { output: forward(inputs[0], masks[0]).y, mask: masks[0] };
    },
    callForGradient(inputs, masks): IGradientCall {
      const x = inputs[0];
      const mask = masks[0];
      const { y, soft, masked } = forward(x, mask);
      const hide = (d: Float32Array): Float32Array =>
        masked ? d.map((v, i) => (mask!.data[i] ? v : 0)) : d;
      return {
        output: y,
        mask,
        backward([dy]) {
          if (!dy) {
            return [null];
          }
          const dx = softmaxAxisGradient(soft, hide(dy.data), x.shape, axis);
          return [{ shape: x.shape, data: hide(dx) }];
        }
      };
    }
  };
}

/** Dropout, SpatialDropout*, noise and regularisation layers (and Keras 3's ConvertToTensor): identity at inference. */
export function createIdentity(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  return maskKeepingLayer(
    spec,
    inputShapes[0],
    x => x,
    (_x, _y, dy) => dy
  );
}
