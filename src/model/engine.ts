/**
 * Loading a Keras / TensorFlow.js model from its files and running it: one
 * forward pass per batch yields predictions and the attention. The maths
 * is plain Float32Array code with a WebAssembly SIMD matrix kernel; no tfjs
 * tensors are created, so nothing can leak.
 */
import { chooseAttention, IAttentionChoice } from './attention';
import { buildGraph, IGraph, runGraph } from './graph';
import { keras3Weights, readKerasArchive, readKerasH5 } from './hdf5';
import { IModelSpec, parseModelConfig, readTfjsModel } from './keras';
import { IWeight } from './layers/base';
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
  /** Sequences per forward pass inside `predict` (bounds memory; default 32). */
  chunkSize?: number;
}

/** A loaded graph plus what was read about it (for per-layer inspection). */
export interface ILoadedGraph {
  graph: IGraph;
  format: IModelInfo['format'];
  kerasVersion?: string;
}

/** Reads any supported model format into a built graph. */
export function loadGraph(
  files: IModelFiles,
  options: IEngineOptions = {}
): ILoadedGraph {
  const names = Object.keys(files);
  if (names.length === 0) {
    throw new ModelError('No model files were given');
  }
  const lower = (n: string) => n.toLowerCase();
  const archive = names.find(n => lower(n).endsWith('.keras'));
  const h5 = names.find(n => /\.(h5|hdf5|weights\.h5)$/.test(lower(n)));
  const jsons = names.filter(n => lower(n).endsWith('.json'));
  let spec: IModelSpec;
  let weights: Map<string, IWeight[]>;
  let format: IModelInfo['format'];
  let kerasVersion: string | undefined;

  if (archive) {
    const read = readKerasArchive(files[archive], archive);
    spec = parseModelConfig(read.config, `${archive}/config.json`);
    weights = keras3Weights(spec, read.weightsFile);
    format = 'keras-v3';
    kerasVersion = read.kerasVersion;
  } else if (h5) {
    const read = readKerasH5(files[h5], h5);
    kerasVersion = read.kerasVersion;
    if (read.modelConfig) {
      spec = parseModelConfig(read.modelConfig, h5);
      format = 'keras-h5';
    } else {
      if (jsons.length === 0) {
        throw new ModelError(
          `${h5}: this is a weights-only file (no model_config); also give the model config JSON (model.to_json())`,
          { file: h5 }
        );
      }
      const text = new TextDecoder().decode(files[jsons[0]]);
      spec = parseModelConfig(text, jsons[0]);
      format = 'keras-h5-weights';
    }
    weights = read.weights;
  } else if (jsons.length) {
    const jsonName = jsons.find(n => /(^|\/)model\.json$/.test(n)) ?? jsons[0];
    const read = readTfjsModel(files, jsonName);
    spec = parseModelConfig(read.topology, jsonName);
    weights = read.weights;
    format = 'tfjs-layers';
    kerasVersion = read.kerasVersion;
  } else {
    throw new ModelError(
      `No model file recognised among ${names.join(', ')} (expected .h5/.hdf5, .keras, or model.json)`
    );
  }
  const graph = buildGraph(spec, weights, {
    kerasMajor: Private.kerasMajor(kerasVersion, format),
    lambdas: options.lambdas,
    simd: options.simd
  });
  return { graph, format, kerasVersion };
}

/**
 * A loaded model with its graph exposed, for the explanation methods
 * (`explain/`): they rebuild the forward pass elsewhere (TensorFlow.js for
 * gradients) or run many forward passes without attention.
 */
export interface ILoadedModel extends IAttentionModel {
  readonly graph: IGraph;
  /** The model outputs only (flattened per sample), no attention needed. */
  forward(sequences: ArrayLike<number>[]): Promise<number[][]>;
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
  const { graph, format, kerasVersion } = loadGraph(files, options);
  if (graph.spec.inputs.length !== 1) {
    throw new ModelError(
      `The model has ${graph.spec.inputs.length} inputs; only single-input models are supported`
    );
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
    layers: graph.layerInfo
  };
  return new Private.AttentionModel(
    graph,
    info,
    options.chunkSize ?? 32,
    missing
  );
}

namespace Private {
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

    async forward(sequences: ArrayLike<number>[]): Promise<number[][]> {
      return (await this._run(sequences, null)).predictions;
    }

    private _run(
      sequences: ArrayLike<number>[],
      layer: string | null
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
          `The model input has shape [batch, ${this._graph.inputShapes[0].join(', ')}]; predict takes integer sequences [batch, T]`
        );
      }
      for (let from = 0; from < sequences.length; from += this._chunkSize) {
        const chunk = sequences.slice(from, from + this._chunkSize);
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
        for (let i = 0; i < chunk.length; i++) {
          if (att) {
            attention.push(
              Array.from(att.data.subarray(i * attPer, (i + 1) * attPer))
            );
          }
          const row: number[] = [];
          for (const out of result.outputs) {
            const per = out.data.length / chunk.length;
            row.push(...Array.from(out.data.subarray(i * per, (i + 1) * per)));
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
