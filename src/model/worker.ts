/**
 * Web Worker entry: runs the model off the main thread so JupyterLab never
 * freezes. The engine is imported lazily on the first `load` request.
 */
import {
  createRequestHandler,
  WorkerRequest,
  WorkerResponse
} from './protocol';

interface IWorkerScope {
  postMessage(message: WorkerResponse): void;
  addEventListener(
    type: 'message',
    listener: (event: { data: WorkerRequest }) => void
  ): void;
}

const scope = (typeof self !== 'undefined'
  ? self
  : null) as unknown as IWorkerScope | null;

// Only inside a worker (WorkerGlobalScope), never when imported on the page.
const inWorker =
  scope !== null &&
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope ===
    'function' &&
  scope instanceof
    (globalThis as unknown as { WorkerGlobalScope: new () => unknown })
      .WorkerGlobalScope;

if (scope && inWorker) {
  const handle = createRequestHandler(
    () => import('./engine').then(m => m.loadModel),
    response => scope.postMessage(response)
  );
  // Requests are handled one after another so a predict never races its load.
  let queue: Promise<void> = Promise.resolve();
  scope.addEventListener('message', event => {
    queue = queue.then(() => handle(event.data));
  });
}
