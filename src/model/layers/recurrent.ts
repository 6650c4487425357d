/**
 * The recurrent loop shared by GRU, LSTM and SimpleRNN: the input
 * projection of every step is one matrix multiply up front; each step then
 * does one batched recurrent multiply (WebAssembly SIMD when available) and
 * fused gate maths in a tight loop. Masks carry state over masked steps as
 * Keras does. Rows skip the steps they share with the padding or with row 0
 * (see recurrent-starts.ts); each row's arithmetic is the same either way.
 */
import { scalar } from './activations';
import {
  expectWeights,
  IBuildContext,
  ILayer,
  LayerFactory,
  ILayerOutput,
  ILayerSpec,
  IMask,
  intConfig,
  ITensor,
  IWeight,
  lastDim,
  layerError,
  Shape
} from './base';
import { IWeightMatrix, Kernels } from './kernels';
import { IRowStarts, planRowStarts, StartState } from './recurrent-starts';
import { formatDims } from '../shapes';

/** A recurrent cell: state buffers live in the workspace the driver allocates. */
export interface ICell {
  readonly units: number;
  /** Number of state vectors (GRU/SimpleRNN 1, LSTM 2), each `batch x units`. */
  readonly stateCount: number;
  readonly inputMatrix: IWeightMatrix;
  readonly inputBias: Float32Array | null;
  /** Extra scratch sizes after the 2 x stateCount state buffers. */
  scratchSizes(batch: number): number[];
  /**
   * One time step for the whole batch: reads `state`, writes `next`.
   * `xProj` rows for this step start at `rows[b]` (stride = inputMatrix.np).
   */
  step(
    state: Float32Array[],
    next: Float32Array[],
    scratch: Float32Array[],
    batch: number,
    xProj: Float32Array,
    rows: Int32Array
  ): void;
}

export interface IRecurrentOptions {
  returnSequences: boolean;
  goBackwards: boolean;
  /** Masked steps output zeros instead of repeating the previous output. */
  zeroOutputForMask: boolean;
  /** The final states are further outputs (Keras `return_state`). */
  returnState?: boolean;
  /**
   * Skip the steps a row shares with the padding or with row 0 (default
   * true; the results are the same bit for bit, false is the reference).
   */
  shareSteps?: boolean;
}

/** Makes a cell from its layer's config and weights. */
export type CellFactory = (
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
) => ICell;

/** The config and weights every cell reads the same way. */
export interface ICellSetup {
  readonly units: number;
  /** `[inputDim, gates * units]`. */
  readonly kernel: Float32Array;
  /** `[units, gates * units]`. */
  readonly recurrent: Float32Array;
  /** `[gates * units]` (or `[biasRows, gates * units]`); null without use_bias. */
  readonly bias: Float32Array | null;
  /** The cell activation (default tanh). */
  readonly act: (x: number) => number;
}

/**
 * Reads `units`, checks the kernel, recurrent_kernel and optional bias of a
 * cell with `gates` gates and makes its activation.
 */
export function cellSetup(
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext,
  gates: number,
  biasRows = 1
): ICellSetup {
  const units = intConfig(spec, 'units');
  const useBias = spec.config.use_bias !== false;
  const g = gates * units;
  const arrays = expectWeights(spec, weights, [
    { name: 'kernel', shape: [inputDim, g] },
    { name: 'recurrent_kernel', shape: [units, g] },
    ...(useBias
      ? [{ name: 'bias', shape: biasRows === 1 ? [g] : [biasRows, g] }]
      : [])
  ]);
  const act = scalar(
    spec,
    spec.config.activation ?? 'tanh',
    context.kerasMajor
  );
  return {
    units,
    kernel: arrays[0],
    recurrent: arrays[1],
    bias: useBias ? arrays[2] : null,
    act
  };
}

/** A recurrent layer (GRU, LSTM, SimpleRNN) driving the cell `createCell` makes. */
export function recurrentLayer(createCell: CellFactory): LayerFactory {
  return (
    spec: ILayerSpec,
    inputShapes: Shape[],
    weights: IWeight[],
    context: IBuildContext
  ): ILayer => {
    const options = {
      ...recurrentOptions(spec),
      shareSteps: context.shareSteps !== false
    };
    const units = intConfig(spec, 'units');
    const outputShape = recurrentOutputShape(
      spec,
      inputShapes[0],
      units,
      options
    );
    const cell = createCell(
      spec,
      lastDim(spec, inputShapes[0]),
      weights,
      context
    );
    const stateInputs = initialStateInputs(spec, inputShapes, cell);
    return {
      name: spec.name,
      className: spec.className,
      outputShape,
      ...(options.returnState
        ? { extraShapes: new Array(cell.stateCount).fill([units]) }
        : {}),
      call(inputs: ITensor[], masks: Array<IMask | null>) {
        const initial = stateInputs.map(i => inputs[i].data);
        return runRecurrent(
          context.kernels,
          cell,
          options,
          inputs[0],
          masks[0],
          initial.length ? initial : undefined
        );
      }
    };
  };
}

