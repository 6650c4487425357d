/**
 * JupyterLab plugins of jupyterlab-char-attention (the MIME renderer is the
 * separate `mime.ts` entry).
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { labPlugins } from './lab/plugins';
import { explorerPlugin } from './lab/explorer/plugin';
import { PLUGIN_ID, settingsPlugin } from './render/settings-plugin';

export { PLUGIN_ID };

const plugins: JupyterFrontEndPlugin<any>[] = [
  settingsPlugin,
  ...labPlugins,
  explorerPlugin
];

export default plugins;
