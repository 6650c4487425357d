/**
 * Loading a Keras / TensorFlow.js model from its files and running it: one
 * forward pass per batch yields predictions and the attention. The maths
 * is plain Float32Array code with a WebAssembly SIMD matrix kernel; no tfjs
 * tensors are created, so nothing can leak.
 */
import { chooseAttention, IAttentionChoice } from './graph/attention-choice';
import { buildGraph, IGraph, runGraph } from './graph/graph';
import { describeKind, kindFromName, sniffFile } from './files/format';
import { damagedError } from './files/hdf5/file';
import { readKerasArchive } from './files/keras-archive';
import { readKerasH5 } from './files/keras-h5';
import { keras3Weights } from './files/keras3-weights';
import { formatDims } from './shapes';
import {
  appendAll,
  checkDeclaredInputLength,
  DEFAULT_MAX_LAYERS,
  DEFAULT_MAX_NESTING_DEPTH,
  resolveLimit,
  resolveMaxInputLength
} from './limits';
import { IModelSpec, parseModelConfig } from './graph/keras-config';
import { IConfigLimits, LIMIT_SETTINGS } from './graph/config-size';
import { readTfjsModel } from './files/tfjs';
import {
  checkFiniteWeights,
  checkNotKeras1,
  checkTokenInput,
  hardSigmoidInference
} from './load-checks';
import { IWeight } from './layers/base';
import { flattenModel } from './graph/nested';
import { ITextVectorizationInfo } from '../text/text-vectorization';
import { splitTextVectorization } from './graph/text-vectorization-layer';
import type { FileKind } from './files/format';
import {
  IAttentionModel,
  IForwardResult,
  ILoadOptions,
  IModelFiles,
  IModelInfo,
  ModelError
} from './types';

/** The setting that raises the input length limit, as messages name it. */
const INPUT_LENGTH_SETTING = 'the maxInputLength setting / --max-length';

/** Options for the engine itself (benchmarks and tests). */
export interface IEngineOptions extends ILoadOptions {
  /** Use the WebAssembly SIMD kernel when available (default true). */
  simd?: boolean;
  /** Sequences per forward pass inside `predict` (bounds memory; default 32). */
  chunkSize?: number;
  /**
   * Recurrent layers skip the steps a sequence shares with the padding or
   * with the first sequence of its batch (default true; same results).
   */
  shareSteps?: boolean;
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
  const names = Object.keys(files);
  if (names.length === 0) {
    throw new ModelError('No model files were given');
  }
  // The format comes from each file's signature, not its name.
  const kinds = new Map(names.map(n => [n, Private.kindOf(n, files[n])]));
  const archive = names.find(n => kinds.get(n) === 'zip');
  const h5 = names.find(n => kinds.get(n) === 'hdf5');
  const jsons = names.filter(n => kinds.get(n) === 'json');
  const notes: string[] = [];
  const limits: Required<IConfigLimits> = {
    maxLayers: resolveLimit(options.maxLayers, DEFAULT_MAX_LAYERS),
    maxNestingDepth: resolveLimit(
      options.maxNestingDepth,
      DEFAULT_MAX_NESTING_DEPTH
    )
  };
  let spec: IModelSpec;
  let weights: Map<string, IWeight[]>;
  let format: IModelInfo['format'];
  let kerasVersion: string | undefined;
  let tokenizer: ITextVectorizationInfo | undefined;
  let mainFile: string;

