/**
 * Hostile files fail fast, within 5 s and 500 MB peak RSS, with a message
 * naming the file and the limit. Each attack runs the built CLI in a child
 * process, which reports its own peak RSS (needs `npm run build:node`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { unzipSync } from 'fflate';
import {
  buildZip,
  deflateBomb,
  expectWithinBudget,
  HOSTILE,
  patchDims,
  runMeasured,
  tmpDir
} from './support';

const TOKENIZER = path.join(HOSTILE, 'tokenizer.json');
const RAW = /DataView|undefined|Cannot read properties|RangeError|TypeError/;

let dir: string;
beforeAll(() => {
  dir = tmpDir('char-attention-hostile-');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

function predict(model: string, extra: string[] = []) {
  return runMeasured(
    ['predict', '--model', model, '--tokenizer', TOKENIZER, ...extra, 'hello'],
    { dir }
  );
}

/** The real `.keras` fixture's entries, to rebuild hostile variants of it. */
function kerasEntries(): { [name: string]: Uint8Array } {
  return unzipSync(
    new Uint8Array(fs.readFileSync(path.join(HOSTILE, 'tiny.keras')))
  );
}

describe('hostile model files', () => {
  it('an .h5 whose dataset declares 2^28 floats (file of 28 KB)', () => {
    const bytes = new Uint8Array(
      fs.readFileSync(path.join(HOSTILE, 'tiny.h5'))
    );
    // embeddings (16, 4) -> (2^26, 4): 2^28 float32 declared, nothing stored.
    const file = write(
      'declares-2e28.h5',
      patchDims(bytes, [16, 4], [2 ** 26, 4])
    );
    expect(fs.statSync(file).size).toBeLessThan(64 << 10);
    const m = predict(file);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /declares-2e28\.h5: dataset 'model_weights\/embed\/embed\/embeddings' declares 268,435,456 values \(1\.07 GB\) but the file is 28\.\d KB/
    );
    expect(m.stderr).toMatch(/at most 16 times its size/);
    expect(m.stderr).not.toMatch(RAW);
  });

  it('a truncated .h5 says it is truncated or damaged, naming the file', () => {
    const bytes = fs.readFileSync(path.join(HOSTILE, 'tiny.h5'));
    for (const size of [800, 4000, 15100, 15600, 20000]) {
      const file = write(`cut-${size}.h5`, bytes.subarray(0, size));
      const m = predict(file);
      expectWithinBudget(m);
      expect(m.code).toBe(1);
      expect(m.stderr).toMatch(new RegExp(`cut-${size}\\.h5: `));
      expect(m.stderr).toMatch(/truncated/);
      expect(m.stderr).not.toMatch(RAW);
    }
  });

  it('a .keras zip bomb whose directory lies about the size is stopped while inflating', () => {
    const entries = kerasEntries();
    const bomb = deflateBomb(3_700_000); // about 6 MB that inflate to 955 MB
    const file = write(
      'bomb-lying.keras',
      buildZip([
        {
          name: 'config.json',
          stored: entries['config.json'],
          method: 0,
          size: entries['config.json'].length
        },
        { name: 'model.weights.h5', stored: bomb.data, method: 8, size: 30000 }
      ])
    );
    expect(fs.statSync(file).size).toBeGreaterThan(5e6);
    const m = predict(file);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /bomb-lying\.keras: zip entry 'model\.weights\.h5' inflates past the 30\.0 KB its directory declares: the archive is damaged or a zip bomb/
    );
  });

  it('a .keras zip bomb that declares its size is refused from the directory', () => {
    const entries = kerasEntries();
    const bomb = deflateBomb(3_700_000);
    const file = write(
      'bomb.keras',
      buildZip([
        {
          name: 'config.json',
          stored: entries['config.json'],
          method: 0,
          size: entries['config.json'].length
        },
        {
          name: 'model.weights.h5',
          stored: bomb.data,
          method: 8,
          size: bomb.size
        }
      ])
    );
    const m = predict(file);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /bomb\.keras: zip entry 'model\.weights\.h5' declares 955 MB uncompressed \(at most 16 times its 6\.\d+ MB compressed size\): the archive is damaged or a zip bomb/
    );
  });

  it('a model declaring 10^9 input steps is refused before anything is allocated', () => {
    const entries = kerasEntries();
    const config = JSON.parse(new TextDecoder().decode(entries['config.json']));
    const text = JSON.stringify(config).replace(
      /"batch_shape": ?\[null, ?12\]/,
      '"batch_shape": [null, 1000000000]'
    );
    expect(text).toContain('1000000000');
    const file = write(
      'long-input.keras',
      buildZip(
        Object.entries({
          ...entries,
          'config.json': new TextEncoder().encode(text)
        }).map(([name, stored]) => ({
          name,
          stored,
          method: 0 as const,
          size: stored.length
        }))
      )
    );
    const m = predict(file);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /long-input\.keras: the model declares an input of 1,000,000,000 steps; at most 100,000 are allowed \(the maxInputLength setting \/ --max-length\)/
    );
    // The limit is a flag: the same model within a raised limit goes further
    // (and fails on its weights, which do not fit the longer input).
    const raised = predict(file, ['--max-length', '2000000000']);
    expect(raised.stderr).not.toMatch(/at most 100,000/);
  });

  it('--maxlen above --max-length fails before padding', () => {
    const m = runMeasured(
      ['encode', '--tokenizer', TOKENIZER, '--maxlen', '1000000000', 'hello'],
      { dir }
    );
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /maxlen is 1000000000; at most 100000 input steps are allowed \(raise it with --max-length\)/
    );
  });
});

