/**
 * Command registrations of the model runner UI. Menus and context-menu
 * entries pointing at these ids are declared in `schema/lab.json`.
 */
import { Notification } from '@jupyterlab/apputils';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { charAttentionSettings } from '../render/settings';
import type { Payload } from '../payload/types';
import { copyTsv, exportHtml, siblingTokenizer } from './actions';
import type { ILabContext } from './context';
import { copyPayloadHtml } from './export';
import { charAttentionIcon } from './icon';
import { isModelPath } from './model-files';
import {
  contextMenuNode,
  findTableTarget,
  OUTPUT_CHILD_CLASS,
  RENDERED_CLASS
} from './targets';
import type { ITableTarget } from './targets';
import { viewerHosts } from './viewer';
import { visualizeOutput } from './visualize-output';
import { messageOf } from '../payload/error-message';

/** Command ids of the model runner UI. */
export namespace CommandIDs {
  export const open = 'char-attention:open';
  export const visualizeOutput = 'char-attention:visualize-output';
  export const openModel = 'char-attention:open-model';
  export const exportHtml = 'char-attention:export-html';
  export const copyHtml = 'char-attention:copy-html';
  export const copyTsv = 'char-attention:copy-tsv';
}

/** Register every command of the model runner UI. */
export function registerCommands(context: ILabContext): void {
  Private.registerOpen(context);
  Private.registerVisualizeOutput(context);
  Private.registerOpenModel(context);
  Private.registerTableCommands(context);
}

namespace Private {
  /** The Attention Viewer, with a model, texts or a payload given as arguments. */
  export function registerOpen(context: ILabContext): void {
    const { app, trans } = context;
    app.commands.addCommand(CommandIDs.open, {
      // The same label in menus, the launcher and the palette, so a search
      // for the menu name finds it.
      label: trans.__('Visualize Attention…'),
      caption: trans.__(
        'Pick a model and tokenizer, type texts and see which characters the model attends to'
      ),
      icon: charAttentionIcon,
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
        const widget = context.openViewer();
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
  }

  /** "Visualize Attention" on a notebook output. */
  export function registerVisualizeOutput(context: ILabContext): void {
    const { app, trans } = context;
    app.commands.addCommand(CommandIDs.visualizeOutput, {
      // On a table it opens the table in the viewer: say so.
      label: () =>
        contextMenuNode(app, RENDERED_CLASS)
          ? trans.__('Open Attention in Viewer')
          : trans.__('Visualize Attention'),
      caption: trans.__(
        'Run the current model on the text of this output (or the selected part) and show its attention below it'
      ),
      icon: charAttentionIcon,
      describedBy: { args: { type: 'object', properties: {} } },
      isVisible: () => !!contextMenuNode(app, OUTPUT_CHILD_CLASS),
      execute: () => visualizeOutput(context)
    });
  }

  /** A model file of the file browser opened in the viewer. */
  export function registerOpenModel(context: ILabContext): void {
    const { app, contents, settings, trans } = context;
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
          typeof args.path === 'string' ? args.path : context.browserPath()
        ),
      execute: async args => {
        const path =
          typeof args.path === 'string' ? args.path : context.browserPath();
        if (!isModelPath(path)) {
          Notification.warning(
            trans.__('%1 is not a .h5, .keras or model.json file.', path || '?')
          );
          return;
        }
        const viewer = context.openViewer().content;
        const tokenizer =
          settings.current.tokenizerPath ||
          (await siblingTokenizer(contents, path)) ||
          undefined;
        await viewer.openModel(path, tokenizer);
      }
    });
  }

  /** Export, copy as HTML and copy as TSV of the table in question. */
  export function registerTableCommands(context: ILabContext): void {
    const { app, contents, trans } = context;
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
        isEnabled: () => tableTarget(context) !== null,
        execute: async () => {
          const target = tableTarget(context);
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
            Notification.error(messageOf(error), { autoClose: 8000 });
          }
        }
      });
    };
    tableCommand(
      CommandIDs.exportHtml,
      trans.__('Export Attention as HTML…'),
      trans.__(
        'Save the table as a standalone HTML file (next to the notebook unless you choose another place)'
      ),
      target => exportHtml(contents, target.payload, target.documentPath, trans)
    );
    tableCommand(
      CommandIDs.copyHtml,
      trans.__('Copy Attention as HTML'),
      trans.__('Copy the table as HTML (pastes into documents and e-mails)'),
      async target => {
        await copyPayloadHtml(
          target.payload,
          charAttentionSettings.current,
          trans
        );
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
      target => copyTsv(target.payload, trans)
    );
  }

  /**
   * The table a table command acts on: the hover toolbar's table, the
   * right-clicked or focused one, else the Attention Viewer in front.
   */
  export function tableTarget(context: ILabContext): ITableTarget | null {
    const { app, notebooks, viewers } = context;
    const node =
      context.explicitTarget ??
      contextMenuNode(app, RENDERED_CLASS) ??
      (document.activeElement?.closest(
        `.${RENDERED_CLASS}`
      ) as HTMLElement | null) ??
      null;
    const hosts = viewerHosts(viewers);
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
  }
}
