/**
 * The page-side (or CLI-side) client of one model worker, speaking the
 * protocol of `model/protocol.ts`: typed `load`, `predict`, `explain`,
 * `unload` calls that resolve with the worker's reply, progress callbacks,
 * cancel through an `AbortSignal`, and `terminate` to stop the worker now.
 *
 * The worker is spawned by the factory given to the constructor (a Web
 * Worker in the browser, a worker thread in the CLI, an in-process channel
 * in tests), lazily on the first request and again after a crash. No DOM or
 * JupyterLab imports.
 */
import type {
  ExplainResult,
  ExplainTask,
  IErrorWhere,
  IProgressResponse,
  IWorkerLoadOptions,
  WorkerRequest,
  WorkerResponse
} from './protocol';
import type { IForwardResult, IModelFiles, IModelInfo } from '../model/types';
import type {
  IPredictionLines,
  IPredictionLinesJob
} from '../explain/prediction-lines';

/** The part of the `Worker` API used here. */
export interface IWorkerLike {
  postMessage(message: WorkerRequest, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: { data: unknown }) => any) | null;
  onerror:
    ((event: { message?: string; preventDefault?(): void }) => any) | null;
}

export type WorkerFactory = () => IWorkerLike;

/** An error reported by the worker: its message and where it happened. */
export class WorkerRequestError extends Error {
  constructor(
    message: string,
    readonly where?: IErrorWhere
  ) {
    super(message);
    this.name = 'WorkerRequestError';
  }
}

/** The worker died (uncaught error, out of memory, killed) with the request in flight. */
export class WorkerCrashedError extends WorkerRequestError {
  constructor(message: string) {
    super(message, { stage: 'protocol' });
    this.name = 'WorkerCrashedError';
  }
}

/** The request was cancelled by the user or replaced by a newer one. */
export class RequestCancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'RequestCancelledError';
  }
}

export interface IRequestOptions {
  /** Called with each progress message of this request. */
  onProgress?: (progress: IProgressResponse) => void;
  /** Aborting rejects at once with `RequestCancelledError` and tells the worker to stop. */
  signal?: AbortSignal;
  /** Buffers to transfer (not copy) to the worker. */
  transfer?: Transferable[];
}

/** The abort reason as a `RequestCancelledError`. */
export function cancelledBy(signal: AbortSignal): RequestCancelledError {
  const reason = signal.reason as unknown;
  if (reason instanceof RequestCancelledError) {
    return reason;
  }
  return new RequestCancelledError(
    typeof reason === 'string'
      ? reason
      : reason instanceof Error && reason.name !== 'AbortError'
        ? reason.message
        : 'Cancelled'
  );
}

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

export class ModelWorkerClient {
  constructor(private readonly _factory: WorkerFactory) {}

  /** Whether a worker is running now. */
  get isRunning(): boolean {
    return this._worker !== null;
  }

  /** Number of requests waiting for a reply. */
  get pendingCount(): number {
    return this._pending.size;
  }

  /** Called when the worker dies on its own (not by `terminate`). */
  onCrash: ((error: WorkerCrashedError) => void) | null = null;

  load(
    files: IModelFiles,
    options?: IWorkerLoadOptions,
    run?: IRequestOptions
  ): Promise<IModelInfo> {
    return this._send({ type: 'load', files, options }, run).then(
      r => (r as { info: IModelInfo }).info
    );
  }

  predict(
    sequences: number[][],
    run?: IRequestOptions
  ): Promise<IForwardResult> {
    return this._send({ type: 'predict', sequences }, run).then(
      r => (r as { result: IForwardResult }).result
    );
  }

  /** Texts in, their JSONL lines and notices out (`explain/prediction-lines.ts`). */
  predictLines(
    texts: string[],
    first: number,
    job: IPredictionLinesJob,
    run?: IRequestOptions
  ): Promise<IPredictionLines> {
    return this._send({ type: 'predictLines', texts, first, job }, run).then(
      r => (r as { result: IPredictionLines }).result
    );
  }

  explain(task: ExplainTask, run?: IRequestOptions): Promise<ExplainResult> {
    return this._send({ type: 'explain', task }, run).then(
      r => (r as { result: ExplainResult }).result
    );
  }

  /** Free the worker's model (the worker keeps running). */
  unload(): Promise<void> {
    return this._send({ type: 'dispose' }).then(() => undefined);
  }

