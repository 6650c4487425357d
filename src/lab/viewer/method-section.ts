/**
 * The viewer's "Method" section, generated from the method registry: the
 * method picker (methods the model cannot run are disabled), each method's
 * option fields (`option-fields.ts`, shown for the chosen method only),
 * and the progress, Cancel and status of a long run. Nothing here names a
 * method.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import {
  EXPLAIN_METHODS,
  ExplainMethod,
  isExplainMethod,
  methodDescriptions,
  methodUnavailable,
  preferredMethod
} from '../../explain/registry';
import type { IExplainOptions } from '../../explain/types';
import type { IModelInfo } from '../../model/types';
import {
  button,
  field,
  progressBar,
  row,
  section,
  select,
  setProgress
} from './dom';
import { MethodOptionFields } from './option-fields';

export class MethodSection extends Widget {
  constructor(trans: TranslationBundle) {
    super({
      node: section(trans.__('Method'), 'jp-CharAttention-panelMethod')
    });
    const methods = methodDescriptions();
    this._picker = select(
      'jp-CharAttention-methodPicker',
      EXPLAIN_METHODS,
      Object.fromEntries(methods.map(m => [m.id, trans.__(m.label)]))
    );
    this._picker.title = methods
      .map(m => `${trans.__(m.label)}: ${trans.__(m.description)}`)
      .join('; ');
    this._picker.addEventListener('change', () => {
      this._chosen = true;
      this._showFields();
      this._changed.emit();
    });
    this.node.append(field(trans.__('Method'), this._picker));
    this._options = new MethodOptionFields(trans, () => this._changed.emit());
    this.node.append(...this._options.nodes);
    this._progress = progressBar(
      'jp-CharAttention-runProgress',
      trans.__('Explanation progress')
    );
    this._cancel = button(
      trans.__('Cancel'),
      'jp-CharAttention-runCancel',
      () => this._cancelRequested.emit()
    );
    this._cancel.hidden = true;
    this._status = document.createElement('span');
    this._status.className = 'jp-CharAttention-runStatus';
    this._status.setAttribute('role', 'status');
    this.node.append(row(this._progress, this._cancel, this._status));
    this._showFields();
  }

  /** The method or one of its options was changed by the user. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Cancel (of a run) was clicked. */
  get cancelRequested(): ISignal<this, void> {
    return this._cancelRequested;
  }

  get method(): ExplainMethod {
    const value = this._picker.value;
    return isExplainMethod(value) ? value : EXPLAIN_METHODS[0];
  }

  /** Choose the method as the user would. */
  setMethod(method: ExplainMethod): void {
    this._picker.value = method;
    this._chosen = true;
    this._showFields();
  }

  /** The request of the chosen method: its options as given in the fields. */
  options(): IExplainOptions {
    return this._options.request(this.method);
  }

  /**
   * A model was loaded: methods it cannot run are disabled; the picker
   * moves to the preferred method unless the user chose one that works.
   */
  setModel(info: IModelInfo, fallback: ExplainMethod): void {
    for (const option of Array.from(this._picker.options)) {
      const id = option.value;
      const reason = isExplainMethod(id) ? methodUnavailable(id, info) : null;
      option.disabled = reason !== null;
      option.title = reason ?? '';
    }
    if (!this._chosen || methodUnavailable(this.method, info) !== null) {
      this._picker.value = preferredMethod(info, fallback);
      this._showFields();
    }
  }

  /** No model: every method is offered again, the choice kept. */
  clearModel(): void {
    for (const option of Array.from(this._picker.options)) {
      option.disabled = false;
      option.title = '';
    }
  }

  /** A long run is going: progress (null: unknown) and its message. */
  showRun(fraction: number | null, message: string): void {
    setProgress(this._progress, fraction);
    this._cancel.hidden = false;
    this._status.textContent = message;
  }

  /** The run ended; `status` stays (e.g. `Cancelled.`). */
  endRun(status = ''): void {
    this._progress.hidden = true;
    this._cancel.hidden = true;
    this._status.textContent = status;
  }

  dispose(): void {
    if (!this.isDisposed) {
      Signal.clearData(this);
      super.dispose();
    }
  }

  private _showFields(): void {
    this._options.show([this.method]);
  }

  private _picker: HTMLSelectElement;
  private _options: MethodOptionFields;
  private _progress: HTMLProgressElement;
  private _cancel: HTMLButtonElement;
  private _status: HTMLElement;
  private _chosen = false;
  private _changed = new Signal<this, void>(this);
  private _cancelRequested = new Signal<this, void>(this);
}
