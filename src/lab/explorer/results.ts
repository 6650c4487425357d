/**
 * The explorer's results: one entry per evaluated row, stored column by
 * column in typed arrays (100,000 rows cost a few MB), and the view the
 * grid shows: the rows that pass the filters, in the chosen order. Pure: no
 * DOM, no JupyterLab.
 */
import type { IEvaluated } from '../../evaluate/evaluate-rows';

/**
 * The grid's columns, in order. The file line of a row is not a column
 * (its order is the row order; the row's tables name it): every column
 * costs a canvas copy per visible row while scrolling.
 */
export const COLUMNS = [
  'row',
  'text',
  'label',
  'prediction',
  'predicted',
  'correct',
  'loss'
] as const;

export type ColumnKey = (typeof COLUMNS)[number];

/** One row as the grid and the details show it. */
export interface IResultRow {
  /** 0-based row of the file. */
  index: number;
  line: number;
  text: string;
  /** -1: no label. */
  label: number;
  prediction: number;
  predictedClass: number;
  /** null: no label. */
  correct: boolean | null;
  /** NaN: no label. */
  loss: number;
}

export interface IFilter {
  /** Only rows whose predicted class differs from the label. */
  errorsOnly: boolean;
  /** Only label 0 predicted 1 (binary models). */
  falsePositives: boolean;
  /** Only label 1 predicted 0 (binary models). */
  falseNegatives: boolean;
  /** Case-insensitive substring of the text ('' = any). */
  search: string;
  /** Prediction range, inclusive (null = open). */
  minPrediction: number | null;
  maxPrediction: number | null;
}

export const NO_FILTER: Readonly<IFilter> = Object.freeze({
  errorsOnly: false,
  falsePositives: false,
  falseNegatives: false,
  search: '',
  minPrediction: null,
  maxPrediction: null
});

export interface ISort {
  column: ColumnKey;
  descending: boolean;
}

/** Accuracy, mean loss and the confusion matrix of the rows so far. */
export interface IResultsSummary {
  count: number;
  labelled: number;
  accuracy: number | null;
  meanLoss: number | null;
  /** matrix[label][predicted]. */
  confusion: number[][];
}

export class ResultsTable {
  constructor(capacity = 1024) {
    this._allocate(Math.max(16, capacity));
  }

  get length(): number {
    return this._length;
  }

  /** Output units of the model (1 = sigmoid), 0 before the first row. */
  get units(): number {
    return this._units;
  }

  /** Number of classes (2 for a sigmoid), 0 before the first row. */
  get classCount(): number {
    return this._units === 0 ? 0 : this._units === 1 ? 2 : this._units;
  }

  append(rows: ReadonlyArray<IEvaluated>): void {
    if (this._length + rows.length > this._capacity) {
      this._allocate(Math.max(2 * this._capacity, this._length + rows.length));
    }
    for (const { row, extras } of rows) {
      const i = this._length++;
      this._units ||= extras.output.length;
      this._index[i] = row.index;
      this._line[i] = extras.line;
      this._text[i] = row.text;
      this._label[i] = row.label ?? -1;
      this._prediction[i] = row.prediction;
      this._predicted[i] = row.predictedClass;
      this._correct[i] = row.correct === null ? -1 : row.correct ? 1 : 0;
      this._loss[i] = row.loss ?? NaN;
    }
  }

  row(i: number): IResultRow {
    const correct = this._correct[i];
    return {
      index: this._index[i],
      line: this._line[i],
      text: this._text[i],
      label: this._label[i],
      prediction: this._prediction[i],
      predictedClass: this._predicted[i],
      correct: correct < 0 ? null : correct === 1,
      loss: this._loss[i]
    };
  }

  /** The rows passing `filter`, ordered by `sort` (ties and no sort: file order). */
  view(filter: IFilter = NO_FILTER, sort: ISort | null = null): Int32Array {
    const keep = this._predicate(filter);
    const out = new Int32Array(this._length);
    let n = 0;
    for (let i = 0; i < this._length; i++) {
      if (keep(i)) {
        out[n++] = i;
      }
    }
    const view = out.slice(0, n);
    if (sort) {
      const compare = this._comparator(sort);
      // Typed-array sort is not guaranteed stable: ties fall back to file order.
      view.sort((a, b) => compare(a, b) || this._index[a] - this._index[b]);
    }
    return view;
  }

