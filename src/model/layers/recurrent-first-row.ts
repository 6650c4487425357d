/**
 * The run of a batch's first row, kept for the next batch that starts with
 * the same row. Occlusion puts the text first in every forward pass and its
 * variants take the text's state where they part from it
 * (`recurrent-starts.ts`); with the text's states at every step kept here,
 * a later batch neither computes the text again nor waits for it: each
 * variant starts at its own step from the kept state, and the text's
 * outputs and final states are copied. The kept states are the ones the
 * first batch computed, so the results are the same bit for bit.
 *
 * One trajectory per cell: the last first row that was computed in full.
 */
import { ICell } from './recurrent-cell';

/** A first row's states and outputs at every processing step. */
export interface IFirstRowTrajectory {
  /** The row's ids (Embedding input) or features, `[steps * width]`. */
  readonly key: Float32Array;
  /** The row's mask `[steps]`, or null. */
  readonly maskKey: Uint8Array | null;
  /** First processing step with a state (the row's start). */
  readonly from: number;
  /** Per state: the state before processing step s at `s * units`, s = from..steps. */
  readonly states: Float32Array[];
  /** The row's output rows `[steps * units]` (return_sequences), else null. */
  readonly outputs: Float32Array | null;
}

/** Most floats kept per cell (states and outputs); longer runs are not kept. */
export const MAX_TRAJECTORY_FLOATS = 1 << 22;

const kept = new WeakMap<ICell, IFirstRowTrajectory>();
// An object: the counter is changed from the functions below.
const uses = { count: 0 };

/** How many batches took their first row's run from a kept trajectory (for tests). */
export function keptTrajectoryUses(): number {
  return uses.count;
}

/** What identifies a first row: its input row and mask row. */
export interface IFirstRowInput {
  readonly steps: number;
  /** Row 0's input: `width` floats per step. */
  readonly row: Float32Array;
  readonly maskRow: Uint8Array | null;
}

/** The kept trajectory of this cell when it is the one of this first row. */
export function keptTrajectory(
  cell: ICell,
  input: IFirstRowInput
): IFirstRowTrajectory | null {
  const hit = kept.get(cell);
  if (!hit || hit.key.length !== input.row.length) {
    return null;
  }
  if ((hit.maskKey === null) !== (input.maskRow === null)) {
    return null;
  }
  for (let i = 0; i < input.row.length; i++) {
    // Object.is: -0 and 0 may give different sums; NaN equals NaN.
    if (!Object.is(hit.key[i], input.row[i])) {
      return null;
    }
  }
  if (hit.maskKey && input.maskRow) {
    for (let s = 0; s < input.steps; s++) {
      if (hit.maskKey[s] !== input.maskRow[s]) {
        return null;
      }
    }
  }
  uses.count++;
  return hit;
}

/** Records a first row's run as it is computed; `finish` keeps it for the cell. */
export class FirstRowRecorder {
  constructor(
    private _cell: ICell,
    private _input: IFirstRowInput,
    private _from: number,
    withOutputs: boolean
  ) {
    const { units, stateCount } = _cell;
    const steps = _input.steps;
    this._states = Array.from(
      { length: stateCount },
      () => new Float32Array((steps + 1) * units)
    );
    this._outputs = withOutputs ? new Float32Array(steps * units) : null;
  }

  /** Whether a run of this many steps is small enough to keep. */
  static fits(cell: ICell, steps: number, withOutputs: boolean): boolean {
    const floats =
      (steps + 1) * cell.units * cell.stateCount +
      (withOutputs ? steps * cell.units : 0);
    return floats <= MAX_TRAJECTORY_FLOATS;
  }

  /** The row's states before processing step `s`, read at `at` of `states`. */
  state(s: number, states: Float32Array[], at: number): void {
    const units = this._cell.units;
    states.forEach((state, k) =>
      this._states[k].set(state.subarray(at, at + units), s * units)
    );
  }

  /** Keeps the trajectory, with the row's outputs read from `out` (row 0 first). */
  finish(out: Float32Array): void {
    if (this._outputs) {
      this._outputs.set(out.subarray(0, this._outputs.length));
    }
    kept.set(this._cell, {
      key: new Float32Array(this._input.row),
      maskKey: this._input.maskRow ? new Uint8Array(this._input.maskRow) : null,
      from: this._from,
      states: this._states,
      outputs: this._outputs
    });
  }

  private _states: Float32Array[];
  private _outputs: Float32Array | null;
}
