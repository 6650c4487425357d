/**
 * The GRU state update (reset_after=True, sigmoid / tanh) for groups of 4
 * units, from a step's input projection row `x` (gates z, r, h, each
 * `gateBytes` apart) and recurrent projection row `inner` (same layout,
 * bias included):
 *
 *   z = sigmoid(x_z + i_z), r = sigmoid(x_r + i_r),
 *   hh = tanh(x_h + r * i_h), out = hh + z * (h - hh).
 *
 * exp is evaluated as 2^k * p(r) with Cody-Waite reduction and a degree-6
 * polynomial (relative error ~1e-7, float32 level); sigmoid(a) =
 * 1 / (1 + exp(-a)), tanh(a) = 1 - 2 / (exp(2a) + 1).
 *
 * - `gru_gates(x, inner, h, out, groups, gateBytes, rest)`: one row of
 *   `4 * groups + rest` units (`rest` < 4: the last units, stored lane by
 *   lane).
 * - `gru_gates_tape(..., tape)`: the same update, also keeping what the
 *   backward pass reads in the tape row (slots `gateBytes` apart: h, z, r,
 *   hh, i_h), as `gru.ts` lays it out.
 * - `gru_gates_rows(...)`: every row of a step in one call (see below).
 */
import { FunctionBuilder } from './builder';

const ROW_PARAMS: Array<[string, 'i32']> = [
  ['x', 'i32'],
  ['inner', 'i32'],
  ['h', 'i32'],
  ['out', 'i32'],
  ['groups', 'i32'],
  ['gateBytes', 'i32']
];

/** Cody-Waite split of ln 2 (high part exact in few bits) and the clamp of exp's argument. */
const LN2_HIGH = 0.693359375;
const LN2_LOW = -2.1219444e-4;
const EXP_MAX = 88;
const EXP_MIN = -87;
/**
 * 2^k from the float k (an integer in [-126, 127] after the clamp): the low
 * bits of k + 1.5 * 2^23 + 127 hold k + 127 exactly, and the shift by 23
 * drops everything above them, leaving the exponent field of 2^k. One add
 * where a saturating float -> int conversion takes several instructions.
 */
const EXP_BIAS_SHIFTER = 1.5 * 2 ** 23 + 127;
/** Taylor coefficients of exp on [-ln2/2, ln2/2], highest first after 1/720. */
const EXP_TAIL = [1 / 24, 1 / 6, 0.5, 1, 1];

/**
 * Vector maths on named locals, several independent values at once: each
 * operation is emitted for every value before the next one. One exp is a
 * chain of about 25 dependent operations; a single chain per group left
 * the kernel waiting on latencies, while interleaved chains keep the
 * vector units busy. Each value gets the same operations in the same
 * order as one chain alone, so the floats do not change.
 *
 * Every constant lives in a local set once before the loop
 * (`setConstants`): V8 builds a v128 constant from immediates at each
 * use, four instructions each, where a local is a register or one load.
 *
 * `fused`: the reduction, the polynomial and the state update use relaxed
 * SIMD's multiply-add (one instruction, and one rounding where the engine
 * fuses it) instead of a multiply and an add: for the relaxed module,
 * whose products fuse too (results then differ in the last bits, within
 * the tolerance `test/model/relaxed-simd.spec.ts` states).
 */
class GateMath {
  constructor(
    private f: FunctionBuilder,
    readonly fused: boolean
  ) {}

  /** a, b, c from `push` -> a * b + c. */
  multiplyAdd(a: () => void, b: () => void, c: () => void): void {
    a();
    b();
    if (this.fused) {
      c();
      this.f.f32x4RelaxedMadd();
    } else {
      this.f.f32x4Mul();
      c();
      this.f.f32x4Add();
    }
  }

  /** c - a * b, from `push`. */
  subtractProduct(c: () => void, a: () => void, b: () => void): void {
    if (this.fused) {
      a();
      b();
      c();
      this.f.f32x4RelaxedNmadd();
    } else {
      c();
      a();
      b();
      this.f.f32x4Mul().f32x4Sub();
    }
  }

