/**
 * JupyterLab wiring of the model runner UI: the Attention Viewer command,
 * "Visualize attention" on notebook outputs, "Open in Attention Viewer" in
 * the file browser, export/copy on rendered tables (context menu and hover
 * toolbar) and the optional static `text/html` copy.
 *
 * Menus and context-menu entries are declared in `schema/lab.json`.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import {
  FileDialog,
  IDefaultFileBrowser,
  IFileBrowserFactory
} from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { charAttentionSettings } from '../render/settings';
import type { Payload } from '../payload/types';
import {
  copyPayloadHtml,
  copyPayloadTsv,
  downloadHtml,
  payloadHtml,
  saveHtmlFile
} from './export';
import { basenameOf, dirnameOf, joinPath, stemOf } from './export-path';
import { HoverToolbar } from './hover-toolbar';
import { charAttentionIcon } from './icon';
import {
  appendOutputOnce,
  buildDisplayOutput,
  computationKey,
  RunGuard
} from './insert-output';
import { folderEntryNames, isModelPath } from './model-files';
import { ModelSession } from './model-session';
import { textsFromOutput } from './output-text';
import { AttentionViewer, createAttentionPanel } from './panel';
import { LAB_PLUGIN_ID, LabSettings } from './settings';
import { StaticHtmlFallback } from './static-fallback';
import {
  contextMenuNode,
  findOutputTarget,
  findTableTarget,
  OUTPUT_CHILD_CLASS,
  payloadOf,
  RENDERED_CLASS,
  selectionInside
} from './targets';
import type { ITableTarget } from './targets';
import { RequestCancelledError, WorkerClient } from './worker-client';
import { MODEL_WORKER_CODEC } from './worker-codec';
import { spawnModelWorker } from './worker-spawn';

/** Command ids of the model runner UI. */
export namespace CommandIDs {
  export const open = 'char-attention:open';
  export const visualizeOutput = 'char-attention:visualize-output';
  export const openModel = 'char-attention:open-model';
  export const exportHtml = 'char-attention:export-html';
  export const copyHtml = 'char-attention:copy-html';
  export const copyTsv = 'char-attention:copy-tsv';
}

const PALETTE_CATEGORY = 'Character Attention';
const TRANSLATION_DOMAIN = 'jupyterlab_char_attention';

/**
 * Commands, viewer, menus (from `schema/lab.json`), launcher card and palette
 * entries. Settings: `jupyterlab-char-attention:lab`.
 */
