/**
 * An in-memory stand-in for a Web Worker: records what was posted and lets a
 * test reply as the worker would (asynchronously, like real message events).
 */
import type { IWorkerLike } from '../../src/workers/client';

export class FakeWorker implements IWorkerLike {
  onmessage: ((event: { data: unknown }) => any) | null = null;
  onerror:
    ((event: { message?: string; preventDefault?(): void }) => any) | null =
    null;
  posted: Array<{ message: any; transfer: Transferable[] }> = [];
  terminated = false;
  /** Called for every posted message (an automatic worker for a test). */
  handler: ((message: any, worker: FakeWorker) => void) | null = null;

  postMessage(message: any, transfer: Transferable[] = []): void {
    if (this.terminated) {
      throw new Error('worker terminated');
    }
    this.posted.push({ message, transfer });
    if (this.handler) {
      const handler = this.handler;
      queueMicrotask(() => handler(message, this));
    }
  }

  terminate(): void {
    this.terminated = true;
  }

  reply(data: unknown): void {
    this.onmessage?.({ data });
  }

  crash(message: string): void {
    this.onerror?.({ message, preventDefault: () => undefined });
  }
}

/** A factory that records every worker it makes. */
export function fakeWorkerFactory(setup?: (worker: FakeWorker) => void) {
  const workers: FakeWorker[] = [];
  const factory = () => {
    const worker = new FakeWorker();
    setup?.(worker);
    workers.push(worker);
    return worker;
  };
  return { factory, workers };
}