  /** Declares and sets the constants' locals: call before the loop. */
  setConstants(): void {
    for (const value of GateMath.values()) {
      const name = GateMath.local(value);
      this.f.locals('v128', name);
      this.f.f32x4Const(value).set(name);
    }
  }

  /** Declares the scratch locals of `chains` interleaved values. */
  declareScratch(chains: number): void {
    for (let i = 0; i < chains; i++) {
      this.f.locals('v128', `t${i}`, `k${i}`, `rr${i}`);
    }
  }

  /** values[i] = exp(values[i]), each value in its local. */
  exp(values: string[]): void {
    const f = this.f;
    const each = (emit: (v: string, i: number) => void) =>
      values.forEach((v, i) => emit(v, i));
    // The clamp: pmin / pmax are one instruction each (min / max several,
    // for their NaN and -0 rules), with the same results for bounds that
    // are neither NaN nor zero (a NaN argument stays NaN).
    each((v, i) => {
      f.get(v);
      this.c(EXP_MAX);
      f.f32x4Pmin();
      this.c(EXP_MIN);
      f.f32x4Pmax().set(`t${i}`);
    });
    // k = round(v / ln 2)
    each((_, i) => {
      f.get(`t${i}`);
      this.c(Math.LOG2E);
      f.f32x4Mul().f32x4Nearest().set(`k${i}`);
    });
    // rr = v - k * ln2 (in two parts)
    each((_, i) => {
      this.subtractProduct(
        () => f.get(`t${i}`),
        () => f.get(`k${i}`),
        () => this.c(LN2_HIGH)
      );
      f.set(`rr${i}`);
    });
    each((_, i) => {
      this.subtractProduct(
        () => f.get(`rr${i}`),
        () => f.get(`k${i}`),
        () => this.c(LN2_LOW)
      );
      f.set(`rr${i}`);
    });
    // p(rr), Horner (p kept in the value's own local)
    each((v, i) => {
      this.multiplyAdd(
        () => this.c(1 / 720),
        () => f.get(`rr${i}`),
        () => this.c(1 / 120)
      );
      f.set(v);
    });
    for (const c of EXP_TAIL) {
      each((v, i) => {
        this.multiplyAdd(
          () => f.get(v),
          () => f.get(`rr${i}`),
          () => this.c(c)
        );
        f.set(v);
      });
    }
    // * 2^k, built in the exponent bits
    each((v, i) => {
      f.get(v).get(`k${i}`);
      this.c(EXP_BIAS_SHIFTER);
      f.f32x4Add();
      f.i32Const(23).i32x4Shl().f32x4Mul().set(v);
    });
  }

  /** values[i] = sigmoid(values[i]) = 1 / (1 + exp(-values[i])). */
  sigmoid(values: string[]): void {
    const f = this.f;
    for (const v of values) {
      f.get(v).f32x4Neg().set(v);
    }
    this.exp(values);
    for (const v of values) {
      this.c(1);
      f.get(v);
      this.c(1);
      f.f32x4Add().f32x4Div().set(v);
    }
  }

  /** values[i] = tanh(values[i]) = 1 - 2 / (exp(2 values[i]) + 1). */
  tanh(values: string[]): void {
    const f = this.f;
    for (const v of values) {
      f.get(v);
      this.c(2);
      f.f32x4Mul().set(v);
    }
    this.exp(values);
    for (const v of values) {
      this.c(1);
      this.c(2);
      f.get(v);
      this.c(1);
      f.f32x4Add().f32x4Div().f32x4Sub().set(v);
    }
  }

  /** Pushes the constant `value` (four equal lanes) from its local. */
  private c(value: number): void {
    this.f.get(GateMath.local(value));
  }

  private static values(): number[] {
    const all = [EXP_MAX, EXP_MIN, Math.LOG2E, LN2_HIGH, LN2_LOW];
    all.push(1 / 720, 1 / 120, ...EXP_TAIL, EXP_BIAS_SHIFTER, 1, 2);
    return [...new Set(all.map(v => Math.fround(v)))];
  }

