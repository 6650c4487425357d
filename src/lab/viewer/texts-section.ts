/**
 * The viewer's "Texts" section: one text per line; every edit is emitted
 * (the panel debounces and computes).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { section } from './dom';

export class TextsSection extends Widget {
  constructor(trans: TranslationBundle) {
    super({ node: section(trans.__('Texts'), 'jp-CharAttention-panelTexts') });
    this._input = document.createElement('textarea');
    this._input.className = 'jp-CharAttention-texts jp-mod-styled';
    this._input.rows = 4;
    this._input.spellcheck = false;
    this._input.placeholder = trans.__('One text per line');
    this._input.setAttribute('aria-label', trans.__('Texts, one per line'));
    this._input.addEventListener('input', () => this._edited.emit());
    this.node.append(this._input);
  }

  /** The user edited the texts. */
  get edited(): ISignal<this, void> {
    return this._edited;
  }

  /** One text per non-empty line. */
  get texts(): string[] {
    return this._input.value.split(/\r?\n/).filter(line => line.trim() !== '');
  }

  /** Replace the texts (not an edit: nothing is emitted). */
  setTexts(texts: string[]): void {
    this._input.value = texts.join('\n');
  }

  dispose(): void {
    if (!this.isDisposed) {
      Signal.clearData(this);
      super.dispose();
    }
  }

  private _input: HTMLTextAreaElement;
  private _edited = new Signal<this, void>(this);
}
