/**
 * JupyterLab wiring of the model runner UI: the Attention Viewer command,
 * "Visualize Attention" on notebook outputs, "Open in Attention Viewer" in
 * the file browser, export/copy on rendered tables (context menu and hover
 * toolbar) and the optional static `text/html` copy.
 *
 * Menus and context-menu entries are declared in `schema/lab.json`.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILabShell, ILayoutRestorer } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import { fragmentOrEmpty } from './actions';
import { registerCommands } from './commands';
import type { ILabContext } from './context';
import { browserPath, createFilePicker } from './file-picker';
import { RunGuard } from './insert-output';
import { ModelSession } from './model-session';
import {
  LAB_PLUGIN_ID,
  LabSettings,
  labSettingsOf,
  rememberModel
} from './settings';
import { addHoverToolbar, addShellEntries } from './shell-entries';
import { StaticHtmlFallback } from './static-fallback';
import { createViewerTracker, openViewer } from './viewer';
import { TRANSLATION_DOMAIN } from '../table/translate';
import { poolSize, WorkerPool } from '../workers/pool';
import { spawnModelWorker } from '../workers/spawn-web-worker';

// Kept importable from here, where the plugins are defined.
export { CommandIDs } from './commands';

/**
 * Commands, viewer, menus (from `schema/lab.json`), launcher card and palette
 * entries. Settings: `jupyterlab-char-attention:lab`.
 */
const labPlugin: JupyterFrontEndPlugin<void> = {
  id: LAB_PLUGIN_ID,
  description:
    'Attention Viewer, "Visualize Attention" on notebook outputs, export and copy of attention tables.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [
    ISettingRegistry,
    ITranslator,
    ICommandPalette,
    ILauncher,
    IDocumentManager,
    IFileBrowserFactory,
    ILayoutRestorer,
    ILabShell
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    docManager: IDocumentManager | null,
    browserFactory: IFileBrowserFactory | null,
    restorer: ILayoutRestorer | null,
    labShell: ILabShell | null
  ) => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const settings = settingRegistry
      ? Private.loadSettings(settingRegistry, trans)
      : new LabSettings();

    const contents = app.serviceManager.contents;
    const session = new ModelSession({
      contents,
      client: new WorkerPool({
        spawn: () => Private.spawnWorker(),
        size: () =>
          poolSize(settings.current.workers, navigator.hardwareConcurrency)
      }),
      settings: () => settings.current,
      trans
    });
    const context: ILabContext = {
      app,
      notebooks,
      rendermime,
      contents,
      session,
      settings,
      trans,
      viewers: createViewerTracker(),
      guard: new RunGuard(),
      explicitTarget: null,
      pickFile: createFilePicker({
        docManager,
        translator,
        browserFactory,
        trans
      }),
      browserPath: () => browserPath(app, browserFactory),
      openViewer: () =>
        Private.revealInSidePanel(app, labShell, openViewer(context), trans),
      rememberModel: async (modelPath, tokenizerPath) =>
        settingRegistry
          ? rememberModel(
              settingRegistry,
              settings.current,
              modelPath,
              tokenizerPath
            )
          : false
    };

    registerCommands(context);
    addShellEntries(context, { palette, launcher, restorer });
    addHoverToolbar(context);
  }
};

/** Writes a static `text/html` table into char-attention outputs when enabled. */
const staticHtmlPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-char-attention:static-html',
  description:
    'Optional static text/html copy of attention tables for viewers without the extension.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    registry: ISettingRegistry | null
  ) => {
    if (!registry) {
      return;
    }
    const fallback = new StaticHtmlFallback(notebooks, payload =>
      fragmentOrEmpty(payload)
    );
    // The same settings object as the lab plugin's: read once.
    const { settings } = labSettingsOf(registry);
    fallback.enabled = settings.current.staticHtmlFallback;
    settings.changed.connect((_, current) => {
      fallback.enabled = current.staticHtmlFallback;
    });
  }
};

export const labPlugins: JupyterFrontEndPlugin<any>[] = [
  labPlugin,
  staticHtmlPlugin
];

namespace Private {
  /**
   * Notebook 7's shell (no ILabShell) shows a single widget in its main area,
   * the notebook or the file tree, and silently ignores a second one: the
   * viewer goes to the right side panel there, which `activateById` expands.
   */
  export function revealInSidePanel<T extends Widget>(
    app: JupyterFrontEnd,
    labShell: ILabShell | null,
    widget: T,
    trans: TranslationBundle
  ): T {
    if (labShell || widget.isAttached) {
      return widget;
    }
    app.shell.add(widget, 'right', { rank: 50 });
    if (!widget.isAttached) {
      Notification.error(
        trans.__(
          'The Attention Viewer cannot be shown: this application has no main or right area to put it in.'
        ),
        { autoClose: false }
      );
      return widget;
    }
    app.shell.activateById(widget.id);
    return widget;
  }

  /** Started on first use only: the worker bundle carries the model engine. */
  export function spawnWorker() {
    return spawnModelWorker();
  }

  /** Follow the user settings, warning about values that were ignored. */
  export function loadSettings(
    registry: ISettingRegistry,
    trans: TranslationBundle
  ): LabSettings {
    const { settings, ready } = labSettingsOf(registry);
    ready
      .then(() => {
        if (settings.problems.length > 0) {
          Notification.warning(
            trans.__(
              'Character Attention settings ignored: %1',
              settings.problems.join('; ')
            )
          );
        }
      })
      .catch(reason =>
        console.error(`Cannot load ${LAB_PLUGIN_ID} settings`, reason)
      );
    return settings;
  }
}
