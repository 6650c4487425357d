/**
 * The matrix-product kernels: `out[m x np] += x[m x k] . W` with W stored
 * in 16-column panels (`packPanels` below: each panel is k
 * rows of 16 floats, so the inner loop reads W sequentially). Every output
 * column is the sum over j = 0..k-1 in order, one multiply and one add per
 * term (or one relaxed multiply-add), so a row's result does not depend on
 * the kernel or on the other rows of the batch.
 *
 * - `gemm(x, m, k, w, np, out, init, initRowBytes)`: one row at a time,
 *   32 columns (two panels, 8 f32x4 accumulators) per pass over k.
 * - `gemm2(x, pairs, k, w, np, out, init, initRowBytes)`: two rows at a
 *   time, 16 columns (one panel) per pass: every W load feeds both rows.
 *   Column blocks are the outer loop, so a panel stays in L1 while every
 *   row pair passes over it.
 *
 * The accumulators start from `init` (row b at `init + b * initRowBytes`):
 * `init = out` with the row stride adds to out; a bias row with stride 0
 * starts every row from the bias, the same floats as filling out with it
 * first, without that pass over out.
 */
import { FunctionBuilder } from './builder';

/** Columns per panel of a packed weight matrix. */
export const PANEL = 16;

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

const PARAMS: Array<[string, 'i32']> = [
  ['x', 'i32'],
  ['m', 'i32'],
  ['k', 'i32'],
  ['w', 'i32'],
  ['np', 'i32'],
  ['out', 'i32'],
  ['init', 'i32'],
  ['initRowBytes', 'i32']
];

/** How an accumulator takes one term: `acc + w * s` (two ops) or relaxed `madd`. */
export interface IMultiplyAdd {
  /** With `w` then `s` pushed and `acc` read: leaves the new acc on the stack. */
  (f: FunctionBuilder, pushW: () => void, s: string, acc: string): void;
}

/** `acc + w * s`, rounded twice: the exact sum order of the plain kernels. */
export const mulThenAdd: IMultiplyAdd = (f, pushW, s, acc) => {
  f.get(acc);
  pushW();
  f.get(s).f32x4Mul().f32x4Add();
};

