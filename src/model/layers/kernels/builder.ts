/**
 * A small WebAssembly assembler for the engine's kernels: functions are
 * written as sequences of named operations on named locals (`f.get('acc')
 * .get('w').v128Load(16).f32x4Mul()`), and `assembleModule` lays out the
 * binary module (types, functions, one memory, exports, code). Only the
 * instructions the kernels use are here; the encodings are those of the
 * WebAssembly 2.0 specification (SIMD: the 0xfd prefix).
 */

export type ValueType = 'i32' | 'f32' | 'v128';

const TYPE_CODE: { [T in ValueType]: number } = {
  i32: 0x7f,
  f32: 0x7d,
  v128: 0x7b
};

/** Unsigned LEB128. */
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

/** Signed LEB128. */
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

/** SIMD opcodes (after the 0xfd prefix) the kernels use. */
const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  f32x4Splat: 0x13,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f32x4Pmin: 0xea,
  f32x4Pmax: 0xeb,
  i32x4TruncSatF32x4S: 0xf8,
  load64Zero: 0x5d,
  store32Lane: 0x5a,
  store64Lane: 0x5b,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  /** Relaxed SIMD: a * b + c, fused or not as the engine chooses. */
  f32x4RelaxedMadd: 0x105,
  /** Relaxed SIMD: -(a * b) + c, fused or not as the engine chooses. */
  f32x4RelaxedNmadd: 0x106
} as const;

/**
 * One function: parameters and locals by name, its code appended by the
 * operation methods (each returns the builder, so they chain).
 */
export class FunctionBuilder {
  constructor(
    readonly name: string,
    params: Array<[string, ValueType]>
  ) {
    this.params = params.map(([, type]) => type);
    params.forEach(([local]) => this._declare(local));
  }

  readonly params: ValueType[];

  /** Declares locals of one type (zero at entry), in order. */
  locals(type: ValueType, ...names: string[]): this {
    for (const local of names) {
      this._declare(local);
      const last = this._groups[this._groups.length - 1];
      if (last && last.type === type) {
        last.count++;
      } else {
        this._groups.push({ type, count: 1 });
      }
    }
    return this;
  }

  /** Raw bytes (used by the operation methods). */
  emit(...bytes: number[]): this {
    this._code.push(...bytes);
    return this;
  }

  get(local: string): this {
    return this.emit(0x20, ...uleb(this._index(local)));
  }

  set(local: string): this {
    return this.emit(0x21, ...uleb(this._index(local)));
  }

  tee(local: string): this {
    return this.emit(0x22, ...uleb(this._index(local)));
  }

  /** A loop block without results; `brIf(0)` inside it jumps back to its start. */
  loop(): this {
    return this.emit(0x03, 0x40);
  }

  /** A block without results; `brIf(0)` inside it jumps past its end. */
  block(): this {
    return this.emit(0x02, 0x40);
  }

  end(): this {
    return this.emit(0x0b);
  }

  /** Returns from the function. */
  return(): this {
    return this.emit(0x0f);
  }

  /** Jumps to the label `depth` blocks out (a loop's start, a block's end). */
  br(depth: number): this {
    return this.emit(0x0c, ...uleb(depth));
  }

  brIf(depth: number): this {
    return this.emit(0x0d, ...uleb(depth));
  }

  call(functionIndex: number): this {
    return this.emit(0x10, ...uleb(functionIndex));
  }

  i32Const(value: number): this {
    return this.emit(0x41, ...sleb(value));
  }

  i32Add(): this {
    return this.emit(0x6a);
  }

  i32Sub(): this {
    return this.emit(0x6b);
  }

  i32Mul(): this {
    return this.emit(0x6c);
  }

  i32LtU(): this {
    return this.emit(0x49);
  }

  i32Eqz(): this {
    return this.emit(0x45);
  }

  /** a, b, condition on the stack -> condition ? a : b. */
  select(): this {
    return this.emit(0x1b);
  }

  /** i32.load (4-byte aligned). */
  i32Load(offset = 0): this {
    return this.emit(0x28, 2, ...uleb(offset));
  }

  /** f32.load (4-byte aligned). */
  f32Load(offset = 0): this {
    return this.emit(0x2a, 2, ...uleb(offset));
  }

  /** v128.load32_splat: one float read into all four lanes (a load, no shuffle). */
  v128Load32Splat(offset = 0): this {
    return this._simd(SIMD.load32Splat, 2, ...uleb(offset));
  }

  /** v128.load; `alignLog2` 4 promises 16-byte aligned addresses. */
  v128Load(offset = 0, alignLog2 = 4): this {
    return this._simd(SIMD.load, alignLog2, ...uleb(offset));
  }

  v128Store(offset = 0, alignLog2 = 4): this {
    return this._simd(SIMD.store, alignLog2, ...uleb(offset));
  }

  /** A v128 constant of four equal f32 lanes. */
  f32x4Const(value: number): this {
    const lanes = new Float32Array([value, value, value, value]);
    return this._simd(SIMD.const, ...new Uint8Array(lanes.buffer));
  }

  /** A v128 constant of four equal i32 lanes. */
  i32x4Const(value: number): this {
    const lanes = new Int32Array([value, value, value, value]);
    return this._simd(SIMD.const, ...new Uint8Array(lanes.buffer));
  }

  f32x4Splat(): this {
    return this._simd(SIMD.f32x4Splat);
  }

  f32x4Add(): this {
    return this._simd(SIMD.f32x4Add);
  }

  f32x4Sub(): this {
    return this._simd(SIMD.f32x4Sub);
  }

