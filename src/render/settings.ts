/**
 * Module-level display settings shared by every renderer: the settings plugin
 * writes them, renderers read them and re-render when they change.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { IDisplaySettings } from '../payload/normalize';

export class CharAttentionSettings {
  /** The current settings (payload options still win over them). */
  get current(): IDisplaySettings {
    return this._current;
  }

  /** Emitted with the new settings after every `update`. */
  get changed(): ISignal<this, IDisplaySettings> {
    return this._changed;
  }

  /** Replace the settings (fields left out fall back to the defaults). */
  update(next: IDisplaySettings): void {
    const cleaned: IDisplaySettings = {};
    for (const key of Object.keys(next) as Array<keyof IDisplaySettings>) {
      if (next[key] !== undefined && next[key] !== null) {
        (cleaned as any)[key] = next[key];
      }
    }
    if (JSON.stringify(cleaned) === JSON.stringify(this._current)) {
      return;
    }
    this._current = cleaned;
    this._changed.emit(cleaned);
  }

  private _current: IDisplaySettings = {};
  private _changed = new Signal<this, IDisplaySettings>(this);
}

/** The one store used by the plugin and every `RenderedCharAttention`. */
export const charAttentionSettings = new CharAttentionSettings();
