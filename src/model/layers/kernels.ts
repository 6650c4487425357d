/**
 * Matrix and GRU-gate kernels bound to one model: the WebAssembly SIMD
 * module of `kernels/` (128-bit f32x4) where the runtime supports it, with
 * its memory managed here, and plain TypeScript otherwise. The products
 * compute `out[m x np] += x[m x k] . W` with W padded to `np` columns (on
 * the SIMD path stored in 16-column panels, see `packPanels`).
 */
import { gemmJs, transposed } from './kernels/fallback';
import { PANEL, packPanels } from './kernels/gemm';
import { align16, IResident, IStartRow, KernelMemory } from './kernels/memory';
import {
  kernelModuleBytes,
  kernelsSupported,
  simdSupported
} from './kernels/module';
import { fasterOneRow } from './kernels/one-row-choice';

export { packPanels, transposed };
export type { IResident, IStartRow };

/** A weight matrix laid out for the kernel. */
export interface IWeightMatrix {
  readonly k: number;
  /** Real column count. */
  readonly n: number;
  /** Padded column count = row stride of the output. */
  readonly np: number;
  /** JS path: the transposed matrix (`n x k`); empty on the SIMD path. */
  readonly data: Float32Array;
  /** Byte offset inside the WebAssembly memory (SIMD path), -1 otherwise. */
  readonly ptr: number;
}

type Kernel = (...args: number[]) => void;

/** The module's functions that `Kernels` calls. */
interface IKernelExports {
  gemm: Kernel;
  gemmNarrow: Kernel;
  gemm2: Kernel;
  gruGatesRows: Kernel;
  gruBackRows: Kernel;
  scaleAverage: Kernel;
  scaleRow: Kernel;
}

/**
 * How many times the WebAssembly SIMD kernels ran (matrix products and GRU
 * gate updates), over all instances: lets tests check that a run claimed to
 * use SIMD really did.
 */
export function simdKernelCalls(): number {
  return Private.calls.simd;
}

/** Matrix kernels bound to one model (one WebAssembly memory each). */
export class Kernels {
  /** Whether the WebAssembly SIMD kernel is used. */
  readonly simd: boolean;
  /** Whether the matrix products use relaxed SIMD's multiply-add. */
  readonly relaxed: boolean;
  /**
   * The one-row product in use: two panels per pass over k, or one (the
   * same floats; the faster on this engine, timed once).
   */
  readonly oneRow: 'wide' | 'narrow' = 'wide';

  /**
   * `relaxed`: use `f32x4.relaxed_madd` in the matrix products where the
   * engine has relaxed SIMD (a fused multiply-add: results differ from the
   * plain kernel in the last bits; default false).
   */
  constructor(options: { simd?: boolean; relaxed?: boolean } = {}) {
    const want = options.simd ?? true;
    this.simd = want && simdSupported();
    this.relaxed =
      this.simd && options.relaxed === true && kernelsSupported(true);
    if (this.simd) {
      const module = new WebAssembly.Module(kernelModuleBytes(this.relaxed));
      const exports = new WebAssembly.Instance(module, {}).exports;
      const memory = new KernelMemory(exports.memory as WebAssembly.Memory);
      this.oneRow = fasterOneRow(
        exports.gemm as Kernel,
        exports.gemm_narrow as Kernel,
        memory,
        this.relaxed ? 'relaxed' : 'plain'
      );
      this._memory = memory;
      this._k = {
        gemm: exports.gemm as Kernel,
        gemmNarrow: exports.gemm_narrow as Kernel,
        gemm2: exports.gemm2 as Kernel,
        gruGatesRows: exports.gru_gates_rows as Kernel,
        gruBackRows: exports.gru_back_rows as Kernel,
        scaleAverage: exports.scale_average as Kernel,
        scaleRow: exports.scale_row as Kernel
      };
    }
  }

  /** Lays out a row-major `k x n` weight matrix for `gemm`. */
  matrix(w: Float32Array, k: number, n: number): IWeightMatrix {
    const np = this.simd ? Math.ceil(n / PANEL) * PANEL : n;
    if (!this.simd) {
      // The JS kernel takes dot products against a transposed copy (n x k).
      return { k, n, np, data: transposed(w, k, n), ptr: -1 };
    }
    const ptr = this._memory!.permanent(packPanels(w, k, n, np));
    // The JS copy is not needed on the SIMD path.
    return { k, n, np, data: new Float32Array(0), ptr };
  }

