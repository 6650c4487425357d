/**
 * A model worker in this process: the real request handler of
 * `model/protocol.ts` behind a MessageChannel, so every request and reply is
 * structured-cloned and delivered asynchronously as between a page and a
 * Web Worker. `crash()` kills it as an uncaught error would.
 */
import { MessageChannel } from 'worker_threads';
import type { IWorkerLike } from '../../../src/workers/client';
import {
  createRequestHandler,
  IWorkerModules,
  WorkerRequest
} from '../../../src/workers/protocol';

export interface IChannelWorker extends IWorkerLike {
  /** Requests received by the handler, in order. */
  received: WorkerRequest[];
  terminated: boolean;
  crash(message?: string): void;
}

export function channelWorker(modules: IWorkerModules): IChannelWorker {
  const { port1: page, port2: inside } = new MessageChannel();
  // Never keeps the test process alive.
  page.unref();
  inside.unref();
  const handle = createRequestHandler(modules, response =>
    inside.postMessage(response)
  );
  const worker: IChannelWorker = {
    received: [],
    terminated: false,
    onmessage: null,
    onerror: null,
    postMessage: message => {
      if (worker.terminated) {
        throw new Error('worker terminated');
      }
      page.postMessage(message);
    },
    terminate: () => {
      worker.terminated = true;
      page.close();
      inside.close();
    },
    crash: (message = 'out of memory') => {
      worker.terminated = true;
      page.close();
      inside.close();
      worker.onerror?.({ message, preventDefault: () => undefined });
    }
  };
  inside.on('message', (request: WorkerRequest) => {
    if (!worker.terminated) {
      worker.received.push(request);
      void handle(request);
    }
  });
  page.on('message', data => {
    if (!worker.terminated) {
      worker.onmessage?.({ data });
    }
  });
  return worker;
}

/** A factory recording every worker it starts. */
export function channelWorkers(modules: IWorkerModules) {
  const workers: IChannelWorker[] = [];
  return {
    workers,
    spawn: () => {
      const worker = channelWorker(modules);
      workers.push(worker);
      return worker;
    }
  };
}
