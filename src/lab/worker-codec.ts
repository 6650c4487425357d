/**
 * The model worker's message protocol (`model/protocol.ts`) seen through the
 * generic `WorkerClient`: requests are written as the worker's typed
 * messages, its replies (`loaded`, `predicted`, `progress`, `error`) are
 * read back as results, progress and errors.
 *
 * The worker has no cancel message: a cancelled prediction is dropped on
 * the page side, and model loading is stopped by terminating the worker.
 */
import type {
  IProgressResponse,
  WorkerRequest,
  WorkerResponse
} from '../model/protocol';
import type { DecodedMessage, IWorkerCodec } from './worker-client';

/** Progress as the lab UI shows it. */
export interface IWorkerProgress {
  /** 0..1 */
  fraction: number;
  message: string;
}

export const MODEL_WORKER_CODEC: IWorkerCodec = {
  encodeRequest(id, type, body): WorkerRequest {
    const data = (body ?? {}) as { [key: string]: any };
    switch (type) {
      case 'load':
        return { type: 'load', id, files: data.files, options: data.options };
      case 'predict':
        return { type: 'predict', id, sequences: data.sequences };
      case 'dispose':
        return { type: 'dispose', id };
      default:
        throw new Error(`The model worker has no "${type}" request`);
    }
  },

  encodeCancel: () => null,

  decode(message): DecodedMessage {
    const response = message as WorkerResponse | null;
    if (
      !response ||
      typeof response !== 'object' ||
      typeof response.id !== 'number'
    ) {
      return null;
    }
    switch (response.type) {
      case 'progress':
        return {
          id: response.id,
          kind: 'progress',
          value: progressOf(response)
        };
      case 'loaded':
        return { id: response.id, kind: 'result', value: response.info };
      case 'predicted':
        return { id: response.id, kind: 'result', value: response.result };
      case 'disposed':
        return { id: response.id, kind: 'result', value: undefined };
      case 'error': {
        const { message: text, where } = response.error ?? {
          message: 'The model worker failed.',
          where: { stage: 'protocol' }
        };
        return {
          id: response.id,
          kind: 'error',
          error: {
            message:
              typeof text === 'string' ? text : 'The model worker failed.',
            name: 'ModelError',
            where: where as unknown as { [key: string]: unknown }
          }
        };
      }
      default:
        return null;
    }
  }
};

/** `{stage, done, total}` → a fraction and a short message. */
export function progressOf(progress: IProgressResponse): IWorkerProgress {
  const total = progress.total > 0 ? progress.total : 1;
  const fraction = Math.min(1, Math.max(0, progress.done / total));
  const message =
    progress.stage === 'load'
      ? 'Building the model'
      : `Computed ${progress.done} of ${progress.total} texts`;
  return { fraction, message };
}
