/**
 * The summary of an evaluation, accumulated row by row (bounded memory):
 * accuracy and mean loss over the labelled rows, the confusion matrix, the
 * mean comprehensiveness and sufficiency of each method, the mean agreement
 * of each pair, and the characters each method relies on. Pure.
 */
import { CharacterWeights, ICharacterWeight } from './characters';
import { classCount } from './labels';
import { IEvaluationRow, IRowExtras, pairName } from './types';

/** Means over the rows where a score is defined. */
export interface IMethodSummary {
  comprehensiveness: number | null;
  sufficiency: number | null;
  /** Rows with scores. */
  rows: number;
}

/** The `summary` object of the last JSONL line (and of the report). */
export interface IEvaluationSummary {
  count: number;
  /** Rows with a label (accuracy and loss are over them). */
  labelled: number;
  accuracy: number | null;
  meanLoss: number | null;
  methods: { [method: string]: IMethodSummary };
  /** Mean Kendall tau-b per pair over the rows where it is defined. */
  agreement: { [pair: string]: number | null };
  /** Class names, or null (classes are numbered). */
  classes: string[] | null;
  /** confusionMatrix[label][predicted], counts of labelled rows; null before any row. */
  confusionMatrix: number[][] | null;
  /** Per method, the characters with the largest mean value. */
  characters: { [method: string]: ICharacterWeight[] };
}

class Mean {
  add(value: number | null): void {
    if (typeof value === 'number' && Number.isFinite(value)) {
      this.sum += value;
      this.count++;
    }
  }
  get value(): number | null {
    return this.count > 0 ? this.sum / this.count : null;
  }
  sum = 0;
  count = 0;
}

export class SummaryAccumulator {
  constructor(
    private _methods: string[],
    private _classes: string[] | null = null
  ) {
    for (const method of _methods) {
      this._comprehensiveness.set(method, new Mean());
      this._sufficiency.set(method, new Mean());
      this._characters.set(method, new CharacterWeights());
    }
    _methods.forEach((a, i) =>
      _methods
        .slice(i + 1)
        .forEach(b => this._agreement.set(pairName(a, b), new Mean()))
    );
  }

  add(row: IEvaluationRow, extras: IRowExtras): void {
    this._count++;
    if (!this._matrix) {
      const n = classCount(extras.output.length);
      this._matrix = Array.from({ length: n }, () => new Array(n).fill(0));
    }
    if (row.label !== null) {
      this._labelled++;
      this._correct += row.correct ? 1 : 0;
      this._loss.add(row.loss);
      this._matrix[row.label][row.predictedClass]++;
    }
    for (const method of this._methods) {
      const result = row.explanations[method];
      if (!result) {
        continue;
      }
      this._comprehensiveness.get(method)!.add(result.comprehensiveness);
      this._sufficiency.get(method)!.add(result.sufficiency);
      this._characters.get(method)!.add(extras.chars, result.values);
    }
    this._agreement.forEach((mean, pair) =>
      mean.add(row.agreement[pair] ?? null)
    );
  }

  get count(): number {
    return this._count;
  }

  result(): IEvaluationSummary {
    const methods: IEvaluationSummary['methods'] = {};
    const characters: IEvaluationSummary['characters'] = {};
    for (const method of this._methods) {
      const c = this._comprehensiveness.get(method)!;
      methods[method] = {
        comprehensiveness: c.value,
        sufficiency: this._sufficiency.get(method)!.value,
        rows: c.count
      };
      characters[method] = this._characters.get(method)!.top();
    }
    const agreement: IEvaluationSummary['agreement'] = {};
    this._agreement.forEach((mean, pair) => (agreement[pair] = mean.value));
    return {
      count: this._count,
      labelled: this._labelled,
      accuracy: this._labelled > 0 ? this._correct / this._labelled : null,
      meanLoss: this._loss.value,
      methods,
      agreement,
      classes: this._classes,
      confusionMatrix: this._matrix ? this._matrix.map(r => [...r]) : null,
      characters
    };
  }

  private _count = 0;
  private _labelled = 0;
  private _correct = 0;
  private _loss = new Mean();
  private _matrix: number[][] | null = null;
  private _comprehensiveness = new Map<string, Mean>();
  private _sufficiency = new Map<string, Mean>();
  private _agreement = new Map<string, Mean>();
  private _characters = new Map<string, CharacterWeights>();
}
