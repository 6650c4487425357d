/**
 * Faster float32 kernels for TensorFlow.js's CPU backend where its own
 * compute every element's position with index arithmetic and array
 * allocations: Transpose, Tile, Sum over any axes, GatherV2 on the rows
 * of a matrix (the Embedding lookup), and broadcasting Multiply / Add /
 * Sub / RealDiv. An attention head on a [32, 250, 250]
 * tensor (RepeatVector, Permute, Multiply, a sum over time) spent seconds
 * there per integrated-gradients batch. These walk the tensors with strides
 * instead (and same-shape binary ops run one loop per op, not an op
 * callback per element). Anything else (other dtypes) goes to the original
 * kernel. Autodiff is unchanged: the
 * gradients are made of the same kernels.
 */
import type { TF } from './tfjs-forward';

/** The parts of TensorFlow.js's CPU backend a replacement kernel uses. */
export interface ITensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

export interface ICpuBackend {
  data: { get(id: object): { values: unknown } };
  makeTensorInfo(
    shape: number[],
    dtype: string,
    values: Float32Array
  ): ITensorInfo;
}

type KernelArgs = {
  inputs: { [name: string]: ITensorInfo };
  attrs: { [name: string]: unknown };
  backend: ICpuBackend;
};

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  return strides;
}

/**
 * Visits every element of `shape` in row-major order; `out[i]` gets
 * `read(offset)` where the offset moves by `steps[d]` along dimension d.
 * The last dimension is a tight inner loop.
 */
function walk(
  shape: readonly number[],
  steps: readonly number[],
  visit: (i: number, offset: number, run: number, step: number) => void
): void {
  const rank = shape.length;
  const size = shape.reduce((a, d) => a * d, 1);
  if (size === 0) {
    return;
  }
  if (rank === 0) {
    visit(0, 0, 1, 0);
    return;
  }
  const last = shape[rank - 1];
  const lastStep = steps[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < size; i += last) {
    visit(i, offset, last, lastStep);
    // Odometer over the outer dimensions.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      offset += steps[d];
      if (index[d] < shape[d]) {
        break;
      }
      offset -= steps[d] * shape[d];
      index[d] = 0;
    }
  }
}

/** `x` transposed by `perm` (output axis i is input axis perm[i]). */
export function transposeValues(
  x: Float32Array,
  shape: readonly number[],
  perm: readonly number[]
): Float32Array {
  const strides = stridesOf(shape);
  const outShape = perm.map(p => shape[p]);
  const out = new Float32Array(x.length);
  walk(
    outShape,
    perm.map(p => strides[p]),
    (i, offset, run, step) => {
      for (let j = 0; j < run; j++) {
        out[i + j] = x[offset + j * step];
      }
    }
  );
  return out;
}

/** `x` repeated `reps[d]` times along each dimension d. */
export function tileValues(
  x: Float32Array,
  shape: readonly number[],
  reps: readonly number[]
): Float32Array {
  const strides = stridesOf(shape);
  const outShape = shape.map((d, i) => d * reps[i]);
  const out = new Float32Array(outShape.reduce((a, d) => a * d, 1));
  // Output index o along d reads input index o mod shape[d]: walk the
  // output with the input's strides and wrap by hand per dimension.
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let offset = 0;
    for (let d = 0; d < rank; d++) {
      offset += (index[d] % shape[d]) * strides[d];
    }
    out[i] = x[offset];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) {
        break;
      }
      index[d] = 0;
    }
  }
  return out;
}

