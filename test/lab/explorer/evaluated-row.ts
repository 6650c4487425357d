/**
 * One evaluated row of a sigmoid model for the explorer's tests: class 1
 * above 0.5, binary cross-entropy loss, no explanations yet.
 */
import type { IEvaluated } from '../../../src/evaluate/evaluate-rows';

export function evaluatedRow(
  index: number,
  text: string,
  label: number | null,
  p: number
): IEvaluated {
  const predicted = p > 0.5 ? 1 : 0;
  return {
    row: {
      index,
      text,
      label,
      prediction: p,
      predictedClass: predicted,
      correct: label === null ? null : label === predicted,
      loss: label === null ? null : -Math.log(label === 1 ? p : 1 - p),
      explanations: {},
      agreement: {}
    },
    extras: { line: index + 2, output: [p], chars: Array.from(text) }
  };
}
