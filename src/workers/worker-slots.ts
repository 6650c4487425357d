/**
 * The workers of a `WorkerPool` and its job queue: starts workers up to the
 * count a request wants, hands queued jobs to idle ones in order, loads the
 * current model on each worker once, runs a job again on the replacement of
 * a worker that died under it, and stops extra workers left idle.
 *
 * How work is split into jobs is the pool's concern (`pool.ts`); this module
 * only runs the jobs it is given.
 */
import type { IWorkerLoadOptions } from './protocol';
import type { IModelFiles, IModelInfo } from '../model/types';
import {
  cancelledBy,
  IRequestOptions,
  ModelWorkerClient,
  RequestCancelledError,
  WorkerCrashedError,
  WorkerFactory
} from './client';

/** What a running job may use besides its worker. */
export interface IJobContext {
  signal: AbortSignal;
  /** Units of this job finished so far. */
  onDone: (done: number) => void;
}

/** One job of a request: its share of the progress and what it asks a worker. */
export interface IJobSpec<T> {
  /** Progress units of the job. */
  size: number;
  exec: (client: ModelWorkerClient, job: IJobContext) => Promise<T>;
}

export interface IWorkerSlotsOptions {
  spawn: WorkerFactory;
  /** Most workers at once, read whenever workers are started or stopped. */
  size: () => number;
  /** Runs of a job on fresh workers after its worker died. */
  retries: number;
  /** Extra workers idle this long are stopped (ms; 0 = never). */
  idleMs: number;
}

export class WorkerSlots {
  constructor(options: IWorkerSlotsOptions) {
    this._spawn = options.spawn;
    this._size = options.size;
    this._retries = options.retries;
    this._idleMs = options.idleMs;
  }

  /** Workers running now. */
  get runningCount(): number {
    return this._slots.filter(slot => slot.client.isRunning).length;
  }

  /** Workers replaced after a crash so far. */
  get replacedCount(): number {
    return this._replaced;
  }

  /**
   * Loads a model on the first worker (its errors come back here) and makes
   * it current on success; with `eager`, also starts every other worker of
   * the size and loads it there without waiting.
   */
  async load(
    files: IModelFiles,
    options: IWorkerLoadOptions | undefined,
    eager: boolean,
    run: IRequestOptions
  ): Promise<IModelInfo> {
    const slot = this._slots[0] ?? this._addSlot();
    if (eager) {
      this._loadOthers(files, options);
    }
    const info = await slot.client.load(files, options, run);
    this._model = { files, options, version: ++this._version };
    slot.version = this._version;
    return info;
  }

  /**
   * Runs jobs on up to `workers` workers; results in job order. `report`
   * gets the sum of the jobs' finished sizes.
   */
  run<T>(
    specs: IJobSpec<T>[],
    workers: number,
    signal: AbortSignal | undefined,
    report?: (done: number) => void
  ): Promise<T[]> {
    if (!this._model) {
      return Promise.reject(new Error('No model is loaded'));
    }
    if (signal?.aborted) {
      return Promise.reject(cancelledBy(signal));
    }
    return new Promise<T[]>((resolve, reject) => {
      const jobs = Private.jobsOf(specs, signal, report, {
        resolve,
        reject,
        // Drop what is queued, stop what runs.
        drop: dropped => {
          this._queue = this._queue.filter(job => !dropped.includes(job));
        }
      });
      for (const job of jobs) {
        this._queue.push(job);
      }
      this._grow(workers);
      this._pump();
    });
  }

  /**
   * Stops every worker now: queued jobs reject with `reason` as cancelled
   * and the model is forgotten (the next `load` starts fresh workers).
   */
  terminate(reason: string): void {
    const error = new RequestCancelledError(reason);
    for (const job of this._queue.splice(0)) {
      job.reject(error);
    }
    for (const slot of this._slots.splice(0)) {
      this._retire(slot, reason);
    }
    this._model = null;
  }

  /**
   * Starts workers up to the size and loads the model on each but the
   * first; a failure leaves the worker to load it again with its first job.
   */
  private _loadOthers(files: IModelFiles, options?: IWorkerLoadOptions): void {
    while (this._slots.length < this._size()) {
      this._addSlot();
    }
    for (const slot of this._slots.slice(1)) {
      if (slot.busy) {
        continue;
      }
      slot.busy = true;
      slot.version = 0;
      slot.client
        .load(files, options)
        .then(
          () => (slot.eager = files),
          () => undefined
        )
        .finally(() => {
          slot.busy = false;
          if (this._slots.includes(slot)) {
            this._pump();
          }
        });
    }
  }

  /** Start workers up to `wanted` (never above the size); stop extra idle ones. */
  private _grow(wanted: number): void {
    const size = this._size();
    while (this._slots.length < Math.min(wanted, size)) {
      this._addSlot();
    }
    for (let i = this._slots.length - 1; i >= size; i--) {
      if (!this._slots[i].busy) {
        this._retire(this._slots.splice(i, 1)[0], 'The pool was made smaller.');
      }
    }
  }

  private _addSlot(): Private.ISlot {
    const slot: Private.ISlot = {
      client: new ModelWorkerClient(this._spawn),
      version: 0,
      busy: false,
      idleTimer: null
    };
    slot.client.onCrash = () => {
      // The client starts a fresh worker on its next request; it must load the model again.
      slot.version = 0;
      slot.eager = undefined;
      this._replaced++;
    };
    this._slots.push(slot);
    return slot;
  }

  private _retire(slot: Private.ISlot, reason: string): void {
    Private.clearIdleTimer(slot);
    slot.client.terminate(reason);
  }

