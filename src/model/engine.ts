/**
 * Loading a Keras / TensorFlow.js model from its files and running it: one
 * forward pass per batch yields predictions and the attention. The maths
 * is plain Float32Array code with a WebAssembly SIMD matrix kernel (its
 * memory is freed by `dispose`).
 */
import { chooseAttention, IAttentionChoice } from './graph/attention-choice';
import { buildGraph, IGraph, runGraph } from './graph/graph';
import { damagedError } from './files/hdf5/file';
import { formatDims } from './shapes';
import { appendAll } from './limits';
import {
  checkFiniteWeights,
  checkTokenInput,
  hardSigmoidInference
} from './load-checks';
import { flattenModel } from './graph/nested';
import {
  configLimits,
  kindOf,
  nameMismatchNote,
  readModel
} from './read-formats';
import { ITextVectorizationInfo } from '../text/text-vectorization';
import {
  IAttentionModel,
  IForwardResult,
  ILoadOptions,
  IModelFiles,
  IModelInfo,
  ModelError
} from './types';

/** Options for the engine itself (benchmarks and tests). */
export interface IEngineOptions extends ILoadOptions {
  /** Use the WebAssembly SIMD kernel when available (default true). */
  simd?: boolean;
  /**
   * Matrix products with relaxed SIMD's multiply-add where the engine has
   * it (default true; see `layers/kernels/module.ts`).
   */
  relaxedSimd?: boolean;
  /** Sequences per forward pass inside `predict` (bounds memory; default 32). */
  chunkSize?: number;
  /**
   * Recurrent layers skip the steps a sequence shares with the padding or
   * with the first sequence of its batch (default true; same results).
   */
  shareSteps?: boolean;
  /**
   * Layers reading an Embedding fold its table into their input weights
   * (default true; results within the tolerance stated in
   * `layers/vocabulary-tables.ts`; false: the reference).
   */
  foldTables?: boolean;
}

/** A loaded graph plus what was read about it (for per-layer inspection). */
export interface ILoadedGraph {
  graph: IGraph;
  format: IModelInfo['format'];
  kerasVersion?: string;
  /** The model's own TextVectorization layer, when it starts with one. */
  tokenizer?: ITextVectorizationInfo;
  /** What was inferred about the files (e.g. an HDF5 file named `.keras`). */
  notes: string[];
}

/**
 * Reads any supported model format into a built graph. Every failure is a
 * ModelError whose message names the file.
 */
export function loadGraph(
  files: IModelFiles,
  options: IEngineOptions = {}
): ILoadedGraph {
  try {
    return readGraph(files, options);
  } catch (error) {
    throw Private.namingFile(error, files);
  }
}

function readGraph(files: IModelFiles, options: IEngineOptions): ILoadedGraph {
  const read = readModel(files, options);
  const { format, kerasVersion, tokenizer, mainFile } = read;
  const notes: string[] = [];
  const mismatch = nameMismatchNote(read);
  if (mismatch) {
    notes.push(mismatch);
  }
  checkFiniteWeights(mainFile, read.weights);
  const { spec, weights } = flattenModel(
    read.spec,
    read.weights,
    configLimits(options).maxLayers
  );
  const kerasMajor = Private.kerasMajor(kerasVersion, format);
  const graph = buildGraph(spec, weights, {
    kerasMajor,
    kerasMinor: Private.kerasMinor(kerasVersion),
    lambdas: options.lambdas,
    simd: options.simd,
    relaxedSimd: options.relaxedSimd,
    shareSteps: options.shareSteps,
    foldTables: options.foldTables
  });
  const hardSigmoid = hardSigmoidInference(
    graph.spec,
    kerasMajor,
    kerasVersion
  );
  if (hardSigmoid) {
    notes.push(hardSigmoid);
  }
  return {
    graph,
    format,
    kerasVersion,
    notes,
    ...(tokenizer ? { tokenizer } : {})
  };
}

/**
 * A loaded model with its graph exposed, for the explanation methods
 * (`explain/`): they run its reverse pass (`graph/backward.ts`, for
 * gradients) or many forward passes without attention.
 */
export interface ILoadedModel extends IAttentionModel {
  readonly graph: IGraph;
  /** The model outputs only (flattened per sample), no attention needed. */
  forward(
    sequences: ArrayLike<number>[],
    options?: IForwardOptions
  ): Promise<number[][]>;
}

