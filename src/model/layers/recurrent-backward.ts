/**
 * Backward pass through time of a recorded recurrent run
 * (`recordRecurrent`): from the gradient of the layer's outputs, the
 * gradient of its input sequence and of its initial states. Each step runs
 * the cell's own vector-Jacobian product (`ICellBackward`) over the rows
 * the forward pass computed at that step; masked steps pass the state's
 * gradient through, as they passed the state.
 */
import { BufferPool, scratchFrom, zerosFrom } from './buffer-pool';
import { IWeightMatrix, Kernels } from './kernels';
import { ICell, ICellBackward, IRecurrentOptions } from './recurrent-cell';
import { IRecurrentRecord } from './recurrent-run';
import { IRowStarts, StartState } from './recurrent-starts';
import { sum } from './vjp';

export interface IRecurrentGradients {
  /** `[batch, steps, features]`, time order. */
  dx: Float32Array;
  /** Per state, `[batch, units]` (zero unless the run had initial states). */
  dInitial: Float32Array[];
}

/**
 * `dOut` has the layout of the layer's output; `dFinals` one entry per
 * state (the `return_state` outputs), null meaning zero.
 */
export function backRecurrent(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  record: IRecurrentRecord,
  xShape: number[],
  dOut: Float32Array | null,
  dFinals: Array<Float32Array | null>,
  buffers?: BufferPool
): IRecurrentGradients {
  const [batch, steps, features] = xShape;
  const { units, stateCount } = cell;
  const g = cell.inputMatrix.n;
  // Transposed weights are permanent memory: made before the workspace.
  const back = cell.backward();
  const { plan, maskData, active, tapes } = record;
  const { order } = plan;
  const ws = Private.workspace(kernels, cell, back, batch);
  let { dNext, dPrev } = ws;
  const { dA, scratch } = ws;
  // Every step's dA, multiplied by W^T after the loop: the loop then keeps
  // only the recurrent weights in cache.
  const dAll = features > 0 ? zerosFrom(buffers, batch * steps * g) : null;
  const dInitial = Array.from(
    { length: stateCount },
    () => new Float32Array(batch * units)
  );
  Private.seed(
    plan,
    steps,
    units,
    Private.finalGradients(options, dOut, dFinals, stateCount),
    dNext,
    dInitial
  );
  for (let s = steps - 1; s >= 0; s--) {
    const n = active[s];
    if (n === 0) {
      continue;
    }
    const t = options.goBackwards ? steps - 1 - s : s;
    const masked = Private.maskedRows(maskData, order, n, steps, t);
    if (options.returnSequences && dOut) {
      Private.addOutputGradient(dNext[0], dOut, order, n, units, {
        from: s,
        steps,
        // A masked step outputs zeros, or the (carried) state.
        skip: options.zeroOutputForMask ? masked : []
      });
    }
    // Masked rows carry their state: their gradient passes through.
    const held = Private.holdMasked(dNext, masked, units);
    back.step(dNext, dPrev, dA, scratch, n, tapes[s]);
    Private.passMasked(dPrev, dA, masked, held, units, g);
    if (dAll) {
      for (let i = 0; i < n; i++) {
        dAll.set(dA.subarray(i * g, (i + 1) * g), (order[i] * steps + t) * g);
      }
    }
    Private.initialGradients(plan, s, n, units, dPrev, dInitial);
    [dNext, dPrev] = [dPrev, dNext];
  }
  const dx = dAll
    ? Private.inputGradient(
        kernels,
        back.inputT,
        dAll,
        batch * steps,
        features,
        buffers
      )
    : new Float32Array(0);
  return { dx, dInitial };
}

namespace Private {
  /** The backward pass's buffers: state gradients (twice), dA and the cell's scratch. */
  export function workspace(
    kernels: Kernels,
    cell: ICell,
    back: ICellBackward,
    batch: number
  ): {
    dNext: Float32Array[];
    dPrev: Float32Array[];
    dA: Float32Array;
    scratch: Float32Array[];
  } {
    const { units, stateCount } = cell;
    const ws = kernels.workspace([
      ...new Array<number>(2 * stateCount).fill(batch * units),
      batch * cell.inputMatrix.n,
      ...back.scratchSizes(batch)
    ]);
    return {
      dNext: ws.slice(0, stateCount),
      dPrev: ws.slice(stateCount, 2 * stateCount),
      dA: ws[2 * stateCount],
      scratch: ws.slice(2 * stateCount + 1)
    };
  }

