/**
 * What a recurrent layer computes once per model and reuses: the input
 * projection of every Embedding id (`projectedTable`: P[id] = E[id] . W +
 * b, so a step of an Embedding input reads its row instead of multiplying)
 * and the trajectory of the padding id from the zero state
 * (`padTrajectory`). Both are cached per cell.
 */
import { IResident, Kernels } from './kernels';
import { ICell } from './recurrent-cell';

const trajectories = new WeakMap<
  ICell,
  { projected: Float32Array; states: Float32Array[]; length: number }
>();

/**
 * The states after k = 0..length steps of the padding id 0 from the zero
 * state (`[length + 1, units]` per state), cached per cell and extended
 * as longer runs of padding come. Without an Embedding table only the
 * zero state.
 */
export function padTrajectory(
  kernels: Kernels,
  cell: ICell,
  projected: Float32Array | null,
  length: number
): Float32Array[] {
  const { units, stateCount } = cell;
  const zeros = () =>
    Array.from({ length: stateCount }, () => new Float32Array(units));
  if (!projected || length === 0) {
    return zeros();
  }
  let hit = trajectories.get(cell);
  if (!hit || hit.projected !== projected) {
    hit = { projected, states: zeros(), length: 0 };
    trajectories.set(cell, hit);
  }
  if (hit.length >= length) {
    return hit.states;
  }
  const np = cell.inputMatrix.np;
  const ws = kernels.workspace([
    np,
    ...new Array<number>(2 * stateCount).fill(units),
    ...cell.scratchSizes(1)
  ]);
  const xProj = ws[0];
  xProj.set(projected.subarray(0, np));
  let state = ws.slice(1, 1 + stateCount);
  let next = ws.slice(1 + stateCount, 1 + 2 * stateCount);
  const scratch = ws.slice(1 + 2 * stateCount);
  const done = hit.length;
  const states = hit.states.map((old, k) => {
    const grown = new Float32Array((length + 1) * units);
    grown.set(old);
    state[k].set(old.subarray(done * units, (done + 1) * units));
    return grown;
  });
  const rows = Int32Array.of(0);
  for (let j = done; j < length; j++) {
    cell.step(state, next, scratch, 1, xProj, rows);
    const swap = state;
    state = next;
    next = swap;
    state.forEach((h, k) =>
      states[k].set(h.subarray(0, units), (j + 1) * units)
    );
  }
  hit.states = states;
  hit.length = length;
  return states;
}

const caches = {
  biased: new WeakMap<
    ICell,
    { table: Float32Array; projected: Float32Array }
  >(),
  unbiased: new WeakMap<
    ICell,
    { table: Float32Array; projected: Float32Array }
  >()
};

/**
 * `table . W + b` for every vocabulary entry (row stride = np), cached per
 * cell; `withBias` false: `table . W` (for the scaled rows alpha * E).
 */
export function projectedTable(
  kernels: Kernels,
  cell: ICell,
  table: Float32Array,
  width: number,
  withBias = true
): Float32Array {
  const cache = withBias ? caches.biased : caches.unbiased;
  const hit = cache.get(cell);
  if (hit && hit.table === table) {
    return hit.projected;
  }
  const np = cell.inputMatrix.np;
  const rows = table.length / width;
  const projected = new Float32Array(rows * np);
  if (cell.inputBias && withBias) {
    for (let r = 0; r < rows; r++) {
      projected.set(cell.inputBias, r * np);
    }
  }
  kernels.gemm(table, rows, cell.inputMatrix, projected);
  cache.set(cell, { table, projected });
  return projected;
}

/** A projected table and the input bias where the kernels read them. */
export interface IResidentScaling {
  table: IResident;
  bias: IResident | null;
}

const residentScalings = new WeakMap<
  ICell,
  { projected: Float32Array; resident: IResidentScaling }
>();

/**
 * `projected` (the unbiased table of `projectedTable`) and the cell's
 * input bias copied into the kernels' permanent memory once per table, for
 * the scaled rows of the gradient methods; call before the workspace.
 */
export function residentScaling(
  kernels: Kernels,
  cell: ICell,
  projected: Float32Array
): IResidentScaling {
  const hit = residentScalings.get(cell);
  if (hit && hit.projected === projected) {
    return hit.resident;
  }
  const resident = {
    table: kernels.resident(projected),
    bias: cell.inputBias ? kernels.resident(cell.inputBias) : null
  };
  residentScalings.set(cell, { projected, resident });
  return resident;
}
