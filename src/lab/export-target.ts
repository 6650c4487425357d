/**
 * Where "Export Attention as HTML…" writes: the proposed path (next to the
 * notebook, a name that is free), then the user's answer to the save dialog
 * (as JupyterLab's "Save As" asks), and a confirmation before an existing
 * file is replaced. Nothing is written when the user cancels. The dialogs
 * are given (`export-dialog.ts` in the app), so this runs in Node tests.
 */
import { ENGLISH, ITranslate } from '../table/translate';
import { basenameOf, dirnameOf, uniqueExportPath } from './export-path';
import { folderEntryNames } from './model-files';
import type { IContentsLike } from './model-files';

/**
 * The name proposed for an export of `stem` in `folder` (a notebook's folder,
 * or '' for the root): `<stem>.attention.html`, numbered when taken.
 */
export async function proposeExportPath(
  contents: IContentsLike,
  folder: string,
  stem: string,
  trans: ITranslate = ENGLISH
): Promise<string> {
  const taken = await folderEntryNames(contents, folder);
  return uniqueExportPath(
    folder,
    stem,
    async candidate => taken.has(basenameOf(candidate)),
    undefined,
    trans
  );
}

/** The questions the export asks; JupyterLab's dialogs in the app. */
export interface IExportDialogs {
  /** The path to write, starting from `proposed` (null: cancelled). */
  askPath(proposed: string): Promise<string | null>;
  /** Whether the existing file at `path` may be replaced. */
  confirmOverwrite(path: string): Promise<boolean>;
}

/**
 * Asks where to export, starting from `proposed`. Returns the path to write,
 * or null when the user cancels, leaves the name empty, or declines to
 * replace an existing file.
 */
export async function chooseExportPath(
  contents: IContentsLike,
  proposed: string,
  dialogs: IExportDialogs
): Promise<string | null> {
  const answer = await dialogs.askPath(proposed);
  // Server paths have no leading slash; the name may not be empty.
  const path = (answer ?? '').trim().replace(/^\/+/, '');
  if (!path || path.endsWith('/')) {
    return null;
  }
  if (await Private.exists(contents, path)) {
    return (await dialogs.confirmOverwrite(path)) ? path : null;
  }
  return path;
}

namespace Private {
  /**
   * Whether a file or folder exists at `path`, read from its folder's
   * listing (asking for a missing file would log a "404" in the browser
   * console). A missing folder means a missing file; any other failure is
   * thrown, since guessing "free" could replace a file without asking.
   */
  export async function exists(
    contents: IContentsLike,
    path: string
  ): Promise<boolean> {
    let listing;
    try {
      listing = await contents.get(dirnameOf(path), {
        type: 'directory',
        content: true
      });
    } catch (error) {
      const status = (error as { response?: { status?: number } })?.response
        ?.status;
      if (status === 404) {
        return false;
      }
      throw error;
    }
    const entries = Array.isArray(listing.content) ? listing.content : [];
    const name = basenameOf(path);
    return entries.some(entry => (entry as { name?: unknown }).name === name);
  }
}
