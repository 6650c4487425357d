/**
 * Evaluates a chunk of labelled rows with one loaded model: the model's
 * output and the row metrics, each requested method's values, their
 * faithfulness (the deletion variants of every row and method run in one
 * batch) and the agreement of every pair of methods. Pure apart from the
 * backend it is given.
 */
import {
  characterPositions,
  deletionSet,
  faithfulnessScores,
  rankPositions
} from './faithfulness';
import { kendallTauB } from './kendall';
import { classCount, checkClasses, labelIndex } from './labels';
import type { ILabelledRow } from './labelled-file';
import { rowMetrics, targetUnit } from './metrics';
import {
  IEncodedRow,
  IEvaluationBackend,
  IEvaluationPlan,
  IEvaluationRow,
  IMethodResult,
  IRowExtras,
  pairName
} from './types';

/** A row's JSON fields and the facts kept beside them. */
export interface IEvaluated {
  row: IEvaluationRow;
  extras: IRowExtras;
}

/** The evaluated rows of a chunk, and the encoding's notices ("row 7 (line 9): ..."). */
export interface IEvaluatedChunk {
  rows: IEvaluated[];
  notices: string[];
}

/** Evaluates `rows` (one chunk), in input order. */
export async function evaluateRows(
  rows: ILabelledRow[],
  backend: IEvaluationBackend,
  plan: IEvaluationPlan,
  signal?: AbortSignal
): Promise<IEvaluatedChunk> {
  if (rows.length === 0) {
    return { rows: [], notices: [] };
  }
  const { rows: encoded, notices } = backend.encode(rows.map(r => r.text));
  const sequences = encoded.map(e => e.padded);
  const outputs = await backend.predict(sequences, signal);
  const units = outputs[0].length;
  checkClasses(plan.classes, units);
  const results: IEvaluated[] = rows.map((source, i) => {
    const output = outputs[i];
    if (output.length !== units) {
      throw new Error(
        `the model gave ${output.length} outputs for row ${source.index + 1}, ${units} for the first`
      );
    }
    const label = labelIndex(
      source.label,
      plan.classes,
      classCount(units),
      source.line
    );
    const metrics = rowMetrics(output, label, plan.target);
    return {
      row: {
        index: source.index,
        text: source.text,
        label,
        prediction: metrics.prediction,
        predictedClass: metrics.predictedClass,
        correct: metrics.correct,
        loss: metrics.loss,
        explanations: {},
        agreement: {}
      },
      extras: { line: source.line, output, chars: encoded[i].chars }
    };
  });
  if (plan.methods.length > 0) {
    await Private.explainAll(results, encoded, backend, plan, notices, signal);
  }
  return { rows: results, notices: Private.renumber(notices, rows) };
}

namespace Private {
  /** "text 3: ..." of the encoder as "row 17 (line 18): ...". */
  export function renumber(notices: string[], rows: ILabelledRow[]): string[] {
    return notices.map(notice =>
      notice.replace(/^text (\d+):/, (whole, n) => {
        const row = rows[Number(n) - 1];
        return row ? `row ${row.index + 1} (line ${row.line}):` : whole;
      })
    );
  }

  /**
   * Values, faithfulness and agreement of every method, for the whole
   * chunk; the methods' notices are added to `notices` ("text 3: ...").
   */
  export async function explainAll(
    results: IEvaluated[],
    encoded: IEncodedRow[],
    backend: IEvaluationBackend,
    plan: IEvaluationPlan,
    notices: string[],
    signal?: AbortSignal
  ): Promise<void> {
    const sequences = encoded.map(e => e.padded);
    const positions = sequences.map(characterPositions);
    const targets = results.map(r => targetUnit(r.extras.output, plan.target));
    const perMethod: number[][][] = [];
    // Deletion variants of every row and method, predicted together.
    const variants: number[][] = [];
    const pending: Array<(fOutputs: number[][]) => void> = [];
    for (const request of plan.methods) {
      const explained = await backend.explain(
        sequences,
        request,
        plan.target,
        signal
      );
      perMethod.push(explained.map(e => e.values));
      results.forEach((result, i) => {
        const values = explained[i].values;
        const ranking = rankPositions(values, positions[i]);
        const set = deletionSet(sequences[i], ranking);
        const first = variants.length;
        variants.push(...set.comprehensiveness, ...set.sufficiency);
        const bins = set.sizes.length;
        const method: IMethodResult = {
          values: encoded[i].align(values),
          comprehensiveness: null,
          sufficiency: null,
          meta: explained[i].meta
        };
        notices.push(...explained[i].notices.map(n => `text ${i + 1}: ${n}`));
        result.row.explanations[request.method] = method;
        pending.push(fOutputs => {
          const f = (k: number) => fOutputs[k][targets[i]];
          const x = result.extras.output[targets[i]];
          const scores = faithfulnessScores(
            x,
            range(first, bins).map(f),
            range(first + bins, bins).map(f)
          );
          method.comprehensiveness = scores?.comprehensiveness ?? null;
          method.sufficiency = scores?.sufficiency ?? null;
        });
      });
    }
    const fOutputs = variants.length
      ? await backend.predict(variants, signal)
      : [];
    pending.forEach(finish => finish(fOutputs));
    results.forEach((result, i) => {
      result.row.agreement = agreement(
        plan.methods.map(m => m.method),
        perMethod.map(list => list[i]),
        positions[i]
      );
    });
  }

  export function range(first: number, count: number): number[] {
    return Array.from({ length: count }, (_, k) => first + k);
  }

  /** Kendall tau-b of every pair of methods over the character positions. */
  export function agreement(
    names: string[],
    values: number[][],
    positions: number[]
  ): { [pair: string]: number | null } {
    const out: { [pair: string]: number | null } = {};
    for (let a = 0; a < names.length; a++) {
      for (let b = a + 1; b < names.length; b++) {
        const x = positions.map(p => values[a][p]);
        const y = positions.map(p => values[b][p]);
        const finite = [...x, ...y].every(Number.isFinite);
        out[pairName(names[a], names[b])] = finite ? kendallTauB(x, y) : null;
      }
    }
    return out;
  }
}

/** Kendall tau-b of every pair of methods over the character positions. */
export const methodAgreement = Private.agreement;
