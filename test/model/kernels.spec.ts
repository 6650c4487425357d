/**
 * The WebAssembly kernels written with the builder (`src/model/layers/
 * kernels/`): the matrix products that existed as hand-assembled opcode
 * arrays (the snapshot was taken from that code), since changed (one splat
 * load of x, a start row), give their floats bit for bit; the GRU
 * gate kernel, since rewritten with fewer instructions and interleaved
 * groups, gives the hand-assembled kernel's results bit for bit; the
 * matrix products equal a scalar float32 reference that sums in the same
 * order bit for bit, and the batched GRU gate kernel equals the one-row
 * kernel bit for bit, with and without its tape.
 */
import { Kernels, packPanels } from '../../src/model/layers/kernels';
import { scaledProjection } from '../../src/model/layers/vocabulary-tables';
import {
  assembleModule,
  FunctionBuilder
} from '../../src/model/layers/kernels/builder';
import {
  gemm2Function,
  gemmFunction
} from '../../src/model/layers/kernels/gemm';
import { gruGatesFunction } from '../../src/model/layers/kernels/gru-gates';
import {
  KERNEL_EXPORTS,
  kernelModuleBytes
} from '../../src/model/layers/kernels/module';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const snapshot = require('../fixtures/kernels/hand-assembled-v1.json');

const hex = (bytes: number[]) => Buffer.from(bytes).toString('hex');

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** `out += x . W`, each column summed over j in order in float32, as the kernels do. */
function referenceGemm(
  x: Float32Array,
  m: number,
  k: number,
  w: Float32Array,
  n: number,
  out: Float32Array,
  np: number
): void {
  const f = Math.fround;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let acc = out[r * np + c];
      for (let j = 0; j < k; j++) {
        acc = f(acc + f(x[r * k + j] * w[j * n + c]));
      }
      out[r * np + c] = acc;
    }
  }
}

/**
 * `gemm` and `gemm_narrow` of a module on the same random rows (k 250,
 * n 768, 1 row at a time, starting from random outputs): how many output
 * floats differ.
 */
function sameOneRowProducts(exports: WebAssembly.Exports): number {
  const memory = exports.memory as WebAssembly.Memory;
  const k = 250;
  const np = 768;
  memory.grow(16);
  const f32 = new Float32Array(memory.buffer);
  const rnd = random(11);
  const w = k; // weights after x
  const out = w + k * np;
  for (let i = 0; i < out + 2 * np; i++) {
    f32[i] = rnd();
  }
  const start = f32.slice(out, out + np);
  type Kernel = (...a: number[]) => void;
  (exports.gemm as Kernel)(0, 1, k, w * 4, np, out * 4, out * 4, 0);
  const wide = f32.slice(out, out + np);
  f32.set(start, out);
  (exports.gemm_narrow as Kernel)(0, 1, k, w * 4, np, out * 4, out * 4, 0);
  const narrow = f32.slice(out, out + np);
  return wide.filter((v, i) => !Object.is(v, narrow[i])).length;
}

/**
 * `kernels.gemm` of random m x k by k x n (x and out outside the kernels'
 * memory) against the in-order float32 reference, bit for bit.
 */
function expectInOrderSums(
  kernels: Kernels,
  m: number,
  k: number,
  n: number,
  rnd: () => number
): void {
  const w = Float32Array.from({ length: k * n }, rnd);
  const matrix = kernels.matrix(w, k, n);
  const x = Float32Array.from({ length: m * k }, rnd);
  const start = Float32Array.from({ length: m * matrix.np }, rnd);
  const out = new Float32Array(start);
  kernels.gemm(x, m, matrix, out);
  const expected = new Float32Array(start);
  referenceGemm(x, m, k, w, n, expected, matrix.np);
  for (let r = 0; r < m; r++) {
    expect(out.subarray(r * matrix.np, r * matrix.np + n)).toEqual(
      expected.subarray(r * matrix.np, r * matrix.np + n)
    );
  }
}

