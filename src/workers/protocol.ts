/**
 * The one protocol between the page (or the CLI) and a model worker, and the
 * worker's request handler. The handler is pure: the engine and the
 * explainer are injected as lazy imports, so the same code runs in a Web
 * Worker, in a Node worker thread and in tests. This file imports no model
 * code: importing it never pulls the engine (or the explanation methods)
 * into a bundle.
 *
 * `predict` gives each sequence's output and, when the model has an
 * attention layer, its attention (otherwise `attention` is empty);
 * sequences of different lengths (a variable-length model) run in groups of
 * equal length. `explain` runs whole explanations, or the units of a round
 * the pool planned (`explain/registry.ts`).
 *
 * Requests: `load`, `predict`, `explain`, `cancel`, `dispose`. Every request
 * but `cancel` gets exactly one final reply (`loaded`, `predicted`,
 * `explained`, `disposed`, `cancelled` or `error`), preceded by any number of
 * `progress` replies. `cancel` names the request to stop; it is handled as
 * soon as it arrives, and long requests stop at the next chunk or unit.
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

/** What the handler needs, each imported on first use only. */
export interface IWorkerModules {
  engine: () => Promise<ModelLoader>;
  /** Absent: `explain` requests fail with a clear error. */
  explainer?: () => Promise<ExplainerFactory>;
}

/** Sequences per predict step between progress messages (and cancel checks). */
export const PREDICT_CHUNK = 32;

/** Thrown inside the handler when the request being run was cancelled. */
class Cancelled extends Error {}

/**
 * Yields to the event loop so that a `cancel` message posted meanwhile is
 * delivered before the next chunk or unit starts.
 */
