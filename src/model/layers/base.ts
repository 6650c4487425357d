/**
 * Plain-data tensors and the layer contract shared by every layer
 * implementation. Everything here is Float32Array maths: no tfjs.
 */
import { IWeight, ModelError } from '../types';
import { BufferPool } from './buffer-pool';
import { Kernels } from './kernels';

/** A dense row-major tensor; `shape[0]` is the batch axis. */
export interface ITensor {
  shape: number[];
  data: Float32Array;
  /**
   * Set by Embedding: `data` is `table` rows gathered by `indices` (times
   * `scales[b]` for batch row b when given: the gradient methods' points
   * alpha * E). A recurrent or Conv1D layer reading it folds the table into
   * its input weights once (`vocabulary-tables.ts`) instead of multiplying
   * every step.
   */
  gather?: IGather;
}

/** An Embedding output as the rows of its table (see `ITensor.gather`). */
export interface IGather {
  indices: Float32Array;
  table: Float32Array;
  width: number;
  /** Per batch row: the factor the gathered rows were multiplied by. */
  scales?: Float32Array;
}

/** A Keras time-step mask: `data[b * steps + t]` is 1 where the step is real. */
export interface IMask {
  batch: number;
  steps: number;
  data: Uint8Array;
}

/** A shape without the batch axis; `null` = unknown / variable. */
export type Shape = Array<number | null>;

// Weights are what the model files hold: defined with the model's types.
export type { IWeight } from '../types';

/** A layer's declaration after config translation. */
export interface ILayerSpec {
  name: string;
  className: string;
  config: { [key: string]: any };
  /**
   * How the graph calls the layer (its first call): the keyword each input
   * tensor was passed as (`null` = positional; e.g. `initial_state`, `key`)
   * and the non-tensor call arguments (e.g. `use_causal_mask`).
   */
  call?: {
    inputKwargs: Array<string | null>;
    args: { [key: string]: unknown };
  };
}

/** What layer factories need besides the spec and its weights. */
export interface IBuildContext {
  /** Major Keras version that wrote the model (changes hard_sigmoid). */
  kerasMajor: number;
  /** Its minor version, when known (merge layers' masks changed in 3.4). */
  kerasMinor?: number;
  /** Explicit Lambda semantics by layer name. */
  lambdas: { [layerName: string]: string };
  /** Matrix kernels (and WebAssembly memory) of the model being built. */
  kernels: Kernels;
  /**
   * Arrays reused from one forward pass of the graph to the next (see
   * buffer-pool.ts); without it, layers make fresh arrays.
   */
  buffers?: BufferPool;
  /** Recurrent layers skip steps shared with padding or row 0 (default true). */
  shareSteps?: boolean;
  /**
   * Layers reading an Embedding fold its table into their input weights
   * (default true; false multiplies every step, the reference for tests).
   */
  foldTables?: boolean;
  /** What layers inferred rather than read, in words (e.g. a Lambda's meaning). */
  inferences?: string[];
  /** Builds a nested layer (wrappers use it for the layer they wrap). */
  createLayer(
    spec: ILayerSpec,
    inputShapes: Shape[],
    weights: IWeight[]
  ): ILayer;
}

/** Result of one layer call. */
export interface ILayerOutput {
  output: ITensor;
  mask: IMask | null;
  /** Further outputs (tensor index 1, 2, ...), e.g. the states of `return_state`. */
  extra?: ITensor[];
  /** Attention layers: mean weight each key position receives, [batch, Tk]. */
  keyWeights?: ITensor;
}

/**
 * One layer call kept for its backward pass: the forward result plus the
 * layer's vector-Jacobian product, written in the same module as the
 * forward pass so the two cannot drift.
 */
export interface IGradientCall extends ILayerOutput {
  /**
   * The gradient of a scalar objective with respect to each input, given
   * its gradient with respect to each output: `dOutputs[0]` for `output`,
   * `dOutputs[i]` for `extra[i - 1]`; null means zero. Returns one entry
   * per input, null where the input is not differentiable (integer ids, a
   * mask, a comparison) or where its gradient is zero. Follows the gradient
   * TensorFlow registers for the op Keras runs, ties included (a reduce-max
   * splits the gradient equally among tied maxima). Gradient arrays are
   * shared, never written: `backward` must not write into `dOutputs` and
   * may return them as they are.
   */
  backward(dOutputs: Array<ITensor | null>): Array<ITensor | null>;
}

/** An executable layer. */
export interface ILayer {
  readonly name: string;
  readonly className: string;
  /** Output shape without the batch axis. */
  readonly outputShape: Shape;
  /** Shapes of the further outputs (tensor index 1, 2, ...), when there are any. */
  readonly extraShapes?: Shape[];
  /** Attention layers: shape of `keyWeights` ([Tk]); offered as `<name>:scores`. */
  readonly keyWeightsShape?: Shape;
  call(inputs: ITensor[], masks: Array<IMask | null>): ILayerOutput;
  /**
   * The forward pass that keeps what `backward` needs (the gradient
   * methods). Every layer has it unless `noGradient` says why not.
   */
  callForGradient?(
    inputs: ITensor[],
    masks: Array<IMask | null>
  ): IGradientCall;
  /**
   * Why this layer has no gradient, in words for the user; the gradient
   * methods refuse a model with such a layer on the path, naming it.
   */
  readonly noGradient?: string;
}

/** Builds a layer from its spec, the shapes of its inputs and its weights. */
export type LayerFactory = (
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
) => ILayer;

/** A ModelError naming the layer and its class. */
export function layerError(spec: ILayerSpec, reason: string): ModelError {
  return new ModelError(`Layer '${spec.name}' (${spec.className}): ${reason}`, {
    layer: spec.name,
    className: spec.className
  });
}

/** Number of elements of a shape (batch excluded); nulls are not allowed. */
export function sizeOf(shape: ReadonlyArray<number | null>): number {
  let n = 1;
  for (const d of shape) {
    n *= d ?? 1;
  }
  return n;
}

export function tensor(shape: number[], data?: Float32Array): ITensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, data: data ?? new Float32Array(size) };
}

/** Checks weight count and shapes, naming the layer on mismatch. */
export function expectWeights(
  spec: ILayerSpec,
  weights: IWeight[],
  expected: Array<{ name: string; shape: number[] }>
): Float32Array[] {
  if (weights.length !== expected.length) {
    throw layerError(
      spec,
      `expected ${expected.length} weight arrays (${expected
        .map(e => e.name)
        .join(', ')}), the file has ${weights.length}`
    );
  }
  return expected.map((e, i) => {
    const w = weights[i];
    const same =
      w.shape.length === e.shape.length &&
      w.shape.every((d, k) => d === e.shape[k]);
    if (!same) {
      throw layerError(
        spec,
        `weight ${e.name} should have shape [${e.shape.join(', ')}], the file has ` +
          `[${w.shape.join(', ')}] (${w.name})`
      );
    }
    return w.data;
  });
}

/** Reads an integer config field, naming the layer when it is missing. */
export function intConfig(spec: ILayerSpec, key: string): number {
  const v = spec.config[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw layerError(spec, `config field '${key}' is missing or not a number`);
  }
  return v;
}

/** Requires a known last dimension of an input shape. */
export function lastDim(spec: ILayerSpec, shape: Shape): number {
  const d = shape[shape.length - 1];
  if (d === null || d === undefined) {
    throw layerError(spec, 'the last input dimension must be known');
  }
  return d;
}
