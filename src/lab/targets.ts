/**
 * What a command acts on: the notebook output under the context menu, or the
 * rendered table (in a notebook output or in the Attention Viewer) under the
 * context menu, the hover toolbar or the keyboard focus.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { CodeCell } from '@jupyterlab/cells';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IOutputModel } from '@jupyterlab/rendermime';
import { MIME_TYPE } from '../payload/types';
import type { Payload } from '../payload/types';

export const OUTPUT_CHILD_CLASS = 'jp-OutputArea-child';
export const RENDERED_CLASS = 'jp-RenderedCharAttention';

/** A notebook output found from a DOM node. */
export interface IOutputTarget {
  notebook: NotebookPanel;
  cell: CodeCell;
  /** Index of the output in the cell's output model. */
  index: number;
  output: IOutputModel;
  /** The `.jp-OutputArea-child` element. */
  node: HTMLElement;
}

/** A rendered table and its payload. */
export interface ITableTarget {
  payload: Payload;
  node: HTMLElement;
  /** Path of the document the table belongs to ('' when none). */
  documentPath: string;
}

/** Something that shows a payload outside notebooks (the Attention Viewer). */
export interface IPayloadHost {
  readonly node: HTMLElement;
  readonly payload: Payload | null;
}

/** Element under the open context menu matching `className`, if any. */
export function contextMenuNode(
  app: JupyterFrontEnd,
  className: string
): HTMLElement | undefined {
  return app.contextMenuHitTest(node => node.classList.contains(className));
}

/** The notebook output containing `node` (searching every open notebook). */
export function findOutputTarget(
  tracker: INotebookTracker,
  node: HTMLElement | undefined | null
): IOutputTarget | null {
  const child = node?.closest(`.${OUTPUT_CHILD_CLASS}`) as
    HTMLElement | null | undefined;
  if (!child) {
    return null;
  }
  let found: IOutputTarget | null = null;
  tracker.forEach(notebook => {
    if (found || !notebook.node.contains(child)) {
      return;
    }
    for (const cell of notebook.content.widgets) {
      if (cell.model.type !== 'code' || !cell.node.contains(child)) {
        continue;
      }
      const codeCell = cell as CodeCell;
      const area = codeCell.outputArea;
      const index = area.widgets.findIndex(widget => widget.node === child);
      if (index >= 0 && index < area.model.length) {
        found = {
          notebook,
          cell: codeCell,
          index,
          output: area.model.get(index),
          node: child
        };
      }
      return;
    }
  });
  return found;
}

/** The payload of a rendered table node, from its notebook output or its host. */
export function findTableTarget(
  tracker: INotebookTracker,
  hosts: Iterable<IPayloadHost>,
  node: HTMLElement | undefined | null
): ITableTarget | null {
  const rendered = node?.closest(`.${RENDERED_CLASS}`) as
    HTMLElement | null | undefined;
  if (!rendered) {
    return null;
  }
  for (const host of hosts) {
    if (host.node.contains(rendered) && host.payload) {
      return {
        payload: host.payload,
        node: rendered,
        documentPath: tracker.currentWidget?.context.path ?? ''
      };
    }
  }
  const output = findOutputTarget(tracker, rendered);
  if (!output) {
    return null;
  }
  const payload = payloadOf(output.output.data);
  return payload
    ? { payload, node: rendered, documentPath: output.notebook.context.path }
    : null;
}

/** The char-attention payload of a MIME bundle (parsed if stored as a string). */
export function payloadOf(data: {
  readonly [mimeType: string]: unknown;
}): Payload | null {
  const value = data?.[MIME_TYPE];
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as Payload;
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object'
    ? (value as Payload)
    : null;
}

/** The text the user selected inside `node`, if the whole selection is there. */
export function selectionInside(node: HTMLElement): string | null {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
    return null;
  }
  const { anchorNode, focusNode } = selection;
  if (
    !anchorNode ||
    !focusNode ||
    !node.contains(anchorNode) ||
    !node.contains(focusNode)
  ) {
    return null;
  }
  return selection.toString();
}
