/**
 * A recurrent layer (GRU, LSTM, SimpleRNN) around its cell: the forward
 * pass of inference (`recurrent-run.ts`) and, for the gradient methods, the
 * recorded forward pass with its backward pass through time
 * (`recurrent-backward.ts`), both stepping the same cell maths.
 */
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  LayerFactory,
  ILayerSpec,
  IMask,
  intConfig,
  ITensor,
  IWeight,
  lastDim,
  layerError,
  Shape
} from './base';
import { BufferPool } from './buffer-pool';
import { Kernels } from './kernels';
import { backRecurrent } from './recurrent-backward';
import { CellFactory, ICell, IRecurrentOptions } from './recurrent-cell';
import { recordRecurrent, runRecurrent } from './recurrent-run';
import { formatDims } from '../shapes';

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
      shareSteps: context.shareSteps !== false,
      foldTables: context.foldTables !== false
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
    const initialOf = (inputs: ITensor[]) => {
      const initial = stateInputs.map(i => inputs[i].data);
      return initial.length ? initial : undefined;
    };
    return {
      name: spec.name,
      className: spec.className,
      outputShape,
      ...(options.returnState
        ? { extraShapes: new Array(cell.stateCount).fill([units]) }
        : {}),
      call(inputs: ITensor[], masks: Array<IMask | null>) {
        return runRecurrent(
          context.kernels,
          cell,
          options,
          inputs[0],
          masks[0],
          initialOf(inputs),
          context.buffers
        );
      },
      callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
        return recurrentGradientCall(
          context.kernels,
          cell,
          options,
          inputs,
          masks[0],
          stateInputs,
          initialOf(inputs),
          context.buffers
        );
      }
    };
  };
}

/** The recorded forward pass and its backward pass to the sequence and initial states. */
function recurrentGradientCall(
  kernels: Kernels,
  cell: ICell,
  options: IRecurrentOptions,
  inputs: ITensor[],
  mask: IMask | null,
  stateInputs: number[],
  initial: Float32Array[] | undefined,
  buffers: BufferPool | undefined
): IGradientCall {
  // An Embedding gather only as the gradient methods' scaled rows: the
  // recorded run must compute every row's pad steps (their gradients count).
  const gather = inputs[0].gather?.scales ? inputs[0].gather : undefined;
  const x: ITensor = {
    shape: inputs[0].shape,
    data: inputs[0].data,
    ...(gather && options.foldTables !== false ? { gather } : {})
  };
  const { result, record } = recordRecurrent(
    kernels,
    cell,
    options,
    x,
    mask,
    initial,
    buffers
  );
  return {
    ...result,
    backward(dOutputs) {
      const grads = backRecurrent(
        kernels,
        cell,
        options,
        record,
        x.shape,
        dOutputs[0]?.data ?? null,
        dOutputs.slice(1).map(d => d?.data ?? null),
        buffers
      );
      return inputs.map((input, i) => {
        if (i === 0) {
          return { shape: input.shape, data: grads.dx };
        }
        const k = stateInputs.indexOf(i);
        return k < 0 ? null : { shape: input.shape, data: grads.dInitial[k] };
      });
    }
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
