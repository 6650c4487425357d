/**
 * Where "Export as HTML…" writes its file: next to the notebook, with a name
 * that does not overwrite an existing file. Pure path arithmetic on the
 * server's `/`-separated paths.
 */

/** The folder of a server path ('' for the root). */
export function dirnameOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index < 0 ? '' : path.slice(0, index);
}

/** The last part of a server path. */
export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A file-name stem from a document path or title: `dir/run 1.ipynb` → `run 1`. */
export function stemOf(pathOrTitle: string): string {
  const base = basenameOf(pathOrTitle).replace(/\.[^.]*$/, '');
  // Characters Windows and most file systems refuse, and control characters.
  // eslint-disable-next-line no-control-regex
  const safe = base.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim();
  return safe === '' ? 'attention' : safe;
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
  maxTries = 1000
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
    `No free file name for ${name}.html in ${dir || 'the root folder'}`
  );
}