  if (archive) {
    mainFile = archive;
    const read = readKerasArchive(files[archive], archive);
    spec = parseModelConfig(read.config, `${archive}/config.json`, limits);
    Private.checkInputs(spec, archive, options);
    weights = keras3Weights(spec, read.weightsFile);
    const split = splitTextVectorization(spec, files[archive], archive, {
      maxInputLength: resolveMaxInputLength(options.maxInputLength),
      hint: INPUT_LENGTH_SETTING
    });
    if (split) {
      spec = split.spec;
      tokenizer = split.info;
    }
    format = 'keras-v3';
    kerasVersion = read.kerasVersion;
  } else if (h5) {
    mainFile = h5;
    const read = readKerasH5(files[h5], h5, {
      maxLayers: limits.maxLayers,
      maxLayersHint: LIMIT_SETTINGS.maxLayers
    });
    kerasVersion = read.kerasVersion;
    checkNotKeras1(h5, kerasVersion);
    if (read.modelConfig) {
      spec = parseModelConfig(read.modelConfig, h5, limits);
      format = 'keras-h5';
    } else {
      if (jsons.length === 0) {
        throw new ModelError(
          `${h5}: this is a weights-only file (no model_config); also give the model config JSON (model.to_json())`,
          { file: h5 }
        );
      }
      const text = new TextDecoder().decode(files[jsons[0]]);
      spec = parseModelConfig(text, jsons[0], limits);
      format = 'keras-h5-weights';
    }
    checkNotKeras1(h5, undefined, spec);
    Private.checkInputs(spec, h5, options);
    weights = read.weights;
  } else if (jsons.length) {
    const jsonName = jsons.find(n => /(^|\/)model\.json$/.test(n)) ?? jsons[0];
    mainFile = jsonName;
    const read = readTfjsModel(files, jsonName);
    spec = parseModelConfig(read.topology, jsonName, limits);
    checkNotKeras1(jsonName, read.kerasVersion, spec);
    Private.checkInputs(spec, jsonName, options);
    weights = read.weights;
    format = 'tfjs-layers';
    kerasVersion = read.kerasVersion;
  } else {
    throw new ModelError(
      `No model file recognised among ${names.join(', ')}: ` +
        names.map(n => Private.whatItIs(n, files[n])).join('; ') +
        ' (expected an HDF5 .h5/.hdf5, a Keras 3 .keras zip, or a model.json)',
      { file: names[0] }
    );
  }
  const named = kindFromName(mainFile);
  const found = kinds.get(mainFile)!;
  if (named !== 'other' && named !== found) {
    notes.push(
      named === 'zip' && found === 'hdf5'
        ? `${mainFile} is an HDF5 file, not a Keras 3 zip archive (TensorFlow 2.0-2.11 saved HDF5 under the .keras name); read as HDF5`
        : `${mainFile} is ${describeKind(found)} despite its name; read as such`
    );
  }
  checkFiniteWeights(mainFile, weights);
  ({ spec, weights } = flattenModel(spec, weights, limits.maxLayers));
  const kerasMajor = Private.kerasMajor(kerasVersion, format);
  const graph = buildGraph(spec, weights, {
    kerasMajor,
    lambdas: options.lambdas,
    simd: options.simd,
    shareSteps: options.shareSteps
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
 * (`explain/`): they rebuild the forward pass elsewhere (TensorFlow.js for
 * gradients) or run many forward passes without attention.
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

  /**
   * A file's kind by signature; a file whose bytes match no kind keeps the
   * kind its name gives, so its reader says what is wrong with it. `.bin`
   * weight shards are never model files.
   */
  export function kindOf(name: string, bytes: Uint8Array): FileKind {
    if (name.toLowerCase().endsWith('.bin')) {
      return 'other';
    }
    const sniffed = sniffFile(bytes);
    return sniffed === 'other' && !Private.isLfsPointer(bytes)
      ? kindFromName(name)
      : sniffed;
  }

  export function isLfsPointer(bytes: Uint8Array): boolean {
    return new TextDecoder()
      .decode(bytes.subarray(0, 64))
      .startsWith('version https://git-lfs');
  }

  /** Says what an unrecognised file is (first bytes, or a Git LFS pointer). */
  export function whatItIs(name: string, bytes: Uint8Array): string {
    if (isLfsPointer(bytes)) {
      return `${name} is a Git LFS pointer, not the file itself (fetch it with git lfs pull)`;
    }
    if (bytes.length === 0) {
      return `${name} is empty`;
    }
    const hex = Array.from(bytes.subarray(0, 8), b =>
      b.toString(16).padStart(2, '0')
    ).join(' ');
    return `${name} is ${describeKind('other')} (it starts with bytes ${hex})`;
  }

  /** The declared input length within `maxInputLength`, before any allocation. */
  export function checkInputs(
    spec: IModelSpec,
    file: string,
    options: ILoadOptions
  ): void {
    const limit = resolveMaxInputLength(options.maxInputLength);
    for (const shape of Object.values(spec.inputShapes)) {
      checkDeclaredInputLength(shape[0], limit, file, INPUT_LENGTH_SETTING);
    }
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
        this._chunkSize,
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
