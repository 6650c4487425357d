/**
 * Export names from hostile notebook names and titles: no controls, no
 * bidirectional overrides, bounded length; the same stems as the Python
 * helper's `export_stem` (python/tests/test_display_hostile.py has the same
 * table).
 */
import { EXPORT_STEM_MAX_BYTES, stemOf } from '../../src/lab/export-path';

describe('export names', () => {
  it.each([
    ['dir/run 1.ipynb', 'run 1'],
    ['evil\u202etxt.exe.ipynb', 'evil_txt.exe'],
    ['a\u2066b\u2069c\u200fd.ipynb', 'a_b_c_d'],
    ['tab\there\u0000nul\u007fdel\u009bcsi.ipynb', 'tab_here_nul_del_csi'],
    ['w<i>n:d"o|w?s*.ipynb', 'w_i_n_d_o_w_s_'],
    ['C:\\Users\\me\\report.ipynb', 'report'],
    ['CON.ipynb', '_CON'],
    ['...', 'attention'],
    ['\u202e.ipynb', '_'],
    ['trailing dots... .ipynb', 'trailing dots'],
    ['lone \ud800 surrogate.ipynb', 'lone \ufffd surrogate']
  ])('%j -> %j', (name, stem) => {
    expect(stemOf(name)).toBe(stem);
  });

  it('cuts long names at a character boundary', () => {
    const stem = stemOf('é'.repeat(300) + '.ipynb');
    expect(new TextEncoder().encode(stem).length).toBeLessThanOrEqual(
      EXPORT_STEM_MAX_BYTES
    );
    expect(new Set(stem)).toEqual(new Set(['é']));
    const emoji = stemOf('😀'.repeat(100));
    expect(emoji).toBe('😀'.repeat(30));
    expect(
      new TextEncoder().encode(
        `${stemOf('x'.repeat(5000))}.attention-1000.html`
      ).length
    ).toBeLessThanOrEqual(255);
  });
});
