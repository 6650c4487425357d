import { MODEL_WORKER_CODEC, progressOf } from '../../src/lab/worker-codec';
import { WorkerClient } from '../../src/lab/worker-client';
import { fakeWorkerFactory } from './fake-worker';

describe('MODEL_WORKER_CODEC', () => {
  it('writes the worker protocol requests', () => {
    const files = { 'm.h5': new Uint8Array([1]) };
    expect(
      MODEL_WORKER_CODEC.encodeRequest(3, 'load', {
        files,
        options: { attentionLayer: 'attention_vec' }
      })
    ).toEqual({
      type: 'load',
      id: 3,
      files,
      options: { attentionLayer: 'attention_vec' }
    });
    expect(
      MODEL_WORKER_CODEC.encodeRequest(4, 'predict', { sequences: [[1, 2]] })
    ).toEqual({
      type: 'predict',
      id: 4,
      sequences: [[1, 2]]
    });
    expect(() => MODEL_WORKER_CODEC.encodeRequest(5, 'explode', {})).toThrow(
      'The model worker has no "explode" request'
    );
    expect(MODEL_WORKER_CODEC.encodeCancel(3)).toBeNull();
  });

  it('reads results, progress and errors', () => {
    expect(
      MODEL_WORKER_CODEC.decode({ type: 'loaded', id: 1, info: { a: 1 } })
    ).toEqual({
      id: 1,
      kind: 'result',
      value: { a: 1 }
    });
    expect(
      MODEL_WORKER_CODEC.decode({
        type: 'predicted',
        id: 2,
        result: { attention: [[0.5]], predictions: [[1]] }
      })
    ).toEqual({
      id: 2,
      kind: 'result',
      value: { attention: [[0.5]], predictions: [[1]] }
    });
    expect(
      MODEL_WORKER_CODEC.decode({
        type: 'progress',
        id: 2,
        stage: 'predict',
        done: 32,
        total: 256
      })
    ).toEqual({
      id: 2,
      kind: 'progress',
      value: { fraction: 0.125, message: 'Computed 32 of 256 texts' }
    });
    expect(
      MODEL_WORKER_CODEC.decode({
        type: 'error',
        id: 7,
        error: {
          message: 'layer lambda_1: unsupported',
          where: { stage: 'load', layer: 'lambda_1' }
        }
      })
    ).toEqual({
      id: 7,
      kind: 'error',
      error: {
        message: 'layer lambda_1: unsupported',
        name: 'ModelError',
        where: { stage: 'load', layer: 'lambda_1' }
      }
    });
    expect(MODEL_WORKER_CODEC.decode({ type: 'mystery', id: 1 })).toBeNull();
    expect(MODEL_WORKER_CODEC.decode('noise')).toBeNull();
  });

  it('progressOf clamps and names the stage', () => {
    expect(
      progressOf({ type: 'progress', id: 1, stage: 'load', done: 1, total: 1 })
    ).toEqual({
      fraction: 1,
      message: 'Building the model'
    });
    expect(
      progressOf({
        type: 'progress',
        id: 1,
        stage: 'predict',
        done: 0,
        total: 0
      }).fraction
    ).toBe(0);
  });

  it('cancelling sends nothing to a worker that has no cancel message', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory, MODEL_WORKER_CODEC);
    const request = client.request('predict', { sequences: [[1]] });
    client.cancel(request.id);
    await expect(request.promise).rejects.toThrow('Cancelled');
    expect(workers[0].posted).toHaveLength(1);
  });
});
