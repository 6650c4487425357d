/**
 * Where the commands show up outside menus: command palette, launcher card,
 * layout restoration of the viewer and the hover toolbar on tables.
 */
import type { ILayoutRestorer } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { ILauncher } from '@jupyterlab/launcher';
import { CommandIDs } from './commands';
import type { ILabContext } from './context';
import { HoverToolbar } from './hover-toolbar';
import { VIEWER_NAMESPACE } from './viewer';

/** The Attention Viewer's panel (its content widget). */
const VIEWER_PANEL_CLASS = 'jp-CharAttention-panel';

const PALETTE_CATEGORY = 'Character Attention';

export interface IShellEntriesOptions {
  palette: ICommandPalette | null;
  launcher: ILauncher | null;
  restorer: ILayoutRestorer | null;
}

/** Palette items, launcher card and viewer restoration, each when available. */
export function addShellEntries(
  context: ILabContext,
  options: IShellEntriesOptions
): void {
  const { trans } = context;
  const { palette, launcher, restorer } = options;
  if (palette) {
    for (const command of [
      CommandIDs.open,
      CommandIDs.exportHtml,
      CommandIDs.copyHtml,
      CommandIDs.copyTsv
    ]) {
      // Listed under the labels of the menus (a search for a menu name finds it).
      palette.addItem({ command, category: trans.__(PALETTE_CATEGORY) });
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
    void restorer.restore(context.viewers, {
      command: CommandIDs.open,
      name: () => VIEWER_NAMESPACE
    });
  }
}

/** Export/copy buttons shown when hovering a rendered attention table. */
export function addHoverToolbar(context: ILabContext): HoverToolbar {
  const { app, trans } = context;
  const toolbar = new HoverToolbar(
    app.commands,
    [
      { command: CommandIDs.exportHtml, text: trans.__('Export HTML…') },
      { command: CommandIDs.copyHtml, text: trans.__('Copy HTML') },
      { command: CommandIDs.copyTsv, text: trans.__('Copy TSV') }
    ],
    node => {
      // Table commands act on the table the toolbar belongs to.
      context.explicitTarget = node;
    },
    trans.__('Attention table actions'),
    // The viewer has its own export and copy buttons just above its table.
    `.${VIEWER_PANEL_CLASS}`
  );
  app.restored
    .then(() => toolbar.node.classList.add('jp-mod-ready'))
    .catch(() => undefined);
  return toolbar;
}
