/**
 * Messages between the page and the model Web Worker, the worker's
 * request handler (pure: the model loader is injected, so it runs and is
 * tested in Node) and a promise-based client for the page side. This file
 * imports no model code: importing it never pulls the engine into a bundle.
 */
import {
  IAttentionModel,
  IForwardResult,
  ILoadOptions,
  IModelFiles,
  IModelInfo
} from './types';

/** Where an error happened: the ModelError location plus the request stage. */
export interface IErrorWhere {
  stage: 'load' | 'predict' | 'dispose' | 'protocol';
  file?: string;
  layer?: string;
  className?: string;
}

export interface ILoadRequest {
  type: 'load';
  id: number;
  files: IModelFiles;
  options?: ILoadOptions;
}

export interface IPredictRequest {
  type: 'predict';
  id: number;
  sequences: number[][];
}

export interface IDisposeRequest {
  type: 'dispose';
  id: number;
}

export type WorkerRequest = ILoadRequest | IPredictRequest | IDisposeRequest;

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

export interface IDisposedResponse {
  type: 'disposed';
  id: number;
}

export interface IProgressResponse {
  type: 'progress';
  id: number;
  stage: 'load' | 'predict';
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
  | IDisposedResponse
  | IProgressResponse
  | IErrorResponse;

/** Loads a model (the engine's `loadModel`, injected). */
export type ModelLoader = (
  files: IModelFiles,
  options?: ILoadOptions
) => Promise<IAttentionModel>;

/** Sequences per predict step between progress messages. */
export const PREDICT_CHUNK = 32;

/**
 * The worker's message handler. One model at a time: `load` replaces (and
 * disposes) the previous one. Every failure becomes an `error` response;
 * nothing throws out of the handler.
 */
export function createRequestHandler(
  loader: ModelLoader | (() => Promise<ModelLoader>),
  post: (response: WorkerResponse) => void
): (request: WorkerRequest) => Promise<void> {
  let model: IAttentionModel | null = null;
  let resolved: ModelLoader | null = null;
  const fail = (id: number, stage: IErrorWhere['stage'], e: unknown) => {
    const where = (e as { where?: Omit<IErrorWhere, 'stage'> })?.where ?? {};
    const message = e instanceof Error ? e.message : String(e);
    post({ type: 'error', id, error: { message, where: { stage, ...where } } });
  };
  const getLoader = async (): Promise<ModelLoader> => {
    if (!resolved) {
      // A zero-argument function is a lazy import of the engine.
      resolved =
        loader.length === 0
          ? await (loader as () => Promise<ModelLoader>)()
          : (loader as ModelLoader);
    }
    return resolved;
  };
  return async (request: WorkerRequest) => {
    const id = typeof request?.id === 'number' ? request.id : -1;
    try {
      switch (request?.type) {
        case 'load': {
          post({ type: 'progress', id, stage: 'load', done: 0, total: 1 });
          const load = await getLoader();
          const next = await load(request.files, request.options);
          model?.dispose();
          model = next;
          post({ type: 'progress', id, stage: 'load', done: 1, total: 1 });
          post({ type: 'loaded', id, info: next.info });
          return;
        }
        case 'predict': {
          if (!model) {
            throw new Error('No model is loaded');
          }
          const sequences = request.sequences ?? [];
          const result: IForwardResult = { predictions: [], attention: [] };
          for (let from = 0; from < sequences.length; from += PREDICT_CHUNK) {
            const part = await model.predict(
              sequences.slice(from, from + PREDICT_CHUNK)
            );
            // No spread: batches are user-sized.
            for (let i = 0; i < part.predictions.length; i++) {
              result.predictions.push(part.predictions[i]);
            }
            for (let i = 0; i < part.attention.length; i++) {
              result.attention.push(part.attention[i]);
            }
            post({
              type: 'progress',
              id,
              stage: 'predict',
              done: Math.min(from + PREDICT_CHUNK, sequences.length),
              total: sequences.length
            });
          }
          post({ type: 'predicted', id, result });
          return;
        }
        case 'dispose':
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
      const stage =
        request?.type === 'load' ||
        request?.type === 'predict' ||
        request?.type === 'dispose'
          ? request.type
          : 'protocol';
      fail(id, stage, e);
    }
  };
}

/** What the client needs of a Worker (also satisfied by a fake in tests). */
export interface IWorkerLike {
  postMessage(message: WorkerRequest, transfer?: Transferable[]): void;
  addEventListener(
    type: 'message',
    listener: (event: { data: WorkerResponse }) => void
  ): void;
  terminate?(): void;
}

/** A failed request: the worker's message and where it happened. */
export class WorkerRequestError extends Error {
  constructor(
    message: string,
    readonly where: IErrorWhere
  ) {
    super(message);
    this.name = 'WorkerRequestError';
  }
}

/** Promise API over the worker messages, with optional progress callbacks. */
export class ModelWorkerClient {
  constructor(private _worker: IWorkerLike) {
    _worker.addEventListener('message', event => this._onMessage(event.data));
  }

  load(
    files: IModelFiles,
    options?: ILoadOptions,
    onProgress?: (p: IProgressResponse) => void
  ): Promise<IModelInfo> {
    return this._send({ type: 'load', id: 0, files, options }, onProgress).then(
      r => (r as ILoadedResponse).info
    );
  }

  predict(
    sequences: number[][],
    onProgress?: (p: IProgressResponse) => void
  ): Promise<IForwardResult> {
    return this._send({ type: 'predict', id: 0, sequences }, onProgress).then(
      r => (r as IPredictedResponse).result
    );
  }

  dispose(): Promise<void> {
    return this._send({ type: 'dispose', id: 0 }).then(() => undefined);
  }

  /** Terminates the worker; pending requests fail. */
  terminate(): void {
    this._worker.terminate?.();
    for (const [, p] of this._pending) {
      p.reject(
        new WorkerRequestError('The model worker was stopped', {
          stage: 'protocol'
        })
      );
    }
    this._pending.clear();
  }

  private _send(
    request: WorkerRequest,
    onProgress?: (p: IProgressResponse) => void
  ): Promise<WorkerResponse> {
    const id = ++this._nextId;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject, onProgress });
      this._worker.postMessage({ ...request, id });
    });
  }

  private _onMessage(response: WorkerResponse): void {
    const pending = this._pending.get(response?.id);
    if (!pending) {
      return;
    }
    if (response.type === 'progress') {
      pending.onProgress?.(response);
      return;
    }
    this._pending.delete(response.id);
    if (response.type === 'error') {
      pending.reject(
        new WorkerRequestError(response.error.message, response.error.where)
      );
    } else {
      pending.resolve(response);
    }
  }

  private _nextId = 0;
  private _pending = new Map<
    number,
    {
      resolve: (r: WorkerResponse) => void;
      reject: (e: Error) => void;
      onProgress?: (p: IProgressResponse) => void;
    }
  >();
}