export function recurrentOptions(spec: ILayerSpec): IRecurrentOptions {
  return {
    returnSequences: spec.config.return_sequences === true,
    goBackwards: spec.config.go_backwards === true,
    zeroOutputForMask: spec.config.zero_output_for_mask === true,
    returnState: spec.config.return_state === true
  };
}

/**
 * Which inputs of the call are initial states: `initial_state=` tensors
 * (Keras 3 keyword) or the inputs after the first (tf.keras 2.x lists them
 * as extra inbound tensors). Anything else passed to the layer is refused.
 */
export function initialStateInputs(
  spec: ILayerSpec,
  inputShapes: Shape[],
  cell: ICell
): number[] {
  const kwargs = spec.call?.inputKwargs ?? inputShapes.map(() => null);
  const states: number[] = [];
  kwargs.forEach((k, i) => {
    if (i === 0 && k === null) {
      return;
    }
    if (k === null || k === 'initial_state') {
      states.push(i);
      return;
    }
    throw layerError(
      spec,
      `is called with a tensor for '${k}'; only the sequence and initial_state are supported`
    );
  });
  if (states.length && states.length !== cell.stateCount) {
    throw layerError(
      spec,
      `initial_state has ${states.length} tensor(s); this layer keeps ${cell.stateCount} state(s)`
    );
  }
  for (const i of states) {
    const shape = inputShapes[i];
    if (shape.length !== 1 || shape[0] !== cell.units) {
      throw layerError(
        spec,
        `initial_state tensor ${i} has shape [batch, ${shape.map(d => d ?? '?').join(', ')}], expected [batch, ${cell.units}]`
      );
    }
  }
  return states;
}

export function recurrentOutputShape(
  spec: ILayerSpec,
  inputShape: Shape,
  units: number,
  options: IRecurrentOptions
): Shape {
  if (inputShape.length !== 2) {
    throw layerError(
      spec,
      `expects input of shape [batch, time, features], got [batch, ${formatDims(inputShape)}]`
    );
  }
  return options.returnSequences ? [inputShape[0], units] : [units];
}

export function runRecurrent(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  x: ITensor,
  mask: IMask | null,
  initial?: Float32Array[]
): ILayerOutput {
  const [batch, steps, features] = x.shape;
  const { units, stateCount, inputMatrix } = cell;
  const np = inputMatrix.np;
  const time = (s: number) => (options.goBackwards ? steps - 1 - s : s);
  // Project an Embedding table before the workspace exists: a gemm on
  // arrays outside it may grow (and so detach) WebAssembly memory. Ids were
  // checked against the vocabulary by the Embedding.
  const gather = x.gather && x.gather.width === features ? x.gather : null;
  const projected = gather
    ? Private.projectedTable(kernels, cell, gather.table, features)
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
    share: options.shareSteps !== false
  });
  const { start, source, padSteps, order } = plan;
  let padLength = 0;
  for (let b = 0; b < batch; b++) {
    if (source[b] === StartState.Pad) {
      padLength = Math.max(padLength, padSteps[b]);
    }
  }
  // Also before the workspace: the trajectory is stepped in its own.
  const pad = Private.padTrajectory(kernels, cell, projected, padLength);

  // Embedding input: the projected table itself, rows addressed by id;
  // otherwise the input projection of every step: [batch * steps, np].
  const sizes: number[] = [projected ? projected.length : batch * steps * np];
  for (let i = 0; i < 2 * stateCount; i++) {
    sizes.push(batch * units);
  }
  const ws = kernels.workspace(
    [...sizes, ...cell.scratchSizes(batch)],
    gather ? 0 : x.data.length
  );
  const xProj = ws[0];
  if (projected) {
    xProj.set(projected);
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
  // The xProj row of step t of row b.
  const ids = gather ? gather.indices : null;
  const inputRow = ids
    ? (b: number, t: number) => ids[b * steps + t] * np
    : (b: number, t: number) => (b * steps + t) * np;
  let state = ws.slice(1, 1 + stateCount);
  let next = ws.slice(1 + stateCount, 1 + 2 * stateCount);
  const scratch = ws.slice(1 + 2 * stateCount);

  const outSteps = options.returnSequences ? steps : 1;
  const out = new Float32Array(batch * outSteps * units);
  // Buffer position i holds row order[i]; rows[i] is its xProj offset.
  const rows = new Int32Array(batch);
  const position = new Int32Array(batch);
  order.forEach((b, i) => (position[b] = i));
  const enter = (b: number, i: number) => {
    const at = i * units;
    for (let k = 0; k < stateCount; k++) {
      if (source[b] === StartState.Initial) {
        state[k].set(initial![k].subarray(b * units, (b + 1) * units), at);
      } else if (source[b] === StartState.FirstRow) {
        const from = position[0] * units;
        state[k].copyWithin(at, from, from + units);
      } else {
        const from = padSteps[b] * units;
        state[k].set(pad[k].subarray(from, from + units), at);
      }
    }
  };

  let active = 0;
  for (let s = 0; s < steps; s++) {
    while (active < batch && start[order[active]] <= s) {
      enter(order[active], active);
      active++;
    }
    if (active === 0) {
      continue;
    }
    const t = time(s);
    for (let i = 0; i < active; i++) {
      rows[i] = inputRow(order[i], t);
    }
    cell.step(state, next, scratch, active, xProj, rows);
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
    const swap = state;
    state = next;
    next = swap;
    if (options.returnSequences) {
      const h = state[0];
      for (let i = 0; i < active; i++) {
        const b = order[i];
        if (maskData && !maskData[b * steps + t] && options.zeroOutputForMask) {
          continue;
        }
        out.set(
          h.subarray(i * units, (i + 1) * units),
          (b * steps + s) * units
        );
      }
    }
  }

  // Final states by row; row 0 first, as rows equal to it copy its own.
  const finals = Array.from(
    { length: stateCount },
    () => new Float32Array(batch * units)
  );
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < stateCount; k++) {
      let from: Float32Array;
      let at: number;
      if (start[b] < steps) {
        [from, at] = [state[k], position[b] * units];
      } else if (source[b] === StartState.FirstRow) {
        [from, at] = [finals[k], 0];
      } else if (source[b] === StartState.Initial) {
        [from, at] = [initial![k], b * units];
      } else {
        [from, at] = [pad[k], padSteps[b] * units];
      }
      finals[k].set(from.subarray(at, at + units), b * units);
    }
  }
  if (options.returnSequences) {
    Private.skippedOutputs(out, plan, pad[0], {
      steps,
      units,
      time,
      maskData,
      zeroOutputForMask: options.zeroOutputForMask
    });
  } else {
    out.set(finals[0]);
  }
  return {
    output: {
      shape: options.returnSequences ? [batch, steps, units] : [batch, units],
      data: out
    },
    mask: options.returnSequences ? mask : null,
    ...(options.returnState
      ? { extra: finals.map(data => ({ shape: [batch, units], data })) }
      : {})
  };
}

