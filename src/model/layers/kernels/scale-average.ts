/**
 * The sums of the fused attention head's average (`graph/scaled-average.ts`)
 * for groups of 4 units: over `count` steps, in order,
 *
 *   sums[u] += f64(f32(row_j[u] * w_j)),
 *
 * each float32 product rounded once (as `Math.fround(x * w)`: the double
 * product of two floats is exact) and added in an f64 lane, in the order of
 * the scalar loop: the same sums bit for bit. A step whose states count as 1
 * points at a row of ones (`1 * w` is `w`).
 *
 * scale_average(rows, weights, count, groups, sums): step j's row is at the
 * byte address `rows[j]` (i32), its weight is `weights[j]` (f32); `sums`
 * holds `4 * groups` f64 and is added to. The steps go by in chunks of
 * `CHUNK`, and every group of a chunk is summed in registers, so a chunk's
 * rows stay in the first-level cache. `count` and `groups` are at least 1.
 */
import { FunctionBuilder } from './builder';

/** Steps per chunk. */
const CHUNK = 8;

export function scaleAverageFunction(): FunctionBuilder {
  const f = new FunctionBuilder('scale_average', [
    ['rows', 'i32'],
    ['weights', 'i32'],
    ['count', 'i32'],
    ['groups', 'i32'],
    ['sums', 'i32']
  ]);
  f.locals('i32', 'n', 'g', 'unit', 'at', 'j', 'row', 'weight', 'address');
  f.locals('v128', 'low', 'high', 'w');
  // Adds (row[unit..] * w) of the two floats at `offset` to an f64 pair.
  const addPair = (sum: string, offset: number) => {
    f.get(sum).get('address').v128Load64Zero(offset).get('w').f32x4Mul();
    f.f64x2PromoteLowF32x4().f64x2Add().set(sum);
  };
  f.loop(); // chunks
  // n = min(count, CHUNK)
  f.get('count').i32Const(CHUNK).get('count').i32Const(CHUNK).i32LtU();
  f.select().set('n');
  f.get('groups').set('g');
  f.i32Const(0).set('unit');
  f.get('sums').set('at');
  f.loop(); // groups
  f.get('at').v128Load(0, 3).set('low');
  f.get('at').v128Load(16, 3).set('high');
  f.get('n').set('j');
  f.get('rows').set('row');
  f.get('weights').set('weight');
  f.loop(); // steps of the chunk
  f.get('weight').f32Load().f32x4Splat().set('w');
  f.get('row').i32Load().get('unit').i32Add().set('address');
  addPair('low', 0);
  addPair('high', 8);
  f.get('row').i32Const(4).i32Add().set('row');
  f.get('weight').i32Const(4).i32Add().set('weight');
  f.get('j').i32Const(1).i32Sub().tee('j').brIf(0);
  f.end();
  f.get('at').get('low').v128Store(0, 3);
  f.get('at').get('high').v128Store(16, 3);
  f.get('at').i32Const(32).i32Add().set('at');
  f.get('unit').i32Const(16).i32Add().set('unit');
  f.get('g').i32Const(1).i32Sub().tee('g').brIf(0);
  f.end();
  f.get('rows').get('n').i32Const(4).i32Mul().i32Add().set('rows');
  f.get('weights').get('n').i32Const(4).i32Mul().i32Add().set('weights');
  f.get('count').get('n').i32Sub().tee('count').brIf(0);
  f.end();
  return f;
}
