/**
 * Request/response client for the model worker.
 *
 * Spawns the worker lazily on the first request, numbers requests, routes
 * progress and results back to their callers, turns worker errors into
 * rejected promises with the worker's message, and cancels: a cancel message
 * for requests the worker can stop between steps, or `terminate` (the worker
 * is respawned on the next request) when a long step such as model loading
 * must stop now.
 *
 * No DOM or JupyterLab imports: the worker is created by the factory given to
 * the constructor (`worker-spawn.ts` in the browser, a fake in tests).
 */

/** The part of the `Worker` API used here. */
export interface IWorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => any) | null;
  onerror: ((event: ErrorEvent) => any) | null;
}

export type WorkerFactory = () => IWorkerLike;

/** A message from the worker, decoded. */
export type DecodedMessage =
  | { id: number; kind: 'progress'; value: unknown }
  | { id: number; kind: 'result'; value: unknown }
  | { id: number; kind: 'error'; error: IWorkerErrorInfo }
  | null;

export interface IWorkerErrorInfo {
  message: string;
  name?: string;
  where?: { [key: string]: unknown };
}

/** How requests are written and replies read (the model worker's protocol). */
export interface IWorkerCodec {
  encodeRequest(id: number, type: string, body: unknown): unknown;
  /** The cancel message, or null when the worker has none (then only the page forgets the request). */
  encodeCancel(id: number): unknown;
  decode(message: unknown): DecodedMessage;
}

/** An error reported by the worker (or by the worker failing to start). */
export class WorkerRequestError extends Error {
  constructor(
    message: string,
    readonly workerName?: string,
    readonly where?: { [key: string]: unknown }
  ) {
    super(message);
    this.name = 'WorkerRequestError';
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
  /** Buffers to transfer (not copy) to the worker. */
  transfer?: Transferable[];
  /** Called with each progress message of this request. */
  onProgress?: (progress: unknown) => void;
}

/** A request under way. */
export interface IPendingRequest<T> {
  readonly id: number;
  readonly promise: Promise<T>;
}

/**
 * The default protocol: requests `{id, type, ...body}` and `{id, type:
 * 'cancel'}`; replies `{id, type: 'progress' | 'result' | 'error', ...}` with
 * the result in `result`, progress in `progress` and errors in `error`.
 */
export const DEFAULT_CODEC: IWorkerCodec = {
  encodeRequest: (id, type, body) => ({
    ...(body !== null && typeof body === 'object' ? body : {}),
    id,
    type
  }),
  encodeCancel: id => ({ id, type: 'cancel' }),
  decode: message => {
    if (message === null || typeof message !== 'object') {
      return null;
    }
    const data = message as { [key: string]: unknown };
    const id = data.id;
    if (typeof id !== 'number') {
      return null;
    }
    switch (data.type) {
      case 'progress':
        return { id, kind: 'progress', value: data.progress };
      case 'result':
        return { id, kind: 'result', value: data.result };
      case 'error': {
        const error = (data.error ?? {}) as { [key: string]: unknown };
        return {
          id,
          kind: 'error',
          error: {
            message:
              typeof error.message === 'string'
                ? error.message
                : 'The model worker failed.',
            name: typeof error.name === 'string' ? error.name : undefined,
            where:
              error.where !== null && typeof error.where === 'object'
                ? (error.where as { [key: string]: unknown })
                : undefined
          }
        };
      }
      default:
        return null;
    }
  }
};

export class WorkerClient {
  constructor(
    private readonly _factory: WorkerFactory,
    private readonly _codec: IWorkerCodec = DEFAULT_CODEC
  ) {}

  /** Whether a worker is running now. */
  get isRunning(): boolean {
    return this._worker !== null;
  }

  /** Number of requests waiting for a reply. */
  get pendingCount(): number {
    return this._pending.size;
  }

  /** Send a request; the promise settles with the worker's result or error. */
  request<T>(
    type: string,
    body: unknown,
    options: IRequestOptions = {}
  ): IPendingRequest<T> {
    const id = ++this._lastId;
    const promise = new Promise<T>((resolve, reject) => {
      let worker: IWorkerLike;
      try {
        worker = this._ensureWorker();
      } catch (error) {
        reject(
          new WorkerRequestError(
            `The model worker could not start: ${Private.messageOf(error)}`
          )
        );
        return;
      }
      this._pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: options.onProgress
      });
      try {
        worker.postMessage(
          this._codec.encodeRequest(id, type, body),
          options.transfer ?? []
        );
      } catch (error) {
        this._pending.delete(id);
        reject(
          new WorkerRequestError(
            `Could not send the request to the model worker: ${Private.messageOf(error)}`
          )
        );
      }
    });
    return { id, promise };
  }

  /**
   * Cancel one request: its promise rejects with `RequestCancelledError` now;
   * the worker is told to stop it.
   */
  cancel(id: number, reason = 'Cancelled'): void {
    const pending = this._pending.get(id);
    if (!pending) {
      return;
    }
    this._pending.delete(id);
    pending.reject(new RequestCancelledError(reason));
    const message = this._codec.encodeCancel(id);
    if (this._worker && message !== null && message !== undefined) {
      try {
        this._worker.postMessage(message);
      } catch {
        // The worker is gone; nothing to tell it.
      }
    }
  }

  /**
   * Stop the worker now (every pending request rejects as cancelled); the
   * next request starts a fresh one. Used to abort model loading.
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

  private _ensureWorker(): IWorkerLike {
    if (this._worker) {
      return this._worker;
    }
    const worker = this._factory();
    worker.onmessage = event => this._onMessage(event.data);
    worker.onerror = event => {
      if (event && typeof event.preventDefault === 'function') {
        event.preventDefault();
      }
      // An uncaught error in the worker: every request in flight is lost.
      const detail = event?.message ? `: ${event.message}` : '';
      this._worker = null;
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
      this._rejectAll(
        () =>
          new WorkerRequestError(
            `The model worker stopped unexpectedly${detail}`
          )
      );
    };
    this._worker = worker;
    return worker;
  }

  private _onMessage(message: unknown): void {
    const decoded = this._codec.decode(message);
    if (!decoded) {
      return;
    }
    const pending = this._pending.get(decoded.id);
    if (!pending) {
      return; // A reply to a cancelled request.
    }
    if (decoded.kind === 'progress') {
      pending.onProgress?.(decoded.value);
      return;
    }
    this._pending.delete(decoded.id);
    if (decoded.kind === 'result') {
      pending.resolve(decoded.value);
    } else {
      pending.reject(
        new WorkerRequestError(
          decoded.error.message,
          decoded.error.name,
          decoded.error.where
        )
      );
    }
  }

  private _rejectAll(makeError: () => Error): void {
    const pending = Array.from(this._pending.values());
    this._pending.clear();
    for (const request of pending) {
      request.reject(makeError());
    }
  }

  private _worker: IWorkerLike | null = null;
  private _lastId = 0;
  private _pending = new Map<
    number,
    {
      resolve: (value: unknown) => void;
      reject: (error: Error) => void;
      onProgress?: (progress: unknown) => void;
    }
  >();
}

namespace Private {
  export function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }
}