  /** The local holding `value` (named by its float32 bits). */
  private static local(value: number): string {
    const bits = new Uint32Array(new Float32Array([value]).buffer)[0];
    return `c${bits.toString(16)}`;
  }
}

/** Unaligned f32x4 load / store (operand rows need not be 16-byte aligned). */
const UNALIGNED = 0;

/**
 * Groups of 4 units per pass of each loop, largest first: passes of the
 * first size while enough groups are left, then of the next, down to 1.
 */
const PASS_SIZES = [4, 1];
const MOST_GROUPS = PASS_SIZES[0];

/** The gate maths of one row; with `tape`, the tape stores as well. */
function gateFunction(
  name: string,
  tape: boolean,
  fused: boolean
): FunctionBuilder {
  const params: Array<[string, 'i32']> = [
    ...ROW_PARAMS,
    ...(tape ? [['tape', 'i32'] as [string, 'i32']] : []),
    ['rest', 'i32']
  ];
  const f = new FunctionBuilder(name, params);
  f.locals('v128', 'part');
  const math = new GateMath(f, fused);
  math.setConstants();
  math.declareScratch(2 * MOST_GROUPS);
  for (let g = 0; g < MOST_GROUPS; g++) {
    f.locals('v128', `z${g}`, `r${g}`, `hh${g}`);
  }
  const writer = new GateUpdate(f, math, tape);
  for (const size of PASS_SIZES) {
    f.block();
    f.loop();
    f.get('groups').i32Const(size).i32LtU().brIf(1);
    writer.update(size, false);
    f.get('groups').i32Const(size).i32Sub().set('groups');
    f.br(0);
    f.end();
    f.end();
  }
  // The last `rest` units (1..3) of a row whose width is not a multiple of
  // 4: a whole group is computed (its other lanes read whatever follows and
  // are not stored), its first `rest` lanes stored.
  f.block();
  f.get('rest').i32Eqz().brIf(0);
  writer.update(1, true);
  f.end();
  return f;
}

/** Writes the update of consecutive groups of a gate function's row. */
class GateUpdate {
  constructor(
    private f: FunctionBuilder,
    private math: GateMath,
    private tape: boolean
  ) {}

  /**
   * The update of `groups` consecutive groups, interleaved; `partial`: of
   * one group whose first `rest` lanes alone are stored.
   */
  update(groups: number, partial: boolean): void {
    const { f, math } = this;
    const all = Array.from({ length: groups }, (_, g) => g);
    for (const g of all) {
      this.load('x', 0, g);
      this.load('inner', 0, g);
      f.f32x4Add().set(`z${g}`);
      this.load('x', 1, g);
      this.load('inner', 1, g);
      f.f32x4Add().set(`r${g}`);
    }
    math.sigmoid(all.flatMap(g => [`z${g}`, `r${g}`]));
    for (const g of all) {
      this.load('x', 2, g);
      this.load('inner', 2, g);
      f.get(`r${g}`).f32x4Mul().f32x4Add().set(`hh${g}`);
    }
    math.tanh(all.map(g => `hh${g}`));
    for (const g of all) {
      this.storeGroup(g, partial);
    }
    const pointers = ['x', 'inner', 'h', 'out', ...(this.tape ? ['tape'] : [])];
    for (const p of pointers) {
      f.get(p)
        .i32Const(16 * groups)
        .i32Add()
        .set(p);
    }
  }

  /** out = hh + z * (h - hh) of group g, and its tape slots (h, z, r, hh, i_h). */
  private storeGroup(g: number, partial: boolean): void {
    const { f, math } = this;
    const out = () => f.get('out');
    this.store(out, g, partial, () =>
      math.multiplyAdd(
        () => f.get(`z${g}`),
        () => {
          this.load('h', 0, g);
          f.get(`hh${g}`).f32x4Sub();
        },
        () => f.get(`hh${g}`)
      )
    );
    if (!this.tape) {
      return;
    }
    const slots = [
      () => this.load('h', 0, g),
      () => f.get(`z${g}`),
      () => f.get(`r${g}`),
      () => f.get(`hh${g}`),
      () => this.load('inner', 2, g)
    ];
    slots.forEach((push, slot) =>
      this.store(() => this.address('tape', slot), g, partial, push)
    );
  }

