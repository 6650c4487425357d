/**
 * Matrix-multiply kernels: a hand-assembled WebAssembly SIMD kernel (128-bit
 * f32x4, 8 accumulators per 32-column block) where the runtime supports it,
 * and a plain TypeScript kernel otherwise. Both compute
 * `out[m x np] += x[m x k] . W[k x np]` with W padded to `np` columns
 * (on the SIMD path stored in 16-column panels, see `packPanels`).
 */

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

/** Matrix kernels bound to one model (one WebAssembly memory each). */
/**
 * How many times the WebAssembly SIMD kernels ran (matrix products and GRU
 * gate updates), over all instances: lets tests check that a run claimed to
 * use SIMD really did.
 */
export function simdKernelCalls(): number {
  return Private.calls.simd;
}

export class Kernels {
  /** Whether the WebAssembly SIMD kernel is used. */
  readonly simd: boolean;

  constructor(options: { simd?: boolean } = {}) {
    const want = options.simd ?? true;
    this.simd = want && Private.simdSupported();
    if (this.simd) {
      const module = new WebAssembly.Module(Private.moduleBytes());
      const instance = new WebAssembly.Instance(module, {});
      this._memory = instance.exports.memory as WebAssembly.Memory;
      this._gemm = instance.exports.gemm as (...args: number[]) => void;
      this._gruGates = instance.exports.gru_gates as (
        ...args: number[]
      ) => void;
      this._gemm2 = instance.exports.gemm2 as (...args: number[]) => void;
    }
  }

