/**
 * Occlusion geometry, pure: which inputs to run and how the drops of the
 * model's output become one value per position.
 *
 * Window start s = 0..T-1 covers positions s..min(s + k, T) - 1 and sets
 * their ids to 0 (the padding id). Its drop d_s = f(x) - f(occluded) is
 * spread evenly over the positions it covers; a position's value is the sum
 * of the shares it receives: v_t = sum_{s covers t} d_s / |window s|.
 */

/** Positions covered by window start `s` (end exclusive). */
export function windowEnd(s: number, window: number, length: number): number {
  return Math.min(s + window, length);
}

/** Whether occluding window `s` changes the input at all (some id is not 0). */
export function changesInput(
  sequence: ArrayLike<number>,
  s: number,
  window: number
): boolean {
  const end = windowEnd(s, window, sequence.length);
  for (let t = s; t < end; t++) {
    if (sequence[t] !== 0) {
      return true;
    }
  }
  return false;
}

/** The input with window `s` set to 0. */
export function occluded(
  sequence: ArrayLike<number>,
  s: number,
  window: number
): number[] {
  const out = Array.from(sequence);
  out.fill(0, s, windowEnd(s, window, out.length));
  return out;
}

/** Per-position values from the drops of every window start 0..T-1. */
export function spreadDrops(
  drops: ArrayLike<number>,
  window: number
): number[] {
  const length = drops.length;
  const values = new Array<number>(length).fill(0);
  for (let s = 0; s < length; s++) {
    const end = windowEnd(s, window, length);
    const share = drops[s] / (end - s);
    for (let t = s; t < end; t++) {
      values[t] += share;
    }
  }
  return values;
}
