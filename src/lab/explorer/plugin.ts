/**
 * The Attention Explorer plugin (`jupyterlab-char-attention:explorer`):
 * the command "Open in Attention Explorer" (file browser context menu on
 * CSV, TSV and JSONL files, declared in `schema/explorer.json`; palette
 * "Open Attention Explorer…" asks for the file), and the remembered model
 * choices (this plugin's settings). The explorer itself, the DataGrid and
 * the model workers load on first use.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILabShell } from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import type {
  ReadonlyJSONObject,
  ReadonlyPartialJSONObject
} from '@lumino/coreutils';
import { formatFromName } from '../../evaluate/labelled-file';
import { browserPath, createFilePicker } from '../file-picker';
import { charAttentionIcon } from '../icon';
import type { AttentionExplorer } from './explorer-widget';
import { EXPLORER_PLUGIN_ID, ExplorerCommandIDs } from './ids';
import type { IOpenExplorerOptions } from './open';

export { EXPLORER_PLUGIN_ID, ExplorerCommandIDs };

/** A file the explorer reads (by its name). */
export function isExplorerFile(path: string): boolean {
  const format = formatFromName(path);
  return format === 'csv' || format === 'tsv' || format === 'jsonl';
}

export const explorerPlugin: JupyterFrontEndPlugin<void> = {
  id: EXPLORER_PLUGIN_ID,
  description:
    'Attention Explorer: run a model over a labelled CSV/TSV/JSONL file, sort and filter the rows, see why each was predicted.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [
    ISettingRegistry,
    ITranslator,
    ICommandPalette,
    IDocumentManager,
    IFileBrowserFactory,
    ILabShell,
    IThemeManager
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    registry: ISettingRegistry | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    docManager: IDocumentManager | null,
    browserFactory: IFileBrowserFactory | null,
    labShell: ILabShell | null,
    themes: IThemeManager | null
  ) => {
    const trans = (translator ?? nullTranslator).load(
      'jupyterlab_char_attention'
    );
    Private.addOpenCommand({
      app,
      tracker: new WidgetTracker<MainAreaWidget<AttentionExplorer>>({
        namespace: 'char-attention-explorer'
      }),
      notebooks,
      rendermime,
      registry,
      trans,
      pickFile: createFilePicker({
        docManager,
        translator,
        browserFactory,
        trans
      }),
      labShell,
      themes,
      translator,
      docManager,
      browserFactory
    });
    palette?.addItem({
      command: ExplorerCommandIDs.open,
      category: trans.__('Character Attention'),
      args: { isPalette: true }
    });
  }
};

namespace Private {
  /** What the open command needs: the explorer's own options, and what finds the file. */
  export interface IOpenCommandContext extends Omit<
    IOpenExplorerOptions,
    'path' | 'model'
  > {
    translator: ITranslator | null;
    docManager: IDocumentManager | null;
    browserFactory: IFileBrowserFactory | null;
  }

  /** "Open in Attention Explorer" (context menu) / "Open Attention Explorer…" (palette). */
  export function addOpenCommand(context: IOpenCommandContext): void {
    const { app, trans } = context;
    // The explorer's code is imported at the first open only.
    let opener: Promise<typeof import('./open')> | null = null;
    app.commands.addCommand(ExplorerCommandIDs.open, {
      label: args =>
        args.isPalette
          ? trans.__('Open Attention Explorer…')
          : trans.__('Open in Attention Explorer'),
      caption: trans.__(
        'Run a model over every row of a labelled file, sort and filter the rows, and see which characters drove each prediction'
      ),
      icon: args => (args.isPalette ? undefined : charAttentionIcon),
      describedBy: { args: openArgsSchema(trans) },
      execute: async args => {
        const model = modelArgs(args);
        const path = await dataPath(context, args, model !== null);
        if (!path) {
          return null;
        }
        opener ??= import('./open');
        const { openExplorer } = await opener;
        try {
          // The explorer reads its own options; the file finders it ignores.
          return await openExplorer({ ...context, path, model });
        } catch (error) {
          Notification.error((error as Error).message ?? String(error), {
            autoClose: 8000
          });
          return null;
        }
      }
    });
  }

  /** The open command's arguments, described for the command's callers. */
  export function openArgsSchema(trans: TranslationBundle): ReadonlyJSONObject {
    return {
      type: 'object',
      properties: {
        path: {
          type: 'string',
          description: trans.__('The CSV, TSV or JSONL file to explore')
        },
        modelPath: {
          type: 'string',
          description: trans.__(
            'The model to fill in (without a path, the file is asked for)'
          )
        },
        tokenizerPath: {
          type: 'string',
          description: trans.__('Its tokenizer JSON (empty: the model’s own)')
        }
      }
    };
  }

  /**
   * The file to explore: the command's `path`, else the file selected in
   * the browser; from the palette or with a model (the viewer's button), or
   * when that is no labelled file, the one the user picks ('' when none).
   */
  export async function dataPath(
    context: IOpenCommandContext,
    args: ReadonlyPartialJSONObject,
    withModel: boolean
  ): Promise<string> {
    const path =
      typeof args.path === 'string' && args.path
        ? args.path
        : args.isPalette || withModel
          ? ''
          : browserPath(context.app, context.browserFactory);
    if (path && isExplorerFile(path)) {
      return path;
    }
    return (await pickDataFile(context)) ?? '';
  }

  /** A labelled file chosen in the file dialog, or null. */
  export async function pickDataFile(
    context: IOpenCommandContext
  ): Promise<string | null> {
    const { docManager, translator, trans } = context;
    if (!docManager) {
      return null;
    }
    const result = await FileDialog.getOpenFiles({
      manager: docManager,
      translator: translator ?? nullTranslator,
      title: trans.__('Choose a labelled file (.csv, .tsv or .jsonl)'),
      filter: model =>
        model.type === 'directory' || isExplorerFile(model.path) ? {} : null
    });
    const file = result.button.accept
      ? result.value?.find(item => item.type !== 'directory')
      : null;
    return file ? file.path : null;
  }

  /** The model choices given to the command, or null. */
  export function modelArgs(
    args: ReadonlyPartialJSONObject
  ): { modelPath: string; tokenizerPath: string } | null {
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const modelPath = text(args.modelPath);
    return modelPath
      ? { modelPath, tokenizerPath: text(args.tokenizerPath) }
      : null;
  }
}
