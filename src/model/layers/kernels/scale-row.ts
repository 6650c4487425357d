/**
 * One row of a gradient method's scaled input projection (`recurrent-
 * prepare.ts`, `scaledRows`): for groups of 4 floats,
 *
 *   out[g] = alpha * src[g] + bias[g]   (or alpha * src[g] without bias),
 *
 * a float32 multiply, then a float32 add: each rounded once, as the scalar
 * loop of `vocabulary-tables.ts` (`scaledProjection`) rounds them, so the
 * floats are the same bit for bit.
 *
 * scale_row(out, src, alpha, bias, groups): `bias` 0 means none; `groups`
 * is at least 1.
 */
import { FunctionBuilder } from './builder';

export function scaleRowFunction(): FunctionBuilder {
  const f = new FunctionBuilder('scale_row', [
    ['out', 'i32'],
    ['src', 'i32'],
    ['alpha', 'f32'],
    ['bias', 'i32'],
    ['groups', 'i32']
  ]);
  f.locals('v128', 'a');
  f.get('alpha').f32x4Splat().set('a');
  const next = (pointer: string) =>
    f.get(pointer).i32Const(16).i32Add().set(pointer);
  // Without bias: a loop of products alone (adding a zero row would turn
  // a product of -0 into +0).
  f.block();
  f.get('bias').brIf(0);
  f.loop();
  f.get('out').get('src').v128Load(0, 2).get('a').f32x4Mul();
  f.v128Store(0, 2);
  next('out');
  next('src');
  f.get('groups').i32Const(1).i32Sub().tee('groups').brIf(0);
  f.end();
  f.return();
  f.end();
  f.loop();
  f.get('out').get('src').v128Load(0, 2).get('a').f32x4Mul();
  f.get('bias').v128Load(0, 2).f32x4Add().v128Store(0, 2);
  next('out');
  next('src');
  next('bias');
  f.get('groups').i32Const(1).i32Sub().tee('groups').brIf(0);
  f.end();
  return f;
}