  /** Give queued jobs to idle workers. */
  private _pump(): void {
    for (const slot of this._slots) {
      if (this._queue.length === 0) {
        break;
      }
      if (!slot.busy) {
        void this._start(slot, this._queue.shift()!);
      }
    }
    if (this._queue.length === 0) {
      this._scheduleIdle();
    }
  }

  private async _start(slot: Private.ISlot, job: Private.IJob): Promise<void> {
    slot.busy = true;
    Private.clearIdleTimer(slot);
    const controller = new AbortController();
    job.controller = controller;
    try {
      await this._ensureLoaded(slot);
      if (job.isCancelled()) {
        return;
      }
      job.resolve(
        await job.exec(slot.client, {
          signal: controller.signal,
          onDone: job.onDone
        })
      );
    } catch (error) {
      this._failed(job, error);
    } finally {
      job.controller = null;
      slot.busy = false;
      if (this._slots.includes(slot)) {
        this._pump();
      }
    }
  }

  /** A job's error: queued again if its worker died under it (within the retries), else its request's. */
  private _failed(job: Private.IJob, error: unknown): void {
    if (
      error instanceof WorkerCrashedError &&
      !job.isCancelled() &&
      job.attempts < this._retries
    ) {
      // The worker died under this job: run it again on its replacement.
      job.attempts++;
      job.onDone(0);
      this._queue.unshift(job);
    } else {
      job.reject(
        error instanceof WorkerCrashedError
          ? new WorkerCrashedError(
              `${error.message} (${job.attempts + 1} times on the same part of the work)`
            )
          : (error as Error)
      );
    }
  }

  /** The current model on this worker (loaded once per worker and model). */
  private async _ensureLoaded(slot: Private.ISlot): Promise<void> {
    const model = this._model;
    if (!model) {
      throw new Error('No model is loaded');
    }
    if (slot.version !== model.version) {
      // Loaded eagerly with the model that then became current.
      if (slot.eager !== model.files) {
        await slot.client.load(model.files, model.options);
      }
      slot.eager = undefined;
      slot.version = model.version;
    }
  }

  /** Extra workers left idle are stopped after a while (each holds the model). */
  private _scheduleIdle(): void {
    if (this._idleMs <= 0) {
      return;
    }
    this._slots.forEach((slot, index) => {
      if (index === 0 || slot.busy || slot.idleTimer !== null) {
        return;
      }
      const timer = setTimeout(() => {
        slot.idleTimer = null;
        const at = this._slots.indexOf(slot);
        if (at > 0 && !slot.busy) {
          this._slots.splice(at, 1);
          this._retire(slot, 'Idle worker stopped.');
        }
      }, this._idleMs);
      // Never keeps a Node process alive.
      (timer as { unref?: () => void }).unref?.();
      slot.idleTimer = timer;
    });
  }

  private _spawn: WorkerFactory;
  private _size: () => number;
  private _retries: number;
  private _idleMs: number;
  private _slots: Private.ISlot[] = [];
  private _queue: Private.IJob[] = [];
  private _model: {
    files: IModelFiles;
    options?: IWorkerLoadOptions;
    version: number;
  } | null = null;
  private _version = 0;
  private _replaced = 0;
}

namespace Private {
  export interface ISlot {
    client: ModelWorkerClient;
    /** Model version loaded in this worker (0 = none). */
    version: number;
    /** Files loaded by an eager `load` (the model's version once it is current). */
    eager?: IModelFiles;
    busy: boolean;
    idleTimer: ReturnType<typeof setTimeout> | null;
  }

  export interface IJob {
    attempts: number;
    done: number;
    controller: AbortController | null;
    isCancelled: () => boolean;
    exec: IJobSpec<unknown>['exec'];
    onDone: (done: number) => void;
    resolve: (value: unknown) => void;
    reject: (error: Error) => void;
  }

  export function clearIdleTimer(slot: ISlot): void {
    if (slot.idleTimer !== null) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
    }
  }

  /**
   * The queue jobs of one request: together they settle it once (all
   * results in spec order, or the first error, which drops and stops the
   * rest), and report its progress.
   */
  export function jobsOf<T>(
    specs: IJobSpec<T>[],
    signal: AbortSignal | undefined,
    report: ((done: number) => void) | undefined,
    request: {
      resolve: (results: T[]) => void;
      reject: (error: Error) => void;
      drop: (jobs: IJob[]) => void;
    }
  ): IJob[] {
    const total = specs.reduce((n, s) => n + s.size, 0);
    const results: T[] = new Array(specs.length);
    const jobs: IJob[] = [];
    let remaining = specs.length;
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) {
        return;
      }
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        request.drop(jobs);
        for (const job of jobs) {
          job.controller?.abort(error);
        }
        request.reject(error);
      } else {
        request.resolve(results);
      }
    };
    const onAbort = () => finish(cancelledBy(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const progress = () => {
      if (!settled && report && total > 0) {
        report(jobs.reduce((n, job) => n + job.done, 0));
      }
    };
    specs.forEach((spec, index) => {
      const job: IJob = {
        attempts: 0,
        done: 0,
        controller: null,
        isCancelled: () => settled,
        exec: spec.exec as IJobSpec<unknown>['exec'],
        onDone: done => {
          job.done = Math.min(spec.size, done);
          progress();
        },
        resolve: value => {
          job.done = spec.size;
          results[index] = value as T;
          progress();
          if (--remaining === 0) {
            finish(null);
          }
        },
        reject: error => finish(error)
      };
      jobs.push(job);
    });
    return jobs;
  }
}
