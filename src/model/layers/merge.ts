/**
 * Elementwise merge layers: Multiply, Add, Subtract, Average, Maximum,
 * Minimum (with broadcasting of size-1 axes), and their gradients.
 * Concatenate and Dot have their own modules.
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
import { formatDims } from '../shapes';
import {
  andMasks,
  maskedMerge,
  mergesMasksAsKeras34,
  orMasks
} from './merge-masked';

type Binary = (a: number, b: number) => number;

const OPS: { [className: string]: Binary } = {
  Multiply: (a, b) => a * b,
  Add: (a, b) => a + b,
  Subtract: (a, b) => a - b,
  Average: (a, b) => a + b,
  Maximum: (a, b) => Math.max(a, b),
  Minimum: (a, b) => Math.min(a, b)
};

/** The broadcast of two shapes without the batch axis (numpy rules), or a named error. */
export function broadcastShape(spec: ILayerSpec, a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1 && da !== null && db !== null) {
      throw layerError(
        spec,
        `cannot combine shapes [${formatDims(a)}] and [${formatDims(b)}]`
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Same-shape Multiply / Add / Subtract / Average (the sum part) as plain
 * loops: one call per element through a shared `op` is several times
 * slower. Null for other classes.
 */
function sameShapeArithmetic(
  className: string,
  x: Float32Array,
  y: Float32Array
): Float32Array | null {
  const n = x.length;
  const data = new Float32Array(n);
  switch (className) {
    case 'Multiply':
      for (let i = 0; i < n; i++) {
        data[i] = x[i] * y[i];
      }
      return data;
    case 'Add':
    case 'Average':
      for (let i = 0; i < n; i++) {
        data[i] = x[i] + y[i];
      }
      return data;
    case 'Subtract':
      for (let i = 0; i < n; i++) {
        data[i] = x[i] - y[i];
      }
      return data;
    default:
      return null;
  }
}

/** `op` of two tensors elementwise, size-1 axes broadcast (batch included). */
export function combine(
  x: ITensor,
  y: ITensor,
  op: Binary,
  className: string
): ITensor {
  const same =
    x.shape.length === y.shape.length &&
    x.shape.every((d, i) => d === y.shape[i]);
  if (same) {
    const fast = sameShapeArithmetic(className, x.data, y.data);
    if (fast) {
      return { shape: x.shape, data: fast };
    }
    const data = new Float32Array(x.data.length);
    for (let i = 0; i < data.length; i++) {
      data[i] = op(x.data[i], y.data[i]);
    }
    return { shape: x.shape, data };
  }
  const shape = broadcastTo(x.shape, y.shape);
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  walkBroadcast(x.shape, y.shape, (o, ix, iy) => {
    data[o] = op(x.data[ix], y.data[iy]);
  });
  return { shape, data };
}

/** The shape of a broadcast of two shapes (batch included). */
function broadcastTo(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const pa = pad(a);
  const pb = pad(b);
  return pa.map((d, i) => Math.max(d, pb[i]));
}

/** Calls `fn(o, ix, iy)` for each output element o of a broadcast, in order. */
function walkBroadcast(
  xShape: number[],
  yShape: number[],
  fn: (o: number, ix: number, iy: number) => void
): void {
  const rank = Math.max(xShape.length, yShape.length);
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const xs = pad(xShape);
  const ys = pad(yShape);
  const shape = xs.map((d, i) => Math.max(d, ys[i]));
  const strides = (s: number[]) => {
    const out = new Array<number>(rank);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      out[i] = s[i] === 1 ? 0 : acc;
      acc *= s[i];
    }
    return out;
  };
  const sx = strides(xs);
  const sy = strides(ys);
  const size = shape.reduce((a, d) => a * d, 1);
  const index = new Array<number>(rank).fill(0);
  let ix = 0;
  let iy = 0;
  for (let o = 0; o < size; o++) {
    fn(o, ix, iy);
    for (let a = rank - 1; a >= 0; a--) {
      index[a]++;
      ix += sx[a];
      iy += sy[a];
      if (index[a] < shape[a]) {
        break;
      }
      ix -= sx[a] * shape[a];
      iy -= sy[a] * shape[a];
      index[a] = 0;
    }
  }
}

export function createElementwiseMerge(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  context: IBuildContext
): ILayer {
  const op = OPS[spec.className];
  const keras34 = mergesMasksAsKeras34(context, spec);
  const mergeMasks = keras34 ? orMasks : andMasks;
  if (inputShapes.length < 2) {
    throw layerError(spec, 'needs at least two inputs');
  }
  if (spec.className === 'Subtract' && inputShapes.length !== 2) {
    throw layerError(spec, 'needs exactly two inputs');
  }
  const outputShape = inputShapes
    .slice(1)
    .reduce((a, s) => broadcastShape(spec, a, s), inputShapes[0]);
  const partials = (inputs: ITensor[]) =>
    Private.partials(inputs, op, spec.className);
  const finish = (inputs: ITensor[], last: ITensor) =>
    Private.finish(spec.className, inputs, last);
  const masked = (inputs: ITensor[], masks: Array<IMask | null>) =>
    keras34 ? maskedMerge(spec.className, inputs, masks) : null;
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const merged = masked(inputs, masks);
      if (merged) {
        return { output: merged.output, mask: merged.mask };
      }
      const outs = partials(inputs);
      return {
        output: finish(inputs, outs[outs.length - 1]),
        mask: mergeMasks(masks)
      };
    },
    callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
      const merged = masked(inputs, masks);
      if (merged) {
        return {
          output: merged.output,
          mask: merged.mask,
          backward: ([dy]) =>
            dy ? merged.backward(dy.data) : inputs.map(() => null)
        };
      }
      const outs = partials(inputs);
      return {
        output: finish(inputs, outs[outs.length - 1]),
        mask: mergeMasks(masks),
        backward: ([dy]) =>
          dy
            ? Private.chainGradient(spec.className, inputs, outs, dy.data)
            : inputs.map(() => null)
      };
    }
  };
}

