/**
 * "Export as HTML…", "Copy as HTML" and "Copy values as TSV".
 *
 * The HTML comes from the one export (`table/html.ts`) also used by the CLI
 * and the `text/html` fallback, so a file, a paste and the rendered table
 * show the same characters and colours. Files are written through the
 * contents API, where the export dialog says (next to the notebook by
 * default; `export-target.ts`); the clipboard is written with the
 * asynchronous Clipboard API, falling back to a copy event.
 */
import { Clipboard } from '@jupyterlab/apputils';
import { MimeData } from '@lumino/coreutils';
import type { IDisplaySettings } from '../payload/normalize';
import type { Payload } from '../payload/types';
import { exportPayloadHtml } from '../table/html';
import { ENGLISH, ITranslate } from '../table/translate';
import { payloadToTsv } from './tsv';
import { basenameOf } from './export-path';
import type { IContentsLike } from './model-files';

/** The part of `Contents.IManager` used to save exports. */
export interface IContentsWriter extends IContentsLike {
  save(
    path: string,
    options: { type: 'file'; format: 'text'; content: string }
  ): Promise<{ path: string }>;
}

/** An export that could not be made: the payload's problems, one per line. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** The standalone document (or fragment) of a payload; throws on an invalid payload. */
export function payloadHtml(
  payload: Payload,
  options: {
    settings?: IDisplaySettings;
    fragment?: boolean;
    documentTitle?: string;
    /** The translation of the error message (default: English). */
    trans?: ITranslate;
  } = {}
): string {
  const { trans = ENGLISH, ...exportOptions } = options;
  const result = exportPayloadHtml(payload, exportOptions);
  if (!result.ok) {
    throw new ExportError(
      trans.__(
        'The table cannot be exported: %1',
        result.problems.map(problem => problem.message).join('; ')
      )
    );
  }
  return result.html;
}

/** Write the standalone HTML at `path`; returns the saved file's path. */
export async function saveHtmlFile(
  contents: IContentsWriter,
  path: string,
  html: string
): Promise<string> {
  const saved = await contents.save(path, {
    type: 'file',
    format: 'text',
    content: html
  });
  return saved.path;
}

/** Let the browser download the HTML (no server round trip). */
export function downloadHtml(html: string, path: string): void {
  const blob = new Blob([html], { type: 'text/html' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = basenameOf(path);
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoke later: some browsers start the download asynchronously.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export type CopyMethod = 'clipboard-api' | 'copy-event';

/**
 * Put `text/html` (when given) and `text/plain` on the clipboard.
 * Prefers `navigator.clipboard`; falls back to JupyterLab's copy event.
 */
export async function copyToClipboard(
  plain: string,
  html?: string
): Promise<CopyMethod> {
  const clipboard =
    typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
  try {
    if (
      clipboard &&
      html !== undefined &&
      typeof ClipboardItem !== 'undefined'
    ) {
      await clipboard.write([
        new ClipboardItem({
          'text/html': new Blob([html], { type: 'text/html' }),
          'text/plain': new Blob([plain], { type: 'text/plain' })
        })
      ]);
      return 'clipboard-api';
    }
    if (clipboard && html === undefined) {
      await clipboard.writeText(plain);
      return 'clipboard-api';
    }
  } catch {
    // Permission refused or no focus: use the copy event below.
  }
  const data = new MimeData();
  data.setData('text/plain', plain);
  if (html !== undefined) {
    data.setData('text/html', html);
  }
  Clipboard.copyToSystem(data);
  return 'copy-event';
}

/** Copy the table as HTML (a self-contained fragment) with the TSV as plain text. */
export async function copyPayloadHtml(
  payload: Payload,
  settings?: IDisplaySettings,
  trans: ITranslate = ENGLISH
): Promise<CopyMethod> {
  const html = payloadHtml(payload, { settings, fragment: true, trans });
  return copyToClipboard(payloadToTsv(payload), html);
}

/** Copy `character\tposition\tvalue` lines. */
export async function copyPayloadTsv(payload: Payload): Promise<CopyMethod> {
  return copyToClipboard(payloadToTsv(payload));
}
