/**
 * The recurrent loop shared by GRU, LSTM and SimpleRNN: the input
 * projection of every step is one matrix multiply up front; each step then
 * does one batched recurrent multiply (WebAssembly SIMD when available) and
 * fused gate maths in a tight loop. Masks carry state over masked steps as
 * Keras does. Rows skip the steps they share with the padding or with row 0
 * (see recurrent-starts.ts); each row's arithmetic is the same either way.
 * A recorded run keeps each step's tape for `recurrent-backward.ts`. What
 * the loop needs before its first step is made in `recurrent-prepare.ts`.
 */
import { ILayerOutput, IMask, ITensor } from './base';
import { BufferPool, zerosFrom } from './buffer-pool';
import { Kernels } from './kernels';
import { ICell, IRecurrentOptions } from './recurrent-cell';
import { IRecurrentRun, prepareRun } from './recurrent-prepare';
import { IRowStarts, StartState } from './recurrent-starts';

/** What a recorded run keeps for its backward pass. */
export interface IRecurrentRecord {
  readonly plan: IRowStarts;
  /** The mask the run used (`[batch * steps]`), null without one. */
  readonly maskData: Uint8Array | null;
  /** Rows computed at each processing step (a prefix of `plan.order`). */
  readonly active: Int32Array;
  /** Each processing step's tape of those rows (`active x tapeWidth`). */
  readonly tapes: Float32Array[];
}

/**
 * One forward pass of a recurrent layer over `x` ([batch, steps, features]);
 * its output array from `buffers` when given.
 */
export function runRecurrent(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  x: ITensor,
  mask: IMask | null,
  initial?: Float32Array[],
  buffers?: BufferPool
): ILayerOutput {
  return drive(kernels, cell, options, x, mask, initial, null, buffers).result;
}

/**
 * The forward pass of `runRecurrent`, keeping each step's tape: every row
 * computes its own steps (none taken from row 0), leading masked steps
 * are still skipped.
 */
export function recordRecurrent(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  x: ITensor,
  mask: IMask | null,
  initial?: Float32Array[],
  buffers?: BufferPool
): { result: ILayerOutput; record: IRecurrentRecord } {
  const tapes: Float32Array[] = [];
  const run = drive(kernels, cell, options, x, mask, initial, tapes, buffers);
  return {
    result: run.result,
    record: {
      plan: run.plan,
      maskData: run.maskData,
      active: run.active,
      tapes
    }
  };
}

function drive(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  x: ITensor,
  mask: IMask | null,
  initial: Float32Array[] | undefined,
  tapes: Float32Array[] | null,
  buffers?: BufferPool
): {
  result: ILayerOutput;
  plan: IRowStarts;
  maskData: Uint8Array | null;
  active: Int32Array;
} {
  const [batch, steps] = x.shape;
  const { units } = cell;
  const run = prepareRun(kernels, cell, options, x, mask, initial, tapes);
  const length = batch * (options.returnSequences ? steps : 1) * units;
  const out = zerosFrom(buffers, length);
  const active = Private.stepAll(
    run,
    cell,
    options,
    initial,
    out,
    tapes,
    buffers
  );
  const finals = Private.finalStates(run, cell, initial);
  if (options.returnSequences) {
    if (run.kept?.outputs) {
      out.set(run.kept.outputs);
    }
    Private.skippedOutputs(out, run.plan, run.pad[0], {
      steps,
      units,
      time: run.time,
      maskData: run.maskData,
      zeroOutputForMask: options.zeroOutputForMask
    });
  } else {
    out.set(finals[0]);
  }
  run.recorder?.finish(out);
  const result: ILayerOutput = {
    output: {
      shape: options.returnSequences ? [batch, steps, units] : [batch, units],
      data: out
    },
    mask: options.returnSequences ? mask : null,
    ...(options.returnState
      ? { extra: finals.map(data => ({ shape: [batch, units], data })) }
      : {})
  };
  return { result, plan: run.plan, maskData: run.maskData, active };
}

