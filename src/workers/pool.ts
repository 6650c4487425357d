/**
 * A small pool of model workers: batches, occlusion variants and
 * integrated-gradient steps are split into jobs that idle workers take in
 * order; results come back in input order.
 *
 * - Workers are spawned lazily: small work (one text, a short batch) runs
 *   on the first worker alone; only big work starts more, up to the size.
 * - Each worker loads the model once (again only after a crash or a new
 *   model).
 * - Cancel (an `AbortSignal`) rejects at once, drops the queued jobs and
 *   tells every worker running one to stop at its next step.
 * - A worker that dies is replaced: its job runs again on the fresh worker
 *   (at most `retries` times), so the caller's request still completes.
 *
 * This module plans the work (how many workers, how it is split into
 * jobs); `worker-slots.ts` runs the jobs on the workers.
 *
 * Pure: no DOM or JupyterLab imports; workers come from the factory (Web
 * Workers in JupyterLab, worker threads in the CLI).
 */
import type { IExplainOptions, IExplanation } from '../explain/types';
import {
  explainCost,
  IExplainPartial,
  IExplainUnit,
  methodOf
} from '../explain/registry';
import { explainInRounds } from '../explain/rounds';
import type {
  IPredictionLines,
  IPredictionLinesJob
} from '../explain/prediction-lines';
import type { ExplainResult, IWorkerLoadOptions } from './protocol';
import type { IForwardResult, IModelFiles, IModelInfo } from '../model/types';
import {
  cancelledBy,
  IRequestOptions,
  ModelWorkerClient,
  WorkerFactory
} from './client';
import { IJobSpec, WorkerSlots } from './worker-slots';

/** Progress of a pool request. */
export interface IPoolProgress {
  /** Done of total: texts (predict), the method's work items (explain), 0..1 (load). */
  done: number;
  total: number;
  /** done / total, 0..1. */
  fraction: number;
  message: string;
}

export interface IRunOptions {
  onProgress?: (progress: IPoolProgress) => void;
  /** Aborting rejects at once with `RequestCancelledError` and stops every worker's share. */
  signal?: AbortSignal;
}

export interface IPoolOptions {
  spawn: WorkerFactory;
  /** Most workers at once (read at every request, so it can follow a setting). */
  size: number | (() => number);
  /** Forward passes one worker does alone; bigger work is spread (default 64). */
  smallWork?: number;
  /** Runs of a job on fresh workers after its worker died (default 2). */
  retries?: number;
  /** Extra workers idle this long are stopped (ms, default 60000; 0 = never). */
  idleMs?: number;
  /**
   * `load` starts every worker of the size and loads the model on all at
   * once (default false: the others load it when they first get work). For
   * long streamed work, where a second worker loading only once the first
   * is busy delays it.
   */
  eagerLoad?: boolean;
}

/** The most workers a pool runs, whatever the setting says. */
export const MAX_WORKERS = 8;
/** The automatic size never exceeds this (memory: each worker holds the model). */
export const AUTO_WORKERS_CAP = 4;

/** Pool size from the `workers` setting (0 = automatic) and the core count. */
export function poolSize(
  setting: number,
  hardwareConcurrency?: number
): number {
  if (Number.isFinite(setting) && setting >= 1) {
    return Math.min(MAX_WORKERS, Math.floor(setting));
  }
  const cores =
    typeof hardwareConcurrency === 'number' && hardwareConcurrency >= 1
      ? Math.floor(hardwareConcurrency)
      : 2;
  return Math.max(1, Math.min(AUTO_WORKERS_CAP, cores));
}

/**
 * Forward passes a unit of an explanation should hold at least when work
 * is spread (each unit is one batched pass: small ones waste it).
 */
export const MIN_UNIT_PASSES = 32;

export class WorkerPool {
  constructor(options: IPoolOptions) {
    this._size = options.size;
    this._smallWork = options.smallWork ?? 64;
    this._eagerLoad = options.eagerLoad === true;
    this._slots = new WorkerSlots({
      spawn: options.spawn,
      size: () => this.size,
      retries: options.retries ?? 2,
      idleMs: options.idleMs ?? 60000
    });
  }