const labPlugin: JupyterFrontEndPlugin<void> = {
  id: LAB_PLUGIN_ID,
  description:
    'Attention Viewer, "Visualize attention" on notebook outputs, export and copy of attention tables.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [
    ISettingRegistry,
    ITranslator,
    ICommandPalette,
    ILauncher,
    IDocumentManager,
    IFileBrowserFactory,
    IDefaultFileBrowser,
    ILayoutRestorer
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
    defaultBrowser: IDefaultFileBrowser | null,
    restorer: ILayoutRestorer | null
  ) => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const settings = new LabSettings();
    if (settingRegistry) {
      settingRegistry
        .load(LAB_PLUGIN_ID)
        .then(loaded => {
          settings.follow(loaded);
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
    }

    const contents = app.serviceManager.contents;
    const session = new ModelSession({
      contents,
      client: new WorkerClient(() => Private.spawnWorker(), MODEL_WORKER_CODEC),
      settings: () => settings.current
    });
    const guard = new RunGuard();
    const viewers = new WidgetTracker<MainAreaWidget<AttentionViewer>>({
      namespace: 'char-attention-viewer'
    });
    let explicitTarget: HTMLElement | null = null;

    const pickFile = async (
      kind: 'model' | 'tokenizer',
      near?: string
    ): Promise<string | null> => {
      if (!docManager) {
        const selected = Private.selectedPath(browserFactory, defaultBrowser);
        return selected || null;
      }
      const result = await FileDialog.getOpenFiles({
        manager: docManager,
        translator: translator ?? nullTranslator,
        defaultPath: near
          ? dirnameOf(near)
          : (browserFactory?.tracker.currentWidget ?? defaultBrowser)?.model
              .path,
        title:
          kind === 'model'
            ? trans.__('Choose a model (.h5, .keras or model.json)')
            : trans.__('Choose the tokenizer JSON'),
        filter: model =>
          model.type === 'directory' ||
          (kind === 'model'
            ? isModelPath(model.path)
            : /\.json$/i.test(model.path))
            ? {}
            : null
      });
      const file = result.button.accept
        ? result.value?.find(item => item.type !== 'directory')
        : null;
      return file ? file.path : null;
    };

    const openViewer = (): MainAreaWidget<AttentionViewer> => {
      let widget = viewers.currentWidget;
      if (!widget || widget.isDisposed) {
        widget = createAttentionPanel({
          session,
          settings,
          rendermime,
          trans,
          displayDefaults: () => charAttentionSettings.current,
          actions: {
            pickFile,
            insertIntoNotebook: (payload, key) =>
              Private.insertIntoActiveCell(notebooks, payload, key, trans),
            exportHtml: payload =>
              Private.exportHtml(
                contents,
                payload,
                notebooks.currentWidget?.context.path ?? '',
                trans
              ),
            copyTsv: payload => Private.copyTsv(payload, trans),
            notifyError: message =>
              Notification.error(message, { autoClose: 8000 })
          }
        });
        widget.title.icon = charAttentionIcon;
        void viewers.add(widget);
      }
      if (!widget.isAttached) {
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
      return widget;
    };

    /** Load a model with a progress notification (the user stays where they are). */
    const loadWithNotification = async (
      modelPath: string,
      tokenizerPath: string
    ): Promise<boolean> => {
      const id = Notification.emit(
        trans.__('Loading %1…', basenameOf(modelPath)),
        'in-progress',
        {
          autoClose: false,
          progress: 0,
          actions: [
            {
              label: trans.__('Cancel'),
              caption: trans.__('Stop loading the model'),
              callback: () => session.cancelLoad()
            }
          ]
        }
      );
      try {
        await session.load(modelPath, tokenizerPath, progress =>
          Notification.update({
            id,
            message: progress.message,
            progress: progress.fraction ?? undefined
          })
        );
        Notification.update({
          id,
          type: 'success',
          message: trans.__('Loaded %1', basenameOf(modelPath)),
          progress: undefined,
          actions: [],
          autoClose: 3000
        });
        return true;
      } catch (error) {
        const cancelled = error instanceof RequestCancelledError;
        Notification.update({
          id,
          type: cancelled ? 'info' : 'error',
          message: cancelled
            ? trans.__('Model loading was cancelled.')
            : trans.__(
                'Could not load the model: %1',
                Private.messageOf(error)
              ),
          progress: undefined,
          actions: [],
          autoClose: cancelled ? 3000 : 10000
        });
        return false;
      }
    };

    /** Make sure a model is loaded: from settings, else by asking for the files. */
    const ensureModel = async (): Promise<boolean> => {
      if (session.isReady) {
        return true;
      }
      let modelPath = session.modelPath || settings.current.modelPath;
      let tokenizerPath =
        session.tokenizerPath || settings.current.tokenizerPath;
      if (!modelPath) {
        Notification.info(trans.__('Choose a model to visualize attention.'), {
          autoClose: 4000
        });
        modelPath = (await pickFile('model')) ?? '';
        if (!modelPath) {
          return false;
        }
      }
      if (!tokenizerPath) {
        tokenizerPath =
          (await Private.siblingTokenizer(contents, modelPath)) ?? '';
      }
      if (!tokenizerPath) {
        tokenizerPath = (await pickFile('tokenizer', modelPath)) ?? '';
        if (!tokenizerPath) {
          return false;
        }
      }
      return loadWithNotification(modelPath, tokenizerPath);
    };

    const tableTarget = (): ITableTarget | null => {
      const node =
        explicitTarget ??
        contextMenuNode(app, RENDERED_CLASS) ??
        (document.activeElement?.closest(
          `.${RENDERED_CLASS}`
        ) as HTMLElement | null) ??
        null;
      const hosts = Private.viewerHosts(viewers);
      if (node) {
        return findTableTarget(notebooks, hosts, node);
      }
      // From the palette: the table of the Attention Viewer in front.
      const current = app.shell.currentWidget;
      const viewer = viewers.find(widget => widget === current);
      const payload = viewer?.content.payload;
      return payload
        ? {
            payload,
            node: viewer!.node,
            documentPath: notebooks.currentWidget?.context.path ?? ''
          }
        : null;
    };

    app.commands.addCommand(CommandIDs.open, {
      label: args =>
        args.isPalette
          ? trans.__('Open Attention Viewer')
          : trans.__('Visualize Attention…'),
      caption: trans.__(
        'Pick a model and tokenizer, type texts and see which characters the model attends to'
      ),
      icon: args => (args.isPalette ? undefined : charAttentionIcon),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            modelPath: {
              type: 'string',
              description: trans.__('Model file to load')
            },
            tokenizerPath: {
              type: 'string',
              description: trans.__('Tokenizer JSON to load')
            },
            texts: {
              type: 'array',
              items: { type: 'string' },
              description: trans.__('Texts to show')
            },
            payload: {
              type: 'object',
              description: trans.__('A payload to show')
            }
          }
        }
      },
      execute: async args => {
        const widget = openViewer();
        const viewer = widget.content;
        const payload = args.payload as ReadonlyPartialJSONObject | undefined;
        if (payload && typeof payload === 'object') {
          viewer.showPayload(payload as unknown as Payload);
        }
        if (Array.isArray(args.texts)) {
          viewer.setTexts((args.texts as unknown[]).map(String));
        }
        if (typeof args.modelPath === 'string' && args.modelPath) {
          await viewer.openModel(
            args.modelPath,
            typeof args.tokenizerPath === 'string'
              ? args.tokenizerPath
              : undefined
          );
        }
        return widget;
      }
    });

    app.commands.addCommand(CommandIDs.visualizeOutput, {
      label: trans.__('Visualize Attention'),
      caption: trans.__(
        'Run the current model on the text of this output (or the selected part) and show its attention below it'
      ),
      icon: charAttentionIcon,
      describedBy: { args: { type: 'object', properties: {} } },
      isVisible: () => !!contextMenuNode(app, OUTPUT_CHILD_CLASS),
      execute: async () => {
        const node = contextMenuNode(app, OUTPUT_CHILD_CLASS);
        const target = findOutputTarget(notebooks, node);
        if (!target) {
          Notification.warning(
            trans.__(
              'Right-click a notebook output to visualize its attention.'
            ),
            {
              autoClose: 5000
            }
          );
          return;
        }
        const existing = payloadOf(target.output.data);
        if (existing) {
          openViewer().content.showPayload(existing);
          return;
        }
        const found = textsFromOutput(
          target.output.data,
          selectionInside(target.node)
        );
        if (!found.ok) {
          Notification.warning(
            trans.__('Nothing to visualize: %1', found.reason),
            { autoClose: 6000 }
          );
          return;
        }
        const cellId = target.cell.model.id;
        const result = await guard.run(
          `${cellId}:${computationKey(found.texts)}`,
          async () => {
            if (!(await ensureModel())) {
              return 'no-model';
            }
            let prediction;
            try {
              prediction = await session.predict(found.texts, {
                refuseTruncation: true
              });
            } catch (error) {
              Notification.error(
                trans.__(
                  'Could not visualize attention: %1',
                  Private.messageOf(error)
                ),
                {
                  autoClose: 8000
                }
              );
              return 'failed';
            }
            if (target.cell.isDisposed) {
              return 'failed';
            }
            const key = computationKey([
              session.modelPath,
              prediction.input,
              found.texts
            ]);
            const output = buildDisplayOutput(prediction.payload, {
              key,
              html: Private.fragmentOrEmpty(prediction.payload)
            });
            return appendOutputOnce(target.cell.model.outputs, output);
          }
        );
        if (result === null) {
          Notification.info(
            trans.__('Attention for this output is already being computed.'),
            {
              autoClose: 3000
            }
          );
        } else if (result === 'duplicate') {
          Notification.info(
            trans.__('This attention table is already in the cell.'),
            {
              autoClose: 3000
            }
          );
        }
      }
    });

    app.commands.addCommand(CommandIDs.openModel, {
      label: trans.__('Open in Attention Viewer'),
      caption: trans.__('Load this model in the Attention Viewer'),
      icon: charAttentionIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: { type: 'string', description: trans.__('Model file path') }
          }
        }
      },
      isVisible: args =>
        isModelPath(
          typeof args.path === 'string'
            ? args.path
            : Private.browserPath(app, browserFactory, defaultBrowser)
        ),
      execute: async args => {
        const path =
          typeof args.path === 'string'
            ? args.path
            : Private.browserPath(app, browserFactory, defaultBrowser);
        if (!isModelPath(path)) {
          Notification.warning(
            trans.__('%1 is not a .h5, .keras or model.json file.', path || '?')
          );
          return;
        }
        const viewer = openViewer().content;
        const tokenizer =
          settings.current.tokenizerPath ||
          (await Private.siblingTokenizer(contents, path)) ||
          undefined;
        await viewer.openModel(path, tokenizer);
      }
    });

    const tableCommand = (
      id: string,
      label: string,
      caption: string,
      run: (target: ITableTarget) => Promise<void>
    ) => {
      app.commands.addCommand(id, {
        label,
        caption,
        describedBy: { args: { type: 'object', properties: {} } },
        isEnabled: () => tableTarget() !== null,
        execute: async () => {
          const target = tableTarget();
          if (!target) {
            Notification.warning(
              trans.__('Right-click an attention table first.'),
              { autoClose: 4000 }
            );
            return;
          }
          try {
            await run(target);
          } catch (error) {
            Notification.error(Private.messageOf(error), { autoClose: 8000 });
          }
        }
      });
    };
    tableCommand(
      CommandIDs.exportHtml,
      trans.__('Export Attention as HTML…'),
      trans.__('Save the table as a standalone HTML file next to the notebook'),
      target =>
        Private.exportHtml(contents, target.payload, target.documentPath, trans)
    );
    tableCommand(
      CommandIDs.copyHtml,
      trans.__('Copy Attention as HTML'),
      trans.__('Copy the table as HTML (pastes into documents and e-mails)'),
      async target => {
        await copyPayloadHtml(target.payload, charAttentionSettings.current);
        Notification.success(trans.__('Table copied as HTML.'), {
          autoClose: 2500
        });
      }
    );
    tableCommand(
      CommandIDs.copyTsv,
      trans.__('Copy Attention Values as TSV'),
      trans.__(
        'Copy character, position and value per line (pastes into a spreadsheet)'
      ),
      target => Private.copyTsv(target.payload, trans)
    );

    if (palette) {
      for (const command of [
        CommandIDs.open,
        CommandIDs.exportHtml,
        CommandIDs.copyHtml,
        CommandIDs.copyTsv
      ]) {
        palette.addItem({
          command,
          category: trans.__(PALETTE_CATEGORY),
          args: { isPalette: true }
        });
      }
    }
    if (launcher) {
      launcher.add({
        command: CommandIDs.open,
        category: trans.__('Other'),
        rank: 10
      });
    }
    if (restorer) {
      void restorer.restore(viewers, {
        command: CommandIDs.open,
        name: () => 'char-attention-viewer'
      });
    }

    const toolbar = new HoverToolbar(
      app.commands,
      [
        { command: CommandIDs.exportHtml, text: trans.__('Export HTML…') },
        { command: CommandIDs.copyHtml, text: trans.__('Copy HTML') },
        { command: CommandIDs.copyTsv, text: trans.__('Copy TSV') }
      ],
      node => {
        explicitTarget = node;
      },
      trans.__('Attention table actions')
    );
    app.restored
      .then(() => toolbar.node.classList.add('jp-mod-ready'))
      .catch(() => undefined);
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
      Private.fragmentOrEmpty(payload)
    );
    const settings = new LabSettings();
    settings.changed.connect((_, current) => {
      fallback.enabled = current.staticHtmlFallback;
    });
    registry
      .load(LAB_PLUGIN_ID)
      .then(loaded => settings.follow(loaded))
      .catch(reason =>
        console.error(`Cannot load ${LAB_PLUGIN_ID} settings`, reason)
      );
  }
};

