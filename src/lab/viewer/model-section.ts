/**
 * The viewer's "Model" section: the model file, its tokenizer (optional for
 * a `.keras` model with its own TextVectorization layer), Browse…, Load,
 * Cancel, loading progress, a status line, and "Evaluate a test set…"
 * (opens the Attention Explorer with this model). It only asks: the panel
 * listens to its signals and runs the session.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import {
  button,
  field,
  progressBar,
  row,
  section,
  setProgress,
  textInput
} from './dom';

export type StatusKind = 'info' | 'success' | 'warning' | 'error';
export type FileKind = 'model' | 'tokenizer';

export class ModelSection extends Widget {
  constructor(trans: TranslationBundle) {
    super({ node: section(trans.__('Model'), 'jp-CharAttention-panelModel') });
    this._model = textInput(
      'jp-CharAttention-modelPath',
      trans.__('path/to/model.h5')
    );
    this._tokenizer = textInput(
      'jp-CharAttention-tokenizerPath',
      trans.__('path/to/tokenizer.json (none: the model’s own)')
    );
    const browseModel = button(
      trans.__('Browse…'),
      'jp-CharAttention-browseModel',
      () => this._browseRequested.emit('model')
    );
    browseModel.title = trans.__(
      'Pick a .h5, .keras or model.json file in the file browser'
    );
    const browseTokenizer = button(
      trans.__('Browse…'),
      'jp-CharAttention-browseTokenizer',
      () => this._browseRequested.emit('tokenizer')
    );
    browseTokenizer.title = trans.__(
      'Pick the tokenizer JSON; a .keras model with a TextVectorization layer needs none'
    );
    this._load = button(trans.__('Load'), 'jp-CharAttention-load', () =>
      this._loadRequested.emit()
    );
    this._load.classList.add('jp-mod-accept');
    this._cancel = button(trans.__('Cancel'), 'jp-CharAttention-cancel', () =>
      this._cancelRequested.emit()
    );
    this._cancel.hidden = true;
    const explore = button(
      trans.__('Evaluate a test set…'),
      'jp-CharAttention-openExplorer',
      () => this._exploreRequested.emit()
    );
    explore.title = trans.__(
      'Open a labelled CSV, TSV or JSONL file in the Attention Explorer with this model'
    );
    this._progress = progressBar(
      'jp-CharAttention-progress',
      trans.__('Model loading progress')
    );
    this._status = document.createElement('div');
    this._status.className = 'jp-CharAttention-modelStatus';
    this._status.setAttribute('role', 'status');
    this._status.setAttribute('aria-live', 'polite');
    this.node.append(
      field(trans.__('Model file'), this._model, browseModel),
      field(trans.__('Tokenizer'), this._tokenizer, browseTokenizer),
      row(this._load, this._cancel, this._progress, explore),
      this._status
    );
  }

  /** Load was clicked. */
  get loadRequested(): ISignal<this, void> {
    return this._loadRequested;
  }
  /** Browse… was clicked for a model or a tokenizer. */
  get browseRequested(): ISignal<this, FileKind> {
    return this._browseRequested;
  }
  /** Cancel (of a load) was clicked. */
  get cancelRequested(): ISignal<this, void> {
    return this._cancelRequested;
  }
  /** "Evaluate a test set…" was clicked. */
  get exploreRequested(): ISignal<this, void> {
    return this._exploreRequested;
  }

  get modelPath(): string {
    return this._model.value.trim();
  }
  get tokenizerPath(): string {
    return this._tokenizer.value.trim();
  }

  /** Sets the path of a kind; `onlyIfEmpty` keeps what the user typed. */
  setPath(kind: FileKind, path: string, onlyIfEmpty = false): void {
    const input = kind === 'model' ? this._model : this._tokenizer;
    if (!onlyIfEmpty || !input.value) {
      input.value = path;
    }
  }

  focusTokenizer(): void {
    this._tokenizer.focus();
  }

  setLoading(loading: boolean): void {
    this._load.disabled = loading;
    this._cancel.hidden = !loading;
  }

  /** A fraction, null (indeterminate) or hidden. */
  showProgress(fraction: number | null | 'hidden'): void {
    if (fraction === 'hidden') {
      this._progress.hidden = true;
    } else {
      setProgress(this._progress, fraction);
    }
  }

  setStatus(message: string, kind: StatusKind): void {
    this._status.textContent = message;
    this._status.dataset.kind = kind;
  }

  dispose(): void {
    if (!this.isDisposed) {
      Signal.clearData(this);
      super.dispose();
    }
  }

  private _model: HTMLInputElement;
  private _tokenizer: HTMLInputElement;
  private _load: HTMLButtonElement;
  private _cancel: HTMLButtonElement;
  private _progress: HTMLProgressElement;
  private _status: HTMLElement;
  private _loadRequested = new Signal<this, void>(this);
  private _browseRequested = new Signal<this, FileKind>(this);
  private _cancelRequested = new Signal<this, void>(this);
  private _exploreRequested = new Signal<this, void>(this);
}
