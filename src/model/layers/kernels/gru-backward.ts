/**
 * The GRU backward gate step (reset_after=True, sigmoid / tanh) for every
 * row of a step, from the gradient of the new state `dh` and the step's
 * tape (slots h, z, r, hh, i_h, `unitBytes` apart, as `gru.ts` lays it
 * out):
 *
 *   daz = d (h - hh) z (1 - z),  dah = d (1 - z) (1 - hh^2),
 *   dar = dah i_h r (1 - r),
 *   dA = [daz, dar, dah], dInner = [daz, dar, dah r], dhPrev = d z.
 *
 * The arithmetic is in f64 lanes (`f64x2`), in the order of the scalar
 * path of `gru.ts`, which computes in JavaScript numbers and rounds on
 * each store to a Float32Array: every result is the same float, bit for
 * bit.
 *
 * gru_back_rows(dh, tape, dA, dInner, dhPrev, batch, groups, unitBytes,
 * tapeBytes): row b reads `dh + b * unitBytes` and its tape row at `tape +
 * b * tapeBytes`, writes `dA` and `dInner` at `b * 3 * unitBytes` and
 * `dhPrev + b * unitBytes`, for `groups` groups of 4 units.
 */
import { FunctionBuilder } from './builder';

/** Pointers the loop over a row's groups advances by 16 bytes. */
const MOVING = ['dh', 'tape', 'dA', 'dInner', 'dhPrev'];

/** The maths of two units (the f64 lanes) at byte `offset` of the current group. */
function twoUnits(f: FunctionBuilder, offset: number): void {
  // Pushes the two floats at `pointer + slot` (slot: an i32 local or none), as f64.
  const load = (pointer: string, slot?: string) => {
    f.get(pointer);
    if (slot) {
      f.get(slot).i32Add();
    }
    f.v128Load64Zero(offset).f64x2PromoteLowF32x4();
  };
  // Stores the two f64 lanes `push` leaves, rounded to f32.
  const store = (pointer: string, slot: string | null, push: () => void) => {
    f.get(pointer);
    if (slot) {
      f.get(slot).i32Add();
    }
    push();
    f.f32x4DemoteF64x2Zero().v128Store64Lane(offset, 0);
  };
  const oneMinus = (local: string) => f.f64x2Const(1).get(local).f64x2Sub();
  load('dh');
  f.set('d');
  load('tape', 'u1');
  f.set('z');
  load('tape', 'u2');
  f.set('r');
  load('tape', 'u3');
  f.set('hh');
  // daz = d * (h - hh) * (z * (1 - z))
  f.get('d');
  load('tape');
  f.get('hh').f64x2Sub().f64x2Mul();
  f.get('z');
  oneMinus('z');
  f.f64x2Mul().f64x2Mul().set('daz');
  // dah = d * (1 - z) * (1 - hh * hh)
  f.get('d');
  oneMinus('z');
  f.f64x2Mul();
  f.f64x2Const(1).get('hh').get('hh').f64x2Mul().f64x2Sub();
  f.f64x2Mul().set('dah');
  // dar = dah * ih * (r * (1 - r))
  f.get('dah');
  load('tape', 'u4');
  f.f64x2Mul().get('r');
  oneMinus('r');
  f.f64x2Mul().f64x2Mul().set('dar');
  for (const pointer of ['dA', 'dInner']) {
    store(pointer, null, () => f.get('daz'));
    store(pointer, 'u1', () => f.get('dar'));
  }
  store('dA', 'u2', () => f.get('dah'));
  store('dInner', 'u2', () => f.get('dah').get('r').f64x2Mul());
  store('dhPrev', null, () => f.get('d').get('z').f64x2Mul());
}

/** gru_back_rows(dh, tape, dA, dInner, dhPrev, batch, groups, unitBytes, tapeBytes). */
export function gruBackRowsFunction(): FunctionBuilder {
  const f = new FunctionBuilder('gru_back_rows', [
    ['dhRow', 'i32'],
    ['tapeRow', 'i32'],
    ['dARow', 'i32'],
    ['dInnerRow', 'i32'],
    ['dhPrevRow', 'i32'],
    ['batch', 'i32'],
    ['groups', 'i32'],
    ['u1', 'i32'],
    ['tapeBytes', 'i32']
  ]);
  f.locals('i32', 'u2', 'u3', 'u4', 'left', ...MOVING);
  f.locals('v128', 'd', 'z', 'r', 'hh', 'daz', 'dah', 'dar');
  f.get('u1').get('u1').i32Add().tee('u2');
  f.get('u1').i32Add().tee('u3');
  f.get('u1').i32Add().set('u4');
  f.loop();
  MOVING.forEach(p => f.get(`${p}Row`).set(p));
  f.get('groups').set('left');
  f.loop();
  twoUnits(f, 0);
  twoUnits(f, 8);
  MOVING.forEach(p => f.get(p).i32Const(16).i32Add().set(p));
  f.get('left').i32Const(1).i32Sub().tee('left').brIf(0);
  f.end();
  // Next row: dh and dhPrev one row of units on, dA and dInner three.
  const next = (pointer: string, push: () => void) => {
    f.get(pointer);
    push();
    f.i32Add().set(pointer);
  };
  next('dhRow', () => f.get('u1'));
  next('dhPrevRow', () => f.get('u1'));
  next('dARow', () => f.get('u3'));
  next('dInnerRow', () => f.get('u3'));
  next('tapeRow', () => f.get('tapeBytes'));
  f.get('batch').i32Const(1).i32Sub().tee('batch').brIf(0);
  f.end();
  return f;
}
