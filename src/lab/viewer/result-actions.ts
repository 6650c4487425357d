/**
 * The viewer's actions on its table: insert into the notebook, export as
 * HTML, copy values as TSV. Clicks are emitted; the panel runs them.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { button } from './dom';

export type ResultAction = 'insert' | 'export' | 'copy';

export class ResultActions extends Widget {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-CharAttention-actions');
    const make = (action: ResultAction, label: string, className: string) =>
      button(label, className, () => this._requested.emit(action));
    this._insert = make(
      'insert',
      trans.__('Insert into notebook'),
      'jp-CharAttention-insert'
    );
    this._insert.title = trans.__(
      'Add this table as a new output of the active cell'
    );
    this._export = make(
      'export',
      trans.__('Export as HTML…'),
      'jp-CharAttention-export'
    );
    this._copy = make(
      'copy',
      trans.__('Copy values as TSV'),
      'jp-CharAttention-copyTsv'
    );
    this.node.append(this._insert, this._export, this._copy);
    this.setEnabled(false, false);
  }

  get requested(): ISignal<this, ResultAction> {
    return this._requested;
  }

  /** `table`: there is a table; `insert`: it may be inserted (computed here). */
  setEnabled(table: boolean, insert: boolean): void {
    this._insert.disabled = !(table && insert);
    this._export.disabled = !table;
    this._copy.disabled = !table;
  }

  dispose(): void {
    if (!this.isDisposed) {
      Signal.clearData(this);
      super.dispose();
    }
  }

  private _insert: HTMLButtonElement;
  private _export: HTMLButtonElement;
  private _copy: HTMLButtonElement;
  private _requested = new Signal<this, ResultAction>(this);
}
