/**
 * ERASER faithfulness (DeYoung et al. 2020) with AOPC over bins, defined
 * exactly so (pure):
 *
 * - n = the model positions that hold a character (the positions the model
 *   sees, padding excluded); for k in K = 1, 5, 10, 20, 50 (%),
 *   m_k = max(1, ceil(k n / 100)), and r_k = the m_k positions with the
 *   largest values (largest first, signed; ties broken by the earlier
 *   position; a value that is not a finite number ranks last).
 * - Deleting a position sets its id to 0 (the padding id, as occlusion does).
 * - comprehensiveness = mean over K of f(x) - f(x with r_k deleted);
 *   sufficiency = mean over K of f(x) - f(x with every character position
 *   outside r_k deleted).
 *
 * High comprehensiveness: deleting the top positions hurts f. Low
 * sufficiency: the top positions alone keep f.
 */

/** The bins K, in percent of n. */
export const AOPC_BINS: ReadonlyArray<number> = [1, 5, 10, 20, 50];

/** Model positions holding a character: `padded[p] !== 0`, in order. */
export function characterPositions(padded: ArrayLike<number>): number[] {
  const positions: number[] = [];
  for (let p = 0; p < padded.length; p++) {
    if (padded[p] !== 0) {
      positions.push(p);
    }
  }
  return positions;
}

/** m_k = max(1, ceil(k n / 100)) for each bin (empty when n = 0). */
export function binSizes(
  n: number,
  bins: ReadonlyArray<number> = AOPC_BINS
): number[] {
  if (n <= 0) {
    return [];
  }
  // ceil(k n / 100) in integers: exact, no floating-point surprises.
  return bins.map(k => Math.max(1, Math.floor((k * n + 99) / 100)));
}

/**
 * `positions` ordered by value, largest first; equal values keep the
 * earlier position first; non-finite values come last.
 */
export function rankPositions(
  values: ArrayLike<number | null>,
  positions: ReadonlyArray<number>
): number[] {
  const key = (p: number) => {
    const v = values[p];
    return typeof v === 'number' && Number.isFinite(v) ? v : -Infinity;
  };
  return [...positions].sort((a, b) => {
    const d = key(b) - key(a);
    return d > 0 || d < 0 ? d : a - b;
  });
}

/** The inputs whose f the scores need: the r_k deletions, then the complements. */
export interface IDeletionSet {
  /** Sizes m_k, one per bin. */
  sizes: number[];
  /** Per bin: x with r_k deleted. */
  comprehensiveness: number[][];
  /** Per bin: x with every character position outside r_k deleted. */
  sufficiency: number[][];
}

/** The deletion variants of `padded` for a ranking of its character positions. */
export function deletionSet(
  padded: ReadonlyArray<number>,
  ranking: ReadonlyArray<number>,
  bins: ReadonlyArray<number> = AOPC_BINS
): IDeletionSet {
  const sizes = binSizes(ranking.length, bins);
  const comprehensiveness: number[][] = [];
  const sufficiency: number[][] = [];
  for (const m of sizes) {
    const removed = padded.slice();
    for (let i = 0; i < m; i++) {
      removed[ranking[i]] = 0;
    }
    const kept = padded.slice();
    for (let i = m; i < ranking.length; i++) {
      kept[ranking[i]] = 0;
    }
    comprehensiveness.push(removed);
    sufficiency.push(kept);
  }
  return { sizes, comprehensiveness, sufficiency };
}

export interface IFaithfulness {
  comprehensiveness: number;
  sufficiency: number;
}

/** The two scores from f(x) and f of every variant (same order as `deletionSet`). */
export function faithfulnessScores(
  f: number,
  comprehensiveness: ReadonlyArray<number>,
  sufficiency: ReadonlyArray<number>
): IFaithfulness | null {
  if (comprehensiveness.length === 0) {
    return null;
  }
  const mean = (list: ReadonlyArray<number>) =>
    list.reduce((sum, g) => sum + (f - g), 0) / list.length;
  return {
    comprehensiveness: mean(comprehensiveness),
    sufficiency: mean(sufficiency)
  };
}