/**
 * One view per buffer position (`units` floats each) of each state buffer,
 * made once per run: copying a row is then one `set`, with no `subarray`
 * object made per row and step.
 */
class RowViews {
  constructor(
    readonly units: number,
    private readonly _rows: number
  ) {}

  /** The row views of `buffer` (one of the run's state buffers). */
  of(buffer: Float32Array): Float32Array[] {
    let views = this._views.get(buffer);
    if (!views) {
      views = Array.from({ length: this._rows }, (_, i) =>
        buffer.subarray(i * this.units, (i + 1) * this.units)
      );
      this._views.set(buffer, views);
    }
    return views;
  }

  private readonly _views = new Map<Float32Array, Float32Array[]>();
}

namespace Private {
  /**
   * Steps every row from its start, masked steps carrying the state, and
   * writes the sequence outputs; with `tapes`, one tape per step. Returns
   * how many rows were computed at each step; `run.state` ends as the
   * final states.
   */
  export function stepAll(
    run: IRecurrentRun,
    cell: ICell,
    options: IRecurrentOptions,
    initial: Float32Array[] | undefined,
    out: Float32Array,
    tapes: Float32Array[] | null,
    buffers?: BufferPool
  ): Int32Array {
    const { batch, steps, plan, xProj, position } = run;
    const { units } = cell;
    const { start, order } = plan;
    // Buffer position i holds row order[i]; rows[i] is its xProj offset.
    const rows = new Int32Array(batch);
    let active = 0;
    const activeAt = new Int32Array(steps);
    const tapeStore = tapes
      ? tapeStorage(plan, steps, cell.tapeWidth, buffers)
      : null;
    const views = new RowViews(units, batch);
    let tapeAt = 0;
    for (let s = 0; s < steps; s++) {
      while (active < batch && start[order[active]] <= s) {
        enterRow(run, cell, initial, order[active], active);
        if (order[active] === 0) {
          run.recorder?.state(s, run.state, active * units);
        }
        active++;
      }
      activeAt[s] = active;
      const tape = tapeStore?.subarray(
        tapeAt,
        (tapeAt += active * cell.tapeWidth)
      );
      tapes?.push(tape!);
      if (active === 0) {
        continue;
      }
      const t = run.time(s);
      for (let i = 0; i < active; i++) {
        rows[i] = run.inputRow(order[i], t);
      }
      const { state, next } = run;
      cell.step(state, next, run.scratch, active, xProj, rows, tape);
      carryMaskedStates(run, views, t, active);
      run.state = next;
      run.next = state;
      if (run.recorder && s >= start[0]) {
        run.recorder.state(s + 1, run.state, position[0] * units);
      }
      if (options.returnSequences) {
        writeStepOutputs(run, views, options, out, s, t, active);
      }
    }
    return activeAt;
  }

  /**
   * Every step's tape in one allocation (from `buffers` when given): rows
   * computed at step s are those started by then.
   */
  export function tapeStorage(
    plan: IRowStarts,
    steps: number,
    tapeWidth: number,
    buffers?: BufferPool
  ): Float32Array {
    let floats = 0;
    for (let b = 0; b < plan.start.length; b++) {
      floats += Math.max(0, steps - plan.start[b]) * tapeWidth;
    }
    return zerosFrom(buffers, floats);
  }

  /** Puts row b's starting states at buffer position i. */
  export function enterRow(
    run: IRecurrentRun,
    cell: ICell,
    initial: Float32Array[] | undefined,
    b: number,
    i: number
  ): void {
    const { units, stateCount } = cell;
    const { start, source, padSteps } = run.plan;
    const at = i * units;
    for (let k = 0; k < stateCount; k++) {
      if (source[b] === StartState.Initial) {
        run.state[k].set(initial![k].subarray(b * units, (b + 1) * units), at);
      } else if (source[b] === StartState.FirstRow && run.kept) {
        const from = start[b] * units;
        run.state[k].set(run.kept.states[k].subarray(from, from + units), at);
      } else if (source[b] === StartState.FirstRow) {
        const from = run.position[0] * units;
        run.state[k].copyWithin(at, from, from + units);
      } else {
        const from = padSteps[b] * units;
        run.state[k].set(run.pad[k].subarray(from, from + units), at);
      }
    }
  }

