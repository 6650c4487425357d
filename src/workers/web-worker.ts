/**
 * Web Worker entry: runs the model off the main thread so JupyterLab never
 * freezes. The engine is imported on the first `load` request, the
 * explanation methods (gradients come from the engine's own reverse pass)
 * on the first `explain` request: a page that only predicts never fetches
 * them.
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
    {
      engine: () => import('../model/engine').then(m => m.loadModel),
      explainer: () => import('../explain/index').then(m => m.createExplainer)
    },
    response => scope.postMessage(response)
  );
  scope.addEventListener('message', event => void handle(event.data));
}
