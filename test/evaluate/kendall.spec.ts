/**
 * Kendall tau-b against SciPy (`scipy.stats.kendalltau`, tau-b by default)
 * and against the O(n^2) definition, with ties in x, in y and in both.
 */
import * as fc from 'fast-check';
import { kendallTauB } from '../../src/evaluate/kendall';
import { runPython } from './support/python';

/** tau-b by counting every pair (the definition). */
function naiveTauB(x: number[], y: number[]): number | null {
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const s = Math.sign(x[i] - x[j]) * Math.sign(y[i] - y[j]);
      if (x[i] === x[j] && y[i] !== y[j]) {
        tiesX++;
      } else if (y[i] === y[j] && x[i] !== x[j]) {
        tiesY++;
      } else if (s > 0) {
        concordant++;
      } else if (s < 0) {
        discordant++;
      }
    }
  }
  const d =
    (concordant + discordant + tiesX) * (concordant + discordant + tiesY);
  return d === 0 ? null : (concordant - discordant) / Math.sqrt(d);
}

const pairs = fc
  .integer({ min: 0, max: 60 })
  .chain(n =>
    fc.tuple(
      fc.array(fc.integer({ min: -4, max: 4 }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
        minLength: n,
        maxLength: n
      }),
      fc.boolean()
    )
  )
  .map(([ints, doubles, tiedY]) => ({
    x: ints.map(v => v / 2),
    y: tiedY ? doubles.map(v => Math.round(v * 3) / 3) : doubles
  }));

describe('kendallTauB', () => {
  it('equals SciPy kendalltau within 1e-12 (NaN = null)', () => {
    const cases = fc.sample(pairs, { numRuns: 300, seed: 4 });
    cases.push(
      { x: [1, 2, 3], y: [1, 2, 3] },
      { x: [1, 2, 3], y: [3, 2, 1] },
      { x: [1, 1, 1], y: [1, 2, 3] },
      { x: [0.1, 0.2], y: [5, 5] }
    );
    const scipy = runPython<Array<number | null>>(
      [
        'import json, sys, math',
        'from scipy.stats import kendalltau',
        'out = []',
        'for c in json.load(sys.stdin):',
        '    t = kendalltau(c["x"], c["y"]).statistic if len(c["x"]) >= 2 else float("nan")',
        '    out.append(None if math.isnan(t) else float(t))',
        'json.dump(out, sys.stdout)'
      ].join('\n'),
      cases
    );
    let defined = 0;
    cases.forEach((c, i) => {
      const tau = kendallTauB(c.x, c.y);
      if (scipy[i] === null) {
        expect(tau).toBeNull();
      } else {
        expect(tau).not.toBeNull();
        expect(Math.abs(tau! - scipy[i]!)).toBeLessThanOrEqual(1e-12);
        defined++;
      }
    });
    expect(defined).toBeGreaterThan(200);
  });

  it('equals the pair-counting definition', () => {
    fc.assert(
      fc.property(pairs, ({ x, y }) => {
        const fast = kendallTauB(x, y);
        const slow = naiveTauB(x, y);
        if (slow === null || x.length < 2) {
          return fast === null;
        }
        return fast !== null && Math.abs(fast - slow) < 1e-12;
      }),
      { numRuns: 400, seed: 9 }
    );
  });

  it('is 1 for a list against itself unless it is constant', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), {
          minLength: 2,
          maxLength: 80
        }),
        x => {
          const tau = kendallTauB(x, x);
          return new Set(x).size > 1 ? tau === 1 : tau === null;
        }
      ),
      { numRuns: 300, seed: 2 }
    );
  });

  it('handles 20,000 positions (n log n) and rejects unequal lengths', () => {
    const n = 20000;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i));
    const y = Array.from(
      { length: n },
      (_, i) => Math.sin(i) + 0.1 * Math.cos(7 * i)
    );
    const tau = kendallTauB(x, y)!;
    expect(tau).toBeGreaterThan(0.8);
    expect(tau).toBeLessThan(1);
    expect(() => kendallTauB([1, 2], [1])).toThrow(/2 values against 1/);
  });
});