  /**
   * A start row for products by `w` (`gemm`'s `start`): `values` padded to
   * `w.np`. Like `matrix`, it takes permanent memory.
   */
  startRow(values: Float32Array, w: IWeightMatrix): IStartRow {
    const padded = new Float32Array(w.np);
    padded.set(values.subarray(0, w.n));
    return this.resident(padded);
  }

  /**
   * `values` copied into permanent memory (on the SIMD path), where the
   * kernels read them in place; like `matrix`, make it before taking a
   * workspace.
   */
  resident(values: Float32Array): IResident {
    if (!this.simd) {
      return { values, ptr: -1 };
    }
    return { values, ptr: this._memory!.permanent(values) };
  }

  /**
   * `W^T` (`n x k`) of a row-major `k x n` weight matrix, laid out for
   * `gemm`: a backward pass multiplies gradients by it. Like `matrix`, it
   * takes permanent memory: make it before taking a workspace.
   */
  transposedMatrix(w: Float32Array, k: number, n: number): IWeightMatrix {
    return this.matrix(transposed(w, k, n), n, k);
  }

  /**
   * Scratch arrays for one layer call. On the SIMD path they live inside the
   * WebAssembly memory so `gemm` needs no copies; they stay valid until the
   * next `workspace` call or any `gemm` on arrays outside the workspace.
   * `zeroed` false leaves old values in them (the caller writes them all).
   */
  workspace(sizes: number[], reserveFloats = 0, zeroed = true): Float32Array[] {
    if (!this.simd) {
      return sizes.map(s => new Float32Array(s));
    }
    // `reserveFloats` keeps room for gemm operand copies so they do not grow (detach) memory.
    return this._memory!.workspace(sizes, reserveFloats, zeroed);
  }

  /**
   * `out[m x np] += x[m x k] . W` (out has row stride `w.np`); with
   * `start`, `out = start + x . W` for every row (the same floats as
   * filling out's rows with `start` first).
   */
  gemm(
    x: Float32Array,
    m: number,
    w: IWeightMatrix,
    out: Float32Array,
    start?: IStartRow
  ): void {
    if (m === 0) {
      return;
    }
    const memory = this._memory;
    const inMemory =
      memory !== null &&
      x.buffer === memory.buffer &&
      out.buffer === memory.buffer;
    if (start && !(inMemory && w.k > 0)) {
      // The kernel starts from the row only with both operands inside.
      for (let r = 0; r < m; r++) {
        out.set(start.values, r * w.np);
      }
      this.gemm(x, m, w, out);
      return;
    }
    if (w.k === 0) {
      return;
    }
    if (!this.simd) {
      gemmJs(x, m, w.k, w.data, w.np, out);
      return;
    }
    Private.calls.simd++;
    const xIn = x.buffer === memory!.buffer;
    const outIn = out.buffer === memory!.buffer;
    if (xIn && outIn) {
      this._run(x.byteOffset, m, w, out.byteOffset, start);
      return;
    }
    // (Only with out outside the memory too: a block may grow the memory,
    // which would detach an out that lives in it.)
    if (
      !xIn &&
      !outIn &&
      m > 2 * Private.BLOCK_ROWS_MIN &&
      m * w.k > Private.BLOCK_FLOATS
    ) {
      this._gemmInBlocks(x, m, w, out);
      return;
    }
    // Copy operands above the workspace; growing detaches earlier workspace views.
    const xSize = xIn ? 0 : align16(m * w.k);
    const outSize = outIn ? 0 : m * w.np;
    const base = this._memory!.top;
    this._memory!.ensure(base + (xSize + outSize) * 4);
    const buffer = this._memory!.buffer;
    const xPtr = xIn ? x.byteOffset : base;
    if (!xIn) {
      new Float32Array(buffer, xPtr, m * w.k).set(x.subarray(0, m * w.k));
    }
    const outPtr = outIn ? out.byteOffset : base + xSize * 4;
    if (!outIn) {
      new Float32Array(buffer, outPtr, outSize).set(out.subarray(0, outSize));
    }
    this._run(xPtr, m, w, outPtr);
    if (!outIn) {
      out.set(new Float32Array(this._memory!.buffer, outPtr, outSize));
    }
  }

