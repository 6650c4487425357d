/**
 * The display-settings plugin: user settings -> every attention renderer.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IDisplaySettings } from '../payload/normalize';
import { TRANSLATION_DOMAIN } from '../table/translate';
import { charAttentionSettings } from './settings';

/** Plugin id; also the settings id of `schema/plugin.json`. */
export const PLUGIN_ID = 'jupyterlab-char-attention:plugin';

/**
 * Loads the user settings and pushes them to every attention renderer
 * (payload options still win over them).
 */
export const settingsPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Display settings of the character attention renderer (colour map, characters per row, ...).',
  autoStart: true,
  optional: [ISettingRegistry, ITranslator],
  activate: async (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): Promise<void> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    if (!settingRegistry) {
      return;
    }
    try {
      const settings = await settingRegistry.load(PLUGIN_ID);
      const apply = () =>
        charAttentionSettings.update(
          Private.displaySettings(settings.composite)
        );
      apply();
      settings.changed.connect(apply);
    } catch (error) {
      console.warn(
        trans.__(
          'Character attention: settings could not be loaded: %1',
          String(error)
        )
      );
    }
  }
};

namespace Private {
  /** Settings values -> display settings (unknown values are ignored). */
  export function displaySettings(composite: {
    [key: string]: unknown;
  }): IDisplaySettings {
    const result: IDisplaySettings = {};
    if (typeof composite.colormap === 'string') {
      result.colormap = composite.colormap as IDisplaySettings['colormap'];
    }
    if (typeof composite.charsPerRow === 'number') {
      result.charsPerRow = composite.charsPerRow;
    }
    if (typeof composite.normalize === 'string') {
      result.normalize = composite.normalize as IDisplaySettings['normalize'];
    }
    if (typeof composite.precision === 'number') {
      result.precision = composite.precision;
    }
    if (typeof composite.showWhitespace === 'boolean') {
      result.showWhitespace = composite.showWhitespace;
    }
    return result;
  }
}
