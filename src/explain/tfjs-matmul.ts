/**
 * A faster matrix multiply for TensorFlow.js's CPU backend: its
 * `BatchMatMul` kernel is replaced by one that runs the engine's
 * WebAssembly SIMD gemm (`layers/kernels.ts`). Autodiff is unchanged: the
 * gradients of matMul are matMuls, so they run here too. Shapes this does
 * not handle (broadcast batches, non-float inputs) go to the original
 * kernel. Only the gradient methods install it, in the JS realm (worker)
 * that runs them.
 */
import { IWeightMatrix, Kernels, packPanels } from '../model/layers/kernels';
import type { TF } from './tfjs-forward';
import type { ICpuBackend, ITensorInfo } from './tfjs-fast-kernels';

/** `out[m x n] = op(a) . op(b)`, row-major, for one batch entry. */
export function matmulInto(
  kernels: Kernels,
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
  out: Float32Array
): void {
  if (!kernels.simd) {
    // The JS kernel takes W transposed (n x k) and x as m x k.
    const x = transposeA ? transpose(a, k, m) : a;
    const wt = transposeB ? b : transpose(b, k, n);
    const w: IWeightMatrix = { k, n, np: n, data: wt, ptr: -1 };
    out.fill(0);
    kernels.gemm(x, m, w, out);
    return;
  }
  const np = Math.ceil(n / 32) * 32;
  // Scratch inside the WebAssembly memory: packed W, x, output.
  const [wView, xView, outView] = kernels.workspace([k * np, m * k, m * np]);
  // W as the kernels take it: row-major k x n, packed in panels.
  wView.set(packPanels(transposeB ? transpose(b, n, k) : b, k, n, np));
  if (transposeA) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) {
        xView[i * k + j] = a[j * m + i];
      }
    }
  } else {
    xView.set(a.subarray(0, m * k));
  }
  const w: IWeightMatrix = {
    k,
    n,
    np,
    data: new Float32Array(0),
    ptr: wView.byteOffset
  };
  kernels.gemm(xView, m, w, outView);
  for (let i = 0; i < m; i++) {
    out.set(outView.subarray(i * np, i * np + n), i * n);
  }
}

/** A row-major `rows x cols` matrix transposed (`cols x rows`). */
export function transpose(
  x: Float32Array,
  rows: number,
  cols: number
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out[j * rows + i] = x[i * cols + j];
    }
  }
  return out;
}

let installed = false;

/** Replaces the CPU backend's BatchMatMul (once per JS realm). */
export function installFastMatMul(tf: TF): void {
  if (installed) {
    return;
  }
  const original = tf.getKernel('BatchMatMul', 'cpu');
  if (!original) {
    return;
  }
  const kernels = new Kernels();
  tf.unregisterKernel('BatchMatMul', 'cpu');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'cpu',
    kernelFunc: (args => {
      const { inputs, attrs } = args as unknown as {
        inputs: { a: ITensorInfo; b: ITensorInfo };
        attrs: { transposeA: boolean; transposeB: boolean };
      };
      const backend = args.backend as unknown as ICpuBackend;
      const { a, b } = inputs;
      const ra = a.shape.length;
      const rb = b.shape.length;
      const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
      const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
      const va = backend.data.get(a.dataId).values;
      const vb = backend.data.get(b.dataId).values;
      if (
        ra !== rb ||
        batchA !== batchB ||
        a.dtype !== 'float32' ||
        b.dtype !== 'float32' ||
        !(va instanceof Float32Array) ||
        !(vb instanceof Float32Array) ||
        a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])
      ) {
        return original.kernelFunc(args);
      }
      const { transposeA, transposeB } = attrs;
      const [a0, a1] = a.shape.slice(-2);
      const [b0, b1] = b.shape.slice(-2);
      const m = transposeA ? a1 : a0;
      const k = transposeA ? a0 : a1;
      const n = transposeB ? b0 : b1;
      const out = new Float32Array(batchA * m * n);
      for (let i = 0; i < batchA; i++) {
        matmulInto(
          kernels,
          va.subarray(i * m * k, (i + 1) * m * k),
          vb.subarray(i * k * n, (i + 1) * k * n),
          m,
          k,
          n,
          transposeA,
          transposeB,
          out.subarray(i * m * n, (i + 1) * m * n)
        );
      }
      return backend.makeTensorInfo(
        [...a.shape.slice(0, -2), m, n],
        'float32',
        out
      ) as never;
    }) as typeof original.kernelFunc
  });
  installed = true;
}