  /** Workers running now. */
  get workerCount(): number {
    return this._slots.runningCount;
  }

  /** Most workers the pool may run now. */
  get size(): number {
    const size = typeof this._size === 'function' ? this._size() : this._size;
    return Math.max(1, Math.min(MAX_WORKERS, Math.floor(size) || 1));
  }

  /** Workers replaced after a crash so far. */
  get replacedCount(): number {
    return this._slots.replacedCount;
  }

  /**
   * Load a model on the first worker (its errors come back here); other
   * workers load it when they first get work. Replaces the previous model
   * only on success.
   */
  async load(
    files: IModelFiles,
    options?: IWorkerLoadOptions,
    run: IRunOptions = {}
  ): Promise<IModelInfo> {
    this._throwIfDisposed();
    const info = await this._slots.load(files, options, this._eagerLoad, {
      signal: run.signal,
      onProgress: p =>
        run.onProgress?.(
          Private.progress(p.done, p.total, 'Building the model')
        )
    });
    this._info = info;
    return info;
  }

  /** Predictions and attention of every sequence, in input order. */
  async predict(
    sequences: number[][],
    run: IRunOptions = {}
  ): Promise<IForwardResult> {
    const parts = await this._predictInParts(
      sequences,
      (client, part, _from, options) => client.predict(part, options),
      run
    );
    return {
      predictions: parts.flatMap(p => p.predictions),
      attention: parts.flatMap(p => p.attention)
    };
  }

  /**
   * The JSONL lines of `texts` (text `first` + 1 onwards) and their
   * notices, in input order: each worker encodes, runs and writes its part.
   */
  async predictLines(
    texts: string[],
    first: number,
    job: IPredictionLinesJob,
    run: IRunOptions = {}
  ): Promise<IPredictionLines> {
    const parts = await this._predictInParts(
      texts,
      (client, part, from, options) =>
        client.predictLines(part, first + from, job, options),
      run
    );
    return {
      lines: parts.map(p => p.lines).join(''),
      notices: parts.flatMap(p => p.notices)
    };
  }

  /** `items` cut into a few parts per worker, each run by `exec`; results in input order. */
  private _predictInParts<I, T>(
    items: I[],
    exec: (
      client: ModelWorkerClient,
      part: I[],
      from: number,
      options: IRequestOptions
    ) => Promise<T>,
    run: IRunOptions
  ): Promise<T[]> {
    const count = items.length;
    if (count === 0) {
      return Promise.resolve([]);
    }
    const workers = this._workersFor(count);
    // A few jobs per worker (balance), at most 64 texts each (progress).
    const chunk = Math.max(1, Math.min(64, Math.ceil(count / (workers * 4))));
    const jobs: IJobSpec<T>[] = [];
    for (let from = 0; from < count; from += chunk) {
      const part = items.slice(from, from + chunk);
      jobs.push({
        size: part.length,
        exec: (client, options) =>
          exec(client, part, from, {
            signal: options.signal,
            onProgress: p => options.onDone(p.done)
          })
      });
    }
    return this._run(jobs, workers, run.signal, done =>
      run.onProgress?.(
        Private.progress(
          done,
          count,
          `Computed ${Math.round(done)} of ${count} texts`
        )
      )
    );
  }

  /**
   * One explanation per sequence, in input order. Small work runs whole on
   * one worker; bigger work is planned here, round by round, its units
   * spread over the workers and combined here. Progress counts the
   * method's real work items (forward or gradient passes) over every round.
   */
  async explain(
    sequences: number[][],
    options: IExplainOptions,
    run: IRunOptions = {}
  ): Promise<IExplanation[]> {
    const count = sequences.length;
    methodOf(options);
    if (count === 0) {
      return [];
    }
    const longest = sequences.reduce((n, s) => Math.max(n, s.length), 0);
    const perSequence = explainCost(options, longest);
    const workers = this._workersFor(count * perSequence);
    if (workers === 1) {
      return this._explainWhole(sequences, options, perSequence, run);
    }
    const info = this._info;
    if (!info) {
      throw new Error('No model is loaded');
    }
    // Enough units for every worker to take a few, each big enough for
    // one batched pass to pay; a multiple of the workers when few.
    const balanced = Math.max(1, Math.ceil((workers * 4) / count));
    let parts = Math.max(
      1,
      Math.min(balanced, Math.floor(perSequence / MIN_UNIT_PASSES))
    );
    if (count === 1 && parts > workers) {
      parts -= parts % workers;
    }
    return explainInRounds(info, sequences, options, {
      parts,
      checkpoint: () => {
        if (run.signal?.aborted) {
          throw cancelledBy(run.signal);
        }
      },
      onProgress: p =>
        run.onProgress?.(Private.progress(p.done, p.total, p.message)),
      runUnits: (units, onDone) =>
        this._runUnits(units, workers, run.signal, onDone)
    });
  }

