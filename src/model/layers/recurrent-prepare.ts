/**
 * Everything a recurrent run (`recurrent-run.ts`) needs before its first
 * step: the plan of where each row starts, the input projection of every
 * step (or the projected Embedding table), the pad trajectory, row 0's
 * kept or recorded run, and the state buffers in the kernels' workspace.
 *
 * Order matters: every array made by a matrix multiply outside the
 * workspace (projected tables, the pad trajectory) is made before the
 * workspace is taken, as such a multiply may grow (and so detach)
 * WebAssembly memory.
 */
import { IGather, IMask, ITensor } from './base';
import { scaledProjection } from './vocabulary-tables';
import { Kernels } from './kernels';
import { ICell, IRecurrentOptions } from './recurrent-cell';
import { IRowStarts, planRowStarts, StartState } from './recurrent-starts';
import {
  FirstRowRecorder,
  IFirstRowTrajectory,
  keptTrajectory
} from './recurrent-first-row';
import {
  IResidentScaling,
  padTrajectory,
  projectedTable,
  residentScaling
} from './recurrent-tables';

/** One run's plan, input projection and state buffers. */
export interface IRecurrentRun {
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
export function prepareRun(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  x: ITensor,
  mask: IMask | null,
  initial: Float32Array[] | undefined,
  tapes: Float32Array[] | null
): IRecurrentRun {
  const [batch, steps, features] = x.shape;
  const np = cell.inputMatrix.np;
  const input = Private.tableInput(kernels, cell, options, x);
  const { gather } = input;
  const maskData = mask && mask.steps === steps ? mask.data : null;
  const plan = planRowStarts({
    batch,
    steps,
    goBackwards: options.goBackwards,
    ids: gather ? gather.indices : null,
    // Not read with ids (an Embedding output's rows are gathered when read).
    data: gather ? new Float32Array(0) : x.data,
    features,
    mask: maskData,
    hasInitial: initial !== undefined,
    share: options.shareSteps !== false,
    shareFirstRow: tapes === null
  });
  const firstRow =
    options.shareSteps !== false && tapes === null && !initial
      ? Private.sharedFirstRow(
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
  // Also before the workspace: the trajectory is stepped in its own.
  const pad = padTrajectory(
    kernels,
    cell,
    input.projected,
    Private.padLength(plan)
  );
  const ws = Private.workspace(kernels, cell, x, input, tapes !== null);
  const xProj = ws[0];
  Private.projectInputs(kernels, cell, x, xProj, input);
  const ids = gather ? gather.indices : null;
  const position = new Int32Array(batch);
  plan.order.forEach((b, i) => (position[b] = i));
  const { stateCount } = cell;
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

namespace Private {
  /** An Embedding input folded into the input projection, and its projected tables. */
  export interface ITableInput {
    /** The Embedding's gather when folded, else null. */
    fold: IGather | null;
    /** Ids addressing rows of `projected`, or null. */
    gather: IGather | null;
    /** Scaled rows (the gradient methods' alpha * E), or null. */
    scaled: IGather | null;
    /** The projected table with the input bias, for `gather`. */
    projected: Float32Array | null;
    /** The projected table without bias, for `scaled`. */
    unbiased: Float32Array | null;
    /** `unbiased` and the input bias in the kernels' memory, for `scaled`. */
    resident: IResidentScaling | null;
  }

  /**
   * Projects an Embedding table (before the workspace exists). Ids were
   * checked against the vocabulary by the Embedding.
   */
  export function tableInput(
    kernels: Kernels,
    cell: ICell,
    options: IRecurrentOptions,
    x: ITensor
  ): ITableInput {
    const features = x.shape[2];
    const fold =
      options.foldTables !== false && x.gather?.width === features
        ? x.gather
        : null;
    // Ids address rows of the projected table; scaled rows (the gradient
    // methods' alpha * E) each get their own projection row.
    const gather = fold && !fold.scales ? fold : null;
    const scaled = fold?.scales ? fold : null;
    const unbiased = scaled
      ? projectedTable(kernels, cell, scaled.table, features, false)
      : null;
    return {
      fold,
      gather,
      scaled,
      projected: gather
        ? projectedTable(kernels, cell, gather.table, features)
        : null,
      unbiased,
      resident: unbiased ? residentScaling(kernels, cell, unbiased) : null
    };
  }

  /** Steps of the longest pad run any row starts after. */
  export function padLength(plan: IRowStarts): number {
    let length = 0;
    for (let b = 0; b < plan.source.length; b++) {
      if (plan.source[b] === StartState.Pad) {
        length = Math.max(length, plan.padSteps[b]);
      }
    }
    return length;
  }

  /** The input projection, the state buffers (twice) and the cell's scratch. */
  export function workspace(
    kernels: Kernels,
    cell: ICell,
    x: ITensor,
    input: ITableInput,
    taped: boolean
  ): Float32Array[] {
    const [batch, steps] = x.shape;
    // Embedding input: the projected table itself, rows addressed by id;
    // otherwise the input projection of every step: [batch * steps, np].
    const sizes: number[] = [
      input.projected
        ? input.projected.length
        : batch * steps * cell.inputMatrix.np
    ];
    for (let i = 0; i < 2 * cell.stateCount; i++) {
      sizes.push(batch * cell.units);
    }
    return kernels.workspace(
      [...sizes, ...cell.scratchSizes(batch, taped)],
      input.fold ? 0 : x.data.length
    );
  }

  /** Fills `xProj`: the projected table, scaled rows, or bias + x . W. */
  export function projectInputs(
    kernels: Kernels,
    cell: ICell,
    x: ITensor,
    xProj: Float32Array,
    input: ITableInput
  ): void {
    const [batch, steps, features] = x.shape;
    const { projected, scaled, unbiased } = input;
    if (projected) {
      xProj.set(projected);
    } else if (scaled && unbiased) {
      scaledRows(kernels, xProj, scaled, input, cell, batch, steps);
    } else {
      const np = cell.inputMatrix.np;
      if (cell.inputBias) {
        for (let r = 0; r < batch * steps; r++) {
          xProj.set(cell.inputBias, r * np);
        }
      }
      if (features > 0) {
        kernels.gemm(x.data, batch * steps, cell.inputMatrix, xProj);
      }
    }
  }

  /**
   * Each step's projection of scaled Embedding rows: b + alpha * P[id]
   * (the SIMD kernel where it can, the scalar loop for the rest: the same
   * floats).
   */
  export function scaledRows(
    kernels: Kernels,
    xProj: Float32Array,
    scaled: IGather,
    input: ITableInput,
    cell: ICell,
    batch: number,
    steps: number
  ): void {
    const { np, n } = cell.inputMatrix;
    const { unbiased, resident } = input;
    for (let b = 0; b < batch; b++) {
      const alpha = scaled.scales![b];
      for (let t = 0; t < steps; t++) {
        const r = b * steps + t;
        const from = scaled.indices[r] * np;
        const done = resident
          ? kernels.scaleRow(
              xProj,
              r * np,
              resident.table,
              from,
              alpha,
              resident.bias,
              n
            )
          : 0;
        if (done < n) {
          scaledProjection(
            xProj,
            r * np + done,
            unbiased!,
            from + done,
            alpha,
            cell.inputBias ? cell.inputBias.subarray(done) : null,
            n - done
          );
        }
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
}