/** `madd(w, s, acc)`: fused where the engine fuses it (relaxed SIMD). */
export const relaxedMadd: IMultiplyAdd = (f, pushW, s, acc) => {
  pushW();
  f.get(s).get(acc).f32x4RelaxedMadd();
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * gemm: rows outside, column blocks of `panels` panels (32 or 16 columns)
 * inside, k innermost. One panel keeps 4 accumulators and 4 weight
 * vectors in registers: with the fused multiply-add, two panels' 8 + 8 do
 * not fit in x64's 16 vector registers and an accumulator spills.
 */
export function gemmFunction(
  name = 'gemm',
  mac: IMultiplyAdd = mulThenAdd,
  panels: 1 | 2 = 2
): FunctionBuilder {
  const f = new FunctionBuilder(name, PARAMS);
  f.locals('i32', 'b', 'nb', 'j', 'xp', 'wp', 'op', 'panelBytes', 'wp2');
  f.locals('i32', 'ip');
  const acc = range(4 * panels).map(i => `acc${i}`);
  f.locals('v128', 's', ...acc);
  f.get('k')
    .i32Const(PANEL * 4)
    .i32Mul()
    .set('panelBytes');
  f.loop(); // rows
  f.i32Const(0).set('nb');
  f.loop(); // column blocks
  // op = out + (b * np + nb) * 4
  f.get('out').get('b').get('np').i32Mul().get('nb').i32Add();
  f.i32Const(4).i32Mul().i32Add().set('op');
  // ip = init + b * initRowBytes + nb * 4
  f.get('init').get('b').get('initRowBytes').i32Mul().i32Add();
  f.get('nb').i32Const(4).i32Mul().i32Add().set('ip');
  acc.forEach((a, i) =>
    f
      .get('ip')
      .v128Load(16 * i)
      .set(a)
  );
  // xp = x + b * k * 4
  f.get('x').get('b').get('k').i32Mul().i32Const(4).i32Mul().i32Add();
  f.set('xp');
  // The columns from nb are one or two panels: wp = w + nb * k * 4, wp2 after it.
  f.get('w').get('nb').get('k').i32Mul().i32Const(4).i32Mul().i32Add();
  f.tee('wp').get('panelBytes').i32Add().set('wp2');
  f.get('k').set('j');
  f.loop(); // inner product
  f.get('xp').v128Load32Splat().set('s');
  acc.forEach((a, i) => {
    const panel = i < 4 ? 'wp' : 'wp2';
    mac(f, () => f.get(panel).v128Load(16 * (i % 4)), 's', a);
    f.set(a);
  });
  f.get('xp').i32Const(4).i32Add().set('xp');
  f.get('wp')
    .i32Const(PANEL * 4)
    .i32Add()
    .set('wp');
  if (panels === 2) {
    f.get('wp2')
      .i32Const(PANEL * 4)
      .i32Add()
      .set('wp2');
  }
  f.get('j').i32Const(1).i32Sub().tee('j').brIf(0);
  f.end();
  acc.forEach((a, i) =>
    f
      .get('op')
      .get(a)
      .v128Store(16 * i)
  );
  f.get('nb')
    .i32Const(PANEL * panels)
    .i32Add()
    .tee('nb')
    .get('np')
    .i32LtU()
    .brIf(0);
  f.end();
  f.get('b').i32Const(1).i32Add().tee('b').get('m').i32LtU().brIf(0);
  f.end();
  return f;
}

/** gemm2: 16-column blocks outside, row pairs inside, k innermost. */
export function gemm2Function(
  name = 'gemm2',
  mac: IMultiplyAdd = mulThenAdd
): FunctionBuilder {
  const params = PARAMS.map(([p, t]): [string, 'i32'] => [
    p === 'm' ? 'pairs' : p,
    t
  ]);
  const f = new FunctionBuilder(name, params);
  f.locals('i32', 'b', 'nb', 'j', 'xp', 'wp', 'op', 'rowBytes', 'kBytes');
  f.locals('i32', 'op1', 'ip', 'ip1');
  const row0 = range(4).map(i => `row0acc${i}`);
  const row1 = range(4).map(i => `row1acc${i}`);
  f.locals('v128', 's0', 's1', ...row0, ...row1, 'wv');
  f.get('np').i32Const(4).i32Mul().set('rowBytes');
  f.get('k').i32Const(4).i32Mul().set('kBytes');
  f.loop(); // column blocks
  f.i32Const(0).set('b');
  f.loop(); // row pairs
  // op = out + (2b * np + nb) * 4; op1 = op + rowBytes
  f.get('out').get('b').i32Const(2).i32Mul().get('np').i32Mul();
  f.get('nb').i32Add().i32Const(4).i32Mul().i32Add();
  f.tee('op').get('rowBytes').i32Add().set('op1');
  // ip = init + 2b * initRowBytes + nb * 4; ip1 = ip + initRowBytes
  f.get('init').get('b').i32Const(2).i32Mul().get('initRowBytes').i32Mul();
  f.i32Add().get('nb').i32Const(4).i32Mul().i32Add();
  f.tee('ip').get('initRowBytes').i32Add().set('ip1');
  range(4).forEach(i => {
    f.get('ip')
      .v128Load(16 * i)
      .set(row0[i]);
    f.get('ip1')
      .v128Load(16 * i)
      .set(row1[i]);
  });
  // xp = x + 2b * kBytes; wp = w + nb * k * 4 (the panel of columns nb..nb+15)
  f.get('x').get('b').i32Const(2).i32Mul().get('kBytes').i32Mul();
  f.i32Add().set('xp');
  f.get('w').get('nb').get('k').i32Mul().i32Const(4).i32Mul().i32Add();
  f.set('wp');
  f.get('k').set('j');
  f.loop(); // inner product
  f.get('xp').v128Load32Splat().set('s0');
  f.get('xp').get('kBytes').i32Add().v128Load32Splat().set('s1');
  range(4).forEach(i => {
    mac(
      f,
      () =>
        f
          .get('wp')
          .v128Load(16 * i)
          .tee('wv'),
      's0',
      row0[i]
    );
    f.set(row0[i]);
    mac(f, () => f.get('wv'), 's1', row1[i]);
    f.set(row1[i]);
  });
  f.get('xp').i32Const(4).i32Add().set('xp');
  f.get('wp')
    .i32Const(PANEL * 4)
    .i32Add()
    .set('wp');
  f.get('j').i32Const(1).i32Sub().tee('j').brIf(0);
  f.end();
  range(4).forEach(i => {
    f.get('op')
      .get(row0[i])
      .v128Store(16 * i);
    f.get('op1')
      .get(row1[i])
      .v128Store(16 * i);
  });
  f.get('b').i32Const(1).i32Add().tee('b').get('pairs').i32LtU().brIf(0);
  f.end();
  f.get('nb').i32Const(16).i32Add().tee('nb').get('np').i32LtU().brIf(0);
  f.end();
  return f;
}
