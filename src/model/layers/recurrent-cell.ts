/**
 * The contract of a recurrent cell (GRU, LSTM, SimpleRNN): one time step
 * forward, which can also keep a tape, and that step's vector-Jacobian
 * product. The recurrent drivers (`recurrent-run.ts` forward,
 * `recurrent-backward.ts` back through time) step any cell; each cell
 * module writes its gate maths once for both.
 */
import {
  derivative,
  Derivative,
  derivativeUsesInput
} from './activation-derivatives';
import { scalar } from './activations';
import {
  expectWeights,
  IBuildContext,
  ILayerSpec,
  intConfig,
  IWeight
} from './base';
import { IWeightMatrix } from './kernels';

/** A recurrent cell: state buffers live in the workspace the driver allocates. */
export interface ICell {
  readonly units: number;
  /** Number of state vectors (GRU/SimpleRNN 1, LSTM 2), each `batch x units`. */
  readonly stateCount: number;
  readonly inputMatrix: IWeightMatrix;
  readonly inputBias: Float32Array | null;
  /**
   * Extra scratch sizes after the 2 x stateCount state buffers; `taped`:
   * for steps that keep a tape.
   */
  scratchSizes(batch: number, taped?: boolean): number[];
  /** Floats the tape keeps per row and step (see `step`). */
  readonly tapeWidth: number;
  /**
   * One time step for the whole batch: reads `state`, writes `next`.
   * `xProj` rows for this step start at `rows[b]` (stride = inputMatrix.np).
   * With a `tape` (`batch * tapeWidth`, row b at `b * tapeWidth`) the step
   * also keeps there what its backward pass needs.
   */
  step(
    state: Float32Array[],
    next: Float32Array[],
    scratch: Float32Array[],
    batch: number,
    xProj: Float32Array,
    rows: Int32Array,
    tape?: Float32Array
  ): void;
  /**
   * The vector-Jacobian product of `step`. The first call lays out the
   * transposed weights (permanent kernel memory): call it before taking a
   * workspace.
   */
  backward(): ICellBackward;
}

/** The backward pass of one step of a cell. */
export interface ICellBackward {
  /** `W^T` (`gates * units x inputDim`): a step's input gradient is `dA . W^T`. */
  readonly inputT: IWeightMatrix;
  /** Scratch sizes of `step` (kept apart from its operands). */
  scratchSizes(batch: number): number[];
  /**
   * From the gradient of the step's new states (`dNext`, one per state,
   * `batch x units`) and its tape: the gradient of its previous states
   * (`dPrev`, written) and of its input projection row (`dA`,
   * `batch x gates * units`, written; the gradient of the step's input is
   * `dA . W^T`).
   */
  step(
    dNext: Float32Array[],
    dPrev: Float32Array[],
    dA: Float32Array,
    scratch: Float32Array[],
    batch: number,
    tape: Float32Array
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
  /**
   * Read an Embedding input through its projected table (default true;
   * false multiplies every step, the reference for tests).
   */
  foldTables?: boolean;
}

/** Makes a cell from its layer's config and weights. */
export type CellFactory = (
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
) => ICell;

/** A cell activation with its derivative. */
export interface ICellActivation {
  readonly f: (x: number) => number;
  /** f'(x) from x and y = f(x). */
  readonly d: Derivative;
  /** Whether `d` reads x (the tape then keeps the pre-activations too). */
  readonly usesInput: boolean;
}

/** `scalar` and `derivative` of one activation config value. */
export function cellActivation(
  spec: ILayerSpec,
  rawName: unknown,
  kerasMajor: number
): ICellActivation {
  return {
    f: scalar(spec, rawName, kerasMajor),
    d: derivative(spec, rawName, kerasMajor) ?? (() => 1),
    usesInput: derivativeUsesInput(rawName)
  };
}

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
  readonly act: ICellActivation;
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
  return {
    units,
    kernel: arrays[0],
    recurrent: arrays[1],
    bias: useBias ? arrays[2] : null,
    act: cellActivation(
      spec,
      spec.config.activation ?? 'tanh',
      context.kerasMajor
    )
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
 * Adds the first `units` columns of each row of a gemm output (row stride
 * `np`) to `into` (`batch x units`).
 */
export function addRows(
  into: Float32Array,
  from: Float32Array,
  batch: number,
  units: number,
  np: number
): void {
  for (let b = 0; b < batch; b++) {
    const o = b * units;
    const f = b * np;
    for (let k = 0; k < units; k++) {
      into[o + k] += from[f + k];
    }
  }
}
