/**
 * Kendall's tau-b of two paired lists, in O(n log n) (Knight 1966), the
 * statistic `scipy.stats.kendalltau` computes by default:
 *
 *   tau_b = (P - Q) / sqrt((n0 - n1) (n0 - n2))
 *
 * with P - Q = n0 - n1 - n2 + n3 - 2 D, n0 = n(n-1)/2, n1 and n2 the pairs
 * tied in x and in y, n3 the pairs tied in both, D the discordant pairs.
 * Undefined (null) when n < 2 or either list is constant. Pure.
 */

/** Pairs tied within runs of equal values of a sorted list: sum t (t - 1) / 2. */
function tiedPairs(sorted: Float64Array | number[]): number {
  let pairs = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run++;
    } else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs;
}

/** Sorts `order` by `key` (stable merge sort) and returns the number of swaps (inversions). */
function sortCountingSwaps(order: Int32Array, key: Float64Array): number {
  const n = order.length;
  let swaps = 0;
  let source = order;
  let target = new Int32Array(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (key[source[j]] < key[source[i]]) {
          // Every element left in the left half forms an inversion with it.
          swaps += mid - i;
          target[k++] = source[j++];
        } else {
          target[k++] = source[i++];
        }
      }
      while (i < mid) {
        target[k++] = source[i++];
      }
      while (j < hi) {
        target[k++] = source[j++];
      }
    }
    [source, target] = [target, source];
  }
  if (source !== order) {
    order.set(source);
  }
  return swaps;
}

/** Kendall's tau-b of `x` and `y` (same length; finite numbers), or null when undefined. */
export function kendallTauB(
  x: ArrayLike<number>,
  y: ArrayLike<number>
): number | null {
  const n = x.length;
  if (y.length !== n) {
    throw new Error(`kendallTauB: ${n} values against ${y.length}`);
  }
  if (n < 2) {
    return null;
  }
  const xs = Float64Array.from(x);
  const ys = Float64Array.from(y);
  // Order by x, then y.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => xs[a] - xs[b] || ys[a] - ys[b]);
  let n1 = 0;
  let n3 = 0;
  let xRun = 1;
  let xyRun = 1;
  for (let i = 1; i <= n; i++) {
    const sameX = i < n && xs[order[i]] === xs[order[i - 1]];
    const sameXY = sameX && ys[order[i]] === ys[order[i - 1]];
    if (sameX) {
      xRun++;
    } else {
      n1 += (xRun * (xRun - 1)) / 2;
      xRun = 1;
    }
    if (sameXY) {
      xyRun++;
    } else {
      n3 += (xyRun * (xyRun - 1)) / 2;
      xyRun = 1;
    }
  }
  // Discordant pairs: inversions of y in x order (ties in y are no inversion).
  const discordant = sortCountingSwaps(order, ys);
  const sortedY = Float64Array.from(order, i => ys[i]);
  const n2 = tiedPairs(sortedY);
  const n0 = (n * (n - 1)) / 2;
  if (n0 === n1 || n0 === n2) {
    return null;
  }
  const concordantMinusDiscordant = n0 - n1 - n2 + n3 - 2 * discordant;
  // One square root of the product: a list against itself gives exactly 1
  // (SciPy divides by two roots, which may differ from this in the last bit).
  const tau = concordantMinusDiscordant / Math.sqrt((n0 - n1) * (n0 - n2));
  return Math.min(1, Math.max(-1, tau));
}
