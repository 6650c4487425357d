/**
 * Names from files reach the terminal: layer names, file names, notices. A
 * control character in one is printed as an escape (`\x1b` as text), so a
 * layer named with ANSI sequences cannot erase the "inferred" line or print
 * a fake "model verified".
 */
import * as fs from 'fs';
import * as path from 'path';
import { terminalJson, terminalSafe } from '../../src/cli/terminal';
import {
  ANSI_NAME,
  attackFile,
  expectWithinBudget,
  fixturePath,
  runMeasured,
  tmpDir
} from './support';

const ESC = '\u001b';

describe('terminalSafe', () => {
  it('shows C0, DEL and C1 controls as escapes, leaving other text as it is', () => {
    expect(terminalSafe(`a${ESC}[2Kb`)).toBe('a\\x1b[2Kb');
    expect(terminalSafe('line\nfake line\r\tx\u007f')).toBe(
      'line\\nfake line\\r\\tx\\x7f'
    );
    expect(terminalSafe('csi\u009b2K')).toBe('csi\\x9b2K');
    expect(terminalSafe('héllo 😀 漢字')).toBe('héllo 😀 漢字');
  });

  it('shows bidirectional overrides and invisible characters as escapes', () => {
    expect(terminalSafe('\u202eevitagen')).toBe('\\u202eevitagen');
    expect(terminalSafe('a\u2066b\u2069c\u200bd\ufeff')).toBe(
      'a\\u2066b\\u2069c\\u200bd\\ufeff'
    );
  });

  it('terminalJson keeps the JSON value and escapes what JSON.stringify leaves raw', () => {
    const value = { name: `x${ESC}\u009b\u202e\u2028y` };
    const json = terminalJson(JSON.stringify(value));
    // eslint-disable-next-line no-control-regex
    expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('the CLI on names made to rewrite the terminal', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('terminal-');
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a layer named with ANSI escapes is printed as text, in notices and in the JSON', () => {
    const model = attackFile(dir, 'ansi-names.keras');
    const m = runMeasured(
      [
        'predict',
        '--model',
        model,
        '--tokenizer',
        fixturePath('tokenizer.json'),
        'hello'
      ],
      { dir }
    );
    expectWithinBudget(m);
    expect(m.code).toBe(0);
    expect(m.stderr).not.toContain(ESC);
    expect(m.stdout).not.toContain(ESC);
    expect(m.stderr).toContain(
      "inferred: Attention layer '\\x1b[1A\\x1b[2K\\x1b[32mmodel verified, nothing inferred\\x1b[0m' " +
        '(Activation) found automatically'
    );
    // The payload keeps the real name (escaped only as JSON does).
    expect(JSON.parse(m.stdout).samples[0].meta.attentionLayer).toBe(ANSI_NAME);
  });

  it('a file name with escapes is printed as text in an error', () => {
    const evil = path.join(dir, `evil${ESC}[2K${ESC}[1Aname.h5`);
    fs.copyFileSync(fixturePath('tiny-external.h5'), evil);
    const m = runMeasured(
      [
        'predict',
        '--model',
        evil,
        '--tokenizer',
        fixturePath('tokenizer.json'),
        'hello'
      ],
      { dir }
    );
    expect(m.code).toBe(1);
    expect(m.stderr).not.toContain(ESC);
    expect(m.stderr).toContain('evil\\x1b[2K\\x1b[1Aname.h5');
  });
});