/** How `forward` batches the sequences. */
export interface IForwardOptions {
  /**
   * Put the first sequence at the head of every chunk (its outputs are
   * returned once): sequences that share steps with it, such as occlusion
   * variants, then start from its states where they part from it.
   */
  firstInEveryChunk?: boolean;
}

/** The message of the `attention` method on a model without attention. */
export function noAttentionMessage(reason: string): string {
  return (
    `${reason}. Explain the model without attention instead: methods occlusion, ` +
    'grad-x-input or integrated-gradients (CLI: char-attention explain --method occlusion)'
  );
}

/** Loads a model from its files (see `IModelFiles` for the accepted sets). */
export async function loadModel(
  files: IModelFiles,
  options: IEngineOptions = {}
): Promise<ILoadedModel> {
  const { graph, format, kerasVersion, notes, tokenizer } = loadGraph(
    files,
    options
  );
  if (graph.spec.inputs.length !== 1) {
    throw new ModelError(
      `The model has ${graph.spec.inputs.length} inputs; only single-input models are supported`
    );
  }
  try {
    checkTokenInput(graph.spec, graph.inputShapes[0], tokenizer !== undefined);
  } catch (error) {
    graph.kernels.dispose();
    throw Private.namingFile(error, files);
  }
  // A layer asked for by name must exist; found automatically, it may not.
  let choice: IAttentionChoice | null = null;
  let missing = '';
  if (options.attentionLayer !== undefined) {
    choice = chooseAttention(graph, options.attentionLayer, options.lambdas);
  } else {
    try {
      choice = chooseAttention(graph, undefined, options.lambdas);
    } catch (error) {
      if (!(error instanceof ModelError)) {
        throw error;
      }
      missing = error.message.replace(/\.? Name the layer explicitly\.?$/, '');
    }
  }
  const inputShape = graph.inputShapes[0];
  const embedding = graph.spec.layers.find(l => l.className === 'Embedding');
  const info: IModelInfo = {
    format,
    kerasVersion,
    inputLength: inputShape[0] ?? null,
    vocabularySize:
      typeof embedding?.config.input_dim === 'number'
        ? embedding.config.input_dim
        : undefined,
    maskZero: embedding ? embedding.config.mask_zero === true : undefined,
    attentionLayer: choice ? choice.layer : null,
    attentionChosenBy: choice ? choice.chosenBy : null,
    layers: graph.layerInfo,
    inferences: [
      ...notes,
      ...graph.inferences,
      ...(choice?.inference ? [choice.inference] : [])
    ],
    ...(tokenizer ? { tokenizer } : {})
  };
  return new Private.AttentionModel(
    graph,
    info,
    options.chunkSize ?? 32,
    missing
  );
}

namespace Private {
  /** A failure as a ModelError that names the model file (plain words for a raw error). */
  export function namingFile(error: unknown, files: IModelFiles): unknown {
    const names = Object.keys(files);
    if (!names.length) {
      return error;
    }
    const where = (error as ModelError).where ?? {};
    const file =
      where.file ??
      names.find(n => kindOf(n, files[n]) !== 'other') ??
      names[0];
    if (error instanceof ModelError) {
      if (error.message.includes(file)) {
        return error;
      }
      // A layer's error keeps its location; the message gains the file.
      const named = new ModelError(
        `${file}: ${error.message}`,
        where.layer ? where : { ...where, file }
      );
      (named as { cause?: unknown }).cause = error;
      return named;
    }
    return damagedError(file, error);
  }

  export function kerasMajor(
    version: string | undefined,
    format: IModelInfo['format']
  ): number {
    if (format === 'keras-v3') {
      return 3;
    }
    const m = /^(\d+)\./.exec(version ?? '');
    // tfjs-layers writes 'tfjs-layers x.y.z' and follows Keras 2 semantics.
    return m ? Number(m[1]) : 2;
  }

  /** The minor version of a 'major.minor...' Keras version, if it has one. */
  export function kerasMinor(version: string | undefined): number | undefined {
    const m = /^\d+\.(\d+)/.exec(version ?? '');
    return m ? Number(m[1]) : undefined;
  }