  /** Buffer positions (of the first n) whose row is masked at time t. */
  export function maskedRows(
    maskData: Uint8Array | null,
    order: Int32Array,
    n: number,
    steps: number,
    t: number
  ): number[] {
    const masked: number[] = [];
    for (let i = 0; i < n; i++) {
      if (maskData !== null && !maskData[order[i] * steps + t]) {
        masked.push(i);
      }
    }
    return masked;
  }

  /** Takes the masked rows' state gradients out of `dNext` (zeroed there), per row and state. */
  export function holdMasked(
    dNext: Float32Array[],
    masked: number[],
    units: number
  ): Float32Array[][] {
    return masked.map(i =>
      dNext.map(d => {
        const row = d.slice(i * units, (i + 1) * units);
        d.fill(0, i * units, (i + 1) * units);
        return row;
      })
    );
  }

  /** Masked rows pass their held gradient through to `dPrev` and have no input gradient. */
  export function passMasked(
    dPrev: Float32Array[],
    dA: Float32Array,
    masked: number[],
    held: Float32Array[][],
    units: number,
    g: number
  ): void {
    masked.forEach((i, m) => {
      dPrev.forEach((d, k) => d.set(held[m][k], i * units));
      dA.fill(0, i * g, (i + 1) * g);
    });
  }

  /** Rows that started at processing step s from given initial states: their gradient. */
  export function initialGradients(
    plan: IRowStarts,
    s: number,
    n: number,
    units: number,
    dPrev: Float32Array[],
    dInitial: Float32Array[]
  ): void {
    const { order, start, source } = plan;
    for (let i = 0; i < n; i++) {
      const b = order[i];
      if (start[b] === s && source[b] === StartState.Initial) {
        dPrev.forEach((d, k) =>
          dInitial[k].set(d.subarray(i * units, (i + 1) * units), b * units)
        );
      }
    }
  }

  /** Rows of dA times W^T, a block of rows at a time (bounded operand copies). */
  export function inputGradient(
    kernels: Kernels,
    inputT: IWeightMatrix,
    dAll: Float32Array,
    rows: number,
    features: number,
    buffers?: BufferPool
  ): Float32Array {
    const { k, np } = inputT;
    // Every element of dx is written below; `out` is cleared per block.
    const dx = scratchFrom(buffers, rows * features);
    const block = 512;
    const out = scratchFrom(buffers, block * np);
    for (let from = 0; from < rows; from += block) {
      const m = Math.min(block, rows - from);
      out.fill(0, 0, m * np);
      kernels.gemm(dAll.subarray(from * k, (from + m) * k), m, inputT, out);
      for (let r = 0; r < m; r++) {
        dx.set(out.subarray(r * np, r * np + features), (from + r) * features);
      }
    }
    return dx;
  }

  /** The gradient of each final state: its own output plus, without sequences, the layer's output. */
  export function finalGradients(
    options: IRecurrentOptions,
    dOut: Float32Array | null,
    dFinals: Array<Float32Array | null>,
    stateCount: number
  ): Array<Float32Array | null> {
    const finals = Array.from(
      { length: stateCount },
      (_, k) => dFinals[k] ?? null
    );
    if (!options.returnSequences && dOut) {
      finals[0] = finals[0] ? sum(finals[0], dOut) : dOut;
    }
    return finals;
  }

  /**
   * Puts the final states' gradients where the backward pass starts: at
   * each row's buffer position, or, for a row that computed no step, on
   * the initial state it returned as it was.
   */
  export function seed(
    plan: IRowStarts,
    steps: number,
    units: number,
    finals: Array<Float32Array | null>,
    dNext: Float32Array[],
    dInitial: Float32Array[]
  ): void {
    plan.order.forEach((b, i) => {
      finals.forEach((d, k) => {
        if (!d) {
          return;
        }
        const row = d.subarray(b * units, (b + 1) * units);
        if (plan.start[b] < steps) {
          dNext[k].set(row, i * units);
        } else if (plan.source[b] === StartState.Initial) {
          dInitial[k].set(row, b * units);
        }
      });
    });
  }

  /** Adds the output gradient of processing step `from` to the state's, row by row. */
  export function addOutputGradient(
    dh: Float32Array,
    dOut: Float32Array,
    order: Int32Array,
    n: number,
    units: number,
    at: { from: number; steps: number; skip: number[] }
  ): void {
    for (let i = 0; i < n; i++) {
      if (at.skip.includes(i)) {
        continue;
      }
      const from = (order[i] * at.steps + at.from) * units;
      for (let k = 0; k < units; k++) {
        dh[i * units + k] += dOut[from + k];
      }
    }
  }
}
