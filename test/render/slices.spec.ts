import { runSliced } from '../../src/render/slices';

/** A clock the steps advance, and a queue of scheduled slices run by hand. */
function harness() {
  let time = 0;
  const queue: Array<() => void> = [];
  let cancels = 0;
  return {
    now: () => time,
    advance: (ms: number) => (time += ms),
    schedule: (next: () => void) => {
      queue.push(next);
      return () => {
        cancels++;
        queue.splice(queue.indexOf(next), 1);
      };
    },
    queue,
    get cancels() {
      return cancels;
    },
    /** Run the next scheduled slice; false when none is waiting. */
    step(): boolean {
      const next = queue.shift();
      next?.();
      return next !== undefined;
    }
  };
}

describe('runSliced', () => {
  it('runs the steps in order, in slices of the budget, the first one synchronously', async () => {
    const h = harness();
    const log: number[] = [];
    const slices: number[][] = [];
    function* steps() {
      for (let i = 0; i < 10; i++) {
        log.push(i);
        h.advance(3);
        yield;
      }
    }
    const run = runSliced(steps(), {
      budgetMs: 8,
      now: h.now,
      schedule: h.schedule
    });
    slices.push([...log]);
    while (h.step()) {
      slices.push(log.slice(slices.flat().length));
    }
    await expect(run.done).resolves.toBe(true);
    expect(log).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 3 ms per step, 8 ms per slice: three steps, then a new slice.
    expect(slices).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(run.cancelled).toBe(false);
  });

  it('waits for the schedule before the first slice when not immediate', async () => {
    const h = harness();
    let count = 0;
    const run = runSliced(
      (function* () {
        count++;
        yield;
        count++;
      })(),
      { immediate: false, now: h.now, schedule: h.schedule }
    );
    expect(count).toBe(0);
    expect(h.queue).toHaveLength(1);
    h.step();
    await expect(run.done).resolves.toBe(true);
    expect(count).toBe(2);
  });

  it('runs at least one step per slice even when a step overruns the budget', async () => {
    const h = harness();
    let count = 0;
    function* steps() {
      for (let i = 0; i < 3; i++) {
        count++;
        h.advance(50);
        yield;
      }
    }
    const run = runSliced(steps(), {
      budgetMs: 8,
      now: h.now,
      schedule: h.schedule
    });
    expect(count).toBe(1);
    h.step();
    expect(count).toBe(2);
    h.step();
    h.step();
    await expect(run.done).resolves.toBe(true);
    expect(count).toBe(3);
  });

  it('finishes synchronously when everything fits in the first slice', async () => {
    const h = harness();
    const run = runSliced([1, 2, 3].values(), {
      now: h.now,
      schedule: h.schedule
    });
    expect(h.queue).toHaveLength(0);
    await expect(run.done).resolves.toBe(true);
  });

  it('cancel stops the steps, unschedules the next slice and runs finally blocks', async () => {
    const h = harness();
    const log: string[] = [];
    function* steps() {
      try {
        for (let i = 0; ; i++) {
          log.push(`step ${i}`);
          h.advance(10);
          yield;
        }
      } finally {
        log.push('finally');
      }
    }
    const run = runSliced(steps(), {
      budgetMs: 8,
      now: h.now,
      schedule: h.schedule
    });
    h.step();
    expect(log).toEqual(['step 0', 'step 1']);
    run.cancel();
    expect(h.cancels).toBe(1);
    expect(h.queue).toHaveLength(0);
    await expect(run.done).resolves.toBe(false);
    expect(run.cancelled).toBe(true);
    expect(log).toEqual(['step 0', 'step 1', 'finally']);
    run.cancel();
    expect(h.cancels).toBe(1);
  });

  it('a step that cancels its own run ends the slice after that step', async () => {
    const h = harness();
    let count = 0;
    const holder: { run?: ReturnType<typeof runSliced> } = {};
    function* steps() {
      for (;;) {
        count++;
        if (count === 3) {
          holder.run!.cancel();
        }
        yield;
      }
    }
    holder.run = runSliced(steps(), {
      budgetMs: 0,
      now: h.now,
      schedule: h.schedule
    });
    while (h.step()) {
      // slices until the cancel
    }
    await expect(holder.run.done).resolves.toBe(false);
    expect(count).toBe(3);
  });

  it('rejects with the error a step throws and stops', async () => {
    const h = harness();
    let count = 0;
    function* steps() {
      count++;
      yield;
      throw new Error('broken step');
    }
    const run = runSliced(steps(), {
      budgetMs: 0,
      now: h.now,
      schedule: h.schedule
    });
    h.step();
    await expect(run.done).rejects.toThrow('broken step');
    expect(h.queue).toHaveLength(0);
    expect(count).toBe(1);
  });

  it('waits for a frame, then a task of its own, by default', async () => {
    const frames: Array<() => void> = [];
    const g = globalThis as any;
    g.requestAnimationFrame = (callback: () => void) => frames.push(callback);
    g.cancelAnimationFrame = () => undefined;
    try {
      let count = 0;
      const steps = function* () {
        for (let i = 0; i < 3; i++) {
          count++;
          yield;
        }
      };
      const run = runSliced(steps(), { budgetMs: 0 });
      expect(count).toBe(1);
      expect(frames).toHaveLength(1);
      frames.shift()!();
      // The slice runs in a timeout after the frame, not inside it.
      expect(count).toBe(1);
      await new Promise(resolve => setTimeout(resolve, 1));
      expect(count).toBe(2);
      run.cancel();
      await expect(run.done).resolves.toBe(false);
    } finally {
      delete g.requestAnimationFrame;
      delete g.cancelAnimationFrame;
    }
  });
});