  /** Rows masked at time t keep their state: `run.next` gets `run.state` back. */
  export function carryMaskedStates(
    run: IRecurrentRun,
    views: RowViews,
    t: number,
    active: number
  ): void {
    const { maskData, steps, state, next } = run;
    if (!maskData) {
      return;
    }
    const { units } = views;
    const order = run.plan.order;
    for (let i = 0; i < active; i++) {
      if (!maskData[order[i] * steps + t]) {
        for (let k = 0; k < state.length; k++) {
          next[k].set(views.of(state[k])[i], i * units);
        }
      }
    }
  }

  /** The new state of each active row as the output of processing step s (time t). */
  export function writeStepOutputs(
    run: IRecurrentRun,
    views: RowViews,
    options: IRecurrentOptions,
    out: Float32Array,
    s: number,
    t: number,
    active: number
  ): void {
    const { maskData, steps } = run;
    const { units } = views;
    const order = run.plan.order;
    const rows = views.of(run.state[0]);
    for (let i = 0; i < active; i++) {
      const b = order[i];
      if (maskData && !maskData[b * steps + t] && options.zeroOutputForMask) {
        continue;
      }
      out.set(rows[i], (b * steps + s) * units);
    }
  }

  /** Final states by row; row 0 first, as rows equal to it copy its own. */
  export function finalStates(
    run: IRecurrentRun,
    cell: ICell,
    initial: Float32Array[] | undefined
  ): Float32Array[] {
    const { batch, steps, pad, position } = run;
    const { start, source, padSteps } = run.plan;
    const { units, stateCount } = cell;
    const finals = Array.from(
      { length: stateCount },
      () => new Float32Array(batch * units)
    );
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < stateCount; k++) {
        let from: Float32Array;
        let at: number;
        if (start[b] < steps) {
          [from, at] = [run.state[k], position[b] * units];
        } else if (source[b] === StartState.FirstRow) {
          [from, at] = [finals[k], 0];
        } else if (source[b] === StartState.Kept) {
          [from, at] = [run.kept!.states[k], steps * units];
        } else if (source[b] === StartState.Initial) {
          [from, at] = [initial![k], b * units];
        } else {
          [from, at] = [pad[k], padSteps[b] * units];
        }
        finals[k].set(from.subarray(at, at + units), b * units);
      }
    }
    return finals;
  }

  /**
   * The outputs of the steps a row did not compute: along the pad
   * trajectory (zeros while masked from the zero state), or row 0's.
   */
  export function skippedOutputs(
    out: Float32Array,
    plan: IRowStarts,
    padH: Float32Array,
    layout: {
      steps: number;
      units: number;
      time: (s: number) => number;
      maskData: Uint8Array | null;
      zeroOutputForMask: boolean;
    }
  ): void {
    const { steps, units, time, maskData } = layout;
    const { start, source } = plan;
    const batch = start.length;
    for (let b = 0; b < batch; b++) {
      if (source[b] !== StartState.Pad) {
        continue;
      }
      let k = 0;
      for (let s = 0; s < start[b]; s++) {
        const masked = maskData !== null && !maskData[b * steps + time(s)];
        if (!masked) {
          k++;
        } else if (layout.zeroOutputForMask || k === 0) {
          continue;
        }
        out.set(
          padH.subarray(k * units, (k + 1) * units),
          (b * steps + s) * units
        );
      }
    }
    // After row 0's own skipped outputs are in place.
    for (let b = 1; b < batch; b++) {
      if (source[b] === StartState.FirstRow) {
        out.copyWithin(b * steps * units, 0, start[b] * units);
      }
    }
  }
}