describe('hostile payloads and inputs', () => {
  it('a valid-looking payload of 1M characters x 30 series is refused by the value cap', () => {
    const n = 1_000_000;
    const values = `[${new Array(n).fill('0').join(',')}]`;
    const series = Array.from(
      { length: 30 },
      (_, i) => `{"name":"s${i}","values":${values}}`
    );
    const file = write(
      'wide.json',
      `{"version":1,"text":"${'a'.repeat(n)}","series":[${series.join(',')}]}`
    );
    const m = runMeasured(['render', file, '-o', path.join(dir, 'wide.html')], {
      dir
    });
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /series\[1\]\.values brings the payload to 2000000 values \(at most 1000000 in total\)/
    );
    expect(m.stderr).toContain('wide.json');
  });

  it('200,000 input lines go through encode without overflowing the stack', () => {
    // Characters in and out of the vocabulary: every text has a notice.
    const lines = Array.from(
      { length: 200_000 },
      (_, i) => `hello ${i % 97}`
    ).join('\n');
    const m = runMeasured(['encode', '--tokenizer', TOKENIZER, '--file', '-'], {
      dir,
      input: lines + '\n'
    });
    expectWithinBudget(m);
    expect(m.stderr).not.toMatch(/call stack/i);
    expect(m.code).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out).toHaveLength(200_000);
    // 'hello ' is in the vocabulary, the digits are dropped.
    expect(out[0]).toEqual([4, 5, 1, 1, 3, 2]);
    expect(out[199_999]).toEqual([4, 5, 1, 1, 3, 2]);
    expect(m.stderr).toMatch(/notices for \d+ more texts/);
  });

  it('a file of 20,000 lines streams through predict: JSON lines in input order, bounded memory', () => {
    const file = write(
      'lines.txt',
      Array.from({ length: 20_000 }, (_, i) => `hello ${i}`).join('\n')
    );
    const m = runMeasured(
      [
        'predict',
        '--model',
        path.join(HOSTILE, 'tiny.h5'),
        '--tokenizer',
        TOKENIZER,
        '--file',
        file
      ],
      { dir }
    );
    // Memory only: the time is the model's (20,000 forward passes).
    expect(m.rssMb).toBeLessThan(500);
    expect(m.stderr).not.toMatch(/call stack/i);
    expect(m.code).toBe(0);
    const lines = m.stdout.trim().split('\n');
    expect(lines).toHaveLength(20_000);
    expect(JSON.parse(lines[19_999]).samples[0].text).toBe('hello 19999');
  });
});