function yieldToEvents(): Promise<void> {
  const g = globalThis as {
    setImmediate?: (f: () => void) => void;
    MessageChannel?: typeof MessageChannel;
  };
  if (typeof g.setImmediate === 'function') {
    return new Promise(resolve => g.setImmediate!(resolve));
  }
  if (typeof g.MessageChannel === 'function') {
    // A message task runs without the 4 ms clamp of nested timers.
    return new Promise(resolve => {
      const channel = new g.MessageChannel!();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise(resolve => setTimeout(resolve, 0));
}

/**
 * The worker's message handler. One model at a time: `load` replaces (and
 * disposes) the previous one only when the new one loads. Requests run one
 * after another in arrival order (a predict never races its load); `cancel`
 * is applied at once. Every failure becomes an `error` reply; nothing throws
 * out of the handler. The returned promise settles when that request is done.
 */
export function createRequestHandler(
  modules: IWorkerModules,
  post: (response: WorkerResponse) => void
): (request: WorkerRequest) => Promise<void> {
  let model: ILoadedModel | null = null;
  let explainer: IExplainer | null = null;
  let loader: ModelLoader | null = null;
  let factory: ExplainerFactory | null = null;
  const cancelled = new Set<number>();
  let queue: Promise<void> = Promise.resolve();

  const fail = (id: number, stage: RequestStage, e: unknown) => {
    const where = (e as { where?: Omit<IErrorWhere, 'stage'> })?.where ?? {};
    const message = e instanceof Error ? e.message : String(e);
    post({ type: 'error', id, error: { message, where: { ...where, stage } } });
  };
  const checkpoint = async (id: number) => {
    await yieldToEvents();
    if (cancelled.has(id)) {
      throw new Cancelled();
    }
  };
  const requireModel = (): ILoadedModel => {
    if (!model) {
      throw new Error('No model is loaded');
    }
    return model;
  };
  const getExplainer = async (): Promise<IExplainer> => {
    const current = requireModel();
    if (!explainer) {
      if (!modules.explainer) {
        throw new Error('This worker cannot compute explanations');
      }
      factory = factory ?? (await modules.explainer());
      explainer = factory(current);
    }
    return explainer;
  };

  const predict = async (request: IPredictRequest) => {
    const current = requireModel();
    const sequences = request.sequences ?? [];
    const result = await Private.predictByLength(
      current,
      sequences,
      PREDICT_CHUNK,
      async done => {
        await checkpoint(request.id);
        if (done > 0) {
          post({
            type: 'progress',
            id: request.id,
            stage: 'predict',
            done,
            total: sequences.length
          });
        }
      }
    );
    post({ type: 'predicted', id: request.id, result });
  };

  const explain = async (request: IExplainRequest) => {
    const task = request.task;
    const run = await getExplainer();
    const id = request.id;
    let result: ExplainResult;
    switch (task?.kind) {
      case 'whole':
        result = {
          kind: 'explanations',
          explanations: await run.explain(task.sequences, task.options, {
            parts: Math.max(1, Math.floor(task.parts ?? 1)),
            checkpoint: () => checkpoint(id),
            onProgress: p =>
              post({ type: 'progress', id, stage: 'explain', ...p })
          })
        };
        break;
      case 'units': {
        const total = task.units.reduce((n, u) => n + u.size, 0);
        const partials: IExplainPartial[] = [];
        let done = 0;
        for (const unit of task.units) {
          await checkpoint(id);
          partials.push(await run.run(unit));
          done += unit.size;
          post({ type: 'progress', id, stage: 'explain', done, total });
        }
        result = { kind: 'partials', partials };
        break;
      }
      default:
        throw new Error(
          `Unknown explain task ${JSON.stringify((task as { kind?: unknown })?.kind)}`
        );
    }
    post({ type: 'explained', id, result });
  };

  const handle = async (request: WorkerRequest): Promise<void> => {
    const id = request.id;
    if (cancelled.delete(id)) {
      post({ type: 'cancelled', id });
      return;
    }
    try {
      switch (request.type) {
        case 'load': {
          post({ type: 'progress', id, stage: 'load', done: 0, total: 1 });
          loader = loader ?? (await modules.engine());
          const next = await loader(request.files, request.options);
          explainer?.dispose();
          explainer = null;
          model?.dispose();
          model = next;
          post({ type: 'progress', id, stage: 'load', done: 1, total: 1 });
          post({ type: 'loaded', id, info: next.info });
          return;
        }
        case 'predict':
          return await predict(request);
        case 'explain':
          return await explain(request);
        case 'dispose':
          explainer?.dispose();
          explainer = null;
          model?.dispose();
          model = null;
          post({ type: 'disposed', id });
          return;
        default:
          throw new Error(
            `Unknown request type ${JSON.stringify((request as { type?: unknown })?.type)}`
          );
      }
    } catch (e) {
      if (e instanceof Cancelled) {
        post({ type: 'cancelled', id });
        return;
      }
      const type = (request as { type?: unknown }).type;
      const stage: RequestStage =
        type === 'load' ||
        type === 'predict' ||
        type === 'explain' ||
        type === 'dispose'
          ? type
          : 'protocol';
      fail(id, stage, e);
    } finally {
      cancelled.delete(id);
    }
  };

  return (request: WorkerRequest): Promise<void> => {
    if (
      request === null ||
      typeof request !== 'object' ||
      typeof request.id !== 'number'
    ) {
      fail(-1, 'protocol', new Error('A request needs a numeric id'));
      return Promise.resolve();
    }
    if (request.type === 'cancel') {
      cancelled.add(request.id);
      return Promise.resolve();
    }
    const done = queue.then(() => handle(request));
    queue = done;
    return done;
  };
}

namespace Private {
  /**
   * Predictions (and attention, when the model has an attention layer;
   * otherwise `attention` is empty) in input order. Sequences of different
   * lengths (a variable-length model, each text at its own length) run in
   * groups of equal length, as Keras runs each text alone.
   */
  export async function predictByLength(
    model: ILoadedModel,
    sequences: number[][],
    chunk: number,
    beforeChunk: (done: number) => Promise<void>
  ): Promise<IForwardResult> {
    const withAttention = model.info.attentionLayer !== null;
    const predictions: number[][] = new Array(sequences.length);
    const attention: number[][] = withAttention
      ? new Array(sequences.length)
      : [];
    const groups = new Map<number, number[]>();
    sequences.forEach((s, i) => {
      const group = groups.get(s.length) ?? [];
      group.push(i);
      groups.set(s.length, group);
    });
    let done = 0;
    for (const indices of groups.values()) {
      for (let from = 0; from < indices.length; from += chunk) {
        await beforeChunk(done);
        const part = indices.slice(from, from + chunk);
        const rows = part.map(i => sequences[i]);
        if (withAttention) {
          const result = await model.predict(rows);
          part.forEach((i, k) => {
            predictions[i] = result.predictions[k];
            attention[i] = result.attention[k];
          });
        } else {
          const outputs = await model.forward(rows);
          part.forEach((i, k) => (predictions[i] = outputs[k]));
        }
        done += part.length;
      }
    }
    await beforeChunk(done);
    return { predictions, attention };
  }
}