  /** Pushes `row` + `gate` gate strides. */
  private address(row: string, gate: number): void {
    this.f.get(row);
    for (let i = 0; i < gate; i++) {
      this.f.get('gateBytes').i32Add();
    }
  }

  /** Loads the f32x4 of gate `gate` (0 z, 1 r, 2 h) of group g of a row. */
  private load(row: string, gate: number, g: number): void {
    this.address(row, gate);
    this.f.v128Load(16 * g, UNALIGNED);
  }

  /**
   * Stores the v128 `push` leaves at `address` + 16 g: all four lanes, or
   * (`partial`) the first `rest` lanes alone.
   */
  private store(
    address: () => void,
    g: number,
    partial: boolean,
    push: () => void
  ): void {
    const f = this.f;
    if (!partial) {
      address();
      push();
      f.v128Store(16 * g, UNALIGNED);
      return;
    }
    push();
    f.set('part');
    for (let lane = 0; lane < 3; lane++) {
      f.block();
      f.get('rest')
        .i32Const(lane + 1)
        .i32LtU()
        .brIf(0);
      address();
      f.get('part').v128Store32Lane(16 * g + 4 * lane, lane);
      f.end();
    }
  }
}

/** gru_gates(x, inner, h, out, groups, gateBytes, rest): one row; `fused`: see `GateMath`. */
export function gruGatesFunction(fused = false): FunctionBuilder {
  return gateFunction('gru_gates', false, fused);
}

/** gru_gates_tape(x, inner, h, out, groups, gateBytes, tape, rest): one row, keeping its tape. */
export function gruGatesTapeFunction(fused = false): FunctionBuilder {
  return gateFunction('gru_gates_tape', true, fused);
}

/**
 * gru_gates_rows(xBase, rows, inner, h, out, batch, groups, gateBytes,
 * innerBytes, tape, tapeBytes, rest): row b of a step reads the input projection
 * at `xBase + 4 * rows[b]` (`rows`: i32 float offsets), its recurrent row
 * at `inner + b * innerBytes`, its state at `h + b * gateBytes`, writes
 * `out + b * gateBytes` and, when `tape` is not 0, its tape row at `tape +
 * b * tapeBytes`. Calls the one-row functions (`single`, `withTape`: their
 * indices in the module), so the maths is theirs bit for bit.
 */
export function gruGatesRowsFunction(
  single: number,
  withTape: number
): FunctionBuilder {
  const f = new FunctionBuilder('gru_gates_rows', [
    ['xBase', 'i32'],
    ['rows', 'i32'],
    ['inner', 'i32'],
    ['h', 'i32'],
    ['out', 'i32'],
    ['batch', 'i32'],
    ['groups', 'i32'],
    ['gateBytes', 'i32'],
    ['innerBytes', 'i32'],
    ['tape', 'i32'],
    ['tapeBytes', 'i32'],
    ['rest', 'i32']
  ]);
  f.locals('i32', 'xRow');
  const next = (pointer: string, stride: string) =>
    f.get(pointer).get(stride).i32Add().set(pointer);
  f.loop();
  f.get('xBase').get('rows').i32Load().i32Const(4).i32Mul().i32Add();
  f.set('xRow');
  f.block();
  f.get('tape').i32Eqz().brIf(0);
  f.get('xRow').get('inner').get('h').get('out').get('groups');
  f.get('gateBytes').get('tape').get('rest').call(withTape);
  next('tape', 'tapeBytes');
  f.end();
  f.block();
  f.get('tape').brIf(0);
  f.get('xRow').get('inner').get('h').get('out').get('groups');
  f.get('gateBytes').get('rest').call(single);
  f.end();
  f.get('rows').i32Const(4).i32Add().set('rows');
  next('inner', 'innerBytes');
  next('h', 'gateBytes');
  next('out', 'gateBytes');
  f.get('batch').i32Const(1).i32Sub().tee('batch').brIf(0);
  f.end();
  return f;
}
