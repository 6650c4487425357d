/**
 * The one protocol between the page (or the CLI) and a model worker: its
 * messages (`messages.ts`, re-exported here) and the worker's request
 * handler. The handler is pure: the engine and the explainer are injected as
 * lazy imports, so the same code runs in a Web Worker, in a Node worker
 * thread and in tests. This file imports no model code: importing it never
 * pulls the engine (or the explanation methods) into a bundle.
 */
import {
  IWorkerModules,
  RequestStage,
  IErrorWhere,
  WorkerRequest,
  WorkerResponse
} from './messages';
import { Post, WorkerModel } from './request-handlers';

export * from './messages';

/** Thrown inside the handler when the request being run was cancelled. */
class Cancelled extends Error {}

/**
 * Yields to the event loop so that a `cancel` message posted meanwhile is
 * delivered before the next chunk or unit starts.
 */
function yieldToEvents(): Promise<void> {
  const g = globalThis as {
    setImmediate?: (f: () => void) => void;
    MessageChannel?: typeof MessageChannel;
  };
  if (typeof g.setImmediate === 'function') {
    return new Promise(resolve => g.setImmediate!(resolve));
  }
  if (typeof g.MessageChannel === 'function') {
    // A message task runs without the 4 ms clamp of nested timers.
    return new Promise(resolve => {
      const channel = new g.MessageChannel!();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise(resolve => setTimeout(resolve, 0));
}

/** Replies `error` for request `id`, with the ModelError location when there is one. */
function postError(post: Post, id: number, stage: RequestStage, e: unknown) {
  const where = (e as { where?: Omit<IErrorWhere, 'stage'> })?.where ?? {};
  const message = e instanceof Error ? e.message : String(e);
  post({ type: 'error', id, error: { message, where: { ...where, stage } } });
}

/** The stage an error of this request is reported under. */
function stageOf(request: WorkerRequest): RequestStage {
  const type = (request as { type?: unknown }).type;
  if (type === 'predictLines') {
    return 'predict';
  }
  return type === 'load' ||
    type === 'predict' ||
    type === 'explain' ||
    type === 'dispose'
    ? type
    : 'protocol';
}

/**
 * The worker's message handler. One model at a time: `load` replaces (and
 * disposes) the previous one only when the new one loads. Requests run one
 * after another in arrival order (a predict never races its load); `cancel`
 * is applied at once. Every failure becomes an `error` reply; nothing throws
 * out of the handler. The returned promise settles when that request is done.
 */
export function createRequestHandler(
  modules: IWorkerModules,
  post: (response: WorkerResponse) => void
): (request: WorkerRequest) => Promise<void> {
  const cancelled = new Set<number>();
  let queue: Promise<void> = Promise.resolve();
  const worker = new WorkerModel(modules, post, async (id: number) => {
    await yieldToEvents();
    if (cancelled.has(id)) {
      throw new Cancelled();
    }
  });

  const handle = async (request: WorkerRequest): Promise<void> => {
    const id = request.id;
    if (cancelled.delete(id)) {
      post({ type: 'cancelled', id });
      return;
    }
    try {
      await worker.handle(request);
    } catch (e) {
      if (e instanceof Cancelled) {
        post({ type: 'cancelled', id });
      } else {
        postError(post, id, stageOf(request), e);
      }
    } finally {
      cancelled.delete(id);
    }
  };

  return (request: WorkerRequest): Promise<void> => {
    if (
      request === null ||
      typeof request !== 'object' ||
      typeof request.id !== 'number'
    ) {
      postError(
        post,
        -1,
        'protocol',
        new Error('A request needs a numeric id')
      );
      return Promise.resolve();
    }
    if (request.type === 'cancel') {
      cancelled.add(request.id);
      return Promise.resolve();
    }
    const done = queue.then(() => handle(request));
    queue = done;
    return done;
  };
}
