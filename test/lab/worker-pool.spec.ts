/**
 * The worker pool over in-process workers running the real request handler
 * and the real engine: same results with 1 and N workers, lazy growth,
 * cancel reaching every worker, crashed workers replaced.
 */
import {
  RequestCancelledError,
  WorkerCrashedError,
  WorkerRequestError
} from '../../src/workers/client';
import { poolSize, WorkerPool } from '../../src/workers/pool';
import { loadModel } from '../../src/model/engine';
import type { IWorkerModules } from '../../src/workers/protocol';
import { referenceModel, toTfjs } from '../model/support/reference-model';
import { channelWorkers } from './support/channel-worker';
import { createExplainer } from '../../src/explain';
import { fixture, fixtureJson } from '../model/helpers';

const STEPS = 16;
const FILES = toTfjs(
  referenceModel({ steps: STEPS, vocab: 9, embed: 4, units: 6 }, 11)
);
/** conv_bilstm of test/fixtures/keras/explain (real Keras), and its oracle. */
const KINKED = {
  'conv_bilstm.keras': fixture('keras', 'explain', 'conv_bilstm.keras')
};
const KINKED_ORACLE = fixtureJson('keras', 'explain', 'conv_bilstm.json');
const MODULES: IWorkerModules = {
  engine: async () => loadModel,
  explainer: async () => createExplainer
};

function sequences(count: number): number[][] {
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: STEPS }, (_, t) => (i * 5 + t * 3 + (i % 7)) % 9)
  );
}

async function pool(size: number, modules = MODULES, files = FILES) {
  const factory = channelWorkers(modules);
  const workerPool = new WorkerPool({
    spawn: factory.spawn,
    size,
    idleMs: 0
  });
  await workerPool.load(files);
  return { ...factory, pool: workerPool };
}

function expectClose(a: number[][], b: number[][]): void {
  expect(a).toHaveLength(b.length);
  a.forEach((row, i) => {
    expect(row).toHaveLength(b[i].length);
    row.forEach((v, j) =>
      expect(Math.abs(v - b[i][j])).toBeLessThanOrEqual(1e-6)
    );
  });
}

describe('poolSize', () => {
  it('follows the setting, else the cores, capped', () => {
    expect(poolSize(0, 2)).toBe(2);
    expect(poolSize(0, 16)).toBe(4);
    expect(poolSize(0, undefined)).toBe(2);
    expect(poolSize(3, 2)).toBe(3);
    expect(poolSize(50, 2)).toBe(8);
  });
});