  summary(): IResultsSummary {
    const n = this.classCount;
    const confusion = Array.from({ length: n }, () => new Array(n).fill(0));
    let labelled = 0;
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < this._length; i++) {
      const label = this._label[i];
      if (label < 0) {
        continue;
      }
      labelled++;
      correct += this._correct[i] === 1 ? 1 : 0;
      loss += this._loss[i];
      if (label < n && this._predicted[i] < n) {
        confusion[label][this._predicted[i]]++;
      }
    }
    return {
      count: this._length,
      labelled,
      accuracy: labelled ? correct / labelled : null,
      meanLoss: labelled ? loss / labelled : null,
      confusion
    };
  }

  private _predicate(filter: IFilter): (i: number) => boolean {
    const needle = filter.search.toLowerCase();
    const lo = filter.minPrediction ?? -Infinity;
    const hi = filter.maxPrediction ?? Infinity;
    return i => {
      if (filter.errorsOnly && this._correct[i] !== 0) {
        return false;
      }
      if (
        filter.falsePositives &&
        !(this._label[i] === 0 && this._predicted[i] === 1)
      ) {
        return false;
      }
      if (
        filter.falseNegatives &&
        !(this._label[i] === 1 && this._predicted[i] === 0)
      ) {
        return false;
      }
      const p = this._prediction[i];
      if (p < lo || p > hi) {
        return false;
      }
      return !needle || this._text[i].toLowerCase().includes(needle);
    };
  }

  private _comparator(sort: ISort): (a: number, b: number) => number {
    const sign = sort.descending ? -1 : 1;
    const numeric =
      (values: ArrayLike<number>, negativeIsMissing = false) =>
      (a: number, b: number) => {
        const x = values[a];
        const y = values[b];
        // Missing values (NaN loss, -1 label or correct) sort last either way.
        const mx = x !== x || (negativeIsMissing && x < 0);
        const my = y !== y || (negativeIsMissing && y < 0);
        if (mx || my) {
          return mx === my ? 0 : mx ? 1 : -1;
        }
        return sign * (x - y);
      };
    switch (sort.column) {
      case 'row':
        return numeric(this._index);
      case 'label':
        return numeric(this._label, true);
      case 'prediction':
        return numeric(this._prediction);
      case 'predicted':
        return numeric(this._predicted);
      case 'correct':
        return numeric(this._correct, true);
      case 'loss':
        return numeric(this._loss);
      case 'text':
        return (a, b) =>
          sign *
          (this._text[a] < this._text[b]
            ? -1
            : this._text[a] > this._text[b]
              ? 1
              : 0);
    }
  }

  private _allocate(capacity: number): void {
    const grow = <T extends Int32Array | Int16Array | Int8Array | Float64Array>(
      old: T | undefined,
      make: (n: number) => T
    ): T => {
      const fresh = make(capacity);
      if (old) {
        fresh.set(old.subarray(0, this._length) as never);
      }
      return fresh;
    };
    this._index = grow(this._index, n => new Int32Array(n));
    this._line = grow(this._line, n => new Int32Array(n));
    this._label = grow(this._label, n => new Int16Array(n));
    this._predicted = grow(this._predicted, n => new Int16Array(n));
    this._correct = grow(this._correct, n => new Int8Array(n));
    this._prediction = grow(this._prediction, n => new Float64Array(n));
    this._loss = grow(this._loss, n => new Float64Array(n));
    this._capacity = capacity;
  }

  private _length = 0;
  private _capacity = 0;
  private _units = 0;
  private _text: string[] = [];
  private _index!: Int32Array;
  private _line!: Int32Array;
  private _label!: Int16Array;
  private _predicted!: Int16Array;
  private _correct!: Int8Array;
  private _prediction!: Float64Array;
  private _loss!: Float64Array;
}
