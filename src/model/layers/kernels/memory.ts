/**
 * The WebAssembly memory of one `Kernels`: permanent arrays at the bottom
 * (weight panels, projected tables, bias rows: made once per model), then
 * the workspace of one layer call, then room for operand copies. Growing
 * the memory detaches every view of it, so views are taken only after the
 * memory holds what they cover.
 */

/** Floats kept in the permanent memory, for the kernels to read. */
export interface IResident {
  readonly values: Float32Array;
  /** Byte offset inside the WebAssembly memory (SIMD path), -1 otherwise. */
  readonly ptr: number;
}

/** A row every product row can start from (a bias), laid out for `gemm`: `np` floats, zeros past the real columns. */
export type IStartRow = IResident;

/** `floats` rounded up to a multiple of 4 (16 bytes). */
export function align16(floats: number): number {
  return Math.ceil(floats / 4) * 4;
}

export class KernelMemory {
  constructor(readonly memory: WebAssembly.Memory) {}

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** The first byte above the workspace (where operand copies go). */
  get top(): number {
    return this._workspaceTop;
  }

  /** A permanent copy of `values`; returns its byte offset. */
  permanent(values: Float32Array): number {
    const ptr = this._permanentTop;
    this._permanentTop += align16(values.length) * 4;
    this._workspaceTop = this._permanentTop;
    this.ensure(this._permanentTop);
    new Float32Array(this.memory.buffer, ptr, values.length).set(values);
    return ptr;
  }

  /**
   * Views of `sizes` floats above the permanent arrays, with room for
   * `reserveFloats` more above them and 16 floats of slack (kernels may
   * read a few floats past an operand).
   */
  workspace(
    sizes: number[],
    reserveFloats: number,
    zeroed: boolean
  ): Float32Array[] {
    const total = sizes.reduce((a, s) => a + align16(s), 0);
    this.ensure(this._permanentTop + (total + align16(reserveFloats) + 16) * 4);
    const views: Float32Array[] = [];
    let at = this._permanentTop;
    for (const s of sizes) {
      const view = new Float32Array(this.memory.buffer, at, s);
      if (zeroed) {
        view.fill(0);
      }
      views.push(view);
      at += align16(s) * 4;
    }
    this._workspaceTop = at;
    return views;
  }

  /** An Int32Array over the bytes of `view` (a workspace array), kept while it matches. */
  int32(view: Float32Array): Int32Array {
    const last = this._int32;
    if (
      last &&
      last.buffer === view.buffer &&
      last.byteOffset === view.byteOffset &&
      last.length === view.length
    ) {
      return last;
    }
    this._int32 = new Int32Array(view.buffer, view.byteOffset, view.length);
    return this._int32;
  }

  /** Grows the memory to at least `bytes` (detaching every view of it). */
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / 65536));
    }
  }

  private _int32: Int32Array | null = null;
  // Byte 0..15 stays unused so no pointer is 0.
  private _permanentTop = 16;
  private _workspaceTop = 16;
}
