/**
 * `char-attention encode` and `align` end to end through bin/char-attention.js
 * (needs `npm run build:node` first).
 */
import * as fs from 'fs';
import * as path from 'path';
import { cliTmpDir, ROOT, run } from './cli-support';

const FIXTURES = path.resolve(ROOT, 'test/fixtures/keras-tokenizer');

let tmp: string;
beforeAll(() => {
  tmp = cliTmpDir('char-attention-cli-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('char-attention encode', () => {
  it.each(['case0', 'case1', 'case2', 'case3'])(
    'reproduces keras-tokenizer %s (maxlen 10 and 50, every side)',
    name => {
      const expected = JSON.parse(
        fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')
      );
      const textFile = path.join(tmp, `${name}.txt`);
      // Texts with newlines cannot go through --file; pass them as arguments.
      const texts: string[] = expected.texts;
      for (const key of Object.keys(expected.padded)) {
        const p = Object.fromEntries(
          key.split(',').map((kv: string) => kv.split('='))
        );
        const out = run([
          'encode',
          '--tokenizer',
          path.join(FIXTURES, name, 'tokenizer.json'),
          '--maxlen',
          p.maxlen,
          '--padding',
          p.padding,
          '--truncating',
          p.truncating,
          '--',
          ...texts
        ]);
        expect(out.code).toBe(0);
        expect(JSON.parse(out.stdout)).toEqual(expected.padded[key]);
      }
      // Without maxlen: the longest sequence, as pad_sequences does.
      const plain = texts.filter(t => !/[\r\n]/.test(t));
      fs.writeFileSync(textFile, plain.join('\n') + '\n');
      const out = run([
        'encode',
        '--tokenizer',
        path.join(FIXTURES, name, 'tokenizer.json'),
        '--file',
        textFile
      ]);
      expect(out.code).toBe(0);
      const sequences = plain.map(
        t => expected.sequences[texts.indexOf(t)] as number[]
      );
      const longest = Math.max(...sequences.map(s => s.length));
      expect(JSON.parse(out.stdout)).toEqual(
        sequences.map(s => [...new Array(longest - s.length).fill(0), ...s])
      );
    }
  );

  it('prints one notice per problem on stderr', () => {
    const out = run([
      'encode',
      '--tokenizer',
      path.join(FIXTURES, 'case0', 'tokenizer.json'),
      '--maxlen',
      '5',
      'abcdefgh',
      '',
      '☃a'
    ]);
    expect(out.code).toBe(0);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toEqual([
      'char-attention encode: text 1: 8 tokens > maxlen 5, the first 3 truncated',
      'char-attention encode: text 2: empty text; the model sees only padding',
      'char-attention encode: text 3: 1 character not in the vocabulary ("☃"), dropped'
    ]);
  });

  it('usage errors exit 2, unreadable files exit 1, --help exits 0', () => {
    expect(run(['encode', 'x']).code).toBe(2);
    expect(
      run(['encode', '--tokenizer', '{"a": 1}', '--maxlen', 'zero', 'x']).code
    ).toBe(2);
    expect(
      run(['encode', '--tokenizer', '{"a": 1}', '--padding', 'left', 'x'])
        .stderr
    ).toMatch(/--padding must be 'pre' or 'post'/);
    const missing = run([
      'encode',
      '--tokenizer',
      path.join(tmp, 'missing.json'),
      'x'
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /cannot read tokenizer file '.*missing.json': no such file/
    );
    const help = run(['encode', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: char-attention encode/);
  });

  it('accepts an inline plain map and stdin texts', () => {
    const out = run(
      ['encode', '--tokenizer', '{"a": 1, "b": 2}', '--lower', '--file', '-'],
      'AB\nba\n'
    );
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([
      [1, 2],
      [2, 1]
    ]);
  });
});

describe('char-attention align', () => {
  const tokenizer = path.join(FIXTURES, 'case0', 'tokenizer.json');
  const align = (args: string[]) =>
    run(['align', '--tokenizer', tokenizer, ...args]);

  it('prints the aligned payload v1 batch', () => {
    const att = path.join(tmp, 'att.json');
    const pred = path.join(tmp, 'pred.json');
    fs.writeFileSync(
      att,
      JSON.stringify([
        [0.1, 0.2, 0.3, 0.4],
        [0.4, 0.3, 0.2, 0.1]
      ])
    );
    fs.writeFileSync(pred, JSON.stringify([0.9, [0.2, 0.8]]));
    const out = align([
      '--attention',
      att,
      '--predictions',
      pred,
      '--maxlen',
      '4',
      'ab',
      'abc☃de'
    ]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      version: 1,
      samples: [
        {
          text: 'ab',
          attention: [0.3, 0.4],
          mask: [true, true],
          prediction: 0.9
        },
        {
          text: 'abc☃de',
          attention: [null, 0.4, 0.3, null, 0.2, 0.1],
          mask: [false, true, true, false, true, true],
          prediction: [0.2, 0.8]
        }
      ]
    });
    expect(out.stderr).toMatch(
      /text 2: 5 tokens > maxlen 4, the first 1 truncated/
    );
  });

  it('maxlen defaults to the attention rows length', () => {
    const att = path.join(tmp, 'att3.json');
    fs.writeFileSync(att, JSON.stringify([[0.5, 0.25, 0.25]]));
    const out = align(['--attention', att, 'a']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).samples[0]).toEqual({
      text: 'a',
      attention: [0.25],
      mask: [true]
    });
  });

  it('accepts a single row without the batch axis, [maxlen, 1] rows and a bare prediction', () => {
    const att = path.join(tmp, 'single.json');
    const pred = path.join(tmp, 'single-pred.json');
    fs.writeFileSync(att, JSON.stringify([[0.5], [0.25], [0.25]]));
    fs.writeFileSync(pred, '0.75');
    const out = align(['--attention', att, '--predictions', pred, 'ab']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).samples[0]).toEqual({
      text: 'ab',
      attention: [0.25, 0.25],
      mask: [true, true],
      prediction: 0.75
    });
    fs.writeFileSync(att, JSON.stringify([0.5, 0.5]));
    const flat = align(['--attention', att, 'ab']);
    expect(JSON.parse(flat.stdout).samples[0].attention).toEqual([0.5, 0.5]);
  });

  it('bad attention input is a clear error', () => {
    const att = path.join(tmp, 'bad.json');
    fs.writeFileSync(att, JSON.stringify([[0.5, 'x']]));
    const out = align(['--attention', att, 'a']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/\[0\]\[1\] is "x", expected a number/);
    fs.writeFileSync(att, JSON.stringify([[0.5, 0.5]]));
    const wrong = align(['--attention', att, '--maxlen', '3', 'a']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /attention\[0\]: has 2 values, expected maxlen = 3/
    );
    expect(run(['align', '--tokenizer', tokenizer, 'a']).code).toBe(2);
  });
});
