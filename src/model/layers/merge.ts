/**
 * Merge layers: Multiply, Add, Subtract, Average, Maximum, Minimum (with
 * broadcasting of size-1 axes), Concatenate and Dot.
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

type Binary = (a: number, b: number) => number;

const OPS: { [className: string]: Binary } = {
  Multiply: (a, b) => a * b,
  Add: (a, b) => a + b,
  Subtract: (a, b) => a - b,
  Average: (a, b) => a + b,
  Maximum: (a, b) => Math.max(a, b),
  Minimum: (a, b) => Math.min(a, b)
};

function broadcastShape(spec: ILayerSpec, a: Shape, b: Shape): Shape {
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

function combine(
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
  const rank = Math.max(x.shape.length, y.shape.length);
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const xs = pad(x.shape);
  const ys = pad(y.shape);
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
  const data = new Float32Array(size);
  const index = new Array<number>(rank).fill(0);
  let ix = 0;
  let iy = 0;
  for (let o = 0; o < size; o++) {
    data[o] = op(x.data[ix], y.data[iy]);
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
  return { shape, data };
}

/** Keras merges masks with a logical AND. */
function mergeMasks(masks: Array<IMask | null>): IMask | null {
  const present = masks.filter((m): m is IMask => m !== null);
  if (present.length === 0) {
    return null;
  }
  const first = present[0];
  if (present.some(m => m.steps !== first.steps || m.batch !== first.batch)) {
    return null;
  }
  const data = new Uint8Array(first.data);
  for (const m of present.slice(1)) {
    for (let i = 0; i < data.length; i++) {
      data[i] &= m.data[i];
    }
  }
  return { batch: first.batch, steps: first.steps, data };
}

export function createElementwiseMerge(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const op = OPS[spec.className];
  if (inputShapes.length < 2) {
    throw layerError(spec, 'needs at least two inputs');
  }
  if (spec.className === 'Subtract' && inputShapes.length !== 2) {
    throw layerError(spec, 'needs exactly two inputs');
  }
  const outputShape = inputShapes
    .slice(1)
    .reduce((a, s) => broadcastShape(spec, a, s), inputShapes[0]);
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      let out = inputs[0];
      for (const next of inputs.slice(1)) {
        out = combine(out, next, op, spec.className);
      }
      if (spec.className === 'Average') {
        const data = new Float32Array(out.data);
        for (let i = 0; i < data.length; i++) {
          data[i] /= inputs.length;
        }
        out = { shape: out.shape, data };
      }
      if (out === inputs[0]) {
        out = { shape: out.shape, data: new Float32Array(out.data) };
      }
      return { output: out, mask: mergeMasks(masks) };
    }
  };
}

/** Concatenates tensors along `axis` (batch included, may be negative). */
export function concat(tensors: ITensor[], axis: number): ITensor {
  const rank = tensors[0].shape.length;
  const ax = axis < 0 ? rank + axis : axis;
  let outer = 1;
  for (let i = 0; i < ax; i++) {
    outer *= tensors[0].shape[i];
  }
  const widths = tensors.map(t => t.data.length / outer);
  const total = widths.reduce((a, w) => a + w, 0);
  const data = new Float32Array(outer * total);
  for (let o = 0; o < outer; o++) {
    let at = o * total;
    tensors.forEach((t, i) => {
      data.set(t.data.subarray(o * widths[i], (o + 1) * widths[i]), at);
      at += widths[i];
    });
  }
  const shape = [...tensors[0].shape];
  shape[ax] = tensors.reduce((a, t) => a + t.shape[ax], 0);
  return { shape, data };
}

/**
 * Keras's Concatenate mask: a missing mask counts as all true; along the
 * feature axis the masks are OR-ed, along the time axis concatenated.
 */
function concatMasks(
  inputs: ITensor[],
  masks: Array<IMask | null>,
  ax: number,
  rank: number
): IMask | null {
  if (masks.every(m => m === null)) {
    return null;
  }
  const batch = inputs[0].shape[0];
  if (ax === rank - 1) {
    if (masks.some(m => m === null)) {
      return null;
    }
    const first = masks[0]!;
    const data = new Uint8Array(first.data.length);
    for (const m of masks) {
      m!.data.forEach((v, i) => (data[i] |= v));
    }
    return { batch, steps: first.steps, data };
  }
  if (ax === 0 && rank === 2) {
    const steps = inputs.map(t => t.shape[1]);
    const total = steps.reduce((a, s) => a + s, 0);
    const data = new Uint8Array(batch * total);
    for (let b = 0; b < batch; b++) {
      let at = b * total;
      inputs.forEach((_, i) => {
        const m = masks[i];
        for (let t = 0; t < steps[i]; t++) {
          data[at + t] = m ? m.data[b * steps[i] + t] : 1;
        }
        at += steps[i];
      });
    }
    return { batch, steps: total, data };
  }
  return null;
}

