/**
 * The explorer's summary in the evaluation's shape: counts, accuracy, loss
 * and confusion matrix over every row run so far, faithfulness, agreement
 * and characters over the rows explained so far (with the chosen methods).
 * Pure.
 */
import type { IEvaluated } from '../../evaluate/evaluate-rows';
import { IEvaluationSummary, SummaryAccumulator } from '../../evaluate/summary';
import type { ResultsTable } from './results';

export function explorerSummary(
  table: ResultsTable,
  explained: ReadonlyArray<IEvaluated>,
  methods: string[],
  classes: string[] | null
): IEvaluationSummary {
  const accumulator = new SummaryAccumulator(methods, classes);
  for (const { row, extras } of explained) {
    if (methods.every(m => row.explanations[m])) {
      accumulator.add(row, extras);
    }
  }
  const ofExplained = accumulator.result();
  const all = table.summary();
  return {
    ...ofExplained,
    count: all.count,
    labelled: all.labelled,
    accuracy: all.accuracy,
    meanLoss: all.meanLoss,
    confusionMatrix: all.confusion
  };
}
