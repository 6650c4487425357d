import {
  basenameOf,
  dirnameOf,
  joinPath,
  stemOf,
  uniqueExportPath
} from '../../src/lab/export-path';

describe('export paths', () => {
  it('splits server paths', () => {
    expect(dirnameOf('a/b/c.ipynb')).toBe('a/b');
    expect(dirnameOf('c.ipynb')).toBe('');
    expect(basenameOf('a/b/c.ipynb')).toBe('c.ipynb');
    expect(joinPath('', 'x.html')).toBe('x.html');
    expect(joinPath('a/', 'x.html')).toBe('a/x.html');
  });

  it('makes safe stems', () => {
    expect(stemOf('dir/run 1.ipynb')).toBe('run 1');
    expect(stemOf('a:b?.ipynb')).toBe('a_b_');
    expect(stemOf('.ipynb')).toBe('attention');
  });

  it('never picks an existing name', async () => {
    const taken = new Set(['n/t.attention.html', 'n/t.attention-2.html']);
    const asked: string[] = [];
    const path = await uniqueExportPath('n', 't', async p => {
      asked.push(p);
      return taken.has(p);
    });
    expect(path).toBe('n/t.attention-3.html');
    expect(asked).toEqual([
      'n/t.attention.html',
      'n/t.attention-2.html',
      'n/t.attention-3.html'
    ]);
  });

  it('gives up with a clear error', async () => {
    await expect(
      uniqueExportPath('', 't', async () => true, 3)
    ).rejects.toThrow(
      'No free file name for t.attention.html in the root folder'
    );
  });

  it('never doubles .attention (untitled table, re-exported file)', async () => {
    const free = async () => false;
    // No notebook path and no title: the stem falls back to 'attention'.
    expect(await uniqueExportPath('', stemOf(''), free)).toBe('attention.html');
    expect(
      await uniqueExportPath('d', stemOf('d/run.attention.html'), free)
    ).toBe('d/run.attention.html');
    const taken = new Set(['attention.html']);
    expect(
      await uniqueExportPath('', 'attention', async p => taken.has(p))
    ).toBe('attention-2.html');
  });
});
