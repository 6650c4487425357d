/**
 * The ERASER definitions on hand-worked examples: bins, rankings with ties,
 * deletion variants, and the scores as means over the bins.
 */
import * as fc from 'fast-check';
import {
  AOPC_BINS,
  binSizes,
  characterPositions,
  deletionSet,
  faithfulnessScores,
  rankPositions
} from '../../src/evaluate/faithfulness';

describe('faithfulness definitions', () => {
  it('bins are 1, 5, 10, 20, 50 % with m_k = max(1, ceil(k n / 100))', () => {
    expect(AOPC_BINS).toEqual([1, 5, 10, 20, 50]);
    expect(binSizes(0)).toEqual([]);
    expect(binSizes(1)).toEqual([1, 1, 1, 1, 1]);
    expect(binSizes(7)).toEqual([1, 1, 1, 2, 4]);
    expect(binSizes(20)).toEqual([1, 1, 2, 4, 10]);
    expect(binSizes(100)).toEqual([1, 5, 10, 20, 50]);
    expect(binSizes(101)).toEqual([2, 6, 11, 21, 51]);
    expect(binSizes(250)).toEqual([3, 13, 25, 50, 125]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100000 }), n =>
        binSizes(n).every(
          (m, i) =>
            m >= 1 &&
            m <= n &&
            m * 100 >= AOPC_BINS[i] * n &&
            (m === 1 || (m - 1) * 100 < AOPC_BINS[i] * n)
        )
      )
    );
  });

  it('n counts the positions holding a character (id != 0)', () => {
    expect(characterPositions([0, 0, 5, 1, 0, 3])).toEqual([2, 3, 5]);
  });

  it('ranks largest first, signed, ties by the earlier position, non-finite last', () => {
    const values = [9, -1, 0.5, 0.5, 2, -3, NaN, 0.5];
    expect(rankPositions(values, [1, 2, 3, 4, 5, 6, 7])).toEqual([
      4, 2, 3, 7, 1, 5, 6
    ]);
  });

  it('builds r_k deletions and complements with id 0', () => {
    // 8 positions, 2 of padding; n = 6: m = 1, 1, 1, 2, 3.
    const padded = [0, 0, 11, 12, 13, 14, 15, 16];
    const ranking = [5, 2, 7, 3, 6, 4];
    const set = deletionSet(padded, ranking);
    expect(set.sizes).toEqual([1, 1, 1, 2, 3]);
    expect(set.comprehensiveness[0]).toEqual([0, 0, 11, 12, 13, 0, 15, 16]);
    expect(set.comprehensiveness[4]).toEqual([0, 0, 0, 12, 13, 0, 15, 0]);
    expect(set.sufficiency[0]).toEqual([0, 0, 0, 0, 0, 14, 0, 0]);
    expect(set.sufficiency[3]).toEqual([0, 0, 11, 0, 0, 14, 0, 0]);
    expect(padded).toEqual([0, 0, 11, 12, 13, 14, 15, 16]);
  });

  it('scores are the means of f(x) - f(variant) over the bins', () => {
    const scores = faithfulnessScores(
      0.9,
      [0.8, 0.7, 0.6, 0.5, 0.4],
      [0.9, 0.85, 0.5, 0.3, 0.1]
    )!;
    expect(scores.comprehensiveness).toBeCloseTo(0.3, 12);
    expect(scores.sufficiency).toBeCloseTo(0.37, 12);
    expect(faithfulnessScores(0.5, [], [])).toBeNull();
  });
});
