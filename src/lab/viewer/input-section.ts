/**
 * The viewer's "Input" section: what the loader found (format, layers,
 * vocabulary, attention layer, tokenizer), everything it inferred rather
 * than read, and the input choices: attention layer, maxlen, padding,
 * truncating. Changes are emitted; the panel applies them to the session.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { formatDims } from '../../model/shapes';
import type { IModelInfo } from '../../model/types';
import type { Side } from '../../text/tokenizer';
import type { IEffectiveInput, IInputChoices } from '../model-session';
import { field, nextId, section, select, textInput } from './dom';

/** What the section shows of a loaded model. */
export interface IModelFacts {
  info: IModelInfo;
  input: IEffectiveInput;
  /** The tokenizer in words (a file, or the model's own layer). */
  tokenizer: string;
}

export class InputSection extends Widget {
  constructor(trans: TranslationBundle) {
    super({ node: section(trans.__('Input'), 'jp-CharAttention-detected') });
    this._trans = trans;
    this._info = document.createElement('div');
    this._info.className = 'jp-CharAttention-modelInfo';
    this._info.textContent = trans.__('No model loaded.');
    this._inferences = document.createElement('ul');
    this._inferences.className = 'jp-CharAttention-inferences';
    this._inferences.setAttribute(
      'aria-label',
      trans.__('Inferred, not read from the file')
    );
    this._layer = textInput('jp-CharAttention-layer', trans.__('automatic'));
    this._layers = document.createElement('datalist');
    this._layers.id = `jp-CharAttention-layers-${nextId()}`;
    this._layer.setAttribute('list', this._layers.id);
    this._layer.title = trans.__(
      'Layer whose output is the attention (reloads the model)'
    );
    this._layer.addEventListener('change', () =>
      this._layerChanged.emit(this._layer.value.trim() || null)
    );
    this._maxlen = document.createElement('input');
    this._maxlen.type = 'number';
    this._maxlen.min = '1';
    this._maxlen.className = 'jp-CharAttention-maxlen jp-mod-styled';
    this._maxlen.addEventListener('change', () => {
      const value = parseInt(this._maxlen.value, 10);
      this._inputChanged.emit({
        maxlen: Number.isInteger(value) && value > 0 ? value : null
      });
    });
    this._padding = select('jp-CharAttention-padding', ['pre', 'post']);
    this._truncating = select('jp-CharAttention-truncating', ['pre', 'post']);
    for (const [element, key] of [
      [this._padding, 'padding'],
      [this._truncating, 'truncating']
    ] as const) {
      element.addEventListener('change', () =>
        this._inputChanged.emit({ [key]: element.value as Side })
      );
    }
    this.node.append(
      this._info,
      this._inferences,
      field(trans.__('Attention layer'), this._layer, this._layers),
      field(trans.__('Input length (maxlen)'), this._maxlen),
      field(trans.__('Padding'), this._padding),
      field(trans.__('Truncating'), this._truncating)
    );
  }

  /** The attention layer was changed (null: found automatically). */
  get layerChanged(): ISignal<this, string | null> {
    return this._layerChanged;
  }
  /** maxlen, padding or truncating was changed. */
  get inputChanged(): ISignal<this, Partial<IInputChoices>> {
    return this._inputChanged;
  }

  /** Before a model is loaded: the settings' choices. */
  showDefaults(defaults: {
    maxlen: number | null;
    padding: Side;
    truncating: Side;
  }): void {
    this._padding.value = defaults.padding;
    this._truncating.value = defaults.truncating;
    if (defaults.maxlen !== null) {
      this._maxlen.value = String(defaults.maxlen);
    }
  }

  showModel(facts: IModelFacts): void {
    const { info, input } = facts;
    const trans = this._trans;
    const format = `${info.format}${info.kerasVersion ? ` (Keras ${info.kerasVersion})` : ''}`;
    const attention = info.attentionLayer
      ? trans.__(
          'attention from %1 (%2)',
          info.attentionLayer,
          info.attentionChosenBy === 'name'
            ? trans.__('by name')
            : trans.__('found automatically')
        )
      : trans.__('no attention layer: occlusion and gradient methods only');
    this._info.textContent = trans.__(
      'Format %1 · %2 layers · vocabulary %3 · %4 · tokenizer: %5',
      format,
      info.layers.length,
      info.vocabularySize ?? '?',
      attention,
      facts.tokenizer
    );
    this._inferences.replaceChildren(
      ...(info.inferences ?? []).map(text =>
        this._item(trans.__('Inferred: %1', text))
      )
    );
    this._layer.value = info.attentionLayer ?? '';
    this._layers.replaceChildren(
      ...info.layers.map(layer => {
        const option = document.createElement('option');
        option.value = layer.name;
        option.label = `${layer.className} [batch, ${formatDims(layer.outputShape)}]`;
        return option;
      })
    );
    this._maxlen.value = input.maxlen === null ? '' : String(input.maxlen);
    this._maxlen.placeholder =
      input.lengths === 'own' ? trans.__('each text’s own length') : '';
    this._padding.value = input.padding;
    this._truncating.value = input.truncating;
  }

  /** No model: none of a previous model's facts, the settings' choices. */
  showEmpty(defaults: {
    maxlen: number | null;
    padding: Side;
    truncating: Side;
  }): void {
    this._info.textContent = this._trans.__('No model loaded.');
    this._inferences.replaceChildren();
    this._layers.replaceChildren();
    this._layer.value = '';
    this._maxlen.value = '';
    this._maxlen.placeholder = '';
    this.showDefaults(defaults);
  }

  dispose(): void {
    if (!this.isDisposed) {
      Signal.clearData(this);
      super.dispose();
    }
  }

  private _item(text: string): HTMLLIElement {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }

  private _trans: TranslationBundle;
  private _info: HTMLElement;
  private _inferences: HTMLUListElement;
  private _layer: HTMLInputElement;
  private _layers: HTMLDataListElement;
  private _maxlen: HTMLInputElement;
  private _padding: HTMLSelectElement;
  private _truncating: HTMLSelectElement;
  private _layerChanged = new Signal<this, string | null>(this);
  private _inputChanged = new Signal<this, Partial<IInputChoices>>(this);
}
