/**
 * Opening an Attention Explorer (loaded on first use: the DataGrid, the text
 * encoding and the model workers stay out of the page until then). One
 * worker pool and model session serve every explorer; the remembered model
 * choices live in the plugin's settings. JupyterLab shows the explorer in
 * the main area; Notebook 7 (one document per page) in the right panel.
 */
import type { JupyterFrontEnd, ILabShell } from '@jupyterlab/application';
import type { IThemeManager, WidgetTracker } from '@jupyterlab/apputils';
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import { SplitPanel, Widget } from '@lumino/widgets';
import { isExplainMethod } from '../../explain/registry';
import { poolSize, WorkerPool } from '../../workers/pool';
import { spawnModelWorker } from '../../workers/spawn-web-worker';
import { siblingTokenizer } from '../actions';
import { charAttentionIcon } from '../icon';
import { ModelSession } from '../model-session';
import { LabSettings, labSettingsOf } from '../settings';
import type { IRunChoices } from './controls';
import { AttentionExplorer } from './explorer-widget';
import { EXPLORER_PLUGIN_ID } from './ids';
import { ExplorerRunner } from './runner';

export interface IOpenExplorerOptions {
  app: JupyterFrontEnd;
  path: string;
  tracker: WidgetTracker<MainAreaWidget<AttentionExplorer>>;
  notebooks: INotebookTracker;
  rendermime: IRenderMimeRegistry;
  registry: ISettingRegistry | null;
  trans: TranslationBundle;
  pickFile(kind: 'model' | 'tokenizer', near?: string): Promise<string | null>;
  labShell: ILabShell | null;
  themes: IThemeManager | null;
  /** Model choices that replace the remembered ones (the viewer's model). */
  model?: { modelPath: string; tokenizerPath: string } | null;
}

/** Opens (or reveals) the explorer of `path`. */
export async function openExplorer(
  options: IOpenExplorerOptions
): Promise<MainAreaWidget<AttentionExplorer>> {
  const { app, path, tracker, labShell } = options;
  const existing = tracker.find(w => w.content.title.caption === path);
  if (existing) {
    if (options.model) {
      existing.content.setChoices(options.model);
    }
    app.shell.activateById(existing.id);
    return existing;
  }
  const shared = Private.sharedState(options);
  const remembered = {
    ...(await Private.remembered(options.registry, shared.lab)),
    ...options.model
  };
  const explorer = new AttentionExplorer({
    path,
    runner: shared.runner,
    rendermime: options.rendermime,
    notebooks: options.notebooks,
    trans: options.trans,
    pickFile: options.pickFile,
    siblingTokenizer: model =>
      siblingTokenizer(app.serviceManager.contents, model),
    remembered,
    remember: choices => Private.remember(options.registry, choices)
  });
  const widget = new MainAreaWidget({ content: explorer });
  widget.id = explorer.id;
  widget.title.icon = charAttentionIcon;
  widget.title.label = explorer.title.label;
  widget.title.caption = path;
  widget.title.closable = true;
  void tracker.add(widget);
  options.themes?.themeChanged.connect(() => explorer.refreshTheme());
  app.shell.add(widget, labShell ? 'main' : 'right', { rank: 60 });
  app.shell.activateById(widget.id);
  if (!labShell) {
    Private.widenSidePanel(widget);
  }
  return widget;
}

namespace Private {
  /**
   * Notebook 7 puts side panels in a split with the page at 1 : 2.5 : 1; a
   * grid needs more: the right panel gets half of the width (the user can
   * drag the handle back).
   */
  export function widenSidePanel(widget: Widget): void {
    let node: Widget | null = widget.parent;
    while (node && !(node instanceof SplitPanel)) {
      node = node.parent;
    }
    if (node instanceof SplitPanel && node.widgets.length === 3) {
      const sizes = node.relativeSizes();
      const side = Math.max(sizes[2], sizes[1]);
      node.setRelativeSizes([sizes[0], side, side]);
    }
  }

  interface IShared {
    runner: ExplorerRunner;
    lab: LabSettings;
  }

  let state: IShared | null = null;

  /** One model session and worker pool for every explorer. */
  export function sharedState(options: IOpenExplorerOptions): IShared {
    if (!state) {
      const lab = options.registry
        ? labSettingsOf(options.registry).settings
        : new LabSettings();
      const contents = options.app.serviceManager.contents;
      const session = new ModelSession({
        contents,
        client: new WorkerPool({
          spawn: () => spawnModelWorker(),
          size: () =>
            poolSize(lab.current.workers, navigator.hardwareConcurrency)
        }),
        settings: () => lab.current
      });
      state = {
        runner: new ExplorerRunner(contents, session),
        lab
      };
    }
    return state;
  }

  /** The last model choices, else the lab's default model and tokenizer. */
  export async function remembered(
    registry: ISettingRegistry | null,
    lab: LabSettings
  ): Promise<Partial<IRunChoices>> {
    const fallback = {
      modelPath: lab.current.modelPath,
      tokenizerPath: lab.current.tokenizerPath
    };
    if (!registry) {
      return fallback;
    }
    try {
      const settings = await registry.load(EXPLORER_PLUGIN_ID);
      const get = (key: string) => settings.get(key).composite;
      const text = (key: string) => {
        const value = get(key);
        return typeof value === 'string' ? value : '';
      };
      const methods = get('methods');
      return {
        modelPath: text('modelPath') || fallback.modelPath,
        tokenizerPath: text('tokenizerPath') || fallback.tokenizerPath,
        classes: text('classes'),
        ...(Array.isArray(methods)
          ? {
              methods: methods.filter(isExplainMethod)
            }
          : {})
      };
    } catch {
      return fallback;
    }
  }

  /** Writes the choices of a successful load into the plugin's settings. */
  export function remember(
    registry: ISettingRegistry | null,
    choices: IRunChoices
  ): void {
    if (!registry) {
      return;
    }
    registry
      .load(EXPLORER_PLUGIN_ID)
      .then(async settings => {
        await settings.set('modelPath', choices.modelPath);
        await settings.set('tokenizerPath', choices.tokenizerPath);
        await settings.set('methods', choices.methods);
        await settings.set('classes', choices.classes);
      })
      .catch(reason =>
        console.warn(`Cannot remember the explorer's model choices`, reason)
      );
  }
}
