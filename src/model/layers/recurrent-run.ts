/**
 * The recurrent loop shared by GRU, LSTM and SimpleRNN: the input
 * projection of every step is one matrix multiply up front; each step then
 * does one batched recurrent multiply (WebAssembly SIMD when available) and
 * fused gate maths in a tight loop. Masks carry state over masked steps as
 * Keras does. Rows skip the steps they share with the padding or with row 0
 * (see recurrent-starts.ts); each row's arithmetic is the same either way.
 * A recorded run keeps each step's tape for `recurrent-backward.ts`.
 */
import { IGather, ILayerOutput, IMask, ITensor } from './base';
import { scaledProjection } from './vocabulary-tables';
import { Kernels } from './kernels';
import { ICell, IRecurrentOptions } from './recurrent-cell';
import { IRowStarts, planRowStarts, StartState } from './recurrent-starts';
import {
  FirstRowRecorder,
  IFirstRowTrajectory,
  keptTrajectory
} from './recurrent-first-row';
import { padTrajectory, projectedTable } from './recurrent-tables';

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

/** One forward pass of a recurrent layer over `x` ([batch, steps, features]). */
export function runRecurrent(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  x: ITensor,
  mask: IMask | null,
  initial?: Float32Array[]
): ILayerOutput {
  return drive(kernels, cell, options, x, mask, initial, null).result;
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
  initial?: Float32Array[]
): { result: ILayerOutput; record: IRecurrentRecord } {
  const tapes: Float32Array[] = [];
  const run = drive(kernels, cell, options, x, mask, initial, tapes);
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
  tapes: Float32Array[] | null
): {
  result: ILayerOutput;
  plan: IRowStarts;
  maskData: Uint8Array | null;
  active: Int32Array;
} {
  const [batch, steps] = x.shape;
  const { units } = cell;
  const run = Private.prepare(kernels, cell, options, x, mask, initial, tapes);
  const out = new Float32Array(
    batch * (options.returnSequences ? steps : 1) * units
  );
  const active = Private.stepAll(run, cell, options, initial, out, tapes);
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

namespace Private {
  /** One run's plan, input projection and state buffers. */
  export interface IRun {
    batch: number;
    steps: number;
    time: (s: number) => number;
    plan: IRowStarts;
    maskData: Uint8Array | null;
    /** Pad trajectory states (`[length + 1, units]` each). */
    pad: Float32Array[];
    xProj: Float32Array;
    /** The xProj row of step t of row b. */
    inputRow: (b: number, t: number) => number;
    /** Buffer position of each row (positions hold rows in `plan.order`). */
    position: Int32Array;
    state: Float32Array[];
    next: Float32Array[];
    scratch: Float32Array[];
    /** Row 0's kept run (row 0 then computes nothing), or null. */
    kept: IFirstRowTrajectory | null;
    /** Records row 0's run for the next batch, or null. */
    recorder: FirstRowRecorder | null;
  }

  /** Plans the rows, projects the inputs and takes the workspace. */
  export function prepare(
    kernels: Kernels,
    cell: ICell,
    options: IRecurrentOptions,
    x: ITensor,
    mask: IMask | null,
    initial: Float32Array[] | undefined,
    tapes: Float32Array[] | null
  ): IRun {
    const [batch, steps, features] = x.shape;
    const { units, stateCount, inputMatrix } = cell;
    const np = inputMatrix.np;
    // Project an Embedding table before the workspace exists: a gemm on
    // arrays outside it may grow (and so detach) WebAssembly memory. Ids were
    // checked against the vocabulary by the Embedding.
    const fold =
      options.foldTables !== false && x.gather?.width === features
        ? x.gather
        : null;
    // Ids address rows of the projected table; scaled rows (the gradient
    // methods' alpha * E) each get their own projection row.
    const gather = fold && !fold.scales ? fold : null;
    const scaled = fold?.scales ? fold : null;
    const projected = gather
      ? projectedTable(kernels, cell, gather.table, features)
      : null;
    const unbiased = scaled
      ? projectedTable(kernels, cell, scaled.table, features, false)
      : null;
    const maskData = mask && mask.steps === steps ? mask.data : null;
    const plan = planRowStarts({
      batch,
      steps,
      goBackwards: options.goBackwards,
      ids: gather ? gather.indices : null,
      data: x.data,
      features,
      mask: maskData,
      hasInitial: initial !== undefined,
      share: options.shareSteps !== false,
      shareFirstRow: tapes === null
    });
    const firstRow =
      options.shareSteps !== false && tapes === null && !initial
        ? sharedFirstRow(
            cell,
            plan,
            {
              steps,
              row: gather
                ? gather.indices.subarray(0, steps)
                : x.data.subarray(0, steps * features),
              maskRow: maskData ? maskData.subarray(0, steps) : null
            },
            options.returnSequences
          )
        : { kept: null, recorder: null };
    let padLength = 0;
    for (let b = 0; b < batch; b++) {
      if (plan.source[b] === StartState.Pad) {
        padLength = Math.max(padLength, plan.padSteps[b]);
      }
    }
    // Also before the workspace: the trajectory is stepped in its own.
    const pad = padTrajectory(kernels, cell, projected, padLength);

    // Embedding input: the projected table itself, rows addressed by id;
    // otherwise the input projection of every step: [batch * steps, np].
    const sizes: number[] = [projected ? projected.length : batch * steps * np];
    for (let i = 0; i < 2 * stateCount; i++) {
      sizes.push(batch * units);
    }
    const ws = kernels.workspace(
      [...sizes, ...cell.scratchSizes(batch, tapes !== null)],
      fold ? 0 : x.data.length
    );
    const xProj = ws[0];
    if (projected) {
      xProj.set(projected);
    } else if (scaled && unbiased) {
      Private.scaledRows(xProj, scaled, unbiased, cell, batch, steps);
    } else {
      if (cell.inputBias) {
        for (let r = 0; r < batch * steps; r++) {
          xProj.set(cell.inputBias, r * np);
        }
      }
      if (features > 0) {
        kernels.gemm(x.data, batch * steps, inputMatrix, xProj);
      }
    }
    const ids = gather ? gather.indices : null;
    const position = new Int32Array(batch);
    plan.order.forEach((b, i) => (position[b] = i));
    return {
      batch,
      steps,
      time: s => (options.goBackwards ? steps - 1 - s : s),
      plan,
      maskData,
      pad,
      xProj,
      inputRow: ids
        ? (b, t) => ids[b * steps + t] * np
        : (b, t) => (b * steps + t) * np,
      position,
      state: ws.slice(1, 1 + stateCount),
      next: ws.slice(1 + stateCount, 1 + 2 * stateCount),
      scratch: ws.slice(1 + 2 * stateCount),
      ...firstRow
    };
  }

  /** Each step's projection of scaled Embedding rows: b + alpha * P[id]. */
  export function scaledRows(
    xProj: Float32Array,
    scaled: IGather,
    unbiased: Float32Array,
    cell: ICell,
    batch: number,
    steps: number
  ): void {
    const { np, n } = cell.inputMatrix;
    for (let b = 0; b < batch; b++) {
      const alpha = scaled.scales![b];
      for (let t = 0; t < steps; t++) {
        const r = b * steps + t;
        const from = scaled.indices[r] * np;
        scaledProjection(
          xProj,
          r * np,
          unbiased,
          from,
          alpha,
          cell.inputBias,
          n
        );
      }
    }
  }

  /**
   * Row 0's kept run when it is this batch's row 0 (row 0 then computes
   * nothing), else a recorder of its run when other rows start from it.
   */
  export function sharedFirstRow(
    cell: ICell,
    plan: IRowStarts,
    input: { steps: number; row: Float32Array; maskRow: Uint8Array | null },
    withOutputs: boolean
  ): { kept: IFirstRowTrajectory | null; recorder: FirstRowRecorder | null } {
    const { start, source, order } = plan;
    const none = { kept: null, recorder: null };
    if (source[0] !== StartState.Pad || start[0] >= input.steps) {
      return none;
    }
    const sharing = source.some(s => s === StartState.FirstRow);
    const kept = keptTrajectory(cell, input);
    if (kept && start[0] >= kept.from) {
      start[0] = input.steps;
      source[0] = StartState.Kept;
      order.sort((a, b) => start[a] - start[b] || a - b);
      return { kept, recorder: null };
    }
    if (!sharing || !FirstRowRecorder.fits(cell, input.steps, withOutputs)) {
      return none;
    }
    return {
      kept: null,
      recorder: new FirstRowRecorder(cell, input, start[0], withOutputs)
    };
  }

  /**
   * Steps every row from its start, masked steps carrying the state, and
   * writes the sequence outputs; with `tapes`, one tape per step. Returns
   * how many rows were computed at each step; `run.state` ends as the
   * final states.
   */
  export function stepAll(
    run: IRun,
    cell: ICell,
    options: IRecurrentOptions,
    initial: Float32Array[] | undefined,
    out: Float32Array,
    tapes: Float32Array[] | null
  ): Int32Array {
    const { batch, steps, plan, maskData, pad, xProj, position } = run;
    const { units, stateCount } = cell;
    const { start, source, padSteps, order } = plan;
    // Buffer position i holds row order[i]; rows[i] is its xProj offset.
    const rows = new Int32Array(batch);
    const enter = (b: number, i: number) => {
      const at = i * units;
      for (let k = 0; k < stateCount; k++) {
        if (source[b] === StartState.Initial) {
          run.state[k].set(
            initial![k].subarray(b * units, (b + 1) * units),
            at
          );
        } else if (source[b] === StartState.FirstRow && run.kept) {
          const from = start[b] * units;
          run.state[k].set(run.kept.states[k].subarray(from, from + units), at);
        } else if (source[b] === StartState.FirstRow) {
          const from = position[0] * units;
          run.state[k].copyWithin(at, from, from + units);
        } else {
          const from = padSteps[b] * units;
          run.state[k].set(pad[k].subarray(from, from + units), at);
        }
      }
    };
    let active = 0;
    const activeAt = new Int32Array(steps);
    // Every step's tape in one allocation: rows computed at step s are
    // those started by then.
    let tapeFloats = 0;
    for (let b = 0; b < batch && tapes; b++) {
      tapeFloats += Math.max(0, steps - start[b]) * cell.tapeWidth;
    }
    const tapeStore = tapes ? new Float32Array(tapeFloats) : null;
    let tapeAt = 0;
    for (let s = 0; s < steps; s++) {
      while (active < batch && start[order[active]] <= s) {
        enter(order[active], active);
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
      if (maskData) {
        for (let i = 0; i < active; i++) {
          if (!maskData[order[i] * steps + t]) {
            for (let k = 0; k < stateCount; k++) {
              next[k].set(
                state[k].subarray(i * units, (i + 1) * units),
                i * units
              );
            }
          }
        }
      }
      run.state = next;
      run.next = state;
      if (run.recorder && s >= start[0]) {
        run.recorder.state(s + 1, run.state, position[0] * units);
      }
      if (options.returnSequences) {
        const h = run.state[0];
        for (let i = 0; i < active; i++) {
          const b = order[i];
          if (
            maskData &&
            !maskData[b * steps + t] &&
            options.zeroOutputForMask
          ) {
            continue;
          }
          out.set(
            h.subarray(i * units, (i + 1) * units),
            (b * steps + s) * units
          );
        }
      }
    }
    return activeAt;
  }

  /** Final states by row; row 0 first, as rows equal to it copy its own. */
  export function finalStates(
    run: IRun,
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
