/**
 * The messages between the page (or the CLI) and a model worker.
 *
 * `predict` gives each sequence's output and, when the model has an
 * attention layer, its attention (otherwise `attention` is empty);
 * sequences of different lengths (a variable-length model) run in groups of
 * equal length. `explain` runs whole explanations, or the units of a round
 * the pool planned (`explain/registry.ts`).
 *
 * `predictLines` (the CLI's streamed `predict`) takes texts and gives their
 * finished JSONL lines and notices (`explain/prediction-lines.ts`).
 *
 * Requests: `load`, `predict`, `predictLines`, `explain`, `cancel`,
 * `dispose`. Every request but `cancel` gets exactly one final reply
 * (`loaded`, `predicted`, `predictedLines`, `explained`, `disposed`,
 * `cancelled` or `error`), preceded by any number of
 * `progress` replies. `cancel` names the request to stop; it is handled as
 * soon as it arrives, and long requests stop at the next chunk or unit.
 * Only types here (and one constant): importing this file pulls no model
 * code into a bundle.
 */
import type {
  IExplainer,
  IExplainOptions,
  IExplainPartial,
  IExplainUnit,
  IExplanation
} from '../explain';
import type { ILoadedModel } from '../model/engine';
import type {
  IPredictionLines,
  IPredictionLinesJob,
  predictionLines
} from '../explain/prediction-lines';
import type {
  IForwardResult,
  ILoadOptions,
  IModelFiles,
  IModelInfo
} from '../model/types';

export type RequestStage =
  'load' | 'predict' | 'explain' | 'dispose' | 'protocol';

/** Where an error happened: the ModelError location plus the request stage. */
export interface IErrorWhere {
  stage: RequestStage;
  file?: string;
  layer?: string;
  className?: string;
}

/** Load options as the worker takes them (the engine's `simd` switch included). */
export interface IWorkerLoadOptions extends ILoadOptions {
  /** Use the WebAssembly SIMD kernel (default true); false: plain JavaScript. */
  simd?: boolean;
  /** Relaxed SIMD multiply-add where the engine has it (default true). */
  relaxedSimd?: boolean;
  /** Sequences per forward pass (default 32): smaller bounds the worker's memory. */
  chunkSize?: number;
}

export interface ILoadRequest {
  type: 'load';
  id: number;
  files: IModelFiles;
  options?: IWorkerLoadOptions;
}

export interface IPredictRequest {
  type: 'predict';
  id: number;
  sequences: number[][];
}

export interface IPredictLinesRequest {
  type: 'predictLines';
  id: number;
  texts: string[];
  /** Index of `texts[0]` in the stream (notices number texts from it). */
  first: number;
  job: IPredictionLinesJob;
}

/**
 * What an `explain` request asks for: whole explanations (every round of
 * every sequence in this worker), or some units of a round planned by the
 * pool (`planRound` of `explain/registry.ts`), the pool combining them.
 */
export type ExplainTask =
  | {
      kind: 'whole';
      sequences: number[][];
      options: IExplainOptions;
      /** Units per sequence and round (default 1): more units, finer progress and cancel. */
      parts?: number;
    }
  | { kind: 'units'; units: IExplainUnit[] };

/** The answer to an `ExplainTask`, by kind. */
export type ExplainResult =
  | { kind: 'explanations'; explanations: IExplanation[] }
  | { kind: 'partials'; partials: IExplainPartial[] };

export interface IExplainRequest {
  type: 'explain';
  id: number;
  task: ExplainTask;
}

/** Stop request `id` (no reply of its own: the request ends `cancelled`). */
export interface ICancelRequest {
  type: 'cancel';
  id: number;
}

export interface IDisposeRequest {
  type: 'dispose';
  id: number;
}

export type WorkerRequest =
  | ILoadRequest
  | IPredictRequest
  | IPredictLinesRequest
  | IExplainRequest
  | ICancelRequest
  | IDisposeRequest;

export interface ILoadedResponse {
  type: 'loaded';
  id: number;
  info: IModelInfo;
}

export interface IPredictedResponse {
  type: 'predicted';
  id: number;
  result: IForwardResult;
}

export interface IPredictedLinesResponse {
  type: 'predictedLines';
  id: number;
  result: IPredictionLines;
}

export interface IExplainedResponse {
  type: 'explained';
  id: number;
  result: ExplainResult;
}

export interface IDisposedResponse {
  type: 'disposed';
  id: number;
}

export interface ICancelledResponse {
  type: 'cancelled';
  id: number;
}

/**
 * Progress of one request: texts (predict) or the method's work items
 * (explain) done of total; `message` in user words for whole explanations.
 */
export interface IProgressResponse {
  type: 'progress';
  id: number;
  stage: 'load' | 'predict' | 'explain';
  done: number;
  total: number;
  message?: string;
}

export interface IErrorResponse {
  type: 'error';
  id: number;
  error: { message: string; where: IErrorWhere };
}

export type WorkerResponse =
  | ILoadedResponse
  | IPredictedResponse
  | IPredictedLinesResponse
  | IExplainedResponse
  | IDisposedResponse
  | ICancelledResponse
  | IProgressResponse
  | IErrorResponse;

/** Loads a model (the engine's `loadModel`). */
export type ModelLoader = (
  files: IModelFiles,
  options?: IWorkerLoadOptions
) => Promise<ILoadedModel>;

/** Makes the explainer of a loaded model (`createExplainer` of `explain/index.ts`). */
export type ExplainerFactory = (model: ILoadedModel) => IExplainer;

/** Makes JSONL lines (`predictionLines` of `explain/prediction-lines.ts`). */
export type LinesMaker = typeof predictionLines;

/** What the handler needs, each imported on first use only. */
export interface IWorkerModules {
  engine: () => Promise<ModelLoader>;
  /** Absent: `explain` requests fail with a clear error. */
  explainer?: () => Promise<ExplainerFactory>;
  /** Absent: `predictLines` requests fail with a clear error. */
  lines?: () => Promise<LinesMaker>;
}

/** Sequences per predict step between progress messages (and cancel checks). */
export const PREDICT_CHUNK = 32;