/** Sums `x` over `axes` (float64 accumulation); returns the kept shape. */
export function sumValues(
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[]
): { values: Float32Array; shape: number[] } {
  const reduced = new Set(axes.map(a => (a < 0 ? a + shape.length : a)));
  const kept = shape.filter((_, d) => !reduced.has(d));
  const keptStrides = stridesOf(kept);
  // Output step per input dimension: 0 along reduced axes.
  const steps: number[] = [];
  let k = 0;
  shape.forEach((_, d) => {
    steps.push(reduced.has(d) ? 0 : keptStrides[k++]);
  });
  const acc = new Float64Array(kept.reduce((a, d) => a * d, 1));
  walk(shape, steps, (i, offset, run, step) => {
    if (step === 0) {
      let s = 0;
      for (let j = 0; j < run; j++) {
        s += x[i + j];
      }
      acc[offset] += s;
      return;
    }
    for (let j = 0; j < run; j++) {
      acc[offset + j * step] += x[i + j];
    }
  });
  return { values: Float32Array.from(acc), shape: kept };
}

/**
 * Rows of a `[rows, width]` table by index (`tf.gather` on axis 0), the
 * Embedding lookup; null when an index is out of range (the original
 * kernel then reports it).
 */
export function gatherRows(
  table: Float32Array,
  rows: number,
  width: number,
  indices: ArrayLike<number>
): Float32Array | null {
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    if (!(row >= 0 && row < rows)) {
      return null;
    }
    out.set(table.subarray(row * width, (row + 1) * width), i * width);
  }
  return out;
}

export type BinaryOp = 'Multiply' | 'Add' | 'Sub' | 'RealDiv';

/** `op(a[i], b[i])` for same-shape operands, one loop per op. */
function elementwise(
  op: BinaryOp,
  a: Float32Array,
  b: Float32Array
): Float32Array {
  const out = new Float32Array(a.length);
  const n = out.length;
  if (op === 'Multiply') {
    for (let i = 0; i < n; i++) {
      out[i] = a[i] * b[i];
    }
  } else if (op === 'Add') {
    for (let i = 0; i < n; i++) {
      out[i] = a[i] + b[i];
    }
  } else if (op === 'Sub') {
    for (let i = 0; i < n; i++) {
      out[i] = a[i] - b[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      out[i] = a[i] / b[i];
    }
  }
  return out;
}

/** `op(a, b)` with NumPy broadcasting; null when the shapes do not broadcast. */
export function broadcastValues(
  op: BinaryOp,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[]
): { values: Float32Array; shape: number[] } | null {
  const rank = Math.max(aShape.length, bShape.length);
  const pad = (s: readonly number[]) => [
    ...new Array<number>(rank - s.length).fill(1),
    ...s
  ];
  const pa = pad(aShape);
  const pb = pad(bShape);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (pa[d] !== pb[d] && pa[d] !== 1 && pb[d] !== 1) {
      return null;
    }
    shape.push(pa[d] === 1 ? pb[d] : pa[d]);
  }
  if (pa.every((d, i) => d === pb[i])) {
    return { values: elementwise(op, a, b), shape };
  }
  const sa = stridesOf(pa).map((s, d) => (pa[d] === 1 ? 0 : s));
  const sb = stridesOf(pb).map((s, d) => (pb[d] === 1 ? 0 : s));
  const out = new Float32Array(shape.reduce((p, d) => p * d, 1));
  // One walk over the output carrying both input offsets.
  const size = out.length;
  if (size === 0) {
    return { values: out, shape };
  }
  const last = rank ? shape[rank - 1] : 1;
  const stepA = rank ? sa[rank - 1] : 0;
  const stepB = rank ? sb[rank - 1] : 0;
  const index = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < size; i += last) {
    // One loop per op: no per-element branch.
    if (op === 'Multiply') {
      for (let j = 0; j < last; j++) {
        out[i + j] = a[ia + j * stepA] * b[ib + j * stepB];
      }
    } else if (op === 'Add') {
      for (let j = 0; j < last; j++) {
        out[i + j] = a[ia + j * stepA] + b[ib + j * stepB];
      }
    } else if (op === 'Sub') {
      for (let j = 0; j < last; j++) {
        out[i + j] = a[ia + j * stepA] - b[ib + j * stepB];
      }
    } else {
      for (let j = 0; j < last; j++) {
        out[i + j] = a[ia + j * stepA] / b[ib + j * stepB];
      }
    }
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      ia += sa[d];
      ib += sb[d];
      if (index[d] < shape[d]) {
        break;
      }
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
  return { values: out, shape };
}

