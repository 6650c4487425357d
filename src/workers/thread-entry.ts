/**
 * Node worker-thread entry of the CLI's worker pool: the same request
 * handler as the browser's Web Worker, over `parentPort`.
 */
import { setFlagsFromString } from 'v8';
import { parentPort } from 'worker_threads';
import { createRequestHandler, WorkerRequest } from './protocol';

/**
 * Node 20 has relaxed SIMD behind a flag (Chromium since 114 has it on):
 * the matrix products then use its fused multiply-add, as in the browser.
 * CHAR_ATTENTION_RELAXED_SIMD=0 keeps the plain kernels.
 */
export function enableRelaxedSimd(env = process.env): boolean {
  if (env.CHAR_ATTENTION_RELAXED_SIMD === '0') {
    return false;
  }
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}

if (parentPort) {
  enableRelaxedSimd();
  const port = parentPort;
  const handle = createRequestHandler(
    {
      engine: async () => (await import('../model/engine')).loadModel,
      explainer: async () => (await import('../explain/index')).createExplainer,
      lines: async () =>
        (await import('../explain/prediction-lines')).predictionLines
    },
    response => port.postMessage(response)
  );
  port.on('message', (request: WorkerRequest) => void handle(request));
}
