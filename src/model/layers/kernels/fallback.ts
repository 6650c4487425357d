/**
 * The matrix product without WebAssembly SIMD (`Kernels` on an engine
 * without it, and jest's), on a transposed copy of W.
 */

/** The transpose (`n x k`) of a row-major `k x n` matrix. */
export function transposed(
  w: Float32Array,
  k: number,
  n: number
): Float32Array {
  const out = new Float32Array(k * n);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) {
      out[j * k + i] = w[i * n + j];
    }
  }
  return out;
}

/** `out[m x n] += x[m x k] . W` with W given transposed (`wt`: n x k); 4 partial sums per dot. */
export function gemmJs(
  x: Float32Array,
  m: number,
  k: number,
  wt: Float32Array,
  n: number,
  out: Float32Array
): void {
  const k4 = k - (k % 4);
  for (let r = 0; r < m; r++) {
    const xo = r * k;
    const o = r * n;
    for (let c = 0; c < n; c++) {
      const wo = c * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j < k4; j += 4) {
        s0 += x[xo + j] * wt[wo + j];
        s1 += x[xo + j + 1] * wt[wo + j + 1];
        s2 += x[xo + j + 2] * wt[wo + j + 2];
        s3 += x[xo + j + 3] * wt[wo + j + 3];
      }
      for (; j < k; j++) {
        s0 += x[xo + j] * wt[wo + j];
      }
      out[o + c] += s0 + s1 + s2 + s3;
    }
  }
}
