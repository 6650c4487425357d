import {
  RequestCancelledError,
  WorkerClient,
  WorkerRequestError
} from '../../src/lab/worker-client';
import { fakeWorkerFactory } from './fake-worker';

describe('WorkerClient', () => {
  it('starts the worker lazily, on the first request', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    expect(workers).toHaveLength(0);
    expect(client.isRunning).toBe(false);
    client.request('predict', { sequences: [[1, 2]] });
    expect(workers).toHaveLength(1);
    client.request('predict', { sequences: [[3]] });
    expect(workers).toHaveLength(1);
  });

  it('numbers requests and routes results by id, in any order', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const first = client.request<string>('predict', { n: 1 });
    const second = client.request<string>('predict', { n: 2 });
    const [a, b] = workers[0].posted.map(p => p.message);
    expect(a).toEqual({ id: first.id, type: 'predict', n: 1 });
    expect(b).toEqual({ id: second.id, type: 'predict', n: 2 });
    expect(first.id).not.toBe(second.id);
    workers[0].reply({ id: second.id, type: 'result', result: 'two' });
    workers[0].reply({ id: first.id, type: 'result', result: 'one' });
    await expect(first.promise).resolves.toBe('one');
    await expect(second.promise).resolves.toBe('two');
    expect(client.pendingCount).toBe(0);
  });

  it('transfers buffers', () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const bytes = new Uint8Array([1, 2, 3]);
    client.request(
      'load',
      { files: { 'm.h5': bytes } },
      { transfer: [bytes.buffer] }
    );
    expect(workers[0].posted[0].transfer).toEqual([bytes.buffer]);
  });

  it('reports progress to the caller', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const seen: unknown[] = [];
    const request = client.request(
      'load',
      {},
      { onProgress: p => seen.push(p) }
    );
    workers[0].reply({
      id: request.id,
      type: 'progress',
      progress: { fraction: 0.5, message: 'half' }
    });
    workers[0].reply({ id: request.id, type: 'result', result: 'ok' });
    await request.promise;
    expect(seen).toEqual([{ fraction: 0.5, message: 'half' }]);
  });

  it('rejects with the worker error message, name and location', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const request = client.request('load', {});
    workers[0].reply({
      id: request.id,
      type: 'error',
      error: {
        message: 'layer lambda_1: unsupported',
        name: 'ModelError',
        where: { layer: 'lambda_1' }
      }
    });
    const error = (await request.promise.catch(e => e)) as WorkerRequestError;
    expect(error).toBeInstanceOf(WorkerRequestError);
    expect(error.message).toBe('layer lambda_1: unsupported');
    expect(error.workerName).toBe('ModelError');
    expect(error.where).toEqual({ layer: 'lambda_1' });
  });

  it('cancels one request: rejects at once, tells the worker, ignores a late reply', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const slow = client.request('predict', {});
    const other = client.request('predict', {});
    client.cancel(slow.id, 'Superseded');
    await expect(slow.promise).rejects.toBeInstanceOf(RequestCancelledError);
    await expect(slow.promise).rejects.toThrow('Superseded');
    expect(workers[0].posted[2].message).toEqual({
      id: slow.id,
      type: 'cancel'
    });
    workers[0].reply({ id: slow.id, type: 'result', result: 'late' });
    workers[0].reply({ id: other.id, type: 'result', result: 'fine' });
    await expect(other.promise).resolves.toBe('fine');
    expect(workers[0].terminated).toBe(false);
  });

  it('terminate stops the worker, cancels everything, and the next request respawns', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const loading = client.request('load', {});
    client.terminate('Model loading was cancelled.');
    await expect(loading.promise).rejects.toThrow(
      'Model loading was cancelled.'
    );
    expect(workers[0].terminated).toBe(true);
    expect(client.isRunning).toBe(false);
    const next = client.request<number>('predict', {});
    expect(workers).toHaveLength(2);
    workers[1].reply({ id: next.id, type: 'result', result: 7 });
    await expect(next.promise).resolves.toBe(7);
  });

  it('turns a worker crash into errors for the requests in flight', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const a = client.request('predict', {});
    const b = client.request('predict', {});
    workers[0].crash('out of memory');
    await expect(a.promise).rejects.toThrow(
      'The model worker stopped unexpectedly: out of memory'
    );
    await expect(b.promise).rejects.toBeInstanceOf(WorkerRequestError);
    expect(client.isRunning).toBe(false);
  });

  it('reports a worker that cannot start', async () => {
    const client = new WorkerClient(() => {
      throw new Error('Workers are disabled');
    });
    await expect(client.request('load', {}).promise).rejects.toThrow(
      'The model worker could not start: Workers are disabled'
    );
  });

  it('ignores messages that are not replies', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const client = new WorkerClient(factory);
    const request = client.request<number>('predict', {});
    workers[0].reply('hello');
    workers[0].reply({ id: 'x', type: 'result' });
    workers[0].reply({ id: 999, type: 'result', result: 1 });
    workers[0].reply({ id: request.id, type: 'result', result: 2 });
    await expect(request.promise).resolves.toBe(2);
  });
});