export const labPlugins: JupyterFrontEndPlugin<any>[] = [
  labPlugin,
  staticHtmlPlugin
];

namespace Private {
  /** Started on first use only: the worker bundle carries TensorFlow.js. */
  export function spawnWorker() {
    return spawnModelWorker();
  }

  export function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  export function selectedPath(
    factory: IFileBrowserFactory | null,
    fallback: IDefaultFileBrowser | null
  ): string {
    const browser = factory?.tracker.currentWidget ?? fallback;
    if (!browser) {
      return '';
    }
    const first = browser.selectedItems().next();
    return first.done || !first.value ? '' : first.value.path;
  }

  /**
   * The file under the file browser's context menu (the right-clicked item,
   * which need not be the selected one), else the first selected file.
   */
  export function browserPath(
    app: JupyterFrontEnd,
    factory: IFileBrowserFactory | null,
    fallback: IDefaultFileBrowser | null
  ): string {
    const item = app.contextMenuHitTest(node =>
      node.classList.contains('jp-DirListing-item')
    );
    const browser = factory?.tracker.currentWidget ?? fallback;
    const name = item?.querySelector('.jp-DirListing-itemText')?.textContent;
    if (item && browser && name) {
      return joinPath(browser.model.path, name);
    }
    return selectedPath(factory, fallback);
  }

