/**
 * A Node worker thread running the model worker (`thread-entry.ts`), seen
 * through the Web Worker shape the pool's client uses. A thread that exits
 * without being told to is reported as a crash, so the pool replaces it.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { IWorkerLike } from './client';

/** The compiled worker-thread entry next to this file. */
export const WORKER_THREAD_ENTRY = path.join(__dirname, 'thread-entry.js');

export function spawnThreadWorker(entry = WORKER_THREAD_ENTRY): IWorkerLike {
  const thread = new Worker(entry);
  let stopping = false;
  const worker: IWorkerLike & { thread: Worker } = {
    thread,
    onmessage: null,
    onerror: null,
    postMessage: (message, transfer) =>
      thread.postMessage(message, (transfer ?? []) as never),
    terminate: () => {
      stopping = true;
      void thread.terminate();
    }
  };
  thread.on('message', data => worker.onmessage?.({ data }));
  thread.on('error', error =>
    worker.onerror?.({ message: error?.message ?? String(error) })
  );
  thread.on('exit', code => {
    if (!stopping) {
      worker.onerror?.({ message: `the worker thread exited (code ${code})` });
    }
  });
  return worker;
}