  /** One round trip to one worker, in several units so that progress moves and cancel stops it early. */
  private async _explainWhole(
    sequences: number[][],
    options: IExplainOptions,
    perSequence: number,
    run: IRunOptions
  ): Promise<IExplanation[]> {
    const parts = Math.max(
      1,
      Math.min(16, Math.floor(perSequence / MIN_UNIT_PASSES))
    );
    const [result] = await this._run(
      [
        {
          size: 0,
          exec: (client, job) =>
            client.explain(
              { kind: 'whole', sequences, options, parts },
              {
                signal: job.signal,
                onProgress: p =>
                  run.onProgress?.(
                    Private.progress(p.done, p.total, p.message ?? '')
                  )
              }
            )
        }
      ],
      1,
      run.signal
    );
    return Private.explanations(result);
  }

  /** The units of a round over the workers; partials in the order of `units`. */
  private async _runUnits(
    units: IExplainUnit[],
    workers: number,
    signal: AbortSignal | undefined,
    onDone: (items: number) => void
  ): Promise<IExplainPartial[]> {
    const perJob = Math.max(1, Math.ceil(units.length / (workers * 4)));
    const jobs: IJobSpec<ExplainResult>[] = [];
    for (let from = 0; from < units.length; from += perJob) {
      const group = units.slice(from, from + perJob);
      jobs.push({
        size: group.reduce((n, u) => n + u.size, 0),
        exec: (client, job) =>
          client.explain(
            { kind: 'units', units: group },
            { signal: job.signal, onProgress: p => job.onDone(p.done) }
          )
      });
    }
    const results = await this._run(jobs, workers, signal, onDone);
    return results.flatMap(result => {
      if (result.kind !== 'partials') {
        throw new Error('The model worker returned no partial results');
      }
      return result.partials;
    });
  }

  /**
   * Stop every worker now: requests in flight reject as cancelled and the
   * model is forgotten (the next `load` starts fresh workers).
   */
  terminate(reason = 'Cancelled'): void {
    this._slots.terminate(reason);
    this._info = null;
  }

  dispose(): void {
    this._disposed = true;
    this.terminate('The model workers were closed.');
  }

  /** Workers a request of this many forward passes should use. */
  private _workersFor(passes: number): number {
    return Math.max(
      1,
      Math.min(this.size, Math.ceil(passes / this._smallWork))
    );
  }

  /** Runs jobs on the pool's workers (see `WorkerSlots.run`). */
  private _run<T>(
    specs: IJobSpec<T>[],
    workers: number,
    signal: AbortSignal | undefined,
    report?: (done: number) => void
  ): Promise<T[]> {
    this._throwIfDisposed();
    return this._slots.run(specs, workers, signal, report);
  }

  private _throwIfDisposed(): void {
    if (this._disposed) {
      throw new Error('The model worker pool was disposed');
    }
  }

  private _size: number | (() => number);
  private _smallWork: number;
  private _eagerLoad: boolean;
  private _slots: WorkerSlots;
  private _info: IModelInfo | null = null;
  private _disposed = false;
}

namespace Private {
  export function progress(
    done: number,
    total: number,
    message: string
  ): IPoolProgress {
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    return { done, total, fraction, message };
  }

  export function explanations(result: ExplainResult): IExplanation[] {
    if (result.kind !== 'explanations') {
      throw new Error('The model worker returned no explanations');
    }
    return result.explanations;
  }
}