describe('WorkerPool', () => {
  it('with eagerLoad, loads the model on every worker at once, and once only', async () => {
    const factory = channelWorkers(MODULES);
    const eager = new WorkerPool({
      spawn: factory.spawn,
      size: 3,
      idleMs: 0,
      eagerLoad: true
    });
    await eager.load(FILES);
    // Every worker started with the load, before any work.
    expect(factory.workers).toHaveLength(3);
    const input = sequences(300);
    const got = await eager.predict(input);
    const one = await pool(1);
    expectClose(got.predictions, (await one.pool.predict(input)).predictions);
    for (const worker of factory.workers) {
      const loads = worker.received.filter(r => r.type === 'load');
      expect(loads).toHaveLength(1);
      expect(worker.received.some(r => r.type === 'predict')).toBe(true);
    }
    eager.dispose();
    one.pool.dispose();
  });

  it('predicts a big batch on several workers with the results of one worker, in order', async () => {
    const input = sequences(300);
    const one = await pool(1);
    const three = await pool(3);
    const progress: number[] = [];
    const a = await one.pool.predict(input);
    const b = await three.pool.predict(input, {
      onProgress: p => progress.push(p.done)
    });
    expect(one.workers).toHaveLength(1);
    expect(three.workers).toHaveLength(3);
    // Every worker took part, and loaded the model once.
    for (const worker of three.workers) {
      const types = worker.received.map(r => r.type);
      expect(types.filter(t => t === 'load')).toHaveLength(1);
      expect(types).toContain('predict');
    }
    const direct = await (await loadModel(FILES)).predict(input);
    expectClose(b.attention, a.attention);
    expectClose(b.predictions, a.predictions);
    expectClose(b.attention, direct.attention);
    expectClose(b.predictions, direct.predictions);
    expect(progress[progress.length - 1]).toBe(300);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    one.pool.dispose();
    three.pool.dispose();
  });

  it('small work stays on one worker', async () => {
    const { pool: small, workers } = await pool(4);
    await small.predict(sequences(20));
    await small.explain(
      sequences(1).map(s => s.slice(0, STEPS)),
      {
        method: 'attention'
      }
    );
    expect(workers).toHaveLength(1);
    expect(small.workerCount).toBe(1);
    small.dispose();
  });

  it('splits an explanation across workers with the result of one worker', async () => {
    const input = sequences(3);
    const options = { method: 'occlusion' };
    // Little work per worker: 3 texts x 17 passes are spread over 3 workers.
    const factory = channelWorkers(MODULES);
    const many = new WorkerPool({
      spawn: factory.spawn,
      size: 3,
      smallWork: 8,
      idleMs: 0
    });
    await many.load(FILES);
    const single = await pool(1);
    const steps: number[] = [];
    const split = await many.explain(input, options, {
      onProgress: p => steps.push(p.fraction)
    });
    const whole = await single.pool.explain(input, options);
    expect(factory.workers).toHaveLength(3);
    const unitsPerWorker = factory.workers.map(
      w => w.received.filter(r => r.type === 'explain').length
    );
    expect(unitsPerWorker.every(n => n > 0)).toBe(true);
    expectClose(
      split.map(e => e.values),
      whole.map(e => e.values)
    );
    expect(steps[steps.length - 1]).toBe(1);
    // Independent check: value = f(x) - f(x with that position zeroed).
    const model = await loadModel(FILES);
    const base = (await model.predict([input[1]])).predictions[0][0];
    const zeroed = input[1].slice();
    zeroed[4] = 0;
    const f = (await model.predict([zeroed])).predictions[0][0];
    expect(Math.abs(split[1].values[4] - (base - f))).toBeLessThanOrEqual(1e-6);
    many.dispose();
    single.pool.dispose();
  });

  it('integrated gradients: the same with 1 and 2 workers', async () => {
    const input = sequences(2);
    const options = { method: 'integrated-gradients', steps: 8 };
    const factory = channelWorkers(MODULES);
    const two = new WorkerPool({
      spawn: factory.spawn,
      size: 2,
      smallWork: 8,
      idleMs: 0
    });
    await two.load(FILES);
    const single = await pool(1);
    const split = await two.explain(input, options);
    const whole = await single.pool.explain(input, options);
    expect(factory.workers).toHaveLength(2);
    expectClose(
      split.map(e => e.values),
      whole.map(e => e.values)
    );
    expect(split.map(e => e.method)).toEqual([
      'integrated-gradients',
      'integrated-gradients'
    ]);
    two.dispose();
    single.pool.dispose();
  });

  it('adaptive integrated gradients: every round spread over the workers, the result of one worker, progress in gradient passes', async () => {
    // A real-Keras model whose path has kinks: its texts need several rounds.
    const input = KINKED_ORACLE.samples
      .slice(0, 2)
      .map((s: { input: number[] }) => s.input);
    const options = { method: 'integrated-gradients' };
    const factory = channelWorkers(MODULES);
    const two = new WorkerPool({
      spawn: factory.spawn,
      size: 2,
      smallWork: 8,
      idleMs: 0
    });
    await two.load(KINKED);
    const single = await pool(1, MODULES, KINKED);
    const messages: string[] = [];
    const split = await two.explain(input, options, {
      onProgress: p => messages.push(p.message)
    });
    const whole = await single.pool.explain(input, options);
    // Every round ran on both workers.
    for (const worker of factory.workers) {
      expect(
        worker.received.filter(r => r.type === 'explain').length
      ).toBeGreaterThan(1);
    }
    expectClose(
      split.map(e => e.values),
      whole.map(e => e.values)
    );
    split.forEach((e, i) => {
      expect(e.meta.steps).toBe(whole[i].meta.steps);
      expect(e.meta.rule).toBe('trapezoid');
      expect(e.meta.converged).toBe(true);
    });
    const steps = Math.max(...split.map(e => e.meta.steps as number));
    expect(steps).toBeGreaterThan(32);
    expect(messages[0]).toBe(
      'integrated gradients of 2 texts: 0 of 66 gradient passes'
    );
    expect(messages).toContain(
      'integrated gradients of 2 texts: 66 of 130 gradient passes (text 1: 32 steps, gap 2.7%)'
    );
    expect(messages[messages.length - 1]).toMatch(
      /^integrated gradients of 2 texts: (\d+) of \1 gradient passes \(text \d: \d+ steps, gap /
    );
    two.dispose();
    single.pool.dispose();
  });

  it('cancel in the middle of a round of adaptive steps stops every worker; the pool stays usable', async () => {
    const factory = channelWorkers(MODULES);
    const two = new WorkerPool({
      spawn: factory.spawn,
      size: 2,
      smallWork: 8,
      idleMs: 0
    });
    await two.load(KINKED);
    const controller = new AbortController();
    let rounds = 0;
    const running = two.explain(
      KINKED_ORACLE.samples.map((s: { input: number[] }) => s.input),
      { method: 'integrated-gradients', tolerance: 1e-6 },
      {
        signal: controller.signal,
        onProgress: p => {
          // A unit of the second round is done: stop in the middle of it.
          if (/ steps, gap /.test(p.message) && ++rounds === 3) {
            controller.abort();
          }
        }
      }
    );
    await expect(running).rejects.toBeInstanceOf(RequestCancelledError);
    for (let wait = 0; wait < 100; wait++) {
      if (
        factory.workers.every(w => w.received.some(r => r.type === 'cancel'))
      ) {
        break;
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(
      factory.workers.some(w => w.received.some(r => r.type === 'cancel'))
    ).toBe(true);
    const after = await two.explain([KINKED_ORACLE.samples[0].input], {
      method: 'integrated-gradients',
      steps: 4
    });
    expect(after[0].meta.steps).toBe(4);
    two.dispose();
  });

  it('cancel while busy stops every worker; the pool stays usable', async () => {
    const { pool: busy, workers } = await pool(2);
    const controller = new AbortController();
    const running = busy.predict(sequences(4000), {
      signal: controller.signal,
      onProgress: p => {
        if (p.done >= 200) {
          controller.abort();
        }
      }
    });
    await expect(running).rejects.toBeInstanceOf(RequestCancelledError);
    expect(workers).toHaveLength(2);
    const after = await busy.predict(sequences(3));
    expect(after.predictions).toHaveLength(3);
    // Both workers were told to stop the job they were running (messages
    // arrive asynchronously: wait for them a little).
    for (let wait = 0; wait < 100; wait++) {
      if (workers.every(w => w.received.some(r => r.type === 'cancel'))) {
        break;
      }
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    for (const worker of workers) {
      expect(worker.received.some(r => r.type === 'cancel')).toBe(true);
    }
    const handled = workers.reduce(
      (n, w) => n + w.received.filter(r => r.type === 'predict').length,
      0
    );
    // Far fewer jobs than the 63 of the whole batch ran.
    expect(handled).toBeLessThan(20);
    busy.dispose();
  });

  it('replaces a crashed worker; its share runs again and the request completes', async () => {
    const factory = channelWorkers(MODULES);
    let crashed = false;
    const spawn = () => {
      const worker = factory.spawn();
      const post = worker.postMessage.bind(worker);
      // The second worker dies on its first predict.
      worker.postMessage = message => {
        post(message);
        if (
          factory.workers.indexOf(worker) === 1 &&
          message.type === 'predict' &&
          !crashed
        ) {
          crashed = true;
          setTimeout(() => worker.crash('killed'), 0);
        }
      };
      return worker;
    };
    const crashing = new WorkerPool({ spawn, size: 2, idleMs: 0 });
    await crashing.load(FILES);
    const input = sequences(400);
    const result = await crashing.predict(input);
    expect(crashed).toBe(true);
    expect(crashing.replacedCount).toBe(1);
    expect(factory.workers).toHaveLength(3);
    // The replacement loaded the model before taking the job again.
    expect(factory.workers[2].received[0].type).toBe('load');
    const direct = await (await loadModel(FILES)).predict(input);
    expectClose(result.predictions, direct.predictions);
    expectClose(result.attention, direct.attention);
    crashing.dispose();
  });

  it('gives up with a clear error when the same work kills every worker', async () => {
    const factory = channelWorkers(MODULES);
    const spawn = () => {
      const worker = factory.spawn();
      const post = worker.postMessage.bind(worker);
      worker.postMessage = message => {
        post(message);
        if (message.type === 'predict') {
          // Before the worker can answer.
          queueMicrotask(() => worker.crash('out of memory'));
        }
      };
      return worker;
    };
    const doomed = new WorkerPool({ spawn, size: 1, retries: 2, idleMs: 0 });
    await doomed.load(FILES);
    const error = await doomed.predict(sequences(2)).catch(e => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toBe(
      'The model worker stopped unexpectedly: out of memory (3 times on the same part of the work)'
    );
    doomed.dispose();
  });

  it('reports a load error with its file; predict before load is refused', async () => {
    const factory = channelWorkers(MODULES);
    const empty = new WorkerPool({ spawn: factory.spawn, size: 2, idleMs: 0 });
    await expect(empty.predict(sequences(1))).rejects.toThrow(
      'No model is loaded'
    );
    const error = await empty
      .load({ 'm.h5': new Uint8Array([0, 1]) })
      .catch(e => e);
    expect(error).toBeInstanceOf(WorkerRequestError);
    expect(error.where).toEqual({ stage: 'load', file: 'm.h5' });
    empty.dispose();
  });
});