  /**
   * Stop the worker now (every pending request rejects as cancelled); the
   * next request starts a fresh one, with no model loaded.
   */
  terminate(reason = 'Cancelled'): void {
    const worker = this._worker;
    this._worker = null;
    if (worker) {
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
    }
    this._rejectAll(() => new RequestCancelledError(reason));
  }

  dispose(): void {
    this.terminate('The model worker was closed.');
  }

  private _send(
    body: Body<WorkerRequest>,
    run: IRequestOptions = {}
  ): Promise<WorkerResponse> {
    const id = ++this._lastId;
    return new Promise<WorkerResponse>((resolve, reject) => {
      const signal = run.signal;
      if (signal?.aborted) {
        reject(cancelledBy(signal));
        return;
      }
      let worker: IWorkerLike;
      try {
        worker = this._ensureWorker();
      } catch (error) {
        reject(
          new WorkerCrashedError(
            `The model worker could not start: ${Private.messageOf(error)}`
          )
        );
        return;
      }
      const onAbort = () => this._cancel(id, cancelledBy(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      this._pending.set(id, {
        resolve,
        reject,
        onProgress: run.onProgress,
        cleanup: () => signal?.removeEventListener('abort', onAbort)
      });
      try {
        worker.postMessage(
          { ...body, id } as WorkerRequest,
          run.transfer ?? []
        );
      } catch (error) {
        this._settle(id)?.reject(
          new WorkerRequestError(
            `Could not send the request to the model worker: ${Private.messageOf(error)}`,
            { stage: 'protocol' }
          )
        );
      }
    });
  }

  /** Reject now; tell the worker to stop the request at its next step. */
  private _cancel(id: number, error: RequestCancelledError): void {
    const pending = this._settle(id);
    if (!pending) {
      return;
    }
    pending.reject(error);
    try {
      this._worker?.postMessage({ type: 'cancel', id });
    } catch {
      // The worker is gone; nothing to tell it.
    }
  }

  private _settle(id: number): Private.IPending | undefined {
    const pending = this._pending.get(id);
    if (pending) {
      this._pending.delete(id);
      pending.cleanup();
    }
    return pending;
  }

  private _ensureWorker(): IWorkerLike {
    if (this._worker) {
      return this._worker;
    }
    const worker = this._factory();
    worker.onmessage = event => this._onMessage(event.data);
    worker.onerror = event => {
      event?.preventDefault?.();
      // The worker is unusable: every request in flight is lost.
      const detail = event?.message ? `: ${event.message}` : '';
      if (this._worker === worker) {
        this._worker = null;
      }
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
      const make = () =>
        new WorkerCrashedError(
          `The model worker stopped unexpectedly${detail}`
        );
      this._rejectAll(make);
      this.onCrash?.(make());
    };
    this._worker = worker;
    return worker;
  }

  private _onMessage(message: unknown): void {
    const response = message as WorkerResponse | null;
    if (
      response === null ||
      typeof response !== 'object' ||
      typeof response.id !== 'number'
    ) {
      return;
    }
    if (response.type === 'progress') {
      this._pending.get(response.id)?.onProgress?.(response);
      return;
    }
    // A reply to a cancelled request finds nothing pending.
    const pending = this._settle(response.id);
    if (!pending) {
      return;
    }
    switch (response.type) {
      case 'error':
        pending.reject(
          new WorkerRequestError(
            typeof response.error?.message === 'string'
              ? response.error.message
              : 'The model worker failed.',
            response.error?.where ?? { stage: 'protocol' }
          )
        );
        return;
      case 'cancelled':
        pending.reject(new RequestCancelledError());
        return;
      default:
        pending.resolve(response);
    }
  }

  private _rejectAll(makeError: () => Error): void {
    const pending = Array.from(this._pending.keys());
    for (const id of pending) {
      this._settle(id)?.reject(makeError());
    }
  }

  private _worker: IWorkerLike | null = null;
  private _lastId = 0;
  private _pending = new Map<number, Private.IPending>();
}

namespace Private {
  export interface IPending {
    resolve: (value: WorkerResponse) => void;
    reject: (error: Error) => void;
    onProgress?: (progress: IProgressResponse) => void;
    cleanup: () => void;
  }

  export function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }
}
