/**
 * Starts the model worker. Kept apart so the bundler sees the
 * `new Worker(new URL(…, import.meta.url))` form and emits the worker (with
 * the model engine and its WebAssembly kernel) as its own chunk, loaded only
 * when a model is first used.
 */
import type { IWorkerLike } from './client';

export function spawnModelWorker(): IWorkerLike {
  return new Worker(new URL('./web-worker.js', import.meta.url), {
    name: 'char-attention-model'
  }) as unknown as IWorkerLike;
}