  /** `tokenizer.json` (or `<stem>.tokenizer.json`) next to a model, if present. */
  export async function siblingTokenizer(
    contents: JupyterFrontEnd['serviceManager']['contents'],
    modelPath: string
  ): Promise<string | null> {
    const dir = dirnameOf(modelPath);
    const stem = basenameOf(modelPath).replace(/\.(h5|hdf5|keras|json)$/i, '');
    const names = await folderEntryNames(contents, dir);
    const found = [
      `${stem}.tokenizer.json`,
      `${stem}_tokenizer.json`,
      'tokenizer.json'
    ].find(name => names.has(name));
    return found ? joinPath(dir, found) : null;
  }

  /** The embeddable HTML of a payload, or '' when it cannot be exported. */
  export function fragmentOrEmpty(payload: unknown): string {
    try {
      return payloadHtml(payload as Payload, {
        fragment: true,
        settings: charAttentionSettings.current
      });
    } catch {
      return '';
    }
  }

  export function viewerHosts(
    viewers: WidgetTracker<MainAreaWidget<AttentionViewer>>
  ) {
    const hosts: Array<{ node: HTMLElement; payload: Payload | null }> = [];
    viewers.forEach(widget =>
      hosts.push({ node: widget.node, payload: widget.content.payload })
    );
    return hosts;
  }

