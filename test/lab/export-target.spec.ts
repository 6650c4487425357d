import {
  chooseExportPath,
  proposeExportPath
} from '../../src/lab/export-target';
import type { IExportDialogs } from '../../src/lab/export-target';

/** An in-memory contents manager: files by path, folders implied. */
function memoryContents(files: { [path: string]: string }) {
  const notFound = () =>
    Object.assign(new Error('Not Found'), { response: { status: 404 } });
  return {
    files,
    async get(path: string, options?: { type?: string; content?: boolean }) {
      if (options?.type === 'directory') {
        const prefix = path ? `${path}/` : '';
        const inside = Object.keys(files).filter(name =>
          name.startsWith(prefix)
        );
        if (path && inside.length === 0) {
          throw notFound();
        }
        const names = inside.map(
          name => name.slice(prefix.length).split('/')[0]
        );
        return {
          content: [...new Set(names)].map(name => ({ name })),
          type: 'directory'
        };
      }
      if (!(path in files)) {
        throw notFound();
      }
      return { content: files[path], type: 'file' };
    },
    async save(path: string, options: { content: string }) {
      files[path] = options.content;
      return { path };
    }
  };
}

/** Dialogs that answer as scripted and record what they were asked. */
function scripted(answers: { path: string | null; overwrite?: boolean }) {
  const asked: string[] = [];
  const dialogs: IExportDialogs = {
    askPath: async proposed => {
      asked.push(`path? ${proposed}`);
      return answers.path;
    },
    confirmOverwrite: async path => {
      asked.push(`replace? ${path}`);
      return answers.overwrite ?? false;
    }
  };
  return { dialogs, asked };
}

describe('export dialog', () => {
  it('proposes <notebook>.attention.html next to the notebook, numbered when taken', async () => {
    const contents = memoryContents({
      'work/run.ipynb': '{}',
      'work/run.attention.html': 'old'
    });
    expect(await proposeExportPath(contents, 'work', 'run')).toBe(
      'work/run.attention-2.html'
    );
    expect(await proposeExportPath(contents, '', 'attention')).toBe(
      'attention.html'
    );
  });

  it('asks with the proposed path and returns the answer', async () => {
    const contents = memoryContents({});
    const { dialogs, asked } = scripted({ path: ' reports/mine.html ' });
    const path = await chooseExportPath(
      contents,
      'run.attention.html',
      dialogs
    );
    expect(asked).toEqual(['path? run.attention.html']);
    expect(path).toBe('reports/mine.html');
  });

  it('writes nothing when cancelled or left empty', async () => {
    for (const answer of [null, '', '   ', 'folder/']) {
      const contents = memoryContents({});
      const { dialogs } = scripted({ path: answer });
      expect(await chooseExportPath(contents, 'a.html', dialogs)).toBeNull();
    }
  });

  it('never replaces an existing file without asking', async () => {
    const contents = memoryContents({ 'kept.html': 'mine' });
    const declined = scripted({ path: 'kept.html', overwrite: false });
    expect(
      await chooseExportPath(contents, 'a.attention.html', declined.dialogs)
    ).toBeNull();
    expect(declined.asked).toEqual([
      'path? a.attention.html',
      'replace? kept.html'
    ]);
    expect(contents.files['kept.html']).toBe('mine');

    const nested = memoryContents({ 'a/b/kept.html': 'mine' });
    const asked = scripted({ path: 'a/b/kept.html', overwrite: false });
    expect(await chooseExportPath(nested, 'x.html', asked.dialogs)).toBeNull();
    expect(asked.asked).toContain('replace? a/b/kept.html');

    const accepted = scripted({ path: '/kept.html', overwrite: true });
    expect(
      await chooseExportPath(contents, 'a.attention.html', accepted.dialogs)
    ).toBe('kept.html');
  });

  it('does not guess "free" when the server cannot say', async () => {
    const contents = memoryContents({});
    contents.get = async () => {
      throw Object.assign(new Error('Forbidden'), {
        response: { status: 403 }
      });
    };
    const { dialogs } = scripted({ path: 'x.html' });
    await expect(chooseExportPath(contents, 'x.html', dialogs)).rejects.toThrow(
      'Forbidden'
    );
  });
});
