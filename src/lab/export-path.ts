/**
 * Where "Export as HTML…" writes its file: next to the notebook, with a name
 * that does not overwrite an existing file. Pure path arithmetic on the
 * server's `/`-separated paths.
 */
import { ENGLISH, ITranslate } from '../table/translate';

/** The folder of a server path ('' for the root). */
export function dirnameOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index < 0 ? '' : path.slice(0, index);
}

/** The last part of a server path. */
export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A file-name stem is cut to this many UTF-8 bytes (names are limited to 255). */
export const EXPORT_STEM_MAX_BYTES = 120;

/**
 * Characters that make a file name misleading or unusable: C0/C1 controls,
 * bidirectional overrides and isolates, zero-width and line separators, and
 * the characters Windows refuses.
 */
const UNSAFE_NAME =
  // eslint-disable-next-line no-control-regex
  /[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g;
const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const RESERVED_NAME = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A file-name stem from a document path or title: `dir/run 1.ipynb` → `run 1`.
 * Unsafe characters (see `UNSAFE_NAME`) become `_`, the stem is cut to
 * `EXPORT_STEM_MAX_BYTES` UTF-8 bytes at a character boundary, and an empty
 * or reserved (`CON`, `NUL`, ...) stem is replaced. The Python helper's
 * `export_stem` gives the same stems.
 */
export function stemOf(pathOrTitle: string): string {
  const base = basenameOf(
    pathOrTitle.replace(LONE_SURROGATE, '\ufffd').replace(/\\/g, '/')
  ).replace(/\.[^.]*$/, '');
  let safe = base
    .replace(UNSAFE_NAME, '_')
    .trim()
    .replace(/[. ]+$/, '');
  safe = Private.cutUtf8(safe, EXPORT_STEM_MAX_BYTES).replace(/[. ]+$/, '');
  if (safe === '') {
    return 'attention';
  }
  return RESERVED_NAME.test(safe) ? `_${safe}` : safe;
}

namespace Private {
  /** The longest prefix of `text` within `max` UTF-8 bytes, whole characters only. */
  export function cutUtf8(text: string, max: number): string {
    let bytes = 0;
    let end = 0;
    for (const char of text) {
      const code = char.codePointAt(0)!;
      const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      if (bytes + size > max) {
        break;
      }
      bytes += size;
      end += char.length;
    }
    return text.slice(0, end);
  }
}

/** Join a folder and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir.replace(/\/+$/, '')}/${name}`;
}

/**
 * `<dir>/<stem>.attention.html`, or `<stem>.attention-2.html`, `-3`… when the
 * name is taken (`exists` is asked about each candidate in turn). A stem that
 * already says so (`attention`, `run.attention`) gets no second `.attention`.
 */
export async function uniqueExportPath(
  dir: string,
  stem: string,
  exists: (path: string) => Promise<boolean>,
  maxTries = 1000,
  trans: ITranslate = ENGLISH
): Promise<string> {
  const name = /(^|\.)attention$/i.test(stem) ? stem : `${stem}.attention`;
  for (let attempt = 1; attempt <= maxTries; attempt++) {
    const suffix = attempt === 1 ? '' : `-${attempt}`;
    const candidate = joinPath(dir, `${name}${suffix}.html`);
    if (!(await exists(candidate))) {
      return candidate;
    }
  }
  throw new Error(
    trans.__(
      'No free file name for %1 in %2',
      `${name}.html`,
      dir || trans.__('the root folder')
    )
  );
}
