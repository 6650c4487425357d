/**
 * Keras 3 operation layers that appear in saved functional graphs: the mask
 * computation Keras 3 writes explicitly (`NotEqual(tokens, 0)`,
 * `ConvertToTensor`, and a Concatenate's mask merge: `ExpandDims`,
 * `ZerosLike` / `OnesLike`, `LogicalOr`, `Any`) and `Equal`. Booleans are
 * 0 / 1 floats.
 *
 * Gradients: a comparison, a logical operation and a constant have none
 * (TensorFlow registers None for Equal, NotEqual, LogicalOr and Any; a
 * ZerosLike / OnesLike output does not depend on its input's values), so
 * their inputs' gradients are null, not a refusal; ExpandDims passes the
 * gradient through. ConvertToTensor is the identity layer (`activation.ts`).
 */
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  ILayerOutput,
  ILayerSpec,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';
import { applyLambdaOp } from './lambda-ops';
import { broadcastShape, combine } from './merge';

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

/** The config's axis as a non-negative axis of a rank-`rank` tensor (batch included), batch refused. */
function opAxis(spec: ILayerSpec, rank: number): number {
  const raw = spec.config.axis;
  const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw layerError(
      spec,
      `axis ${JSON.stringify(raw)} is not supported (one integer axis is)`
    );
  }
  const at = axis < 0 ? axis + rank : axis;
  if (at < 1 || at >= rank) {
    throw layerError(
      spec,
      `axis ${axis} is out of range for a tensor of rank ${rank} (the batch axis 0 cannot be used)`
    );
  }
  return at;
}

/** An operation layer from its forward pass; `backward` null: not differentiable (TensorFlow registers none). */
function opLayer(
  spec: ILayerSpec,
  outputShape: Shape,
  forward: (inputs: ITensor[]) => ITensor,
  backward: ((dy: ITensor, inputs: ITensor[]) => ITensor) | null
): ILayer {
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call: (inputs: ITensor[]) => ({ output: forward(inputs), mask: null }),
    callForGradient: (inputs: ITensor[]): IGradientCall => ({
      output: forward(inputs),
      mask: null,
      backward: ([dy]) =>
        inputs.map((_, i) =>
          backward && dy && i === 0 ? backward(dy, inputs) : null
        )
    })
  };
}

function expectInputs(spec: ILayerSpec, inputShapes: Shape[], n: number) {
  if (inputShapes.length !== n) {
    throw layerError(
      spec,
      `takes ${n} tensor input(s), the graph gives ${inputShapes.length}`
    );
  }
}

/** 1 where `v` is true (non-zero), else 0. */
const truth = (v: number) => (v !== 0 ? 1 : 0);

/** `ExpandDims(axis)`: a new axis of size 1; its gradient is the incoming one, reshaped. */
export function createExpandDims(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  expectInputs(spec, inputShapes, 1);
  const axis = opAxis(spec, inputShapes[0].length + 2);
  const shape = [...inputShapes[0]];
  shape.splice(axis - 1, 0, 1);
  return opLayer(
    spec,
    shape,
    ([x]) => applyLambdaOp({ kind: 'expand_dims', axis }, x),
    (dy, [x]) => ({ shape: x.shape, data: dy.data })
  );
}

/** `ZerosLike` / `OnesLike`: a constant of the input's shape (Keras builds mask broadcasts with them). */
export function createFilledLike(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  expectInputs(spec, inputShapes, 1);
  const value = spec.className === 'OnesLike' ? 1 : 0;
  return opLayer(
    spec,
    inputShapes[0],
    ([x]) => ({
      shape: x.shape,
      data: new Float32Array(x.data.length).fill(value)
    }),
    null
  );
}

/** `LogicalOr(a, b)`, broadcast as numpy does. */
export function createLogicalOr(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  expectInputs(spec, inputShapes, 2);
  return opLayer(
    spec,
    broadcastShape(spec, inputShapes[0], inputShapes[1]),
    ([a, b]) => combine(a, b, (x, y) => truth(x) | truth(y), spec.className),
    null
  );
}

/** `Any(axis, keepdims)`: whether any element along the axis is true. */
export function createAny(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  expectInputs(spec, inputShapes, 1);
  const axis = opAxis(spec, inputShapes[0].length + 1);
  const keepDims = spec.config.keepdims === true;
  const shape = keepDims
    ? inputShapes[0].map((d, i) => (i === axis - 1 ? 1 : d))
    : inputShapes[0].filter((_, i) => i !== axis - 1);
  return opLayer(
    spec,
    shape,
    ([x]) =>
      applyLambdaOp(
        { kind: 'max', axis, keepDims },
        { shape: x.shape, data: x.data.map(truth) }
      ),
    null
  );
}
