/**
 * The `align` CLI and the Python helper's `align()` implement one contract:
 * same texts, tokenizer, options and attention give the same payload.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'char-attention.js');
const FIXTURES = path.resolve(ROOT, 'test/fixtures/keras-tokenizer');
// The development venv (scripts/venv.sh).
const PYTHON = path.resolve(__dirname, '../../.venv/bin/python');

const TRICKY = [
  'İx ΟΔΟΣ😀e\u0301',
  'ΣΑΣ',
  '',
  'ZZZ unseen ☃☃',
  'a\tb\nc',
  'x'.repeat(30)
];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'char-attention-parity-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function pythonAlign(request: object): unknown {
  const code = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(ROOT)})`,
    'from jupyterlab_char_attention.align import align',
    'r = json.load(sys.stdin)',
    "print(json.dumps(align(r['texts'], open(r['tokenizer']).read(), attention=r['attention'],",
    "      maxlen=r['maxlen'], padding=r['padding'], truncating=r['truncating'], predictions=r['predictions'])))"
  ].join('\n');
  const out = spawnSync(PYTHON, ['-c', code], {
    input: JSON.stringify(request),
    encoding: 'utf8'
  });
  if (out.status !== 0) {
    throw new Error(out.stderr);
  }
  return JSON.parse(out.stdout);
}

describe('align CLI = Python align()', () => {
  beforeAll(() => {
    if (!fs.existsSync(PYTHON)) {
      throw new Error(`${PYTHON} is missing: run \`bash scripts/venv.sh\``);
    }
  });

  it.each(['case0', 'case1', 'case2', 'case3'])(
    '%s, every padding/truncating side',
    name => {
      const tokenizer = path.join(FIXTURES, name, 'tokenizer.json');
      const expected = JSON.parse(
        fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')
      );
      const texts: string[] = [...expected.texts, ...TRICKY];
      const maxlen = 12;
      // Distinct dyadic values: sums are exact in both languages.
      const attention = texts.map((_, t) =>
        Array.from({ length: maxlen }, (_, p) => (t + 1) / 64 + 2 ** -(p + 8))
      );
      const predictions = texts.map((_, t) =>
        t % 2 ? [t / 8, 1 - t / 8] : t / 16
      );
      fs.writeFileSync(path.join(tmp, 'att.json'), JSON.stringify(attention));
      fs.writeFileSync(
        path.join(tmp, 'pred.json'),
        JSON.stringify(predictions)
      );
      for (const padding of ['pre', 'post']) {
        for (const truncating of ['pre', 'post']) {
          const cli = spawnSync(
            process.execPath,
            [
              BIN,
              'align',
              '--tokenizer',
              tokenizer,
              '--attention',
              path.join(tmp, 'att.json'),
              '--predictions',
              path.join(tmp, 'pred.json'),
              '--maxlen',
              String(maxlen),
              '--padding',
              padding,
              '--truncating',
              truncating,
              '--',
              ...texts
            ],
            { encoding: 'utf8' }
          );
          expect(cli.status).toBe(0);
          const fromPython = pythonAlign({
            texts,
            tokenizer,
            attention,
            maxlen,
            padding,
            truncating,
            predictions
          });
          expect(JSON.parse(cli.stdout)).toEqual(fromPython);
        }
      }
    }
  );
});