  /**
   * The forward passes of `sequences`, `size` at a time; with `withFirst`
   * every chunk after the first starts with sequences[0] again (`repeated`).
   */
  export function chunks(
    sequences: ArrayLike<number>[],
    size: number,
    withFirst: boolean
  ): Array<{ chunk: ArrayLike<number>[]; repeated: boolean }> {
    const out: Array<{ chunk: ArrayLike<number>[]; repeated: boolean }> = [];
    if (!withFirst || size < 2) {
      for (let from = 0; from < sequences.length; from += size) {
        out.push({
          chunk: sequences.slice(from, from + size),
          repeated: false
        });
      }
      return out;
    }
    out.push({ chunk: sequences.slice(0, size), repeated: false });
    for (let from = size; from < sequences.length; from += size - 1) {
      out.push({
        chunk: [sequences[0], ...sequences.slice(from, from + size - 1)],
        repeated: true
      });
    }
    return out;
  }

  /** Most rows x steps of a forward pass whose rows share the first row's steps. */
  export const SHARING_ROW_STEPS = 1 << 14;

  /**
   * Rows per forward pass when every pass starts with the same sequence
   * (occlusion): wide enough for the recurrent product to run at full
   * width (the first sequence's run is kept, so it costs nothing after the
   * first pass), bounded in rows x steps for memory.
   */
  export function sharingChunk(chunkSize: number, steps: number): number {
    const wide = Math.min(
      64,
      Math.floor(SHARING_ROW_STEPS / Math.max(steps, 1))
    );
    return Math.max(chunkSize, wide);
  }

  export class AttentionModel implements ILoadedModel {
    constructor(
      private _graph: IGraph,
      readonly info: IModelInfo,
      private _chunkSize: number,
      private _missing: string
    ) {}

    get graph(): IGraph {
      return this._graph;
    }

    async predict(sequences: ArrayLike<number>[]): Promise<IForwardResult> {
      const layer = this.info.attentionLayer;
      if (layer === null) {
        throw new ModelError(
          noAttentionMessage(
            this._missing || 'The model has no attention layer'
          )
        );
      }
      return this._run(sequences, layer);
    }

    async forward(
      sequences: ArrayLike<number>[],
      options: IForwardOptions = {}
    ): Promise<number[][]> {
      return (await this._run(sequences, null, options.firstInEveryChunk))
        .predictions;
    }

    private _run(
      sequences: ArrayLike<number>[],
      layer: string | null,
      firstInEveryChunk = false
    ): IForwardResult {
      if (this._disposed) {
        throw new ModelError('The model has been disposed');
      }
      const predictions: number[][] = [];
      const attention: number[][] = [];
      if (sequences.length === 0) {
        return { predictions, attention };
      }
      const length = this.info.inputLength ?? sequences[0].length;
      sequences.forEach((s, i) => {
        if (s.length !== length) {
          throw new ModelError(
            `Sequence ${i} has ${s.length} steps, the model expects ${length} (pad or truncate it first)`
          );
        }
      });
      const inputRank = this._graph.inputShapes[0].length;
      if (inputRank !== 1) {
        throw new ModelError(
          `The model input has shape [batch, ${formatDims(this._graph.inputShapes[0])}]; predict takes integer sequences [batch, T]`
        );
      }
      for (const { chunk, repeated } of Private.chunks(
        sequences,
        firstInEveryChunk
          ? Private.sharingChunk(this._chunkSize, length)
          : this._chunkSize,
        firstInEveryChunk
      )) {
        const data = new Float32Array(chunk.length * length);
        chunk.forEach((s, i) => {
          for (let t = 0; t < length; t++) {
            data[i * length + t] = s[t];
          }
        });
        const result = runGraph(
          this._graph,
          [{ shape: [chunk.length, length], data }],
          { outputs: layer === null ? [] : [layer] }
        );
        const att = layer === null ? null : result.activations[layer];
        const attPer = att ? att.data.length / chunk.length : 0;
        for (let i = repeated ? 1 : 0; i < chunk.length; i++) {
          if (att) {
            attention.push(
              Array.from(att.data.subarray(i * attPer, (i + 1) * attPer))
            );
          }
          const row: number[] = [];
          for (const out of result.outputs) {
            const per = out.data.length / chunk.length;
            appendAll(row, out.data.subarray(i * per, (i + 1) * per));
          }
          predictions.push(row);
        }
      }
      return { predictions, attention };
    }

    dispose(): void {
      if (!this._disposed) {
        this._disposed = true;
        this._graph.kernels.dispose();
      }
    }

    private _disposed = false;
  }
}
