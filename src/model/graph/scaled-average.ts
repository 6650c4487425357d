/**
 * The loop of the fused attention head's forward pass (`fuse.ts`,
 * `scaleRowsAndAverage`): per batch row, the mean over its counted steps
 * of `x[t, u] * scale[t]`, without the product being stored.
 *
 * Each unit's sum is the float32 products added in step order in double
 * precision, as GlobalAveragePooling1D sums the stored product: the same
 * floats, bit for bit. Only the loop order differs: the WebAssembly SIMD
 * kernel sums groups of 4 units (`kernels/scale-average.ts`, f64 lanes);
 * here, the units it leaves (all of them without SIMD) go by steps in
 * chunks small enough to stay in the first-level cache, a block of units
 * summed in local variables (registers) before the next block.
 */
import { Kernels } from '../layers/kernels';

/** Units summed together in locals (8: fewer reload the weights more often, more spill). */
const BLOCK = 8;

/** Steps per chunk (8 rows of the reference model's 250 units: 8 kB). */
const CHUNK = 8;

/** Which steps each batch row counts, and how. */
export interface ICountedSteps {
  /** The flat row (`b * T + t`) of each counted step, in step order. */
  readonly rows: Int32Array;
  /** 1 where the step's states count as 1 (the product is then the scale). */
  readonly ones: Uint8Array;
  /** Batch row b's steps are entries `start[b]..start[b + 1] - 1`. */
  readonly start: Int32Array;
  /** Steps per batch row (counted or not). */
  readonly steps: number;
}

/**
 * The counted steps of `batch` rows of `steps` steps: those `counts(row)`
 * says are counted, as 1 where `one(row)`.
 */
export function countSteps(
  batch: number,
  steps: number,
  counts: (row: number) => boolean,
  one: (row: number) => boolean
): ICountedSteps {
  const rows = new Int32Array(batch * steps);
  const ones = new Uint8Array(batch * steps);
  const start = new Int32Array(batch + 1);
  let n = 0;
  for (let row = 0; row < batch * steps; row++) {
    if (row % steps === 0) {
      start[row / steps] = n;
    }
    if (counts(row)) {
      rows[n] = row;
      ones[n] = one(row) ? 1 : 0;
      n++;
    }
  }
  start[batch] = n;
  return { rows, ones, start, steps };
}

/**
 * `out[b * units + u]` for every batch row b and unit u: the sum over b's
 * counted steps of `fround(src[row * units + u] * weights[row])` (or
 * `weights[row]` alone where the step counts as 1), in double precision,
 * divided by `max(count, 1)` and rounded to float32 on the store. With
 * `kernels`, the SIMD kernel sums what it can.
 */
export function averageScaledRows(
  src: Float32Array,
  weights: Float32Array,
  units: number,
  counted: ICountedSteps,
  out: Float32Array,
  kernels: Kernels | null
): void {
  const { start } = counted;
  const batch = start.length - 1;
  const sums = new Float64Array(batch * units);
  const rows = { src, weights, units, counted, sums };
  const done = kernels ? Private.kernelSums(kernels, rows) : 0;
  for (let b = 0; b < batch; b++) {
    const at = b * units;
    for (let from = start[b]; from < start[b + 1]; from += CHUNK) {
      const to = Math.min(start[b + 1], from + CHUNK);
      let u = done;
      for (; u + BLOCK <= units; u += BLOCK) {
        Private.block(rows, at, u, from, to);
      }
      for (; u < units; u++) {
        Private.unit(rows, at, u, from, to);
      }
    }
    const divisor = Math.max(start[b + 1] - start[b], 1);
    for (let u = 0; u < units; u++) {
      out[at + u] = sums[at + u] / divisor;
    }
  }
}

namespace Private {
  /** The operands of the sums, and the sums (`[batch, units]`). */
  export interface IRows {
    src: Float32Array;
    weights: Float32Array;
    units: number;
    counted: ICountedSteps;
    sums: Float64Array;
  }

