/**
 * Dot over one axis of two rank-2 or rank-3 inputs (batch included), with
 * optional L2 normalisation along that axis, and its gradient.
 */
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';

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
  const dotAxes = [aa, ab];
  const prepare = (inputs: ITensor[]) =>
    inputs.map((t, i) => (normalize ? l2Normalize(t, dotAxes[i] + 1) : t));
  const shapeOf = (batch: number, ra: number, rb: number) => [
    batch,
    ...(outputShape.length
      ? (outputShape as number[]).map((_, i) => (i < restA.length ? ra : rb))
      : [1])
  ];
  return {
    name: spec.name,
    className: spec.className,
    outputShape: outputShape.length ? outputShape : [1],
    call(inputs: ITensor[]) {
      const [a, b] = prepare(inputs);
      const v = Private.view(a, b, aa, ab);
      // Sums in double precision, rounded once.
      const sums = new Float64Array(v.batch * v.ra * v.rb);
      v.each((out, ia, ib) => (sums[out] += a.data[ia] * b.data[ib]));
      return {
        output: {
          shape: shapeOf(v.batch, v.ra, v.rb),
          data: Float32Array.from(sums)
        },
        mask: null
      };
    },
    callForGradient(inputs: ITensor[]) {
      const [a, b] = prepare(inputs);
      return {
        ...this.call(inputs, [null, null]),
        backward([dy]) {
          if (!dy) {
            return [null, null];
          }
          const da = new Float32Array(a.data.length);
          const db = new Float32Array(b.data.length);
          Private.view(a, b, aa, ab).each((out, ia, ib) => {
            da[ia] += dy.data[out] * b.data[ib];
            db[ib] += dy.data[out] * a.data[ia];
          });
          const back = (d: Float32Array, i: number): ITensor => ({
            shape: inputs[i].shape,
            data: normalize
              ? l2NormalizeGradient(inputs[i], dotAxes[i] + 1, d)
              : d
          });
          return [back(da, 0), back(db, 1)];
        }
      };
    }
  };
}

/** Geometry of `x . (axis)` along `axis` (batch included): outer, n, inner sizes. */
function axisLayout(t: ITensor, axis: number) {
  let outer = 1;
  for (let i = 0; i < axis; i++) {
    outer *= t.shape[i];
  }
  const n = t.shape[axis];
  return { outer, n, inner: t.data.length / outer / n };
}

/** `x * rsqrt(max(sum(x^2), 1e-12))` along `axis` (tf.math.l2_normalize). */
function l2Normalize(t: ITensor, axis: number): ITensor {
  const { outer, n, inner } = axisLayout(t, axis);
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
  return { shape: t.shape, data };
}

/**
 * The gradient of `l2Normalize` at `t` given `d` (the gradient of its
 * output): `(d - y * sum(d * y)) / norm`, y the normalised x; below the
 * epsilon the norm is a constant.
 */
function l2NormalizeGradient(
  t: ITensor,
  axis: number,
  d: Float32Array
): Float32Array {
  const { outer, n, inner } = axisLayout(t, axis);
  const x = t.data;
  const dx = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const at = (j: number) => (o * n + j) * inner + k;
      let s = 0;
      let dot = 0;
      for (let j = 0; j < n; j++) {
        s += x[at(j)] * x[at(j)];
        dot += d[at(j)] * x[at(j)];
      }
      const scale = 1 / Math.sqrt(Math.max(s, 1e-12));
      const along = s >= 1e-12 ? dot * scale * scale : 0;
      for (let j = 0; j < n; j++) {
        dx[at(j)] = scale * (d[at(j)] - x[at(j)] * along);
      }
    }
  }
  return dx;
}

namespace Private {
  /** Index walk of a batched dot: `each(out, ia, ib)` once per product term. */
  export function view(a: ITensor, b: ITensor, aa: number, ab: number) {
    const batch = a.shape[0];
    const n = a.shape[aa + 1];
    const ra = a.shape.length === 3 ? a.shape[aa === 0 ? 2 : 1] : 1;
    const rb = b.shape.length === 3 ? b.shape[ab === 0 ? 2 : 1] : 1;
    const index = (
      t: ITensor,
      ax: number,
      bi: number,
      r: number,
      k: number
    ) => {
      if (t.shape.length === 2) {
        return bi * n + k;
      }
      const [, d1, d2] = t.shape;
      return ax === 0 ? (bi * d1 + k) * d2 + r : (bi * d1 + r) * d2 + k;
    };
    return {
      batch,
      ra,
      rb,
      each(fn: (out: number, ia: number, ib: number) => void) {
        for (let bi = 0; bi < batch; bi++) {
          for (let i = 0; i < ra; i++) {
            for (let j = 0; j < rb; j++) {
              const out = (bi * ra + i) * rb + j;
              for (let k = 0; k < n; k++) {
                fn(out, index(a, aa, bi, i, k), index(b, ab, bi, j, k));
              }
            }
          }
        }
      }
    };
  }
}
