/**
 * The loop of the fused attention head's forward pass (`fuse.ts`,
 * `scaleRowsAndAverage`): per batch row, the mean over its counted steps
 * of `x[t, u] * scale[t]`, without the product being stored.
 *
 * Each unit's sum is the float32 products added in step order in double
 * precision, as GlobalAveragePooling1D sums the stored product: the same
 * floats, bit for bit. Only the loop order differs: a block of units is
 * summed over every step in local variables (registers) before the next
 * block, instead of every unit of a step being added to an array of sums.
 */

/** Units summed together in locals (8: fewer reload the weights more often, more spill). */
const BLOCK = 8;

/** Where a batch row's counted steps are and how each counts. */
export interface ICountedSteps {
  /** The flat row (`b * T + t`) of each counted step, in step order. */
  readonly rows: Int32Array;
  /** 1 where the step's states count as 1 (the product is then the scale). */
  readonly ones: Uint8Array;
  /** How many entries of `rows` and `ones` are in use. */
  count: number;
}

/** Room for the counted steps of one batch row of `steps` steps. */
export function countedSteps(steps: number): ICountedSteps {
  return {
    rows: new Int32Array(steps),
    ones: new Uint8Array(steps),
    count: 0
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
  const divisor = Math.max(counted.count, 1);
  let u = 0;
  for (; u + BLOCK <= units; u += BLOCK) {
    Private.block(src, weights, units, counted, u, divisor, out, at + u);
  }
  for (; u < units; u++) {
    Private.unit(src, weights, units, counted, u, divisor, out, at + u);
  }
}

namespace Private {
  /** Units `u..u + 7`: eight sums in locals over every counted step. */
  export function block(
    src: Float32Array,
    weights: Float32Array,
    units: number,
    counted: ICountedSteps,
    u: number,
    divisor: number,
    out: Float32Array,
    to: number
  ): void {
    const { rows, ones, count } = counted;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    for (let j = 0; j < count; j++) {
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
    out[to] = a0 / divisor;
    out[to + 1] = a1 / divisor;
    out[to + 2] = a2 / divisor;
    out[to + 3] = a3 / divisor;
    out[to + 4] = a4 / divisor;
    out[to + 5] = a5 / divisor;
    out[to + 6] = a6 / divisor;
    out[to + 7] = a7 / divisor;
  }

  /** One unit left over after the blocks. */
  export function unit(
    src: Float32Array,
    weights: Float32Array,
    units: number,
    counted: ICountedSteps,
    u: number,
    divisor: number,
    out: Float32Array,
    to: number
  ): void {
    const { rows, ones, count } = counted;
    let sum = 0;
    for (let j = 0; j < count; j++) {
      const row = rows[j];
      const w = weights[row];
      sum += ones[j] ? w : Math.fround(src[row * units + u] * w);
    }
    out[to] = sum / divisor;
  }
}
