/**
 * The loop of the fused attention head's forward pass (`fuse.ts`,
 * `scaleRowsAndAverage`): per batch row, the mean over its counted steps
 * of `x[t, u] * scale[t]`, without the product being stored.
 *
 * Each unit's sum is the float32 products added in step order in double
 * precision, as GlobalAveragePooling1D sums the stored product: the same
 * floats, bit for bit. Only the loop order differs: the steps go by in
 * chunks small enough to stay in the first-level cache, and within a
 * chunk a block of units is summed in local variables (registers) before
 * the next block, instead of every product being added to an array.
 */

/** Units summed together in locals (8: fewer reload the weights more often, more spill). */
const BLOCK = 8;

/** Steps per chunk (8 rows of the reference model's 250 units: 8 kB). */
const CHUNK = 8;

/** Where a batch row's counted steps are and how each counts. */
export interface ICountedSteps {
  /** The flat row (`b * T + t`) of each counted step, in step order. */
  readonly rows: Int32Array;
  /** 1 where the step's states count as 1 (the product is then the scale). */
  readonly ones: Uint8Array;
  /** How many entries of `rows` and `ones` are in use. */
  count: number;
  /** The running sums, one per unit. */
  readonly sums: Float64Array;
}

/** Room for the counted steps of one batch row of `steps` steps of `units` units. */
export function countedSteps(steps: number, units: number): ICountedSteps {
  return {
    rows: new Int32Array(steps),
    ones: new Uint8Array(steps),
    count: 0,
    sums: new Float64Array(units)
  };
}

/**
 * Writes `out[at + u]` for every unit u: the sum over `counted` of
 * `fround(src[row * units + u] * weights[row])` (or `weights[row]` alone
 * where the step counts as 1), in double precision, divided by
 * `max(count, 1)` and rounded to float32 on the store.
 */
export function averageScaledRows(
  src: Float32Array,
  weights: Float32Array,
  units: number,
  counted: ICountedSteps,
  out: Float32Array,
  at: number
): void {
  const { sums, count } = counted;
  sums.fill(0);
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK);
    let u = 0;
    for (; u + BLOCK <= units; u += BLOCK) {
      Private.block(src, weights, units, counted, u, from, to);
    }
    for (; u < units; u++) {
      Private.unit(src, weights, units, counted, u, from, to);
    }
  }
  const divisor = Math.max(count, 1);
  for (let u = 0; u < units; u++) {
    out[at + u] = sums[u] / divisor;
  }
}

namespace Private {
  /** Adds counted steps `from..to - 1` to the sums of units `u..u + 7`, held in locals. */
  export function block(
    src: Float32Array,
    weights: Float32Array,
    units: number,
    counted: ICountedSteps,
    u: number,
    from: number,
    to: number
  ): void {
    const { rows, ones, sums } = counted;
    let a0 = sums[u];
    let a1 = sums[u + 1];
    let a2 = sums[u + 2];
    let a3 = sums[u + 3];
    let a4 = sums[u + 4];
    let a5 = sums[u + 5];
    let a6 = sums[u + 6];
    let a7 = sums[u + 7];
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
    sums[u] = a0;
    sums[u + 1] = a1;
    sums[u + 2] = a2;
    sums[u + 3] = a3;
    sums[u + 4] = a4;
    sums[u + 5] = a5;
    sums[u + 6] = a6;
    sums[u + 7] = a7;
  }

  /** Adds counted steps `from..to - 1` to the sum of one unit left over after the blocks. */
  export function unit(
    src: Float32Array,
    weights: Float32Array,
    units: number,
    counted: ICountedSteps,
    u: number,
    from: number,
    to: number
  ): void {
    const { rows, ones, sums } = counted;
    let sum = sums[u];
    for (let j = from; j < to; j++) {
      const row = rows[j];
      const w = weights[row];
      sum += ones[j] ? w : Math.fround(src[row * units + u] * w);
    }
    sums[u] = sum;
  }
}
