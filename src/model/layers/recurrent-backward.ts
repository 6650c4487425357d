/**
 * Backward pass through time of a recorded recurrent run
 * (`recordRecurrent`): from the gradient of the layer's outputs, the
 * gradient of its input sequence and of its initial states. Each step runs
 * the cell's own vector-Jacobian product (`ICellBackward`) over the rows
 * the forward pass computed at that step; masked steps pass the state's
 * gradient through, as they passed the state.
 */
import { Kernels } from './kernels';
import { ICell, IRecurrentOptions } from './recurrent-cell';
import { IRecurrentRecord } from './recurrent-run';
import { StartState } from './recurrent-starts';

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
  dFinals: Array<Float32Array | null>
): IRecurrentGradients {
  const [batch, steps, features] = xShape;
  const { units, stateCount } = cell;
  const g = cell.inputMatrix.n;
  // Transposed weights are permanent memory: made before the workspace.
  const back = cell.backward();
  const npIn = back.inputT.np;
  const { plan, maskData, active, tapes } = record;
  const { order, start, source } = plan;
  const ws = kernels.workspace([
    ...new Array<number>(2 * stateCount).fill(batch * units),
    batch * g,
    batch * npIn,
    ...back.scratchSizes(batch)
  ]);
  let dNext = ws.slice(0, stateCount);
  let dPrev = ws.slice(stateCount, 2 * stateCount);
  const dA = ws[2 * stateCount];
  const dxStep = ws[2 * stateCount + 1];
  const scratch = ws.slice(2 * stateCount + 2);
  const dx = new Float32Array(batch * steps * features);
  const dInitial = Array.from(
    { length: stateCount },
    () => new Float32Array(batch * units)
  );
  const finals = Private.finalGradients(options, dOut, dFinals, stateCount);
  order.forEach((b, i) => {
    // A row that computed no step returns its start state.
    const into = start[b] < steps ? dNext : null;
    finals.forEach((d, k) => {
      if (!d) {
        return;
      }
      const row = d.subarray(b * units, (b + 1) * units);
      if (into) {
        into[k].set(row, i * units);
      } else if (source[b] === StartState.Initial) {
        dInitial[k].set(row, b * units);
      }
    });
  });
  const masked: number[] = [];
  const held = Array.from({ length: stateCount }, () => [] as Float32Array[]);
  for (let s = steps - 1; s >= 0; s--) {
    const n = active[s];
    if (n === 0) {
      continue;
    }
    const t = options.goBackwards ? steps - 1 - s : s;
    const isMasked = (b: number) =>
      maskData !== null && !maskData[b * steps + t];
    if (options.returnSequences && dOut) {
      for (let i = 0; i < n; i++) {
        const b = order[i];
        // A masked step outputs zeros or the (carried) state.
        if (options.zeroOutputForMask && isMasked(b)) {
          continue;
        }
        const from = (b * steps + s) * units;
        const h = dNext[0];
        for (let k = 0; k < units; k++) {
          h[i * units + k] += dOut[from + k];
        }
      }
    }
    // Masked rows carry their state: their gradient passes through.
    masked.length = 0;
    for (let i = 0; i < n; i++) {
      if (isMasked(order[i])) {
        masked.push(i);
        dNext.forEach((d, k) => {
          held[k][masked.length - 1] = d.slice(i * units, (i + 1) * units);
          d.fill(0, i * units, (i + 1) * units);
        });
      }
    }
    back.step(dNext, dPrev, dA, scratch, n, tapes[s]);
    masked.forEach((i, m) => {
      dPrev.forEach((d, k) => d.set(held[k][m], i * units));
      dA.fill(0, i * g, (i + 1) * g);
    });
    if (features > 0) {
      dxStep.fill(0, 0, n * npIn);
      kernels.gemm(dA, n, back.inputT, dxStep);
      for (let i = 0; i < n; i++) {
        const row = (order[i] * steps + t) * features;
        dx.set(dxStep.subarray(i * npIn, i * npIn + features), row);
      }
    }
    for (let i = 0; i < n; i++) {
      const b = order[i];
      if (start[b] === s && source[b] === StartState.Initial) {
        dPrev.forEach((d, k) =>
          dInitial[k].set(d.subarray(i * units, (i + 1) * units), b * units)
        );
      }
    }
    const swap = dNext;
    dNext = dPrev;
    dPrev = swap;
  }
  return { dx, dInitial };
}

namespace Private {
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
      const h = finals[0];
      if (h) {
        const sum = new Float32Array(h);
        dOut.forEach((v, i) => (sum[i] += v));
        finals[0] = sum;
      } else {
        finals[0] = dOut;
      }
    }
    return finals;
  }
}
