/**
 * Progress of a right-click "Visualize Attention" run, shown in the output
 * area it will add its table to: a progress bar, what is being done, and a
 * Cancel button. It is shown only when the run lasts (a fast run shows
 * nothing) and removed when the run ends. It is a node of its own, never an
 * output: the cell's outputs stay as they were until the table is added.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

export const OUTPUT_PROGRESS_CLASS = 'jp-CharAttention-outputProgress';

/** Runs shorter than this show no progress at all (no flash). */
export const OUTPUT_PROGRESS_DELAY_MS = 400;

export interface IOutputProgressOptions {
  /** The output area the run belongs to; the progress goes at its end. */
  host: HTMLElement;
  trans: TranslationBundle;
  /** Called once when the user presses Cancel. */
  onCancel: () => void;
  delayMs?: number;
}

export class OutputProgress {
  constructor(options: IOutputProgressOptions) {
    const { trans } = options;
    this._host = options.host;
    this._node = document.createElement('div');
    this._node.className = OUTPUT_PROGRESS_CLASS;
    this._node.setAttribute('role', 'status');
    this._node.setAttribute('aria-live', 'polite');
    this._bar = document.createElement('progress');
    this._bar.className = 'jp-CharAttention-outputProgressBar';
    this._bar.max = 1;
    this._bar.setAttribute('aria-label', trans.__('Progress'));
    this._text = document.createElement('span');
    this._text.className = 'jp-CharAttention-outputProgressText';
    this._text.textContent = trans.__('Visualizing attention…');
    this._cancel = document.createElement('button');
    this._cancel.type = 'button';
    this._cancel.className =
      'jp-CharAttention-outputProgressCancel jp-Button jp-mod-styled jp-mod-reject';
    this._cancel.textContent = trans.__('Cancel');
    this._cancel.title = trans.__(
      'Stop this run; the outputs stay as they are'
    );
    this._cancel.addEventListener('click', () => {
      if (!this._cancel.disabled) {
        this._cancel.disabled = true;
        this._text.textContent = trans.__('Cancelling…');
        options.onCancel();
      }
    });
    this._node.append(this._bar, this._text, this._cancel);
    this._timer = window.setTimeout(
      () => this._attach(),
      options.delayMs ?? OUTPUT_PROGRESS_DELAY_MS
    );
  }

  /** The progress node (attached to the output area only while shown). */
  get node(): HTMLElement {
    return this._node;
  }

  /** Shows how far the run is: a fraction (null: unknown) and a message. */
  update(fraction: number | null, message: string): void {
    if (this._cancel.disabled) {
      return;
    }
    if (fraction === null || !Number.isFinite(fraction)) {
      this._bar.removeAttribute('value');
    } else {
      this._bar.value = Math.min(1, Math.max(0, fraction));
    }
    this._text.textContent = message;
  }

  /** Removes the progress (the run ended, one way or another). */
  dispose(): void {
    window.clearTimeout(this._timer);
    this._node.remove();
  }

  private _attach(): void {
    if (this._host.isConnected) {
      this._host.append(this._node);
    }
  }

  private _host: HTMLElement;
  private _node: HTMLElement;
  private _bar: HTMLProgressElement;
  private _text: HTMLElement;
  private _cancel: HTMLButtonElement;
  private _timer: number;
}