  /**
   * The GRU (reset_after=True, sigmoid / tanh) state update of every row of
   * one step (the kernel of `kernels/gru-gates.ts`), all operands inside
   * the workspace: row b reads `xProj` from `rows[b]`, `inner` from
   * `b * innerStride`, `h` and writes `out` at `b * units`, and with `tape`
   * (rows of `tapeWidth` floats) keeps its tape. `rowScratch` (at least
   * `batch` floats) takes the row offsets. Returns how many units per row
   * it computed: all (the last `units % 4` lane by lane; its reads may run
   * up to 3 floats past an operand, which the workspace's slack covers), or
   * 0 without SIMD or under 4 units: the caller then computes them.
   */
  gruGateRows(
    xProj: Float32Array,
    rows: Int32Array,
    inner: Float32Array,
    innerStride: number,
    h: Float32Array,
    out: Float32Array,
    batch: number,
    units: number,
    rowScratch: Float32Array,
    tape: Float32Array | null,
    tapeWidth: number
  ): number {
    const groups = units >> 2;
    if (!this.simd || groups === 0 || batch === 0) {
      return 0;
    }
    Private.calls.simd++;
    const view = this._memory!.int32(rowScratch);
    for (let b = 0; b < batch; b++) {
      view[b] = rows[b];
    }
    this._k!.gruGatesRows(
      xProj.byteOffset,
      view.byteOffset,
      inner.byteOffset,
      h.byteOffset,
      out.byteOffset,
      batch,
      groups,
      units * 4,
      innerStride * 4,
      tape === null ? 0 : tape.byteOffset,
      tapeWidth * 4,
      units & 3
    );
    return units;
  }

  /**
   * The GRU (reset_after=True, sigmoid / tanh) backward gate step of every
   * row of one step (the kernel of `kernels/gru-backward.ts`, the same
   * floats as the scalar loop of `gru.ts`), all operands inside the
   * workspace: row b reads `dh` at `b * units` and its tape row (slots h,
   * z, r, hh, i_h) at `b * tapeWidth`, writes `dA` and `dInner` at
   * `b * 3 * units` and `dhPrev` at `b * units`. Returns how many units per
   * row it computed (a multiple of 4; 0 without SIMD or with an operand
   * outside the workspace): the caller computes the rest.
   */
  gruBackRows(
    operands: {
      dh: Float32Array;
      tape: Float32Array;
      dA: Float32Array;
      dInner: Float32Array;
      dhPrev: Float32Array;
    },
    batch: number,
    units: number,
    tapeWidth: number
  ): number {
    const groups = units >> 2;
    const { dh, tape, dA, dInner, dhPrev } = operands;
    if (
      !this.simd ||
      groups === 0 ||
      batch === 0 ||
      [dh, tape, dA, dInner, dhPrev].some(
        a => a.buffer !== this._memory!.buffer
      )
    ) {
      return 0;
    }
    Private.calls.simd++;
    this._k!.gruBackRows(
      dh.byteOffset,
      tape.byteOffset,
      dA.byteOffset,
      dInner.byteOffset,
      dhPrev.byteOffset,
      batch,
      groups,
      units * 4,
      tapeWidth * 4
    );
    return groups * 4;
  }

  /**
   * The fused attention head's sums of one batch row (the kernel of
   * `kernels/scale-average.ts`), all operands inside the workspace: adds,
   * for steps j = `from..from + count - 1` in order, the float32 products
   * of the `4 * groups` floats at byte address `addresses[j]` and
   * `weights[j]` to `sums` (f64), as `graph/scaled-average.ts` does.
   */
  scaleAverage(
    addresses: Int32Array,
    weights: Float32Array,
    from: number,
    count: number,
    groups: number,
    sums: Float64Array
  ): void {
    Private.calls.simd++;
    this._k!.scaleAverage(
      addresses.byteOffset + from * 4,
      weights.byteOffset + from * 4,
      count,
      groups,
      sums.byteOffset
    );
  }

