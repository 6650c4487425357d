/**
 * Node worker-thread entry of the CLI's worker pool: the same request
 * handler as the browser's Web Worker, over `parentPort`.
 */
import { parentPort } from 'worker_threads';
import { createRequestHandler, WorkerRequest } from './protocol';

if (parentPort) {
  const port = parentPort;
  const handle = createRequestHandler(
    {
      engine: async () => (await import('../model/engine')).loadModel,
      explainer: async () => (await import('../explain/index')).createExplainer
    },
    response => port.postMessage(response)
  );
  port.on('message', (request: WorkerRequest) => void handle(request));
}