namespace Private {
  /** The running results `((x0 op x1) op x2) ...`, as Keras combines them. */
  export function partials(
    inputs: ITensor[],
    op: Binary,
    className: string
  ): ITensor[] {
    const outs = [inputs[0]];
    for (const next of inputs.slice(1)) {
      outs.push(combine(outs[outs.length - 1], next, op, className));
    }
    return outs;
  }

  /** Average's division; a fresh array when the result is an input's own. */
  export function finish(
    className: string,
    inputs: ITensor[],
    last: ITensor
  ): ITensor {
    let out = last;
    if (className === 'Average') {
      const data = new Float32Array(out.data);
      for (let i = 0; i < data.length; i++) {
        data[i] /= inputs.length;
      }
      out = { shape: out.shape, data };
    }
    if (out === inputs[0]) {
      out = { shape: out.shape, data: new Float32Array(out.data) };
    }
    return out;
  }

  /** The gradients of every input, back through the running results. */
  export function chainGradient(
    className: string,
    inputs: ITensor[],
    outs: ITensor[],
    dy: Float32Array
  ): ITensor[] {
    let d = dy;
    if (className === 'Average') {
      d = d.map(v => v / inputs.length);
    }
    const grads: ITensor[] = new Array(inputs.length);
    for (let i = inputs.length - 1; i >= 1; i--) {
      const [da, db] = binaryGradient(className, outs[i - 1], inputs[i], d);
      grads[i] = { shape: inputs[i].shape, data: db };
      d = da;
    }
    grads[0] = { shape: inputs[0].shape, data: d };
    return grads;
  }
}

/**
 * The gradients of `a op b` (broadcast) given `d`, as TensorFlow registers
 * them: Maximum gives ties to a (`a >= b`), Minimum too (`a <= b`); each
 * gradient is summed over the axes its operand was broadcast along.
 */
function binaryGradient(
  className: string,
  a: ITensor,
  b: ITensor,
  d: Float32Array
): [Float32Array, Float32Array] {
  const same =
    a.shape.length === b.shape.length &&
    a.shape.every((dim, i) => dim === b.shape[i]);
  if (same) {
    return sameShapeGradient(className, a.data, b.data, d);
  }
  const da = new Float32Array(a.data.length);
  const db = new Float32Array(b.data.length);
  const x = a.data;
  const y = b.data;
  let rule: (o: number, ix: number, iy: number) => void;
  switch (className) {
    case 'Multiply':
      rule = (o, ix, iy) => {
        da[ix] += d[o] * y[iy];
        db[iy] += d[o] * x[ix];
      };
      break;
    case 'Subtract':
      rule = (o, ix, iy) => {
        da[ix] += d[o];
        db[iy] -= d[o];
      };
      break;
    case 'Maximum':
      rule = (o, ix, iy) => {
        if (x[ix] >= y[iy]) {
          da[ix] += d[o];
        } else {
          db[iy] += d[o];
        }
      };
      break;
    case 'Minimum':
      rule = (o, ix, iy) => {
        if (x[ix] <= y[iy]) {
          da[ix] += d[o];
        } else {
          db[iy] += d[o];
        }
      };
      break;
    default:
      // Add and Average (its 1/n is applied once, before).
      rule = (o, ix, iy) => {
        da[ix] += d[o];
        db[iy] += d[o];
      };
  }
  walkBroadcast(a.shape, b.shape, rule);
  return [da, db];
}

/** `binaryGradient` of same-shape operands as plain loops (no index walk). */
function sameShapeGradient(
  className: string,
  x: Float32Array,
  y: Float32Array,
  d: Float32Array
): [Float32Array, Float32Array] {
  const n = d.length;
  switch (className) {
    case 'Multiply': {
      const da = new Float32Array(n);
      const db = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        da[i] = d[i] * y[i];
        db[i] = d[i] * x[i];
      }
      return [da, db];
    }
    case 'Subtract':
      return [d, d.map(v => -v)];
    case 'Maximum':
    case 'Minimum': {
      const max = className === 'Maximum';
      const da = new Float32Array(n);
      const db = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        if (max ? x[i] >= y[i] : x[i] <= y[i]) {
          da[i] = d[i];
        } else {
          db[i] = d[i];
        }
      }
      return [da, db];
    }
    default:
      // Add and Average: the gradient passes to both (arrays are never written).
      return [d, d];
  }
}