  export async function insertIntoActiveCell(
    notebooks: INotebookTracker,
    payload: Payload,
    key: string,
    trans: TranslationBundle
  ): Promise<void> {
    const notebook = notebooks.currentWidget;
    const cell = notebooks.activeCell;
    if (!notebook || !cell) {
      Notification.warning(
        trans.__(
          'Open a notebook and select a code cell to insert the table into.'
        ),
        {
          autoClose: 6000
        }
      );
      return;
    }
    if (cell.model.type !== 'code') {
      Notification.warning(
        trans.__(
          'The active cell is not a code cell: select a code cell first.'
        ),
        {
          autoClose: 6000
        }
      );
      return;
    }
    const outputs = (
      cell.model as unknown as {
        outputs: Parameters<typeof appendOutputOnce>[0];
      }
    ).outputs;
    const output = buildDisplayOutput(payload, {
      key: computationKey([
        key,
        (payload as { options?: unknown }).options ?? null
      ]),
      html: fragmentOrEmpty(payload)
    });
    const result = appendOutputOnce(outputs, output);
    if (result === 'duplicate') {
      Notification.info(trans.__('This table is already in the active cell.'), {
        autoClose: 3000
      });
    } else {
      Notification.success(
        trans.__('Table inserted into %1.', notebook.title.label),
        { autoClose: 3000 }
      );
    }
  }

  export async function exportHtml(
    contents: JupyterFrontEnd['serviceManager']['contents'],
    payload: Payload,
    documentPath: string,
    trans: TranslationBundle
  ): Promise<void> {
    const html = payloadHtml(payload, {
      settings: charAttentionSettings.current
    });
    const folder = documentPath ? dirnameOf(documentPath) : '';
    const stem = stemOf(
      documentPath || (payload as { title?: string }).title || 'attention'
    );
    const path = await saveHtmlFile(contents as any, folder, stem, html);
    Notification.success(trans.__('Saved %1', path), {
      autoClose: 8000,
      actions: [
        {
          label: trans.__('Download'),
          caption: trans.__('Download %1', basenameOf(path)),
          callback: () => downloadHtml(html, path)
        }
      ]
    });
  }

  export async function copyTsv(
    payload: Payload,
    trans: TranslationBundle
  ): Promise<void> {
    await copyPayloadTsv(payload);
    Notification.success(trans.__('Values copied as TSV.'), {
      autoClose: 2500
    });
  }
}
