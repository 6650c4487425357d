/**
 * The viewer's "Display" section: colour map and characters per row,
 * applied over a payload's own options (changes are emitted; nothing is
 * recomputed).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { COLORMAP_NAMES } from '../../payload/types';
import type { ColormapName, IPayloadOptions } from '../../payload/types';
import { field, section, select } from './dom';

export interface IDisplayDefaults {
  colormap?: ColormapName;
  charsPerRow?: number;
}

export class DisplaySection extends Widget {
  constructor(trans: TranslationBundle, defaults: IDisplayDefaults) {
    super({ node: section(trans.__('Display'), 'jp-CharAttention-display') });
    // '' = the settings' map (RdBu for signed values such as occlusion).
    this._colormap = select(
      'jp-CharAttention-colormap',
      ['', ...COLORMAP_NAMES],
      { '': trans.__('default') }
    );
    this._colormap.value = '';
    this._colormap.title = trans.__(
      'default: %1, or RdBu centred on 0 for signed values',
      defaults.colormap ?? 'Reds'
    );
    this._charsPerRow = document.createElement('input');
    this._charsPerRow.type = 'number';
    this._charsPerRow.min = '1';
    this._charsPerRow.max = '1000';
    this._charsPerRow.className = 'jp-CharAttention-charsPerRow jp-mod-styled';
    // Empty: as many characters as fit the width.
    this._charsPerRow.placeholder = trans.__('fit width');
    this._charsPerRow.value =
      defaults.charsPerRow && defaults.charsPerRow > 0
        ? String(defaults.charsPerRow)
        : '';
    for (const control of [this._colormap, this._charsPerRow]) {
      control.addEventListener('change', () => this._changed.emit());
    }
    this.node.append(
      field(trans.__('Colour map'), this._colormap),
      field(trans.__('Characters per row'), this._charsPerRow)
    );
  }

  /** The colour map or the row width was changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A payload's options with the section's choices over them. */
  apply(options: IPayloadOptions = {}): IPayloadOptions {
    const result: IPayloadOptions = { ...options };
    const charsPerRow = parseInt(this._charsPerRow.value, 10);
    const colormap = COLORMAP_NAMES.find(c => c === this._colormap.value);
    if (colormap) {
      result.colormap = colormap;
    }
    if (Number.isInteger(charsPerRow) && charsPerRow > 0) {
      result.charsPerRow = charsPerRow;
    }
    return result;
  }

  /** Show a payload's own options in the controls. */
  showOptions(options: IPayloadOptions): void {
    if (options.colormap) {
      this._colormap.value = options.colormap;
    }
    if (typeof options.charsPerRow === 'number') {
      this._charsPerRow.value = String(options.charsPerRow);
    }
  }

  dispose(): void {
    if (!this.isDisposed) {
      Signal.clearData(this);
      super.dispose();
    }
  }

  private _colormap: HTMLSelectElement;
  private _charsPerRow: HTMLInputElement;
  private _changed = new Signal<this, void>(this);
}
