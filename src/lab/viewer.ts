/**
 * The Attention Viewer main-area panel: its tracker and opening it.
 */
import {
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { charAttentionSettings } from '../render/settings';
import type { Payload } from '../payload/types';
import { copyTsv, exportHtml, insertIntoActiveCell } from './actions';
import type { ILabContext, ViewerTracker } from './context';
import { ExplorerCommandIDs } from './explorer/ids';
import { charAttentionIcon } from './icon';
import { AttentionViewer, createAttentionPanel } from './panel';

export const VIEWER_NAMESPACE = 'char-attention-viewer';

export function createViewerTracker(): ViewerTracker {
  return new WidgetTracker<MainAreaWidget<AttentionViewer>>({
    namespace: VIEWER_NAMESPACE
  });
}

/** Reveal the current Attention Viewer, creating one if there is none. */
export function openViewer(
  context: ILabContext
): MainAreaWidget<AttentionViewer> {
  const { app, contents, notebooks, session, settings, trans, viewers } =
    context;
  let widget = viewers.currentWidget;
  if (!widget || widget.isDisposed) {
    widget = createAttentionPanel({
      session,
      settings,
      rendermime: context.rendermime,
      trans,
      displayDefaults: () => charAttentionSettings.current,
      actions: {
        pickFile: context.pickFile,
        insertIntoNotebook: (payload, key) =>
          insertIntoActiveCell(notebooks, payload, key, trans),
        exportHtml: payload =>
          exportHtml(
            contents,
            payload,
            notebooks.currentWidget?.context.path ?? '',
            trans
          ),
        copyTsv: payload => copyTsv(payload, trans),
        notifyError: message =>
          Notification.error(message, { autoClose: 8000 }),
        openExplorer: model => {
          if (!app.commands.hasCommand(ExplorerCommandIDs.open)) {
            Notification.error(
              trans.__(
                'The Attention Explorer is not enabled in this application.'
              ),
              { autoClose: 8000 }
            );
            return;
          }
          void app.commands.execute(ExplorerCommandIDs.open, { ...model });
        }
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
}

/** Viewer panels as table hosts for `findTableTarget`. */
export function viewerHosts(viewers: ViewerTracker) {
  const hosts: Array<{ node: HTMLElement; payload: Payload | null }> = [];
  viewers.forEach(widget =>
    hosts.push({ node: widget.node, payload: widget.content.payload })
  );
  return hosts;
}
