/**
 * Notebook and file actions shared by the commands, the Attention Viewer
 * and the static `text/html` fallback.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { charAttentionSettings } from '../render/settings';
import type { Payload } from '../payload/types';
import {
  copyPayloadTsv,
  downloadHtml,
  payloadHtml,
  saveHtmlFile
} from './export';
import type { IContentsWriter } from './export';
import { labExportDialogs } from './export-dialog';
import { chooseExportPath, proposeExportPath } from './export-target';
import type { IExportDialogs } from './export-target';
import { basenameOf, dirnameOf, joinPath, stemOf } from './export-path';
import {
  appendOutputOnce,
  buildDisplayOutput,
  computationKey
} from './insert-output';
import { folderEntryNames } from './model-files';

/** The contents manager of the running application. */
export type ContentsManager = JupyterFrontEnd['serviceManager']['contents'];

/** `tokenizer.json` (or `<stem>.tokenizer.json`) next to a model, if present. */
export async function siblingTokenizer(
  contents: ContentsManager,
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
      trans.__('The active cell is not a code cell: select a code cell first.'),
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

/**
 * "Export Attention as HTML…": asks where to save (proposing
 * `<notebook>.attention.html` next to the notebook), then writes the
 * standalone HTML there. Cancelling writes nothing.
 */
export async function exportHtml(
  contents: ContentsManager,
  payload: Payload,
  documentPath: string,
  trans: TranslationBundle,
  dialogs: IExportDialogs = labExportDialogs(trans)
): Promise<void> {
  // An invalid payload fails here, before any question is asked.
  const html = payloadHtml(payload, {
    settings: charAttentionSettings.current,
    trans
  });
  const folder = documentPath ? dirnameOf(documentPath) : '';
  const stem = stemOf(
    documentPath || (payload as { title?: string }).title || 'attention'
  );
  const proposed = await proposeExportPath(contents, folder, stem, trans);
  const path = await chooseExportPath(contents, proposed, dialogs);
  if (!path) {
    return;
  }
  const saved = await saveHtmlFile(
    contents as unknown as IContentsWriter,
    path,
    html
  );
  Notification.success(trans.__('Saved %1', saved), {
    autoClose: 8000,
    actions: [
      {
        label: trans.__('Download'),
        caption: trans.__('Download %1', basenameOf(saved)),
        callback: () => downloadHtml(html, saved)
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
