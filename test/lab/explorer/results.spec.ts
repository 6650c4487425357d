/**
 * @jest-environment jsdom
 */
/**
 * The explorer's results table and grid model: filters (errors, false
 * positives / negatives, text, prediction range), sorting (stable, missing
 * values last), the summary, and grid updates that keep the selection when
 * rows are only appended.
 */
import type { DataModel } from '@lumino/datagrid';
import * as fc from 'fast-check';
import { evaluatedRow } from './evaluated-row';
import { ResultsGridModel } from '../../../src/lab/explorer/grid-model';
import {
  COLUMNS,
  NO_FILTER,
  ResultsTable
} from '../../../src/lab/explorer/results';

const ROWS = [
  evaluatedRow(0, 'great value', 0, 0.1),
  evaluatedRow(1, 'arrived BROKEN', 1, 0.95),
  evaluatedRow(2, 'refund please', 0, 0.8),
  evaluatedRow(3, 'terrible', 1, 0.3),
  evaluatedRow(4, 'no label here', null, 0.6),
  evaluatedRow(5, 'Broken again', 1, 0.7)
];

function table(): ResultsTable {
  const t = new ResultsTable(2);
  t.append(ROWS.slice(0, 3));
  t.append(ROWS.slice(3));
  return t;
}

describe('ResultsTable', () => {
  it('keeps every row, growing past its capacity', () => {
    const t = table();
    expect(t.length).toBe(6);
    expect(t.row(4)).toEqual({
      index: 4,
      line: 6,
      text: 'no label here',
      label: -1,
      prediction: 0.6,
      predictedClass: 1,
      correct: null,
      loss: NaN
    });
    expect(t.classCount).toBe(2);
  });

  it('filters errors, false positives, false negatives, text and prediction range', () => {
    const t = table();
    const view = (f: Partial<typeof NO_FILTER>) =>
      Array.from(t.view({ ...NO_FILTER, ...f }));
    expect(view({})).toEqual([0, 1, 2, 3, 4, 5]);
    expect(view({ errorsOnly: true })).toEqual([2, 3]);
    expect(view({ falsePositives: true })).toEqual([2]);
    expect(view({ falseNegatives: true })).toEqual([3]);
    expect(view({ search: 'broken' })).toEqual([1, 5]);
    expect(view({ minPrediction: 0.6, maxPrediction: 0.8 })).toEqual([2, 4, 5]);
    expect(view({ errorsOnly: true, search: 'refund' })).toEqual([2]);
  });

  it('sorts by a column, missing values last, ties in file order', () => {
    const t = table();
    expect(
      Array.from(t.view(NO_FILTER, { column: 'loss', descending: true }))
    ).toEqual([2, 3, 5, 0, 1, 4]);
    expect(
      Array.from(t.view(NO_FILTER, { column: 'loss', descending: false }))
    ).toEqual([1, 0, 5, 3, 2, 4]);
    expect(
      Array.from(t.view(NO_FILTER, { column: 'label', descending: false }))
    ).toEqual([0, 2, 1, 3, 5, 4]);
    expect(
      Array.from(t.view(NO_FILTER, { column: 'predicted', descending: true }))
    ).toEqual([1, 2, 4, 5, 0, 3]);
    expect(
      Array.from(t.view(NO_FILTER, { column: 'text', descending: false }))
    ).toEqual([5, 1, 0, 4, 2, 3]);
  });

  it('any sort is a permutation ordered by its key (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.option(fc.constantFrom(0, 1))
          ),
          {
            maxLength: 60
          }
        ),
        fc.constantFrom(...COLUMNS),
        fc.boolean(),
        (rows, column, descending) => {
          const t = new ResultsTable(4);
          t.append(
            rows.map(([p, label], i) => evaluatedRow(i, `t${i % 7}`, label, p))
          );
          const view = Array.from(t.view(NO_FILTER, { column, descending }));
          const key = (i: number) => {
            const r = t.row(i);
            return column === 'prediction'
              ? r.prediction
              : column === 'loss'
                ? r.loss
                : r.index;
          };
          const numeric = ['prediction', 'loss', 'row'].includes(column);
          const ordered = view.every((v, i) => {
            if (!numeric || i === 0) {
              return true;
            }
            const [a, b] = [key(view[i - 1]), key(v)];
            if (Number.isNaN(b)) {
              return true;
            }
            return !Number.isNaN(a) && (descending ? a >= b : a <= b);
          });
          return (
            ordered &&
            view.length === rows.length &&
            new Set(view).size === rows.length
          );
        }
      ),
      { numRuns: 200, seed: 5 }
    );
  });

  it('summarises accuracy, mean loss and the confusion matrix of labelled rows', () => {
    const s = table().summary();
    expect(s.count).toBe(6);
    expect(s.labelled).toBe(5);
    expect(s.accuracy).toBeCloseTo(3 / 5, 12);
    const losses = [0.1, 0.95, 0.8, 0.3, 0.7].map(
      (p, i) => -Math.log([0, 1, 0, 1, 1][i] === 1 ? p : 1 - p)
    );
    expect(s.meanLoss).toBeCloseTo(losses.reduce((a, b) => a + b) / 5, 12);
    expect(s.confusion).toEqual([
      [1, 1],
      [1, 2]
    ]);
  });
});

describe('ResultsGridModel', () => {
  const titles = Object.fromEntries(COLUMNS.map(c => [c, c.toUpperCase()])) as {
    [k in (typeof COLUMNS)[number]]: string;
  };

  it('reads cells through the view and shows the sort in the header', () => {
    const t = table();
    const model = new ResultsGridModel(t, titles, i => ['neg', 'pos'][i]);
    const sort = { column: 'loss' as const, descending: true };
    model.setView(t.view(NO_FILTER, sort), sort);
    expect(model.rowCount('body')).toBe(6);
    expect(model.columnCount('body')).toBe(COLUMNS.length);
    expect(COLUMNS).toEqual([
      'row',
      'text',
      'label',
      'prediction',
      'predicted',
      'correct',
      'loss'
    ]);
    expect(model.data('column-header', 0, 6)).toBe('LOSS ▼');
    expect(model.data('column-header', 0, 1)).toBe('TEXT');
    const row = COLUMNS.map((_, c) => model.data('body', 0, c));
    expect(row).toEqual([3, 'refund please', 'neg', '0.8', 'pos', '✗', '1.61']);
    expect(model.data('body', 5, 2)).toBe('');
    expect(model.tableRow(5)).toBe(4);
    expect(model.tableRow(6)).toBe(-1);
  });

  it('appending rows in file order inserts them; anything else resets', () => {
    const t = new ResultsTable();
    const model = new ResultsGridModel(t, titles, String);
    const changes: DataModel.ChangedArgs[] = [];
    model.changed.connect((_, args) => changes.push(args));
    t.append(ROWS.slice(0, 2));
    model.setView(t.view(), null);
    t.append(ROWS.slice(2));
    model.setView(t.view(), null);
    const sort = { column: 'row' as const, descending: true };
    model.setView(t.view(NO_FILTER, sort), sort);
    expect(changes.map(c => c.type)).toEqual([
      'rows-inserted',
      'rows-inserted',
      'model-reset'
    ]);
    expect(changes[1]).toMatchObject({ index: 2, span: 4 });
  });
});
