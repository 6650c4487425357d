/**
 * The contract between model import/inference (`engine`) and its users
 * (alignment, CLI, worker, JupyterLab panel). Pure types.
 */
import type { ITextVectorizationInfo } from '../text/text-vectorization';

/**
 * The files of one model, by name. Which names are expected depends on the
 * format:
 * - legacy Keras HDF5 full model: one `*.h5` / `*.hdf5` file;
 * - weights-only HDF5 + config: one `*.h5` plus one `*.json` (the `model.to_json()` text);
 * - Keras 3 archive: one `*.keras` file;
 * - TensorFlow.js layers model: `model.json` plus its weight shards (`*.bin`).
 */
export interface IModelFiles {
  [fileName: string]: Uint8Array;
}

/** One stored weight array (Keras order inside its layer), as the model files hold it. */
export interface IWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Options for loading a model. */
export interface ILoadOptions {
  /**
   * Explicit Lambda semantics by layer name, e.g. `{ "lambda_1": "sum(axis=1)" }`.
   * Accepted forms are listed by `LAMBDA_FORMS` in `layers/lambda.ts`.
   */
  lambdas?: { [layerName: string]: string };
  /** Name of the layer whose output is the attention (default: found automatically). */
  attentionLayer?: string;
  /**
   * The most input steps a model may declare (default 100,000): a larger
   * one is refused before anything is allocated for it.
   */
  maxInputLength?: number;
  /**
   * The most layers a model may have, nested models' layers and the layer
   * calls inlining them makes included (default 50,000).
   */
  maxLayers?: number;
  /** How deep models may nest inside models (default 32). */
  maxNestingDepth?: number;
}

/** A layer as the model declares it. */
export interface ILayerInfo {
  name: string;
  className: string;
  /** Output shape without the batch axis (`null` = variable). */
  outputShape: Array<number | null>;
}

/** What the loader found out about a model. */
export interface IModelInfo {
  /** File format that was read. */
  format: 'keras-h5' | 'keras-h5-weights' | 'keras-v3' | 'tfjs-layers';
  /** Keras version recorded in the file, when present. */
  kerasVersion?: string;
  /** Fixed input length (time steps) or `null` when the model accepts any length. */
  inputLength: number | null;
  /** Embedding `input_dim`, when the model starts with an Embedding. */
  vocabularySize?: number;
  /** Whether the Embedding uses `mask_zero`. */
  maskZero?: boolean;
  /**
   * The attention layer used and how it was chosen; `null` when the model
   * has none (it still loads: predictions and the explanation methods
   * occlusion, grad-x-input and integrated-gradients work without one).
   */
  attentionLayer: string | null;
  attentionChosenBy: 'name' | 'auto' | null;
  /** Every layer in topological order. */
  layers: ILayerInfo[];
  /**
   * Everything the loader inferred rather than read (a Lambda's meaning, the
   * attention layer found automatically, ...), in words for the user. Shown
   * by the CLI (stderr), the viewer and the payload's `meta`.
   */
  inferences?: string[];
  /**
   * The model's own tokenizer (a Keras 3 `TextVectorization(split="character")`
   * layer at its input): texts are encoded with `encodeTextVectorization`.
   */
  tokenizer?: ITextVectorizationInfo;
}

/** Result of one forward pass over a batch. */
export interface IForwardResult {
  /** Model output per sample (flattened). */
  predictions: number[][];
  /** Attention per sample over the model's time steps (length = input length). */
  attention: number[][];
}

/** A loaded model that yields prediction and attention in one pass. */
export interface IAttentionModel {
  readonly info: IModelInfo;
  /** Run a batch of already-encoded, already-padded integer sequences. */
  predict(sequences: ArrayLike<number>[]): Promise<IForwardResult>;
  /** Free every tensor and buffer the model holds. */
  dispose(): void;
}

/** A model that cannot be loaded or run: names the file or layer and the reason. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly where?: { file?: string; layer?: string; className?: string }
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
