/**
 * Time-sliced drawing: run the steps of an iterator in slices of a few
 * milliseconds, one slice per frame, so a large table never blocks the page.
 * The browser lays out and paints what one slice added before the next one
 * starts, and a newer drawing (or disposal) cancels the rest of an old one.
 */

/** A drawing in progress. */
export interface ISlicedRun {
  /**
   * Settles when the steps are exhausted or the run is cancelled (then with
   * `false`); rejects with the error a step threw.
   */
  readonly done: Promise<boolean>;
  /** Whether `cancel` was called before the steps ran out. */
  readonly cancelled: boolean;
  /** Run no further step; `done` resolves to `false`. */
  cancel(): void;
}

export interface ISliceOptions {
  /** Time per slice (ms); a slice always runs at least one step. */
  budgetMs?: number;
  /** Clock (ms). */
  now?: () => number;
  /**
   * Call `next` later, once; returns a function that cancels the call.
   * Default: `afterNextFrame`.
   */
  schedule?: (next: () => void) => () => void;
  /**
   * Run the first slice now (default) or wait for `schedule` like the others
   * (when the caller's own task is long enough already).
   */
  immediate?: boolean;
}

/** Default time per slice (ms): well under a frame, with room for layout. */
export const SLICE_BUDGET_MS = 8;

/**
 * Run `steps` in time-boxed slices. The first slice runs synchronously unless
 * `immediate` is false (a small drawing is then complete when this returns);
 * each later slice waits for `schedule`. A step is the unit of work: the
 * iterator yields between steps.
 */
export function runSliced(
  steps: Iterator<unknown>,
  options: ISliceOptions = {}
): ISlicedRun {
  const budget = options.budgetMs ?? SLICE_BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  const schedule = options.schedule ?? afterNextFrame;
  let finished = false;
  let cancelled = false;
  let cancelPending: (() => void) | null = null;
  let settle!: (complete: boolean) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<boolean>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const finish = (complete: boolean) => {
    finished = true;
    cancelPending = null;
    settle(complete);
  };

  const slice = () => {
    cancelPending = null;
    if (finished) {
      return;
    }
    const start = now();
    try {
      for (;;) {
        if (steps.next().done) {
          finish(true);
          return;
        }
        if (finished) {
          // A step cancelled its own run.
          return;
        }
        if (now() - start >= budget) {
          break;
        }
      }
    } catch (error) {
      finished = true;
      fail(error);
      return;
    }
    cancelPending = schedule(slice);
  };

  if (options.immediate === false) {
    cancelPending = schedule(slice);
  } else {
    slice();
  }
  return {
    done,
    get cancelled() {
      return cancelled;
    },
    cancel() {
      if (finished) {
        return;
      }
      cancelled = true;
      cancelPending?.();
      try {
        // Let a generator run its `finally` blocks (it cannot while running).
        steps.return?.();
      } catch {
        // cancelled from inside a step: the loop stops after it
      }
      finish(false);
    }
  };
}

/**
 * Call `next` in a task of its own after the next frame has been drawn (so
 * that frame only lays out what the previous slice added). Hidden pages get
 * no frames: a timeout keeps the work going there.
 */
export function afterNextFrame(next: () => void): () => void {
  let frame = 0;
  let timer = 0;
  let fallback = 0;
  let called = false;
  const run = () => {
    if (called) {
      return;
    }
    called = true;
    cancel();
    next();
  };
  const cancel = () => {
    if (frame) {
      cancelAnimationFrame(frame);
    }
    clearTimeout(timer);
    clearTimeout(fallback);
    frame = timer = fallback = 0;
  };
  const visible =
    typeof document === 'undefined' || document.visibilityState !== 'hidden';
  if (typeof requestAnimationFrame === 'function' && visible) {
    frame = requestAnimationFrame(() => {
      frame = 0;
      timer = setTimeout(run, 0) as unknown as number;
    });
    fallback = setTimeout(run, FRAME_FALLBACK_MS) as unknown as number;
  } else {
    timer = setTimeout(run, 0) as unknown as number;
  }
  return () => {
    called = true;
    cancel();
  };
}

/**
 * Call `next` in a task of its own as soon as the page has handled what is
 * queued (input first), without waiting for a frame: for the work before
 * anything new can be shown.
 */
export function afterTask(next: () => void): () => void {
  const timer = setTimeout(next, 0);
  return () => clearTimeout(timer);
}

/** Longest wait for a frame before a slice runs anyway (ms). */
const FRAME_FALLBACK_MS = 100;