  f32x4Mul(): this {
    return this._simd(SIMD.f32x4Mul);
  }

  f32x4Div(): this {
    return this._simd(SIMD.f32x4Div);
  }

  f32x4Min(): this {
    return this._simd(SIMD.f32x4Min);
  }

  f32x4Max(): this {
    return this._simd(SIMD.f32x4Max);
  }

  /** `b < a ? b : a`: one instruction where min's NaN and -0 rules take several. */
  f32x4Pmin(): this {
    return this._simd(SIMD.f32x4Pmin);
  }

  /** `a < b ? b : a`. */
  f32x4Pmax(): this {
    return this._simd(SIMD.f32x4Pmax);
  }

  f32x4Neg(): this {
    return this._simd(SIMD.f32x4Neg);
  }

  f32x4Nearest(): this {
    return this._simd(SIMD.f32x4Nearest);
  }

  /** a, b, c on the stack -> a * b + c (relaxed SIMD). */
  f32x4RelaxedMadd(): this {
    return this._simd(SIMD.f32x4RelaxedMadd);
  }
  /** a, b, c on the stack -> -(a * b) + c (relaxed SIMD). */
  f32x4RelaxedNmadd(): this {
    return this._simd(SIMD.f32x4RelaxedNmadd);
  }

  i32x4TruncSatF32x4S(): this {
    return this._simd(SIMD.i32x4TruncSatF32x4S);
  }

  i32x4Add(): this {
    return this._simd(SIMD.i32x4Add);
  }

  /** v128, i32 shift count on the stack -> each lane shifted left. */
  i32x4Shl(): this {
    return this._simd(SIMD.i32x4Shl);
  }

  /** v128.load64_zero: two floats (8 bytes) into the low lanes, zeros above. */
  v128Load64Zero(offset = 0, alignLog2 = 0): this {
    return this._simd(SIMD.load64Zero, alignLog2, ...uleb(offset));
  }

  /** v128.store64_lane: the 8 bytes of 64-bit lane `lane`. */
  /** v128.store32_lane: stores lane `lane` (one float) of the v128 on the stack. */
  v128Store32Lane(offset = 0, lane = 0, alignLog2 = 0): this {
    return this._simd(SIMD.store32Lane, alignLog2, ...uleb(offset), lane);
  }

  v128Store64Lane(offset = 0, lane = 0, alignLog2 = 0): this {
    return this._simd(SIMD.store64Lane, alignLog2, ...uleb(offset), lane);
  }

  /** A v128 constant of two equal f64 lanes. */
  f64x2Const(value: number): this {
    const lanes = new Float64Array([value, value]);
    return this._simd(SIMD.const, ...new Uint8Array(lanes.buffer));
  }

  /** The two low f32 lanes widened to f64 (exact). */
  f64x2PromoteLowF32x4(): this {
    return this._simd(SIMD.f64x2PromoteLowF32x4);
  }

  /** Both f64 lanes rounded to f32 (to nearest) in the low lanes, zeros above. */
  f32x4DemoteF64x2Zero(): this {
    return this._simd(SIMD.f32x4DemoteF64x2Zero);
  }

  f64x2Add(): this {
    return this._simd(SIMD.f64x2Add);
  }

  f64x2Sub(): this {
    return this._simd(SIMD.f64x2Sub);
  }

  f64x2Mul(): this {
    return this._simd(SIMD.f64x2Mul);
  }

  /** The function body: locals, code and the final `end`. */
  body(): number[] {
    const locals = [
      ...uleb(this._groups.length),
      ...this._groups.flatMap(g => [...uleb(g.count), TYPE_CODE[g.type]])
    ];
    return [...locals, ...this._code, 0x0b];
  }

  private _simd(op: number, ...immediates: number[]): this {
    return this.emit(0xfd, ...uleb(op), ...immediates);
  }

  private _declare(local: string): void {
    if (this._indices.has(local)) {
      throw new Error(`${this.name}: local '${local}' declared twice`);
    }
    this._indices.set(local, this._indices.size);
  }

  private _index(local: string): number {
    const index = this._indices.get(local);
    if (index === undefined) {
      throw new Error(`${this.name}: no local '${local}'`);
    }
    return index;
  }

  private _indices = new Map<string, number>();
  private _groups: Array<{ type: ValueType; count: number }> = [];
  private _code: number[] = [];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function utf8Name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...uleb(bytes.length), ...bytes];
}

/**
 * A module of `functions` (exported under their names, in this order; a
 * function calls another by its index in this list), no results, one
 * memory of at least one page exported as `memory`.
 */
export function assembleModule(functions: FunctionBuilder[]): Uint8Array {
  const signatures: string[] = [];
  const typeOf = functions.map(f => {
    const key = f.params.join(',');
    if (!signatures.includes(key)) {
      signatures.push(key);
    }
    return signatures.indexOf(key);
  });
  const types = signatures.flatMap(key => {
    const params = key.split(',').map(t => TYPE_CODE[t as ValueType]);
    return [0x60, ...uleb(params.length), ...params, 0];
  });
  const exports = [
    ...functions.flatMap((f, i) => [...utf8Name(f.name), 0x00, ...uleb(i)]),
    ...utf8Name('memory'),
    0x02,
    0
  ];
  const bodies = functions.flatMap(f => {
    const body = f.body();
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [...uleb(signatures.length), ...types]),
    ...section(3, [...uleb(functions.length), ...typeOf.flatMap(t => uleb(t))]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [...uleb(functions.length + 1), ...exports]),
    ...section(10, [...uleb(functions.length), ...bodies])
  ]);
}
