/**
 * Large Float32Arrays reused from one pass of a graph to the next (forward
 * passes, and the gradient methods' recorded passes with their tapes).
 * A fresh array of several megabytes costs more than the work that fills
 * it (new pages to zero and fault in, and garbage collections), and a
 * recurrent layer's [batch, T, units] output is made again by every pass.
 *
 * Arrays are lent only inside a pass (`open` ... `close`, by `runGraph`
 * and `graphGradients`): at its end every lent array comes back, except
 * those whose buffer an array the pass returns is a view of. Outside a pass
 * (layers called directly) `zeros` and `scratch` make fresh arrays, so
 * nothing a caller keeps is ever reused. Layers take from the pool only
 * what they hand to the graph or drop themselves, never what they keep
 * past the call.
 */

/**
 * Most floats kept for reuse between passes (128 MB); more are left to the
 * collector. One gradient batch of the largest size (32 points x 250 steps
 * of a GRU 250: tapes, gradients, products) lends about 110 MB; a worker's
 * pool goes with the worker when it stops idle.
 */
const MAX_FREE_FLOATS = 1 << 25;

/** Arrays shorter than this are made fresh (reuse is worth it for big ones only). */
const MIN_POOLED_LENGTH = 1 << 14;

export class BufferPool {
  /** Starts a pass (passes may nest: the outermost one decides). */
  open(): void {
    this._depth++;
  }

  /**
   * Ends a pass: every array lent since the outermost `open` comes back,
   * unless one of `kept` (what the pass returns) shares its buffer.
   */
  close(kept: Iterable<ArrayBufferView>): void {
    if (this._depth === 0 || --this._depth > 0) {
      return;
    }
    const keptBuffers = new Set<ArrayBufferLike>();
    for (const view of kept) {
      keptBuffers.add(view.buffer);
    }
    for (const array of this._lent) {
      if (!keptBuffers.has(array.buffer)) {
        this._free.push(array);
        this._freeFloats += array.length;
      }
    }
    this._lent = [];
    // The oldest go first.
    while (this._freeFloats > MAX_FREE_FLOATS) {
      this._freeFloats -= this._free.shift()!.length;
    }
  }

  /**
   * `pass()` as a pass: what it took comes back at its end (also when it
   * throws), except the arrays `returned(result)` view.
   */
  within<T>(
    pass: () => T,
    returned: (result: T) => Iterable<ArrayBufferView>
  ): T {
    let kept: Iterable<ArrayBufferView> = [];
    this.open();
    try {
      const result = pass();
      kept = returned(result);
      return result;
    } finally {
      this.close(kept);
    }
  }

  /** A Float32Array of `length` zeros. */
  zeros(length: number): Float32Array {
    const { array, reused } = this._take(length);
    return reused ? array.fill(0) : array;
  }

  /** A Float32Array of `length` whose every element the caller writes (old values may be left). */
  scratch(length: number): Float32Array {
    return this._take(length).array;
  }

  /** Arrays held for reuse (for tests). */
  get freeCount(): number {
    return this._free.length;
  }

  /** A free array of `length` inside a pass, else a new one; lent inside a pass. */
  private _take(length: number): { array: Float32Array; reused: boolean } {
    if (this._depth === 0 || length < MIN_POOLED_LENGTH) {
      return { array: new Float32Array(length), reused: false };
    }
    const at = this._free.findIndex(a => a.length === length);
    const reused = at >= 0;
    const array = reused
      ? this._free.splice(at, 1)[0]
      : new Float32Array(length);
    if (reused) {
      this._freeFloats -= length;
    }
    this._lent.push(array);
    return { array, reused };
  }

  private _depth = 0;
  private _lent: Float32Array[] = [];
  private _free: Float32Array[] = [];
  private _freeFloats = 0;
}

/** `length` zeros from `buffers`, or a fresh array without a pool. */
export function zerosFrom(
  buffers: BufferPool | undefined,
  length: number
): Float32Array {
  return buffers ? buffers.zeros(length) : new Float32Array(length);
}

/** An array of `length` the caller writes whole, from `buffers` or fresh. */
export function scratchFrom(
  buffers: BufferPool | undefined,
  length: number
): Float32Array {
  return buffers ? buffers.scratch(length) : new Float32Array(length);
}

/** A copy of `array`, from `buffers` or fresh. */
export function copyFrom(
  buffers: BufferPool | undefined,
  array: Float32Array
): Float32Array {
  const copy = scratchFrom(buffers, array.length);
  copy.set(array);
  return copy;
}