let installed = false;

/** Replaces the CPU backend's kernels above (once per JS realm). */
export function installFastKernels(tf: TF): void {
  if (installed) {
    return;
  }
  const replace = (
    name: string,
    fast: (args: KernelArgs) => ITensorInfo | null
  ) => {
    const original = tf.getKernel(name, 'cpu');
    if (!original) {
      return;
    }
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({
      kernelName: name,
      backendName: 'cpu',
      kernelFunc: (args =>
        fast(args as unknown as KernelArgs) ??
        original.kernelFunc(args)) as typeof original.kernelFunc
    });
  };
  const floats = (backend: ICpuBackend, t: ITensorInfo) => {
    const values = backend.data.get(t.dataId).values;
    return t.dtype === 'float32' && values instanceof Float32Array
      ? values
      : null;
  };

  replace('Transpose', ({ inputs, attrs, backend }) => {
    const x = floats(backend, inputs.x);
    const perm = attrs.perm as number[];
    if (!x || perm.length !== inputs.x.shape.length) {
      return null;
    }
    return backend.makeTensorInfo(
      perm.map(p => inputs.x.shape[p]),
      'float32',
      transposeValues(x, inputs.x.shape, perm)
    );
  });
  replace('Tile', ({ inputs, attrs, backend }) => {
    const x = floats(backend, inputs.x);
    const reps = attrs.reps as number[];
    if (!x || reps.length !== inputs.x.shape.length) {
      return null;
    }
    return backend.makeTensorInfo(
      inputs.x.shape.map((d, i) => d * reps[i]),
      'float32',
      tileValues(x, inputs.x.shape, reps)
    );
  });
  replace('Sum', ({ inputs, attrs, backend }) => {
    const x = floats(backend, inputs.x);
    const rank = inputs.x.shape.length;
    const raw = attrs.axis as number | number[] | null | undefined;
    const axes =
      raw === null || raw === undefined
        ? [...Array(rank).keys()]
        : Array.isArray(raw)
          ? raw
          : [raw];
    if (!x || axes.length === 0) {
      return null;
    }
    const { values, shape } = sumValues(x, inputs.x.shape, axes);
    const normal = axes.map(a => (a < 0 ? a + rank : a));
    const outShape = attrs.keepDims
      ? inputs.x.shape.map((d, i) => (normal.includes(i) ? 1 : d))
      : shape;
    return backend.makeTensorInfo(outShape, 'float32', values);
  });
  replace('GatherV2', ({ inputs, attrs, backend }) => {
    const { x, indices } = inputs;
    const table = floats(backend, x);
    const ids = backend.data.get(indices.dataId).values as ArrayLike<number>;
    const axis = (attrs.axis as number) ?? 0;
    if (
      !table ||
      x.shape.length !== 2 ||
      axis !== 0 ||
      (attrs.batchDims as number) ||
      indices.dtype !== 'int32'
    ) {
      return null;
    }
    const values = gatherRows(table, x.shape[0], x.shape[1], ids);
    return values
      ? backend.makeTensorInfo(
          [...indices.shape, x.shape[1]],
          'float32',
          values
        )
      : null;
  });
  for (const op of ['Multiply', 'Add', 'Sub', 'RealDiv'] as BinaryOp[]) {
    replace(op, ({ inputs, backend }) => {
      const { a, b } = inputs;
      const va = floats(backend, a);
      const vb = floats(backend, b);
      if (!va || !vb) {
        return null;
      }
      const result = broadcastValues(op, va, a.shape, vb, b.shape);
      return result
        ? backend.makeTensorInfo(result.shape, 'float32', result.values)
        : null;
    });
  }
  installed = true;
}