describe('kernels written with the builder', () => {
  it('computes gemm and gemm2 as the hand-assembled kernels, bit for bit', () => {
    for (const [current, name] of [
      [gemmFunction(), 'gemm'],
      [gemm2Function(), 'gemm2']
    ] as const) {
      const handAssembled = snapshot.bodies[name] as string;
      expect(hex(current.body())).not.toBe(handAssembled);
      const asFunction = {
        name,
        params: current.params.slice(0, 6),
        body: () => Array.from(Buffer.from(handAssembled, 'hex'))
      } as unknown as FunctionBuilder;
      // 5 rows (gemm2: 2 pairs) of k 37 by 48 columns, out 0..; x, W after.
      const run = (f: FunctionBuilder) => {
        const { exports } = new WebAssembly.Instance(
          new WebAssembly.Module(assembleModule([f])),
          {}
        );
        const memory = exports.memory as WebAssembly.Memory;
        memory.grow(1);
        const f32 = new Float32Array(memory.buffer);
        const rnd = random(3);
        const [m, k, np] = [5, 37, 48];
        const [x, w] = [m * np, m * np + m * k];
        for (let i = 0; i < w + k * np; i++) {
          f32[i] = rnd();
        }
        const rows = name === 'gemm' ? m : m >> 1;
        // The hand-assembled kernels take 6 parameters (the rest are ignored).
        (exports[name] as (...a: number[]) => void)(
          x * 4,
          rows,
          k,
          w * 4,
          np,
          0,
          0,
          np * 4
        );
        return f32.slice(0, m * np);
      };
      expect(run(current)).toEqual(run(asFunction));
    }
  });

  // 1,036 units: 64 passes of four interleaved groups, then three alone.
  it.each([1024, 1036])(
    'computes the GRU gates as the hand-assembled kernel, bit for bit, extremes included (%i units)',
    units => {
      const current = gruGatesFunction();
      expect(hex(current.body())).not.toBe(snapshot.bodies.gru_gates);
      const handAssembled = {
        name: 'gru_gates',
        params: current.params.slice(0, 6),
        body: () => Array.from(Buffer.from(snapshot.bodies.gru_gates, 'hex'))
      } as unknown as FunctionBuilder;
      const run = (f: FunctionBuilder, input: Float32Array) => {
        const { exports } = new WebAssembly.Instance(
          new WebAssembly.Module(assembleModule([f])),
          {}
        );
        const memory = exports.memory as WebAssembly.Memory;
        memory.grow(1);
        const f32 = new Float32Array(memory.buffer);
        f32.set(input);
        // x: 3 gates at 0, inner: 3 gates at 3 * units, h at 6 * units, out after.
        const units = input.length / 7;
        (exports.gru_gates as (...a: number[]) => void)(
          0,
          3 * units * 4,
          6 * units * 4,
          7 * units * 4,
          units / 4,
          units * 4
        );
        return f32.slice(7 * units, 8 * units);
      };
      const rnd = random(7);
      const extremes = [0, -0, 1e-30, -1e-30, 30, -30, 44, -44, 87.9, -87.9];
      extremes.push(100, -100, 1e30, -1e30, Infinity, -Infinity, NaN);
      const input = Float32Array.from({ length: 7 * units }, (_, i) =>
        i % 3 === 0 ? extremes[(i / 3) % extremes.length] : 60 * rnd()
      );
      const expected = run(handAssembled, input);
      const got = run(current, input);
      for (let i = 0; i < units; i++) {
        expect(Object.is(got[i], expected[i]) || [got[i], expected[i]]).toBe(
          true
        );
      }
    }
  );

  it('validates, exports every kernel and refuses unknown or repeated locals', () => {
    expect(WebAssembly.validate(kernelModuleBytes())).toBe(true);
    const instance = new WebAssembly.Instance(
      new WebAssembly.Module(kernelModuleBytes()),
      {}
    );
    for (const name of KERNEL_EXPORTS) {
      expect(typeof instance.exports[name]).toBe('function');
    }
    const f = new FunctionBuilder('f', [['a', 'i32']]);
    expect(() => f.get('b')).toThrow("f: no local 'b'");
    expect(() => f.locals('i32', 'a')).toThrow("f: local 'a' declared twice");
  });

  // n 750: 47 panels of 16 columns, so one row takes 23 two-panel blocks and a last panel.
  it.each([
    [1, 7, 5],
    [1, 250, 750],
    [2, 250, 750],
    [3, 100, 750],
    [9, 33, 40]
  ])(
    'gemm of %i rows (k %i, n %i) equals the in-order float32 sums bit for bit',
    (m, k, n) => {
      const kernels = new Kernels();
      expect(kernels.simd).toBe(true);
      expectInOrderSums(kernels, m, k, n, random(m * 1000 + k));
      kernels.dispose();
    }
  );

  it('multiplies a large x from outside the memory in blocks of rows, bit for bit, in odd and even blocks', () => {
    const kernels = new Kernels();
    // 2,001 rows of k 250 (2 MB): blocks of 130 rows (128 kB of x), the last of 51.
    const [m, k, n] = [2001, 250, 20];
    const before = kernels.memoryBytes;
    expectInOrderSums(kernels, m, k, n, random(m));
    // The memory held a block, not all of x.
    expect(kernels.memoryBytes - before).toBeLessThan((m * k * 4) / 2);
    kernels.dispose();
  });

  it.each([
    [true, 7],
    [true, 6],
    [false, 7]
  ])(
    'starts every row from a bias row as filling out with it first, bit for bit (SIMD %s, %i rows)',
    (simd, m) => {
      const kernels = new Kernels({ simd });
      const [k, n] = [250, 750];
      const rnd = random(m + k);
      const matrix = kernels.matrix(
        Float32Array.from({ length: k * n }, rnd),
        k,
        n
      );
      const bias = kernels.startRow(
        Float32Array.from({ length: n }, rnd),
        matrix
      );
      const [x, out] = kernels.workspace([m * k, m * matrix.np]);
      x.forEach((_, i) => (x[i] = rnd()));
      out.fill(NaN);
      kernels.gemm(x, m, matrix, out, bias);
      const started = new Float32Array(out);
      for (let r = 0; r < m; r++) {
        out.set(bias.values, r * matrix.np);
      }
      kernels.gemm(x, m, matrix, out);
      expect(started).toEqual(out);
      kernels.dispose();
    }
  );

  it('has two one-row products with the same floats (the relaxed pair: relaxed-simd.spec.ts)', () => {
    const { exports } = new WebAssembly.Instance(
      new WebAssembly.Module(kernelModuleBytes(false)),
      {}
    );
    expect(sameOneRowProducts(exports)).toBe(0);
  });

  it('uses the one-row product it timed faster', () => {
    const kernels = new Kernels();
    expect(['wide', 'narrow']).toContain(kernels.oneRow);
    kernels.dispose();
  });

  it('packs panels of 16 columns, zeros past the last column', () => {
    const w = Float32Array.from({ length: 2 * 20 }, (_, i) => i + 1);
    const packed = packPanels(w, 2, 20, 32);
    expect(Array.from(packed.subarray(0, 16))).toEqual(
      Array.from(w.subarray(0, 16))
    );
    expect(Array.from(packed.subarray(32, 36))).toEqual([17, 18, 19, 20]);
    expect(Array.from(packed.subarray(36, 48))).toEqual(new Array(12).fill(0));
  });
});

