/**
 * The one protocol between the page (or the CLI) and a model worker, and the
 * worker's request handler. The handler is pure: the engine and the
 * explainer are injected as lazy imports, so the same code runs in a Web
 * Worker, in a Node worker thread and in tests. This file imports no model
 * code: importing it never pulls the engine (or TensorFlow.js) into a bundle.
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
} from '../explain/types';
import type { ILoadedModel } from '../model/engine';
import type {
  IAttentionModel,
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
  /** The model outputs only (any model, attention or not); `attention` stays empty. */
  outputsOnly?: boolean;
}

/**
 * What an `explain` request asks for: whole explanations (plan, run and
 * combine in this worker), or one step of a plan shared by several workers:
 * the plan itself, some of its units, or the combination of their partials.
 */
export type ExplainTask =
  | {
      kind: 'whole';
      sequences: number[][];
      options: IExplainOptions;
      /** Units per sequence (default 1): more units, finer progress and cancel. */
      parts?: number;
    }
  | {
      kind: 'plan';
      sequences: number[][];
      options: IExplainOptions;
      /** Units per sequence, at most (>= 1). */
      parts: number;
    }
  | { kind: 'units'; units: IExplainUnit[] }
  | {
      kind: 'combine';
      options: IExplainOptions;
      items: Array<{ sequence: number[]; partials: IExplainPartial[] }>;
    };

/** The answer to an `ExplainTask`, by kind. */
export type ExplainResult =
  | { kind: 'explanations'; explanations: IExplanation[] }
  | { kind: 'plans'; plans: IExplainUnit[][] }
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

/** Progress of one request: texts (predict) or units (explain) done of total. */
export interface IProgressResponse {
  type: 'progress';
  id: number;
  stage: 'load' | 'predict' | 'explain';
  done: number;
  total: number;
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
) => Promise<IAttentionModel>;

/** An explainer that frees what it holds (TensorFlow.js tensors) on `dispose`. */
export interface IWorkerExplainer extends IExplainer {
  dispose?(): void;
}

/** Makes the explainer of a loaded model (`createExplainer` of `explain/index.ts`). */
export type ExplainerFactory = (model: ILoadedModel) => IWorkerExplainer;

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
  let model: IAttentionModel | null = null;
  let explainer: IWorkerExplainer | null = null;
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
  const requireModel = (): IAttentionModel => {
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
      // The engine's models are ILoadedModel (graph and forward included).
      explainer = factory(current as ILoadedModel);
    }
    return explainer;
  };

  const predict = async (request: IPredictRequest) => {
    const current = requireModel();
    const sequences = request.sequences ?? [];
    const result: IForwardResult = { predictions: [], attention: [] };
    for (let from = 0; from < sequences.length; from += PREDICT_CHUNK) {
      await checkpoint(request.id);
      const chunk = sequences.slice(from, from + PREDICT_CHUNK);
      const part: IForwardResult = request.outputsOnly
        ? {
            // The engine's models are ILoadedModel (forward included).
            predictions: await (current as ILoadedModel).forward(chunk),
            attention: []
          }
        : await current.predict(chunk);
      result.predictions.push(...part.predictions);
      result.attention.push(...part.attention);
      post({
        type: 'progress',
        id: request.id,
        stage: 'predict',
        done: Math.min(from + PREDICT_CHUNK, sequences.length),
        total: sequences.length
      });
    }
    post({ type: 'predicted', id: request.id, result });
  };

  /** Runs units in order with progress and a cancel check before each. */
  const runUnits = async (
    id: number,
    units: IExplainUnit[],
    total: number,
    doneBefore: number
  ): Promise<IExplainPartial[]> => {
    const partials: IExplainPartial[] = [];
    const run = await getExplainer();
    for (const unit of units) {
      await checkpoint(id);
      partials.push(await run.run(unit));
      post({
        type: 'progress',
        id,
        stage: 'explain',
        done: doneBefore + partials.length,
        total
      });
    }
    return partials;
  };

  const explain = async (request: IExplainRequest) => {
    const task = request.task;
    const run = await getExplainer();
    let result: ExplainResult;
    switch (task?.kind) {
      case 'whole': {
        const parts = Math.max(1, Math.floor(task.parts ?? 1));
        const plans = task.sequences.map(s => run.plan(s, task.options, parts));
        const total = plans.reduce((n, units) => n + units.length, 0);
        const explanations: IExplanation[] = [];
        let done = 0;
        for (let i = 0; i < plans.length; i++) {
          const partials = await runUnits(request.id, plans[i], total, done);
          done += partials.length;
          explanations.push(
            run.combine(task.sequences[i], task.options, partials)
          );
        }
        result = { kind: 'explanations', explanations };
        break;
      }
      case 'plan':
        result = {
          kind: 'plans',
          plans: task.sequences.map(s =>
            run.plan(s, task.options, Math.max(1, Math.floor(task.parts)))
          )
        };
        break;
      case 'units':
        result = {
          kind: 'partials',
          partials: await runUnits(request.id, task.units, task.units.length, 0)
        };
        break;
      case 'combine':
        result = {
          kind: 'explanations',
          explanations: task.items.map(item =>
            run.combine(item.sequence, task.options, item.partials)
          )
        };
        break;
      default:
        throw new Error(
          `Unknown explain task ${JSON.stringify((task as { kind?: unknown })?.kind)}`
        );
    }
    post({ type: 'explained', id: request.id, result });
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
          explainer?.dispose?.();
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
          explainer?.dispose?.();
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
