/**
 * The DataGrid's data model over the explorer's results: body cells read
 * the row `view[r]` of the table on demand (nothing per row is built, so
 * 100,000 rows scroll as fast as 100), the column headers show the sort.
 * No DOM.
 */
import { DataModel } from '@lumino/datagrid';
import { formatScore } from '../../evaluate/row-payload';
import { formatValue } from '../../table/format';
import { COLUMNS, ColumnKey, ISort, ResultsTable } from './results';

/**
 * Texts longer than this are cut in a cell (the details show them whole):
 * more than the text column shows (about 65 characters), few enough that
 * drawing the cell does not shape characters nobody sees.
 */
const CELL_TEXT = 100;

export class ResultsGridModel extends DataModel {
  constructor(
    private _table: ResultsTable,
    private _titles: { [column in ColumnKey]: string },
    private _className: (index: number) => string
  ) {
    super();
  }

  /** Shows another table (a new run), empty until its view is set. */
  setTable(table: ResultsTable): void {
    this._table = table;
    this._view = new Int32Array(0);
    this.emitChanged({ type: 'model-reset' });
  }

  /** Table rows in grid order. */
  get view(): Int32Array {
    return this._view;
  }

  get sort(): ISort | null {
    return this._sort;
  }

  /**
   * Shows `view` (table row per grid row). Rows only appended at the end
   * keep the grid's selection; anything else resets it.
   */
  setView(view: Int32Array, sort: ISort | null): void {
    const old = this._view;
    const appended =
      view.length > old.length &&
      sort === this._sort &&
      old.every((v, i) => view[i] === v);
    this._view = view;
    this._sort = sort;
    if (appended) {
      this.emitChanged({
        type: 'rows-inserted',
        region: 'body',
        index: old.length,
        span: view.length - old.length
      });
    } else {
      this.emitChanged({ type: 'model-reset' });
    }
  }

  /** Table row of a grid row, or -1. */
  tableRow(gridRow: number): number {
    return gridRow >= 0 && gridRow < this._view.length
      ? this._view[gridRow]
      : -1;
  }

  rowCount(region: DataModel.RowRegion): number {
    return region === 'body' ? this._view.length : 1;
  }

  columnCount(region: DataModel.ColumnRegion): number {
    return region === 'body' ? COLUMNS.length : 1;
  }

  data(region: DataModel.CellRegion, row: number, column: number): unknown {
    if (region === 'column-header') {
      const key = COLUMNS[column];
      const arrow =
        this._sort?.column === key ? (this._sort.descending ? ' ▼' : ' ▲') : '';
      return this._titles[key] + arrow;
    }
    if (region === 'row-header') {
      return String(row + 1);
    }
    if (region !== 'body') {
      return '';
    }
    const r = this._table.row(this._view[row]);
    switch (COLUMNS[column]) {
      case 'row':
        return r.index + 1;
      case 'text':
        return r.text.length > CELL_TEXT
          ? r.text.slice(0, CELL_TEXT) + '…'
          : r.text.replace(/[\r\n\t]/g, ' ');
      case 'label':
        return r.label < 0 ? '' : this._className(r.label);
      case 'prediction':
        return formatValue(r.prediction, 3);
      case 'predicted':
        return this._className(r.predictedClass);
      case 'correct':
        return r.correct === null ? '' : r.correct ? '✓' : '✗';
      case 'loss':
        return formatScore(r.loss === r.loss ? r.loss : null);
    }
  }

  private _view = new Int32Array(0);
  private _sort: ISort | null = null;
}