/** Splits the Keras `[rows, gates * units]` layout into a sub-block of columns. */
export function columns(
  w: Float32Array,
  rows: number,
  cols: number,
  from: number,
  to: number
): Float32Array {
  const width = to - from;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    out.set(w.subarray(r * cols + from, r * cols + to), r * width);
  }
  return out;
}

/**
 * One step of a cell from given states (Keras `GRUCell` / `LSTMCell` call):
 * `x` is [batch, features]; returns the new states.
 */
export function stepCell(
  kernels: Kernels,
  cell: ICell,
  x: ITensor,
  states: Float32Array[]
): Float32Array[] {
  const batch = x.shape[0];
  const np = cell.inputMatrix.np;
  const sizes = new Array<number>(2 * cell.stateCount).fill(batch * cell.units);
  const ws = kernels.workspace(
    [batch * np, ...sizes, ...cell.scratchSizes(batch)],
    x.data.length
  );
  const xProj = ws[0];
  if (cell.inputBias) {
    for (let b = 0; b < batch; b++) {
      xProj.set(cell.inputBias, b * np);
    }
  }
  kernels.gemm(x.data, batch, cell.inputMatrix, xProj);
  const state = ws.slice(1, 1 + cell.stateCount);
  const next = ws.slice(1 + cell.stateCount, 1 + 2 * cell.stateCount);
  states.forEach((s, i) => state[i].set(s));
  const rows = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    rows[b] = b * np;
  }
  cell.step(state, next, ws.slice(1 + 2 * cell.stateCount), batch, xProj, rows);
  return next.map(n => new Float32Array(n));
}

namespace Private {
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

  const cache = new WeakMap<
    ICell,
    { table: Float32Array; projected: Float32Array }
  >();

  /** `table . W + b` for every vocabulary entry (row stride = np), cached per cell. */
  export function projectedTable(
    kernels: Kernels,
    cell: ICell,
    table: Float32Array,
    width: number
  ): Float32Array {
    const hit = cache.get(cell);
    if (hit && hit.table === table) {
      return hit.projected;
    }
    const np = cell.inputMatrix.np;
    const rows = table.length / width;
    const projected = new Float32Array(rows * np);
    if (cell.inputBias) {
      for (let r = 0; r < rows; r++) {
        projected.set(cell.inputBias, r * np);
      }
    }
    kernels.gemm(table, rows, cell.inputMatrix, projected);
    cache.set(cell, { table, projected });
    return projected;
  }
}
