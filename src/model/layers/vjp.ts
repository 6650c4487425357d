/**
 * Small helpers the layers' vector-Jacobian products share.
 */
import {
  IGradientCall,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  Shape
} from './base';

/** A lazily made value (e.g. the transposed weights of a backward pass). */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** `a + b` elementwise into a new array (b null: a copy of a). */
export function sum(a: Float32Array, b: Float32Array | null): Float32Array {
  const out = new Float32Array(a);
  if (b) {
    for (let i = 0; i < out.length; i++) {
      out[i] += b[i];
    }
  }
  return out;
}

/** The same data under another shape (reshapes: Flatten, Reshape). */
export function reshaped(d: ITensor | null, shape: number[]): ITensor | null {
  return d ? { shape, data: d.data } : null;
}

/**
 * A one-input layer that keeps its input's mask: `forward` maps the input,
 * `backward` gives the input's gradient from the input, the output and the
 * output's gradient (activations, identity layers).
 */
export function maskKeepingLayer(
  spec: ILayerSpec,
  outputShape: Shape,
  forward: (x: ITensor) => ITensor,
  backward: (x: ITensor, y: ITensor, dy: ITensor) => ITensor
): ILayer {
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      return { output: forward(inputs[0]), mask: masks[0] };
    },
    callForGradient(inputs, masks): IGradientCall {
      const x = inputs[0];
      const y = forward(x);
      return {
        output: y,
        mask: masks[0],
        backward: ([dy]) => [dy ? backward(x, y, dy) : null]
      };
    }
  };
}

/**
 * A wrapper layer with the gradient `callForGradient` gives when the layers
 * it wraps have one; otherwise their reason for having none.
 */
export function withGradient(
  layer: ILayer,
  inner: ILayer | ILayer[],
  callForGradient: (
    inputs: ITensor[],
    masks: Array<IMask | null>
  ) => IGradientCall
): ILayer {
  const wrapped = Array.isArray(inner) ? inner : [inner];
  const without = wrapped.find(l => !l.callForGradient);
  if (without) {
    return {
      ...layer,
      noGradient: `the wrapped layer '${without.name}' (${without.className}) has no gradient: ${
        without.noGradient ?? 'none is written for it'
      }`
    };
  }
  return { ...layer, callForGradient };
}
