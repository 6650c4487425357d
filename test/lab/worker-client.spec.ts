/**
 * The one worker client against the real request handler (behind a
 * MessageChannel, as a Web Worker would be) running the real engine.
 */
import {
  ModelWorkerClient,
  RequestCancelledError,
  WorkerCrashedError,
  WorkerRequestError
} from '../../src/workers/client';
import { loadModel } from '../../src/model/engine';
import { referenceModel, toTfjs } from '../model/support/reference-model';
import { channelWorkers } from './support/channel-worker';
import {
  combineRound,
  createExplainer,
  IExplainPartial,
  planRound
} from '../../src/explain';

const FILES = toTfjs(
  referenceModel({ steps: 12, vocab: 9, embed: 4, units: 6 }, 7)
);

function sequences(count: number, seed = 1): number[][] {
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: 12 }, (_, t) => (i * 7 + t * seed) % 9)
  );
}

function setup() {
  const factory = channelWorkers({
    engine: async () => loadModel,
    explainer: async () => createExplainer
  });
  return { ...factory, client: new ModelWorkerClient(factory.spawn) };
}

describe('ModelWorkerClient with the real worker handler', () => {
  it('loads, predicts with progress and matches the engine run directly', async () => {
    const { client, workers } = setup();
    expect(client.isRunning).toBe(false);
    const loadSteps: number[] = [];
    const info = await client.load(FILES, undefined, {
      onProgress: p => loadSteps.push(p.done)
    });
    expect(workers).toHaveLength(1);
    expect(info.attentionLayer).toBe('attention_vec');
    expect(loadSteps).toEqual([0, 1]);
    const input = sequences(70);
    const done: number[] = [];
    const result = await client.predict(input, {
      onProgress: p => done.push(p.done)
    });
    expect(done).toEqual([32, 64, 70]);
    const direct = await (await loadModel(FILES)).predict(input);
    expect(result).toEqual(direct);
    client.dispose();
  });

  it('explains: units planned here and run in the worker give what the whole request gives', async () => {
    const { client } = setup();
    const info = await client.load(FILES);
    const input = sequences(2, 3);
    const options = { method: 'occlusion' };
    const whole = await client.explain({
      kind: 'whole',
      sequences: input,
      options
    });
    const plans = input.map(s => planRound(info, s, options, 3, null));
    expect(plans.map(p => p.length)).toEqual([3, 3]);
    const steps: number[] = [];
    const partials = await client.explain(
      { kind: 'units', units: plans.flat() },
      { onProgress: p => steps.push(p.done) }
    );
    // Progress counts forward passes: each unit runs its variants and the sequence.
    expect(steps).toEqual(
      plans
        .flat()
        .map(u => u.size)
        .map((_, i, sizes) => sizes.slice(0, i + 1).reduce((a, b) => a + b))
    );
    if (partials.kind !== 'partials' || whole.kind !== 'explanations') {
      throw new Error('expected partials and explanations');
    }
    input.forEach((sequence, i) => {
      const own: IExplainPartial[] = partials.partials.slice(3 * i, 3 * i + 3);
      const outcome = combineRound(info, sequence, options, own, null);
      if (outcome.kind !== 'done') {
        throw new Error('occlusion takes one round');
      }
      expect(outcome.explanation.values).toEqual(whole.explanations[i].values);
    });
    client.dispose();
  });

  it('reports model errors with the file or layer they concern', async () => {
    const { client } = setup();
    const error = await client
      .load({ 'weights.h5': new Uint8Array([1, 2, 3]) })
      .catch(e => e);
    expect(error).toBeInstanceOf(WorkerRequestError);
    expect(error.message).toBe(
      'weights.h5: not an HDF5 file (no HDF5 signature)'
    );
    expect(error.where).toEqual({ stage: 'load', file: 'weights.h5' });
    const bad = await client
      .load(FILES, { attentionLayer: 'dense' })
      .catch(e => e);
    expect(bad.where).toEqual({
      stage: 'load',
      layer: 'dense',
      className: 'Dense'
    });
    await expect(client.predict(sequences(1))).rejects.toThrow(
      'No model is loaded'
    );
    client.dispose();
  });

  it('cancels a running predict: rejects at once, the worker stops early', async () => {
    const { client, workers } = setup();
    await client.load(FILES);
    const controller = new AbortController();
    const steps: number[] = [];
    const running = client.predict(sequences(3200), {
      signal: controller.signal,
      onProgress: p => {
        steps.push(p.done);
        if (p.done === 64) {
          controller.abort();
        }
      }
    });
    await expect(running).rejects.toBeInstanceOf(RequestCancelledError);
    // The worker got the cancel; the next request is served after the stop.
    const next = await client.predict(sequences(2));
    expect(next.predictions).toHaveLength(2);
    expect(workers[0].received.map(r => r.type)).toEqual([
      'load',
      'predict',
      'cancel',
      'predict'
    ]);
    expect(steps[steps.length - 1]).toBeLessThan(3200);
    client.dispose();
  });

  it('a request cancelled before it starts never runs', async () => {
    const { client } = setup();
    await client.load(FILES);
    const first = client.predict(sequences(200));
    const controller = new AbortController();
    const second = client.predict(sequences(200), {
      signal: controller.signal
    });
    controller.abort('Superseded by a newer request.');
    await expect(second).rejects.toThrow('Superseded by a newer request.');
    expect((await first).predictions).toHaveLength(200);
    client.dispose();
  });

  it('a crash rejects the requests in flight; the next request starts a new worker', async () => {
    const { client, workers } = setup();
    await client.load(FILES);
    const crashes: string[] = [];
    client.onCrash = error => crashes.push(error.message);
    const running = client.predict(sequences(500));
    workers[0].crash('out of memory');
    const error = await running.catch(e => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toBe(
      'The model worker stopped unexpectedly: out of memory'
    );
    expect(crashes).toEqual([error.message]);
    expect(client.isRunning).toBe(false);
    await client.load(FILES);
    expect(workers).toHaveLength(2);
    expect((await client.predict(sequences(1))).predictions).toHaveLength(1);
    client.dispose();
  });

  it('terminate rejects what is pending as cancelled', async () => {
    const { client, workers } = setup();
    const loading = client.load(FILES);
    client.terminate('Model loading was cancelled.');
    await expect(loading).rejects.toThrow(
      new RequestCancelledError('Model loading was cancelled.')
    );
    expect(workers[0].terminated).toBe(true);
    expect(client.pendingCount).toBe(0);
  });
});
