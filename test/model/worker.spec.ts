/**
 * The worker protocol: the request handler (as the Web Worker runs it) and
 * the page-side client, wired together in Node.
 */
import { loadModel } from '../../src/model/engine';
import {
  createRequestHandler,
  IWorkerLike,
  ModelWorkerClient,
  WorkerRequest,
  WorkerRequestError,
  WorkerResponse
} from '../../src/model/protocol';
import { referenceModel, toTfjs } from './support/reference-model';

/** A Worker stand-in: messages go through the real handler asynchronously. */
function fakeWorker(
  lazy: boolean
): IWorkerLike & { responses: WorkerResponse[] } {
  const listeners: Array<(e: { data: WorkerResponse }) => void> = [];
  const responses: WorkerResponse[] = [];
  const handle = createRequestHandler(
    lazy ? async () => loadModel : loadModel,
    response => {
      responses.push(response);
      setTimeout(
        () => listeners.forEach(l => l({ data: structuredClone(response) })),
        0
      );
    }
  );
  let queue = Promise.resolve();
  return {
    responses,
    postMessage: (request: WorkerRequest) => {
      const copy = structuredClone(request);
      queue = queue.then(() => handle(copy));
    },
    addEventListener: (_type, listener) => listeners.push(listener)
  };
}

describe('model worker protocol', () => {
  const files = toTfjs(
    referenceModel({ steps: 10, vocab: 8, embed: 3, units: 5 }, 3)
  );

  it.each([false, true])(
    'loads, predicts with progress, disposes (lazy engine import: %s)',
    async lazy => {
      const worker = fakeWorker(lazy);
      const client = new ModelWorkerClient(worker);
      const info = await client.load(files);
      expect(info.attentionLayer).toBe('attention_vec');
      const sequences = Array.from({ length: 70 }, (_, i) =>
        Array.from({ length: 10 }, (_, t) => (i + t) % 8)
      );
      const progress: number[] = [];
      const result = await client.predict(sequences, p =>
        progress.push(p.done)
      );
      expect(progress).toEqual([32, 64, 70]);
      expect(result.attention).toHaveLength(70);
      expect(result.predictions).toHaveLength(70);
      const direct = await (
        await loadModel(files)
      ).predict(sequences.slice(0, 2));
      expect(result.attention.slice(0, 2)).toEqual(direct.attention);
      await client.dispose();
      await expect(client.predict(sequences)).rejects.toThrow(
        'No model is loaded'
      );
    }
  );

  it('reports model errors as {message, where}', async () => {
    const client = new ModelWorkerClient(fakeWorker(false));
    const error = await client
      .load({ 'weights.h5': new Uint8Array([1, 2, 3]) })
      .catch(e => e);
    expect(error).toBeInstanceOf(WorkerRequestError);
    expect(error.message).toBe(
      'weights.h5: not an HDF5 file (no HDF5 signature)'
    );
    expect(error.where).toEqual({ stage: 'load', file: 'weights.h5' });
    const bad = await client
      .load(files, { attentionLayer: 'dense' })
      .catch(e => e);
    expect(bad.where).toEqual({
      stage: 'load',
      layer: 'dense',
      className: 'Dense'
    });
  });

  it('answers an unknown request with a protocol error', async () => {
    const posted: WorkerResponse[] = [];
    const handle = createRequestHandler(loadModel, r => posted.push(r));
    await handle({ type: 'explode', id: 9 } as unknown as WorkerRequest);
    expect(posted).toEqual([
      {
        type: 'error',
        id: 9,
        error: {
          message: 'Unknown request type "explode"',
          where: { stage: 'protocol' }
        }
      }
    ]);
  });
});
