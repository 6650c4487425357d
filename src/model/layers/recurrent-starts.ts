/**
 * Which steps of a recurrent batch need computing. From the zero state, a
 * row's leading steps that are masked (state kept) or hold the padding id 0
 * of an Embedding input follow one trajectory that does not depend on the
 * row, so it is computed once per cell (`padSteps` counts how far along it a
 * row's state is). A row whose first steps equal the first row's (occlusion
 * variants of one text) takes that row's state where they part. Steps are
 * counted in processing order (reversed for go_backwards).
 */

/** Where a row's state before its first computed step comes from. */
export const StartState = {
  /** The pad trajectory after `padSteps` pad steps (0: the zero state). */
  Pad: 0,
  /** The state of row 0 at the same step (the rows agree up to there). */
  FirstRow: 1,
  /** The layer's initial_state row. */
  Initial: 2,
  /**
   * Row 0 only: its whole run is a kept trajectory (`recurrent-first-row.ts`),
   * nothing is computed; rows starting from row 0 read the kept states.
   */
  Kept: 3
} as const;

export interface IRowStarts {
  /** First processing step each row computes; `steps` when it computes none. */
  readonly start: Int32Array;
  readonly source: Uint8Array;
  /** Pad steps (unmasked id 0) before `start`, for source Pad. */
  readonly padSteps: Int32Array;
  /** Rows by ascending start: the rows computed at a step are a prefix. */
  readonly order: Int32Array;
}

export interface IStartInput {
  readonly batch: number;
  readonly steps: number;
  readonly goBackwards: boolean;
  /** Token ids `[batch * steps]` when the input is an Embedding gather. */
  readonly ids: Float32Array | null;
  /** The input rows `[batch * steps * features]` when it is not. */
  readonly data: Float32Array;
  readonly features: number;
  /** 1 = step used, `[batch * steps]`; null without a mask. */
  readonly mask: Uint8Array | null;
  /** Rows start from initial_state tensors (nothing can be skipped). */
  readonly hasInitial: boolean;
  /** False computes every step of every row (the reference for tests). */
  readonly share: boolean;
  /**
   * Rows may take row 0's state where their inputs part (default true); a
   * recorded run for a backward pass keeps every row's steps its own.
   */
  readonly shareFirstRow?: boolean;
}

export function planRowStarts(input: IStartInput): IRowStarts {
  const { batch, steps, goBackwards, ids, mask } = input;
  const start = new Int32Array(batch);
  const source = new Uint8Array(batch);
  const padSteps = new Int32Array(batch);
  const order = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    order[b] = b;
  }
  if (!input.share || input.hasInitial) {
    source.fill(input.hasInitial ? StartState.Initial : StartState.Pad);
    return { start, source, padSteps, order };
  }
  const time = (s: number) => (goBackwards ? steps - 1 - s : s);
  for (let b = 0; b < batch; b++) {
    let s = 0;
    let pads = 0;
    for (; s < steps; s++) {
      const at = b * steps + time(s);
      if (mask && !mask[at]) {
        continue;
      }
      if (ids && ids[at] === 0) {
        pads++;
        continue;
      }
      break;
    }
    start[b] = s;
    padSteps[b] = pads;
  }
  for (let b = 1; b < batch && input.shareFirstRow !== false; b++) {
    const parted = Private.firstDifference(input, b);
    // Up to `parted` the row is row 0, so row 0 started at start[b] too.
    if (parted > start[b]) {
      start[b] = parted;
      source[b] = StartState.FirstRow;
    }
  }
  // Stable: row 0 comes before the rows that start where it is.
  order.sort((a, b) => start[a] - start[b] || a - b);
  return { start, source, padSteps, order };
}

namespace Private {
  /** The first processing step where row `b`'s input or mask differs from row 0's. */
  export function firstDifference(input: IStartInput, b: number): number {
    const { steps, goBackwards, ids, data, features, mask } = input;
    for (let s = 0; s < steps; s++) {
      const t = goBackwards ? steps - 1 - s : s;
      const at = b * steps + t;
      if (mask && mask[at] !== mask[t]) {
        return s;
      }
      if (ids) {
        if (ids[at] !== ids[t]) {
          return s;
        }
        continue;
      }
      const row = at * features;
      const first = t * features;
      for (let f = 0; f < features; f++) {
        // Object.is: -0 and 0 may give different sums; NaN equals NaN.
        if (!Object.is(data[row + f], data[first + f])) {
          return s;
        }
      }
    }
    return steps;
  }
}
