/**
 * The recurrent loop shared by GRU, LSTM and SimpleRNN: the input
 * projection of every step is one matrix multiply up front; each step then
 * does one batched recurrent multiply (WebAssembly SIMD when available) and
 * fused gate maths in a tight loop. Masks carry state over masked steps as
 * Keras does.
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
    const options = recurrentOptions(spec);
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
  // Project an Embedding table before the workspace exists: a gemm on
  // arrays outside it may grow (and so detach) WebAssembly memory.
  const gather = x.gather && x.gather.width === features ? x.gather : null;
  const projected = gather
    ? Private.projectedTable(kernels, cell, gather.table, features)
    : null;
  const sizes: number[] = [batch * steps * np];
  for (let i = 0; i < 2 * stateCount; i++) {
    sizes.push(batch * units);
  }
  const ws = kernels.workspace(
    [...sizes, ...cell.scratchSizes(batch)],
    gather ? 0 : x.data.length
  );
  // Input projection for all steps at once: [batch * steps, np].
  const xProj = ws[0];
  if (gather && projected) {
    // Embedding input: the table was projected once; gather its rows.
    const indices = gather.indices;
    for (let r = 0; r < batch * steps; r++) {
      const row = indices[r];
      xProj.set(projected.subarray(row * np, (row + 1) * np), r * np);
    }
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
  let state = ws.slice(1, 1 + stateCount);
  let next = ws.slice(1 + stateCount, 1 + 2 * stateCount);
  const scratch = ws.slice(1 + 2 * stateCount);
  initial?.forEach((s, k) => state[k].set(s.subarray(0, batch * units)));

  const outSteps = options.returnSequences ? steps : 1;
  const out = new Float32Array(batch * outSteps * units);
  const rows = new Int32Array(batch);
  const maskData = mask && mask.steps === steps ? mask.data : null;

  for (let s = 0; s < steps; s++) {
    const t = options.goBackwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      rows[b] = (b * steps + t) * np;
    }
    cell.step(state, next, scratch, batch, xProj, rows);
    if (maskData) {
      for (let b = 0; b < batch; b++) {
        if (!maskData[b * steps + t]) {
          for (let k = 0; k < stateCount; k++) {
            next[k].set(
              state[k].subarray(b * units, (b + 1) * units),
              b * units
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
      for (let b = 0; b < batch; b++) {
        const target = (b * steps + s) * units;
        if (maskData && !maskData[b * steps + t] && options.zeroOutputForMask) {
          continue;
        }
        out.set(h.subarray(b * units, (b + 1) * units), target);
      }
    }
  }
  if (!options.returnSequences) {
    out.set(state[0].subarray(0, batch * units));
  }
  return {
    output: {
      shape: options.returnSequences ? [batch, steps, units] : [batch, units],
      data: out
    },
    mask: options.returnSequences ? mask : null,
    ...(options.returnState
      ? {
          extra: state.map(s => ({
            shape: [batch, units],
            data: new Float32Array(s.subarray(0, batch * units))
          }))
        }
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