  /**
   * The sums of the first units of every row by the SIMD kernel: each
   * batch row's states copied into the workspace in turn (a few hundred kB,
   * which stay in cache for the kernel), with a row of ones, each counted
   * step's row address and weight. Returns how many units per row it
   * summed (a multiple of 4; 0 without SIMD).
   */
  export function kernelSums(
    kernels: Kernels,
    { src, weights, units, counted, sums }: IRows
  ): number {
    const { rows, ones, start, steps } = counted;
    const batch = start.length - 1;
    const groups = units >> 2;
    if (!kernels.simd || groups === 0 || start[batch] === 0) {
      return 0;
    }
    const rowFloats = steps * units;
    const [x, oneRow, addressRoom, stepWeights, sumRoom] = kernels.workspace(
      [rowFloats, units, steps, steps, 2 * groups * 4],
      0,
      false
    );
    oneRow.fill(1);
    const address = new Int32Array(x.buffer, addressRoom.byteOffset, steps);
    const rowSums = new Float64Array(x.buffer, sumRoom.byteOffset, groups * 4);
    for (let b = 0; b < batch; b++) {
      const count = start[b + 1] - start[b];
      rowSums.fill(0);
      if (count > 0) {
        const first = b * rowFloats;
        x.set(src.subarray(first, first + rowFloats));
        for (let i = 0; i < count; i++) {
          const j = start[b] + i;
          address[i] = ones[j]
            ? oneRow.byteOffset
            : x.byteOffset + (rows[j] * units - first) * 4;
          stepWeights[i] = weights[rows[j]];
        }
        kernels.scaleAverage(address, stepWeights, 0, count, groups, rowSums);
      }
      sums.set(rowSums, b * units);
    }
    return groups * 4;
  }

  /** Adds counted steps `from..to - 1` to the sums at `at + u..at + u + 7`, held in locals. */
  export function block(
    { src, weights, units, counted, sums }: IRows,
    at: number,
    u: number,
    from: number,
    to: number
  ): void {
    const { rows, ones } = counted;
    const s = at + u;
    let a0 = sums[s];
    let a1 = sums[s + 1];
    let a2 = sums[s + 2];
    let a3 = sums[s + 3];
    let a4 = sums[s + 4];
    let a5 = sums[s + 5];
    let a6 = sums[s + 6];
    let a7 = sums[s + 7];
    for (let j = from; j < to; j++) {
      const row = rows[j];
      const w = weights[row];
      if (ones[j]) {
        a0 += w;
        a1 += w;
        a2 += w;
        a3 += w;
        a4 += w;
        a5 += w;
        a6 += w;
        a7 += w;
        continue;
      }
      const i = row * units + u;
      a0 += Math.fround(src[i] * w);
      a1 += Math.fround(src[i + 1] * w);
      a2 += Math.fround(src[i + 2] * w);
      a3 += Math.fround(src[i + 3] * w);
      a4 += Math.fround(src[i + 4] * w);
      a5 += Math.fround(src[i + 5] * w);
      a6 += Math.fround(src[i + 6] * w);
      a7 += Math.fround(src[i + 7] * w);
    }
    sums[s] = a0;
    sums[s + 1] = a1;
    sums[s + 2] = a2;
    sums[s + 3] = a3;
    sums[s + 4] = a4;
    sums[s + 5] = a5;
    sums[s + 6] = a6;
    sums[s + 7] = a7;
  }

  /** Adds counted steps `from..to - 1` to the sum at `at + u` (a unit after the blocks). */
  export function unit(
    { src, weights, units, counted, sums }: IRows,
    at: number,
    u: number,
    from: number,
    to: number
  ): void {
    const { rows, ones } = counted;
    let sum = sums[at + u];
    for (let j = from; j < to; j++) {
      const row = rows[j];
      const w = weights[row];
      sum += ones[j] ? w : Math.fround(src[row * units + u] * w);
    }
    sums[at + u] = sum;
  }
}