describe('the GRU gate kernel on widths that are not a multiple of 4', () => {
  it.each([1, 2, 3])(
    'computes the last %i units as in a whole group, bit for bit, and stores nothing past them',
    rest => {
      const groups = 5;
      const units = 4 * groups + rest;
      const { exports } = new WebAssembly.Instance(
        new WebAssembly.Module(kernelModuleBytes()),
        {}
      );
      const memory = exports.memory as WebAssembly.Memory;
      memory.grow(1);
      const f32 = new Float32Array(memory.buffer);
      const rnd = random(rest);
      const stride = 4 * (groups + 1);
      // x: 3 gates of `stride` at 0, inner after, h after, out after; a
      // whole-group run writes to a second out.
      const [x, inner, h, out, whole] = [0, 3, 6, 7, 8].map(i => i * stride);
      for (let i = 0; i < out; i++) {
        f32[i] = 8 * rnd();
      }
      const gates = exports.gru_gates as (...a: number[]) => void;
      f32.fill(-7, out, whole + stride);
      gates(x * 4, inner * 4, h * 4, out * 4, groups, stride * 4, rest);
      gates(x * 4, inner * 4, h * 4, whole * 4, groups + 1, stride * 4, 0);
      expect(f32.subarray(out, out + units)).toEqual(
        f32.subarray(whole, whole + units)
      );
      expect(Array.from(f32.subarray(out + units, out + stride))).toEqual(
        new Array(stride - units).fill(-7)
      );
    }
  );
});