  /** Lays out a row-major `k x n` weight matrix for `gemm`. */
  matrix(w: Float32Array, k: number, n: number): IWeightMatrix {
    const np = this.simd ? Math.ceil(n / 32) * 32 : n;
    if (!this.simd) {
      // The JS kernel takes dot products against a transposed copy (n x k).
      return { k, n, np, data: transposed(w, k, n), ptr: -1 };
    }
    const data = packPanels(w, k, n, np);
    const ptr = this._allocPermanent(data.length);
    new Float32Array(this._memory!.buffer, ptr, data.length).set(data);
    // The JS copy is not needed on the SIMD path.
    return { k, n, np, data: new Float32Array(0), ptr };
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
   */
  workspace(sizes: number[], reserveFloats = 0): Float32Array[] {
    if (!this.simd) {
      return sizes.map(s => new Float32Array(s));
    }
    const total = sizes.reduce((a, s) => a + Private.align16(s), 0);
    // `reserveFloats` keeps room for gemm operand copies so they do not grow (detach) memory.
    this._ensure(
      this._permanentTop + (total + Private.align16(reserveFloats) + 16) * 4
    );
    const views: Float32Array[] = [];
    let at = this._permanentTop;
    for (const s of sizes) {
      const view = new Float32Array(this._memory!.buffer, at, s);
      view.fill(0);
      views.push(view);
      at += Private.align16(s) * 4;
    }
    this._workspaceTop = at;
    return views;
  }

  /** `out[m x np] += x[m x k] . W` (out has row stride `w.np`). */
  gemm(x: Float32Array, m: number, w: IWeightMatrix, out: Float32Array): void {
    if (m === 0 || w.k === 0) {
      return;
    }
    if (!this.simd) {
      Private.gemmJs(x, m, w.k, w.data, w.np, out);
      return;
    }
    Private.calls.simd++;
    const memory = this._memory!;
    const xIn = x.buffer === memory.buffer;
    const outIn = out.buffer === memory.buffer;
    if (xIn && outIn) {
      this._run(x.byteOffset, m, w, out.byteOffset);
      return;
    }
    // Copy operands above the workspace; growing detaches earlier workspace views.
    const xSize = xIn ? 0 : Private.align16(m * w.k);
    const outSize = outIn ? 0 : m * w.np;
    const base = this._workspaceTop;
    this._ensure(base + (xSize + outSize) * 4);
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
   * The GRU (reset_after=True, sigmoid / tanh) state update for one batch
   * row, all operands inside the workspace. Returns how many units it
   * computed (a multiple of 4; 0 without SIMD): the caller computes the rest.
   */
  gruGates(
    x: Float32Array,
    inner: Float32Array,
    h: Float32Array,
    out: Float32Array,
    units: number
  ): number {
    const groups = units >> 2;
    if (!this.simd || groups === 0) {
      return 0;
    }
    Private.calls.simd++;
    this._gruGates!(
      x.byteOffset,
      inner.byteOffset,
      h.byteOffset,
      out.byteOffset,
      groups,
      units * 4
    );
    return groups * 4;
  }

  /** Bytes of WebAssembly memory held (0 on the JS path). */
  get memoryBytes(): number {
    return this._memory ? this._memory.buffer.byteLength : 0;
  }

  /** Drops the WebAssembly instance; the object must not be used afterwards. */
  dispose(): void {
    this._memory = null;
    this._gemm = null;
    this._gruGates = null;
    this._gemm2 = null;
  }

  /** Pairs of rows through gemm2, an odd last row through gemm. */
  private _run(
    xPtr: number,
    m: number,
    w: IWeightMatrix,
    outPtr: number
  ): void {
    const pairs = m >> 1;
    if (pairs > 0 && w.np % 16 === 0) {
      this._gemm2!(xPtr, pairs, w.k, w.ptr, w.np, outPtr);
      if (m & 1) {
        const last = m - 1;
        this._gemm!(
          xPtr + last * w.k * 4,
          1,
          w.k,
          w.ptr,
          w.np,
          outPtr + last * w.np * 4
        );
      }
      return;
    }
    this._gemm!(xPtr, m, w.k, w.ptr, w.np, outPtr);
  }

  private _allocPermanent(floats: number): number {
    const ptr = this._permanentTop;
    this._permanentTop += Private.align16(floats) * 4;
    this._workspaceTop = this._permanentTop;
    this._ensure(this._permanentTop);
    return ptr;
  }

  private _ensure(bytes: number): void {
    const memory = this._memory!;
    const have = memory.buffer.byteLength;
    if (bytes > have) {
      memory.grow(Math.ceil((bytes - have) / 65536));
    }
  }

  private _memory: WebAssembly.Memory | null = null;
  private _gemm: ((...args: number[]) => void) | null = null;
  private _gruGates: ((...args: number[]) => void) | null = null;
  private _gemm2: ((...args: number[]) => void) | null = null;
  // Byte 0..15 stays unused so no pointer is 0.
  private _permanentTop = 16;
  private _workspaceTop = 16;
}

/** Columns per panel of a packed weight matrix. */
const PANEL = 16;

/**
 * Packs a row-major `k x n` matrix for the SIMD kernels: `np / 16` panels
 * of 16 columns, each stored as k contiguous rows of 16 floats (zeros past
 * column n). The kernels then read W sequentially, 64 bytes per step of
 * the inner product, instead of one row of np floats apart.
 */
export function packPanels(
  w: Float32Array,
  k: number,
  n: number,
  np: number
): Float32Array {
  const data = new Float32Array(k * np);
  for (let p = 0; p < np / PANEL; p++) {
    const width = Math.min(PANEL, n - p * PANEL);
    for (let i = 0; i < k && width > 0; i++) {
      const from = i * n + p * PANEL;
      data.set(w.subarray(from, from + width), (p * k + i) * PANEL);
    }
  }
  return data;
}

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

/** Floating-point operations of one `gemm` call (for throughput reports). */
export function gemmFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

namespace Private {
  // An object: the counter is changed from outside this namespace.
  export const calls = { simd: 0 };

  export function align16(floats: number): number {
    return Math.ceil(floats / 4) * 4;
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

  let simdCache: boolean | undefined;

  export function simdSupported(): boolean {
    if (simdCache === undefined) {
      try {
        simdCache =
          typeof WebAssembly === 'object' &&
          WebAssembly.validate(moduleBytes());
      } catch {
        simdCache = false;
      }
    }
    return simdCache;
  }

  export function uleb(value: number): number[] {
    const bytes: number[] = [];
    do {
      let byte = value & 0x7f;
      value >>>= 7;
      if (value !== 0) {
        byte |= 0x80;
      }
      bytes.push(byte);
    } while (value !== 0);
    return bytes;
  }

  export function sleb(value: number): number[] {
    const bytes: number[] = [];
    for (;;) {
      const byte = value & 0x7f;
      value >>= 7;
      const done =
        (value === 0 && (byte & 0x40) === 0) ||
        (value === -1 && (byte & 0x40) !== 0);
      bytes.push(done ? byte : byte | 0x80);
      if (done) {
        return bytes;
      }
    }
  }

  export function section(id: number, body: number[]): number[] {
    return [id, ...uleb(body.length), ...body];
  }

  export function name(text: string): number[] {
    const bytes = Array.from(text, c => c.charCodeAt(0));
    return [...uleb(bytes.length), ...bytes];
  }

  /** WebAssembly opcodes and immediates shared by the hand-assembled kernels. */
  export namespace Op {
    export const I32 = 0x7f;
    export const V128 = 0x7b;
    export const get = (i: number) => [0x20, ...uleb(i)];
    export const set = (i: number) => [0x21, ...uleb(i)];
    export const tee = (i: number) => [0x22, ...uleb(i)];
    export const i32c = (v: number) => [0x41, ...sleb(v)];
    /** i32 arithmetic and unsigned compare. */
    export const add = 0x6a;
    export const sub = 0x6b;
    export const mul = 0x6c;
    export const ltU = 0x49;
    /** v128 load/store with 16-byte alignment (align exponent 4). */
    export const v128Load = (offset: number) => [
      0xfd,
      0x00,
      4,
      ...uleb(offset)
    ];
    export const v128Store = (offset: number) => [
      0xfd,
      0x0b,
      4,
      ...uleb(offset)
    ];
    export const f32Load = [0x2a, 2, 0];
    export const splat = [0xfd, 0x13];
    export const f4add = [0xfd, ...uleb(228)];
    export const f4mul = [0xfd, ...uleb(230)];
    export const loop = [0x03, 0x40];
    export const end = 0x0b;
    export const brIf = (depth: number) => [0x0d, depth];

    /** A body and the `emit` that appends opcodes (numbers or byte arrays) to it. */
    export function emitter(): [
      number[],
      (...parts: Array<number | number[]>) => void
    ] {
      const body: number[] = [];
      const emit = (...parts: Array<number | number[]>) => {
        for (const p of parts) {
          if (Array.isArray(p)) {
            body.push(...p);
          } else {
            body.push(p);
          }
        }
      };
      return [body, emit];
    }
  }

  /**
   * gemm2(xPtr, pairs, k, wPtr, np, outPtr): like gemm for 2 rows at a
   * time with 16-column blocks, so every W load feeds two rows (fewer loads
   * per multiply-add for batches).
   */
  export function gemm2Body(): number[] {
    const { I32, V128, get, set, tee, i32c, add, sub, mul, ltU } = Op;
    const { v128Load, v128Store, f32Load, splat, f4add, f4mul } = Op;
    const { loop, end, brIf } = Op;
    // params 0 x, 1 pairs, 2 k, 3 w, 4 np, 5 out
    // i32 6 b, 7 nb, 8 j, 9 xp, 10 wp, 11 op, 12 rowBytes, 13 kBytes, 14 op1
    // v128 15 s0, 16 s1, 17..20 acc0, 21..24 acc1, 25 w
    const S0 = 15;
    const S1 = 16;
    const A0 = 17;
    const A1 = 21;
    const W = 25;
    const [body, emit] = Op.emitter();
    emit(get(4), i32c(4), mul, set(12));
    emit(get(2), i32c(4), mul, set(13));
    // Column blocks outside, row pairs inside: the k x 16 block of W stays
    // in L1 while every row pair passes over it.
    emit(loop);
    emit(i32c(0), set(6));
    emit(loop);
    // op = out + (2b * np + nb) * 4; op1 = op + rowBytes
    emit(
      get(5),
      get(6),
      i32c(2),
      mul,
      get(4),
      mul,
      get(7),
      add,
      i32c(4),
      mul,
      add,
      tee(11),
      get(12),
      add,
      set(14)
    );
    for (let i = 0; i < 4; i++) {
      emit(
        get(11),
        v128Load(16 * i),
        set(A0 + i),
        get(14),
        v128Load(16 * i),
        set(A1 + i)
      );
    }
    // xp = x + 2b * kBytes; wp = w + nb * 4
    emit(get(0), get(6), i32c(2), mul, get(13), mul, add, set(9));
    // wp = w + nb * k * 4: the panel of columns nb..nb+15.
    emit(get(3), get(7), get(2), mul, i32c(4), mul, add, set(10));
    emit(get(2), set(8));
    emit(loop);
    emit(get(9), f32Load, splat, set(S0));
    emit(get(9), get(13), add, f32Load, splat, set(S1));
    for (let i = 0; i < 4; i++) {
      emit(
        get(A0 + i),
        get(10),
        v128Load(16 * i),
        tee(W),
        get(S0),
        f4mul,
        f4add,
        set(A0 + i)
      );
      emit(get(A1 + i), get(W), get(S1), f4mul, f4add, set(A1 + i));
    }
    emit(get(9), i32c(4), add, set(9));
    emit(get(10), i32c(PANEL * 4), add, set(10));
    emit(get(8), i32c(1), sub, tee(8), brIf(0));
    emit(end);
    for (let i = 0; i < 4; i++) {
      emit(
        get(11),
        get(A0 + i),
        v128Store(16 * i),
        get(14),
        get(A1 + i),
        v128Store(16 * i)
      );
    }
    emit(get(6), i32c(1), add, tee(6), get(1), ltU, brIf(0));
    emit(end);
    emit(get(7), i32c(16), add, tee(7), get(4), ltU, brIf(0));
    emit(end);
    emit(end);
    return [2, 9, I32, 11, V128, ...body];
  }

  /** f32x4 constant. */
  export function f4const(v: number): number[] {
    const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
    return [0xfd, 0x0c, ...Array.from(b)];
  }

  /**
   * gru_gates(xPtr, innerPtr, hPtr, outPtr, groups, gateBytes): the GRU
   * (reset_after=True, sigmoid/tanh) update for `groups` x 4 units of one
   * row: z = sigmoid(x_z + i_z), r = sigmoid(x_r + i_r),
   * hh = tanh(x_h + r * i_h), out = hh + z * (h - hh). exp is evaluated as
   * 2^k * p(r) with Cody-Waite reduction and a degree-6 polynomial
   * (relative error ~1e-7, float32 level).
   */
  export function gruGatesBody(): number[] {
    const { V128, get, set, tee, i32c, loop, end, brIf } = Op;
    // f32x4 arithmetic here (not the i32 ops of Op); loads/stores align 0.
    const simd = (op: number) => [0xfd, ...uleb(op)];
    const load = (offset = 0) => [0xfd, 0x00, 0, ...uleb(offset)];
    const store = (offset = 0) => [0xfd, 0x0b, 0, ...uleb(offset)];
    const add = simd(0xe4);
    const sub = simd(0xe5);
    const mul = simd(0xe6);
    const div = simd(0xe7);
    const min = simd(0xe8);
    const max = simd(0xe9);
    const neg = simd(0xe1);
    const nearest = simd(0x6a);
    const truncSat = simd(0xf8);
    const i4add = simd(0xae);
    const i4shl = simd(0xab);
    const i32add = Op.add;
    const i32sub = Op.sub;
    // params 0 x, 1 inner, 2 h, 3 out, 4 groups, 5 gateBytes; v128 locals 6..12
    const Z = 6;
    const R = 7;
    const T = 8;
    const K = 9;
    const RR = 10;
    const T2 = 11;
    const HH = 12;
    const [body, emit] = Op.emitter();
    // value on stack -> exp(value) on stack
    const exp = () => {
      emit(f4const(88), min, f4const(-87), max, tee(T));
      emit(f4const(Math.LOG2E), mul, nearest, set(K));
      emit(
        get(T),
        get(K),
        f4const(0.693359375),
        mul,
        sub,
        get(K),
        f4const(-2.1219444e-4),
        mul,
        sub,
        set(RR)
      );
      emit(f4const(1 / 720), get(RR), mul, f4const(1 / 120), add);
      for (const c of [1 / 24, 1 / 6, 0.5, 1, 1]) {
        emit(get(RR), mul, f4const(c), add);
      }
      emit(get(K), truncSat, [
        0xfd,
        0x0c,
        ...Array.from(
          new Uint8Array(new Int32Array([127, 127, 127, 127]).buffer)
        )
      ]);
      emit(i4add, i32c(23), i4shl, mul);
    };
    const sigmoid = () => {
      emit(neg);
      exp();
      emit(f4const(1), add, set(T2), f4const(1), get(T2), div);
    };
    const tanh = () => {
      emit(f4const(2), mul);
      exp();
      emit(f4const(1), add, set(T2), f4const(1), f4const(2), get(T2), div, sub);
    };
    const at = (base: number, gates: number) => {
      emit(get(base));
      for (let g = 0; g < gates; g++) {
        emit(get(5), i32add);
      }
    };
    emit(loop);
    // z
    emit(get(0), load(), get(1), load(), add);
    sigmoid();
    emit(set(Z));
    // r
    at(0, 1);
    emit(load());
    at(1, 1);
    emit(load(), add);
    sigmoid();
    emit(set(R));
    // hh
    at(0, 2);
    emit(load());
    at(1, 2);
    emit(load(), get(R), mul, add);
    tanh();
    emit(set(HH));
    // out = hh + z * (h - hh)
    emit(
      get(3),
      get(HH),
      get(Z),
      get(2),
      load(),
      get(HH),
      sub,
      mul,
      add,
      store()
    );
    for (const p of [0, 1, 2, 3]) {
      emit(get(p), i32c(16), i32add, set(p));
    }
    emit(get(4), i32c(1), i32sub, tee(4), brIf(0));
    emit(end, end);
    return [1, 7, V128, ...body];
  }

  let bytesCache: Uint8Array | undefined;

  /**
   * gemm(xPtr, m, k, wPtr, np, outPtr): for each row b, for each 32-column
   * block, 8 f32x4 accumulators are loaded from out, updated with
   * splat(x[b, j]) * W[j, block] for every j, and stored back.
   */
  export function moduleBytes(): Uint8Array {
    if (bytesCache) {
      return bytesCache;
    }
    const { I32, V128, get, set, tee, i32c, add, sub, mul, ltU } = Op;
    const { v128Load, v128Store, f32Load, splat, f4add, f4mul } = Op;
    const { loop, end, brIf } = Op;

    // params 0 xPtr, 1 m, 2 k, 3 wPtr, 4 np, 5 outPtr
    // i32 locals 6 b, 7 nb, 8 j, 9 xp, 10 wp (first panel), 11 op,
    // 12 panelBytes, 13 wp2 (second panel)
    // v128 locals 14 s, 15..22 accumulators
    const S = 14;
    const ACC = 15;
    const [body, emit] = Op.emitter();
    emit(get(2), i32c(PANEL * 4), mul, set(12));
    emit(loop); // rows
    emit(i32c(0), set(7));
    emit(loop); // column blocks
    emit(get(5), get(6), get(4), mul, get(7), add, i32c(4), mul, add, set(11));
    for (let i = 0; i < 8; i++) {
      emit(get(11), v128Load(16 * i), set(ACC + i));
    }
    emit(get(0), get(6), get(2), mul, i32c(4), mul, add, set(9));
    // The 32 columns from nb are two panels: wp = w + nb * k * 4.
    emit(get(3), get(7), get(2), mul, i32c(4), mul, add, tee(10));
    emit(get(12), add, set(13));
    emit(get(2), set(8));
    emit(loop); // inner product
    emit(get(9), f32Load, splat, set(S));
    for (let i = 0; i < 8; i++) {
      emit(
        get(ACC + i),
        get(i < 4 ? 10 : 13),
        v128Load(16 * (i % 4)),
        get(S),
        f4mul,
        f4add,
        set(ACC + i)
      );
    }
    emit(get(9), i32c(4), add, set(9));
    emit(get(10), i32c(PANEL * 4), add, set(10));
    emit(get(13), i32c(PANEL * 4), add, set(13));
    emit(get(8), i32c(1), sub, tee(8), brIf(0));
    emit(end);
    for (let i = 0; i < 8; i++) {
      emit(get(11), get(ACC + i), v128Store(16 * i));
    }
    emit(get(7), i32c(32), add, tee(7), get(4), ltU, brIf(0));
    emit(end);
    emit(get(6), i32c(1), add, tee(6), get(1), ltU, brIf(0));
    emit(end);
    emit(end); // function

    const locals = [2, 8, I32, 9, V128];
    const func = [...locals, ...body];
    const gates = gruGatesBody();
    const gemm2 = gemm2Body();
    const bytes = [
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00,
      ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]),
      ...section(3, [3, 0, 0, 0]),
      ...section(5, [1, 0x00, 1]),
      ...section(7, [
        4,
        ...name('gemm'),
        0x00,
        0,
        ...name('gru_gates'),
        0x00,
        1,
        ...name('gemm2'),
        0x00,
        2,
        ...name('memory'),
        0x02,
        0
      ]),
      ...section(10, [
        3,
        ...uleb(func.length),
        ...func,
        ...uleb(gates.length),
        ...gates,
        ...uleb(gemm2.length),
        ...gemm2
      ])
    ];
    bytesCache = new Uint8Array(bytes);
    return bytesCache;
  }
}
