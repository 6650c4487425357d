/**
 * End to end: `node bin/char-attention.js render ...` against lib-node/
 * (built by `npm run build:node`, which `npm test` expects to have run; the
 * in-process tests of `renderCommand` below need no build).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderCommand } from '../../src/cli/render';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'char-attention.js');
const BUILT = fs.existsSync(path.join(ROOT, 'lib-node', 'cli', 'main.js'));

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, 'render', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8'
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'char-attention-render-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('char-attention render (built CLI)', () => {
  beforeAll(() => {
    if (!BUILT) {
      throw new Error(
        'lib-node/cli/main.js is missing: run `npm run build:node` first (`npm test` does)'
      );
    }
  });

  it('writes a standalone page for the 250-character example', () => {
    const out = path.join(tmp, 'review.html');
    const result = run(['examples/review-250.json', '-o', out]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^wrote .*review\.html \(\d+ bytes\)/);
    const html = fs.readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html.match(/<td/g)).toHaveLength(250);
  });

  it('reads standard input and writes a fragment to standard output', () => {
    const payload = fs.readFileSync(
      path.join(ROOT, 'examples', 'batch.json'),
      'utf8'
    );
    const result = run(['-', '--fragment', '--colormap', 'viridis'], payload);
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith('<style>')).toBe(true);
    expect(result.stdout).not.toContain('<!DOCTYPE');
    // The payload asks for Reds: its options win over the flag.
    expect(result.stdout).toContain('<span>Reds</span>');
  });

  it('exits non-zero with every validator message on stderr', () => {
    const bad = JSON.stringify({
      version: 1,
      samples: [
        { tokens: ['a', 'b'], attention: [1] },
        { text: 'x', attention: ['high'] }
      ]
    });
    const result = run(['-'], bad);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('is not a valid payload (2 problems)');
    expect(result.stderr).toContain(
      '  - samples[0].attention has 1 values, tokens has 2'
    );
    expect(result.stderr).toContain(
      '  - samples[1].attention[0] must be a number or null, got string'
    );
  });

  it('reports unreadable files, bad JSON and bad flags', () => {
    expect(run(['/nonexistent/payload.json']).stderr).toMatch(
      /cannot read \/nonexistent\/payload\.json/
    );
    const broken = run(['-'], '{"version": 1,');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/standard input is not valid JSON/);
    const flag = run(['examples/batch.json', '--colormap', 'jet']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/unknown colormap 'jet'/);
  });

  it('prints help', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^Usage: char-attention render PAYLOAD\.json\|-/
    );
  });
});

describe('renderCommand (in process)', () => {
  let stderr: string;
  let stdout: string;
  let spies: jest.SpyInstance[];
  beforeEach(() => {
    stderr = '';
    stdout = '';
    spies = [
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
        stderr += String(chunk);
        return true;
      }),
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
        stdout += String(chunk);
        return true;
      })
    ];
  });
  afterEach(() => spies.forEach(spy => spy.mockRestore()));

  it('renders a file with settings flags', async () => {
    const out = path.join(tmp, 'multi.html');
    const code = await renderCommand([
      path.join(ROOT, 'examples', 'saliency-signed.json'),
      '--chars-per-row',
      '10',
      '--precision',
      '2',
      '-o',
      out
    ]);
    expect(code).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    // 36 characters in rows of 10: offsets 0, 10, 20, 30.
    expect(html).toContain('<tbody><tr><th>30');
    expect(stderr).toMatch(/wrote/);
    expect(stdout).toBe('');
  });

  it('fails on an invalid payload with the validator message', async () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ version: 3 }));
    expect(await renderCommand([file])).toBe(1);
    expect(stderr).toContain(
      'version 3 is newer than this renderer supports (1)'
    );
  });

  it('needs a payload argument', async () => {
    expect(await renderCommand([])).toBe(2);
    expect(stderr).toMatch(/no payload given/);
  });
});