describe('the batched GRU gate kernel', () => {
  // 7 groups of 4 units and 2 more: one pass of four interleaved groups,
  // three alone, then the last two units.
  const units = 30;
  const np = 96;

  /** One step of `batch` rows through gruGateRows; the rows' inputs come in any order. */
  function step(kernels: Kernels, batch: number, taped: boolean) {
    const rnd = random(batch + (taped ? 100 : 0));
    const width = 5 * units;
    const [xProj, inner, h, out, rowScratch, tape] = kernels.workspace([
      4 * np,
      batch * np,
      batch * units,
      batch * units,
      batch,
      taped ? batch * width : 0
    ]);
    xProj.forEach((_, i) => (xProj[i] = 4 * rnd()));
    inner.forEach((_, i) => (inner[i] = 4 * rnd()));
    h.forEach((_, i) => (h[i] = rnd()));
    const rows = Int32Array.from(
      { length: batch },
      (_, b) => ((b * 3) % 4) * np
    );
    const done = kernels.gruGateRows(
      xProj,
      rows,
      inner,
      np,
      h,
      out,
      batch,
      units,
      rowScratch,
      taped ? tape : null,
      width
    );
    return { done, xProj, inner, h, out, rows, tape: new Float32Array(tape) };
  }

  it.each([false, true])(
    'computes every row as the one-row kernel does, bit for bit (tape: %s)',
    taped => {
      const kernels = new Kernels();
      const batch = 5;
      const got = step(kernels, batch, taped);
      expect(got.done).toBe(units);
      const outs = new Float32Array(got.out);
      const ins = {
        xProj: new Float32Array(got.xProj),
        inner: new Float32Array(got.inner),
        h: new Float32Array(got.h)
      };
      // The one-row kernel of the module, through its own instance.
      const one = new WebAssembly.Instance(
        new WebAssembly.Module(kernelModuleBytes()),
        {}
      ).exports;
      const memory = one.memory as WebAssembly.Memory;
      memory.grow(4);
      const f32 = new Float32Array(memory.buffer);
      const gates = one.gru_gates as (...a: number[]) => void;
      for (let b = 0; b < batch; b++) {
        f32.set(ins.xProj.subarray(got.rows[b], got.rows[b] + np), 0);
        f32.set(ins.inner.subarray(b * np, (b + 1) * np), 1024);
        f32.set(ins.h.subarray(b * units, (b + 1) * units), 2048);
        gates(
          0,
          1024 * 4,
          2048 * 4,
          3072 * 4,
          units >> 2,
          units * 4,
          units & 3
        );
        expect(f32.subarray(3072, 3072 + units)).toEqual(
          outs.subarray(b * units, (b + 1) * units)
        );
        if (taped) {
          const row = got.tape.subarray(b * 5 * units, (b + 1) * 5 * units);
          // Slots: h, z, r, hh, i_h; h and i_h are the inputs as given.
          expect(row.subarray(0, units)).toEqual(
            ins.h.subarray(b * units, (b + 1) * units)
          );
          expect(row.subarray(4 * units)).toEqual(
            ins.inner.subarray(b * np + 2 * units, b * np + 3 * units)
          );
          // out = hh + z * (h - hh) from the kept z and hh.
          const f = Math.fround;
          for (let k = 0; k < units; k++) {
            const z = row[units + k];
            const hh = row[3 * units + k];
            expect(f(hh + f(z * f(row[k] - hh)))).toBe(outs[b * units + k]);
          }
        }
      }
      kernels.dispose();
    }
  );

  it('leaves everything to the caller without SIMD', () => {
    const kernels = new Kernels({ simd: false });
    expect(step(kernels, 3, false).done).toBe(0);
  });
});

describe('the scaled-row kernel', () => {
  it.each([false, true])(
    'writes alpha * row (+ bias) as the scalar loop does, bit for bit, signed zeros and extremes included (bias: %s)',
    withBias => {
      const kernels = new Kernels();
      const n = 30;
      const rnd = random(n + (withBias ? 1 : 0));
      const extremes = [0, -0, 1e-38, -1e-45, 3e38, -3e38, Infinity, NaN];
      const values = Float32Array.from({ length: 3 * n }, (_, i) =>
        i % 5 === 0 ? extremes[(i / 5) % extremes.length] : 100 * rnd()
      );
      const table = kernels.resident(values);
      const biasValues = Float32Array.from({ length: n }, (_, i) =>
        i % 7 === 0 ? -0 : rnd()
      );
      const bias = withBias ? kernels.resident(biasValues) : null;
      const [out] = kernels.workspace([2 * n]);
      for (const alpha of [Math.fround(0.37), -0, Math.fround(-2.5e-3)]) {
        out.fill(NaN);
        const done = kernels.scaleRow(out, n, table, n, alpha, bias, n);
        expect(done).toBe(28);
        const expected = new Float32Array(2 * n).fill(NaN);
        scaledProjection(
          expected,
          n,
          values,
          n,
          alpha,
          withBias ? biasValues : null,
          done
        );
        for (let i = 0; i < 2 * n; i++) {
          expect(
            Object.is(out[i], expected[i]) || [i, out[i], expected[i]]
          ).toBe(true);
        }
      }
      expect(
        kernels.scaleRow(new Float32Array(n), 0, table, 0, 1, null, n)
      ).toBe(0);
      kernels.dispose();
    }
  );
});
