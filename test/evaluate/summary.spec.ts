/**
 * The summary accumulator, the characters statistics and the summary HTML:
 * means over defined values only, a confusion matrix of labelled rows, the
 * top characters by mean, and every string escaped.
 */
import { CharacterWeights } from '../../src/evaluate/characters';
import { SummaryAccumulator } from '../../src/evaluate/summary';
import { summaryFragment } from '../../src/evaluate/summary-html';
import type { IEvaluationRow } from '../../src/evaluate/types';

function row(
  index: number,
  label: number | null,
  predictedClass: number,
  loss: number | null,
  scores: [number | null, number | null],
  tau: number | null
): IEvaluationRow {
  return {
    index,
    text: 'ab',
    label,
    prediction: 0.5,
    predictedClass,
    correct: label === null ? null : label === predictedClass,
    loss,
    explanations: {
      occlusion: {
        values: [1, 3],
        comprehensiveness: scores[0],
        sufficiency: scores[1],
        meta: { window: 1 }
      },
      attention: {
        values: [0.2, null],
        comprehensiveness: 0.5,
        sufficiency: 0.1,
        meta: {}
      }
    },
    agreement: { 'occlusion~attention': tau }
  };
}

describe('SummaryAccumulator', () => {
  it('means over defined values, confusion matrix of labelled rows, pairs in method order', () => {
    const summary = new SummaryAccumulator(
      ['occlusion', 'attention'],
      ['neg', 'pos']
    );
    const extras = { line: 2, output: [0.5], chars: ['a', 'b'] };
    summary.add(row(0, 1, 1, 0.2, [0.4, 0.1], 0.5), extras);
    summary.add(row(1, 0, 1, 1.0, [null, null], null), extras);
    summary.add(row(2, null, 0, null, [0.2, 0.3], 1), extras);
    const result = summary.result();
    expect(result).toMatchObject({
      count: 3,
      labelled: 2,
      accuracy: 0.5,
      meanLoss: 0.6,
      classes: ['neg', 'pos'],
      confusionMatrix: [
        [0, 1],
        [0, 1]
      ],
      agreement: { 'occlusion~attention': 0.75 }
    });
    expect(result.methods.occlusion.comprehensiveness).toBeCloseTo(0.3, 12);
    expect(result.methods.occlusion.rows).toBe(2);
    expect(result.characters.occlusion).toEqual([
      { char: 'b', mean: 3, count: 3 },
      { char: 'a', mean: 1, count: 3 }
    ]);
    expect(result.characters.attention).toHaveLength(1);
    expect(result.characters.attention[0]).toMatchObject({
      char: 'a',
      count: 3
    });
    expect(result.characters.attention[0].mean).toBeCloseTo(0.2, 12);
  });

  it('an empty evaluation has no accuracy, no loss, no matrix', () => {
    expect(new SummaryAccumulator([]).result()).toMatchObject({
      count: 0,
      accuracy: null,
      meanLoss: null,
      confusionMatrix: null,
      agreement: {}
    });
  });
});

describe('CharacterWeights', () => {
  it('keeps the largest means, ties by count then code point, skips missing values', () => {
    const weights = new CharacterWeights();
    weights.add(['x', 'y', 'z', 'x'], [1, 2, null, 3]);
    weights.add(['w', 'y'], [2, NaN]);
    expect(weights.top(3)).toEqual(
      [
        { char: 'x', mean: 2, count: 2 },
        { char: 'y', mean: 2, count: 1 },
        { char: 'w', mean: 2, count: 1 }
      ].sort((a, b) => b.count - a.count || (a.char < b.char ? -1 : 1))
    );
    expect(weights.size).toBe(3);
  });
});

describe('summaryFragment', () => {
  it('escapes class names, characters and the heading', () => {
    const summary = new SummaryAccumulator(['occlusion'], ['<b>', '"q"']);
    summary.add(
      {
        ...row(0, 1, 0, 2, [0.1, 0.2], null),
        text: '<s',
        explanations: {
          occlusion: {
            values: [1, 2],
            comprehensiveness: 0.1,
            sufficiency: 0.2,
            meta: {}
          }
        },
        agreement: {}
      },
      { line: 2, output: [0.2], chars: ['<', 's'] }
    );
    const html = summaryFragment(summary.result(), 'Eval of <img src=x>');
    expect(html).not.toMatch(/<img|<th><b>|<code[^>]*><s/);
    expect(html).toContain('Eval of &lt;img src=x&gt;');
    expect(html).toContain('&lt;b&gt;');
    expect(html).toContain('&quot;q&quot;');
    expect(html).toContain('>&lt;</code>');
  });
});