  /**
   * `out[0..n) = alpha * table[from..from + n) (+ bias[0..n))`, each
   * float32 operation rounded once (the kernel of `kernels/scale-row.ts`),
   * `out` inside the workspace, `table` and `bias` resident. Returns how
   * many floats it wrote (n rounded down to a multiple of 4; 0 without
   * SIMD): the caller writes the rest.
   */
  scaleRow(
    out: Float32Array,
    at: number,
    table: IResident,
    from: number,
    alpha: number,
    bias: IResident | null,
    n: number
  ): number {
    const groups = n >> 2;
    if (
      !this.simd ||
      groups === 0 ||
      table.ptr < 0 ||
      out.buffer !== this._memory!.buffer
    ) {
      return 0;
    }
    Private.calls.simd++;
    this._k!.scaleRow(
      out.byteOffset + at * 4,
      table.ptr + from * 4,
      alpha,
      bias ? bias.ptr : 0,
      groups
    );
    return groups * 4;
  }

  /** Bytes of WebAssembly memory held (0 on the JS path). */
  get memoryBytes(): number {
    return this._memory ? this._memory.bytes : 0;
  }

  /** Drops the WebAssembly instance; the object must not be used afterwards. */
  dispose(): void {
    this._memory = null;
    this._k = null;
  }

  /**
   * A product whose x lives outside the memory, in blocks of rows: each
   * block's copy is small enough to stay in cache for the kernel, where a
   * copy of all of x (a recurrent layer's [batch, T, units] output: MBs)
   * would go to memory and back, and the memory need not grow to hold it.
   */
  private _gemmInBlocks(
    x: Float32Array,
    m: number,
    w: IWeightMatrix,
    out: Float32Array
  ): void {
    const rows = Math.max(
      Private.BLOCK_ROWS_MIN,
      Math.floor(Private.BLOCK_FLOATS / w.k) & ~1
    );
    for (let first = 0; first < m; first += rows) {
      const count = Math.min(rows, m - first);
      this.gemm(
        x.subarray(first * w.k, (first + count) * w.k),
        count,
        w,
        out.subarray(first * w.np, (first + count) * w.np)
      );
    }
  }

  /**
   * Pairs of rows through gemm2, an odd last row through `_oneRow`; rows
   * start from `start` or from out.
   */
  private _run(
    xPtr: number,
    m: number,
    w: IWeightMatrix,
    outPtr: number,
    start?: IStartRow
  ): void {
    const pairs = m >> 1;
    const rowBytes = w.np * 4;
    if (pairs > 0) {
      const [init, initRowBytes] = start ? [start.ptr, 0] : [outPtr, rowBytes];
      this._k!.gemm2(xPtr, pairs, w.k, w.ptr, w.np, outPtr, init, initRowBytes);
    }
    if (m & 1) {
      const last = m - 1;
      const lastOut = outPtr + last * rowBytes;
      this._oneRow(xPtr + last * w.k * 4, w, lastOut, start?.ptr ?? lastOut);
    }
  }

  /**
   * One row: the two-panel product over whole 32-column blocks where it is
   * the faster, then the one-panel product over what is left (`np` is a
   * multiple of 16; the row stride does not matter for one row).
   */
  private _oneRow(
    xPtr: number,
    w: IWeightMatrix,
    outPtr: number,
    initPtr: number
  ): void {
    const wide = this.oneRow === 'wide' ? w.np - (w.np % 32) : 0;
    if (wide > 0) {
      this._k!.gemm(xPtr, 1, w.k, w.ptr, wide, outPtr, initPtr, 0);
    }
    if (wide < w.np) {
      this._k!.gemmNarrow(
        xPtr,
        1,
        w.k,
        w.ptr + wide * w.k * 4,
        w.np - wide,
        outPtr + wide * 4,
        initPtr + wide * 4,
        0
      );
    }
  }

  private _memory: KernelMemory | null = null;
  private _k: IKernelExports | null = null;
}

/** Floating-point operations of one `gemm` call (for throughput reports). */
export function gemmFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

namespace Private {
  // An object: the counter is changed from outside this namespace.
  export const calls = { simd: 0 };

  /** Floats of x a block of `Kernels.gemm` copies at most (128 kB). */
  export const BLOCK_FLOATS = 1 << 15;
  /** Rows per block at least (an even number: gemm2 takes pairs). */
  export const BLOCK_ROWS_MIN = 8;
}
