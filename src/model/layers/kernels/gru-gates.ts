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
 * - `gru_gates(x, inner, h, out, groups, gateBytes)`: one row.
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

/** Vector math on the stack of a gate function (uses locals t, k, rr, t2). */
class GateMath {
  constructor(private f: FunctionBuilder) {}

  /** v on the stack -> exp(v). */
  exp(): void {
    const f = this.f;
    // The clamp: pmin / pmax are one instruction each (min / max several,
    // for their NaN and -0 rules), with the same results for bounds that
    // are neither NaN nor zero (a NaN argument stays NaN).
    f.f32x4Const(EXP_MAX).f32x4Pmin().f32x4Const(EXP_MIN).f32x4Pmax();
    f.tee('t');
    // k = round(v / ln 2)
    f.f32x4Const(Math.LOG2E).f32x4Mul().f32x4Nearest().set('k');
    // rr = v - k * ln2 (in two parts)
    f.get('t').get('k').f32x4Const(LN2_HIGH).f32x4Mul().f32x4Sub();
    f.get('k').f32x4Const(LN2_LOW).f32x4Mul().f32x4Sub().set('rr');
    // p(rr), Horner
    f.f32x4Const(1 / 720)
      .get('rr')
      .f32x4Mul()
      .f32x4Const(1 / 120);
    f.f32x4Add();
    for (const c of EXP_TAIL) {
      f.get('rr').f32x4Mul().f32x4Const(c).f32x4Add();
    }
    // * 2^k, built in the exponent bits
    f.get('k').f32x4Const(EXP_BIAS_SHIFTER).f32x4Add();
    f.i32Const(23).i32x4Shl().f32x4Mul();
  }

  /** a on the stack -> sigmoid(a) = 1 / (1 + exp(-a)). */
  sigmoid(): void {
    const f = this.f;
    f.f32x4Neg();
    this.exp();
    f.f32x4Const(1).f32x4Add().set('t2');
    f.f32x4Const(1).get('t2').f32x4Div();
  }

  /** a on the stack -> tanh(a) = 1 - 2 / (exp(2a) + 1). */
  tanh(): void {
    const f = this.f;
    f.f32x4Const(2).f32x4Mul();
    this.exp();
    f.f32x4Const(1).f32x4Add().set('t2');
    f.f32x4Const(1).f32x4Const(2).get('t2').f32x4Div().f32x4Sub();
  }
}

/** Unaligned f32x4 load / store (operand rows need not be 16-byte aligned). */
const UNALIGNED = 0;

/** The gate maths of one row; with `tape`, the tape stores as well. */
function gateFunction(name: string, tape: boolean): FunctionBuilder {
  const params = tape
    ? [...ROW_PARAMS, ['tape', 'i32'] as [string, 'i32']]
    : ROW_PARAMS;
  const f = new FunctionBuilder(name, params);
  f.locals('v128', 'z', 'r', 't', 'k', 'rr', 't2', 'hh');
  const math = new GateMath(f);
  const load = () => f.v128Load(0, UNALIGNED);
  // The address of gate `gate` (0 z, 1 r, 2 h) of a row pointer.
  const at = (row: string, gate: number) => {
    f.get(row);
    for (let g = 0; g < gate; g++) {
      f.get('gateBytes').i32Add();
    }
  };
  // Stores the value `push` leaves into tape slot `slot`.
  const keep = (slot: number, push: () => void) => {
    if (tape) {
      at('tape', slot);
      push();
      f.v128Store(0, UNALIGNED);
    }
  };
  f.loop();
  f.get('x');
  load();
  f.get('inner');
  load();
  f.f32x4Add();
  math.sigmoid();
  f.set('z');
  at('x', 1);
  load();
  at('inner', 1);
  load();
  f.f32x4Add();
  math.sigmoid();
  f.set('r');
  at('x', 2);
  load();
  at('inner', 2);
  load();
  f.get('r').f32x4Mul().f32x4Add();
  math.tanh();
  f.set('hh');
  // out = hh + z * (h - hh)
  f.get('out').get('hh').get('z').get('h');
  load();
  f.get('hh').f32x4Sub().f32x4Mul().f32x4Add().v128Store(0, UNALIGNED);
  keep(0, () => {
    f.get('h');
    load();
  });
  keep(1, () => f.get('z'));
  keep(2, () => f.get('r'));
  keep(3, () => f.get('hh'));
  keep(4, () => {
    at('inner', 2);
    load();
  });
  for (const p of tape
    ? ['x', 'inner', 'h', 'out', 'tape']
    : ['x', 'inner', 'h', 'out']) {
    f.get(p).i32Const(16).i32Add().set(p);
  }
  f.get('groups').i32Const(1).i32Sub().tee('groups').brIf(0);
  f.end();
  return f;
}

/** gru_gates(x, inner, h, out, groups, gateBytes): one row. */
export function gruGatesFunction(): FunctionBuilder {
  return gateFunction('gru_gates', false);
}

/** gru_gates_tape(x, inner, h, out, groups, gateBytes, tape): one row, keeping its tape. */
export function gruGatesTapeFunction(): FunctionBuilder {
  return gateFunction('gru_gates_tape', true);
}

/**
 * gru_gates_rows(xBase, rows, inner, h, out, batch, groups, gateBytes,
 * innerBytes, tape, tapeBytes): row b of a step reads the input projection
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
    ['tapeBytes', 'i32']
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
  f.get('gateBytes').get('tape').call(withTape);
  next('tape', 'tapeBytes');
  f.end();
  f.block();
  f.get('tape').brIf(0);
  f.get('xRow').get('inner').get('h').get('out').get('groups');
  f.get('gateBytes').call(single);
  f.end();
  f.get('rows').i32Const(4).i32Add().set('rows');
  next('inner', 'innerBytes');
  next('h', 'gateBytes');
  next('out', 'gateBytes');
  f.get('batch').i32Const(1).i32Sub().tee('batch').brIf(0);
  f.end();
  return f;
}