export function createConcatenate(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const axis = typeof spec.config.axis === 'number' ? spec.config.axis : -1;
  const rank = inputShapes[0].length;
  // Config axes count the batch axis; shapes here do not.
  const ax = axis < 0 ? rank + axis : axis - 1;
  if (ax < 0 || ax >= rank || inputShapes.some(s => s.length !== rank)) {
    throw layerError(spec, `cannot concatenate along axis ${axis}`);
  }
  const outputShape = [...inputShapes[0]];
  outputShape[ax] = inputShapes.some(s => s[ax] === null)
    ? null
    : inputShapes.reduce((a, s) => a + (s[ax] as number), 0);
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      return {
        output: concat(inputs, ax + 1),
        mask: concatMasks(inputs, masks, ax, rank)
      };
    }
  };
}

/** Dot over one axis of two rank-2 or rank-3 inputs (batch included), with optional L2 normalisation. */
export function createDot(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  if (inputShapes.length !== 2) {
    throw layerError(spec, 'needs exactly two inputs');
  }
  const [sa, sb] = inputShapes;
  const raw = spec.config.axes;
  const axes: number[] = Array.isArray(raw) ? raw : [raw, raw];
  const norm = (a: number, rank: number) => (a < 0 ? a + rank + 1 : a) - 1;
  const aa = norm(axes[0], sa.length);
  const ab = norm(axes[1], sb.length);
  if (sa.length > 2 || sb.length > 2 || aa < 0 || ab < 0 || sa[aa] !== sb[ab]) {
    throw layerError(
      spec,
      `axes ${JSON.stringify(raw)} with shapes [${sa}] and [${sb}] are not supported`
    );
  }
  const restA = sa.filter((_, i) => i !== aa);
  const restB = sb.filter((_, i) => i !== ab);
  const outputShape: Shape = [...restA, ...restB];
  const normalize = spec.config.normalize === true;
  return {
    name: spec.name,
    className: spec.className,
    outputShape: outputShape.length ? outputShape : [1],
    call(inputs: ITensor[]) {
      const [a, b] = inputs.map(t => {
        if (!normalize) {
          return t;
        }
        return l2Normalize(t, (t === inputs[0] ? aa : ab) + 1);
      });
      const batch = a.shape[0];
      const n = a.shape[aa + 1];
      const ra = a.shape.length === 3 ? a.shape[aa === 0 ? 2 : 1] : 1;
      const rb = b.shape.length === 3 ? b.shape[ab === 0 ? 2 : 1] : 1;
      const data = new Float32Array(batch * ra * rb);
      const at = (
        t: ITensor,
        ax: number,
        bIdx: number,
        r: number,
        k: number
      ) => {
        if (t.shape.length === 2) {
          return t.data[bIdx * n + k];
        }
        const [, d1, d2] = t.shape;
        return ax === 0
          ? t.data[(bIdx * d1 + k) * d2 + r]
          : t.data[(bIdx * d1 + r) * d2 + k];
      };
      for (let bi = 0; bi < batch; bi++) {
        for (let i = 0; i < ra; i++) {
          for (let j = 0; j < rb; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) {
              s += at(a, aa, bi, i, k) * at(b, ab, bi, j, k);
            }
            data[(bi * ra + i) * rb + j] = s;
          }
        }
      }
      const shape = [
        batch,
        ...(outputShape.length
          ? (outputShape as number[]).map((_, i) =>
              i < restA.length ? ra : rb
            )
          : [1])
      ];
      return { output: { shape, data }, mask: null };
    }
  };
}

function l2Normalize(t: ITensor, axis: number): ITensor {
  const shape = t.shape;
  let outer = 1;
  for (let i = 0; i < axis; i++) {
    outer *= shape[i];
  }
  const n = shape[axis];
  const inner = t.data.length / outer / n;
  const data = new Float32Array(t.data);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const v = data[(o * n + j) * inner + k];
        s += v * v;
      }
      const scale = 1 / Math.sqrt(Math.max(s, 1e-12));
      for (let j = 0; j < n; j++) {
        data[(o * n + j) * inner + k] *= scale;
      }
    }
  }
  return { shape, data };
}
