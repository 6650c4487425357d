/**
 * The CLI's worker pool on real Node worker threads (the compiled
 * `lib-node`, as the CLI runs it): streamed `--file` output in input order
 * and identical with 1 and 2 workers, and a worker thread killed in the
 * middle of a request replaced without losing the request.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFiles } from '../../src/model/files/node-files';
import { loadModel } from '../../src/model/engine';
import { terminalJson } from '../../src/payload/printable-json';
import { encodeTexts, parseTokenizer } from '../../src/text/tokenizer';
import { BIN, cliTmpDir, ROOT } from '../model-text/cli-support';

const DEMO = path.join(ROOT, 'examples', 'models', 'demo');
const H5 = path.join(DEMO, 'demo.h5');
const TOKENIZER = path.join(DEMO, 'tokenizer.json');

let tmp: string;
beforeAll(() => {
  tmp = cliTmpDir('char-attention-pool-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function texts(count: number): string[] {
  const words = ['refund', 'broken', 'great', 'thanks', 'lid', 'never', 'love'];
  return Array.from(
    { length: count },
    (_, i) =>
      Array.from(
        { length: 1 + (i % 9) },
        (_, k) => words[(i * 3 + k) % 7]
      ).join(' ') +
      // The index in letters (the demo vocabulary has no digits).
      ` ${String(i).replace(/\d/g, d => 'abcdefghik'[Number(d)])}`
  );
}

function predictFile(file: string, workers: number) {
  const result = spawnSync(
    process.execPath,
    [
      BIN,
      'predict',
      '--model',
      H5,
      '--tokenizer',
      TOKENIZER,
      '--workers',
      String(workers),
      '--file',
      file
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 }
  );
  return result;
}

describe('CLI worker pool', () => {
  it('--file streams JSONL in input order, the same with 1 and 2 workers', () => {
    const input = texts(700);
    const file = path.join(tmp, 'texts.txt');
    fs.writeFileSync(file, input.join('\r\n'));
    const one = predictFile(file, 1);
    const two = predictFile(file, 2);
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    // stderr is not a terminal here: no progress line, only what was inferred.
    expect(
      two.stderr.split('\n').filter(l => l && !l.includes(': inferred: '))
    ).toEqual([]);
    const a = one.stdout
      .trimEnd()
      .split('\n')
      .map(l => JSON.parse(l));
    const b = two.stdout
      .trimEnd()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(b).toHaveLength(700);
    b.forEach((payload, i) => {
      expect(payload.samples).toHaveLength(1);
      expect(payload.samples[0].text).toBe(input[i]);
      const x = payload.samples[0];
      const y = a[i].samples[0];
      expect(Math.abs(x.prediction - y.prediction)).toBeLessThanOrEqual(1e-6);
      x.attention.forEach((v: number | null, k: number) =>
        expect(Math.abs((v ?? 0) - (y.attention[k] ?? 0))).toBeLessThanOrEqual(
          1e-6
        )
      );
    });
  });

  it('--file JSONL made in the workers is byte for byte the batch payload of the same texts, notices included', () => {
    // Notices (unknown characters, an empty text, a text past maxlen 80),
    // characters printed escaped (a bidi override, a C1 control, DEL), and
    // texts past the first 256-text chunk and 32-text worker jobs.
    const input = texts(300);
    input[3] = 'refund \u00e9t\u00e9 \u03a9';
    input[40] = '';
    input[75] = 'broken '.repeat(20);
    input[130] = 'lid \u202e never \u0085 love \u007f';
    input[290] = 'great \u00e9';
    const file = path.join(tmp, 'lines.txt');
    fs.writeFileSync(file, input.join('\n') + '\n');
    const streamed = predictFile(file, 2);
    const batch = spawnSync(
      process.execPath,
      [BIN, 'predict', '--model', H5, '--tokenizer', TOKENIZER, ...input],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 }
    );
    expect(streamed.status).toBe(0);
    expect(batch.status).toBe(0);
    const payload = JSON.parse(batch.stdout);
    const expected = payload.samples
      .map(
        (sample: unknown) =>
          terminalJson(JSON.stringify({ version: 1, samples: [sample] })) + '\n'
      )
      .join('');
    expect(streamed.stdout).toBe(expected);
    expect(streamed.stdout).toContain('\\u202e');
    expect(streamed.stdout).not.toContain('\u202e');
    const notices = (stderr: string) =>
      stderr.split('\n').filter(line => /: text \d+: /.test(line));
    expect(notices(streamed.stderr)).toEqual(notices(batch.stderr));
    expect(
      notices(streamed.stderr).map(l => l.match(/text (\d+)/)![1])
    ).toEqual(['4', '41', '76', '131', '291']);
  });

  it('--file -o writes one HTML document with every text', () => {
    const input = texts(300);
    const file = path.join(tmp, 'html.txt');
    fs.writeFileSync(file, input.join('\n') + '\n');
    const out = path.join(tmp, 'out.html');
    const result = spawnSync(
      process.execPath,
      [
        BIN,
        'predict',
        '--model',
        H5,
        '--tokenizer',
        TOKENIZER,
        '--file',
        file,
        '-o',
        out
      ],
      { cwd: ROOT, encoding: 'utf8' }
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`wrote ${out} (300 texts)`);
    const html = fs.readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    // One sample block per text.
    expect(html.split('<div class=c-s>')).toHaveLength(301);
  });

  it('rejects a bad --workers value', () => {
    const result = spawnSync(
      process.execPath,
      [BIN, 'predict', '--model', H5, '--workers', '0', 'hi'],
      { cwd: ROOT, encoding: 'utf8' }
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "--workers must be an integer from 1 to 64, got '0'"
    );
  });

  it('replaces a worker thread killed mid-request; the request completes', async () => {
    const lib = path.join(ROOT, 'lib-node');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { WorkerPool } = require(path.join(lib, 'workers', 'pool.js'));
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { spawnThreadWorker } = require(
      path.join(lib, 'workers', 'spawn-thread.js')
    );
    const threads: Array<{ thread: { terminate(): Promise<number> } }> = [];
    const pool = new WorkerPool({
      spawn: () => {
        const worker = spawnThreadWorker();
        threads.push(worker);
        return worker;
      },
      size: 2,
      idleMs: 0
    });
    const source = readModelFiles(H5);
    const info = await pool.load(source.files);
    const tokenizer = parseTokenizer(fs.readFileSync(TOKENIZER, 'utf8'));
    const { items } = encodeTexts(tokenizer, texts(1500), {
      maxlen: info.inputLength
    });
    const sequences = items.map(item => item.padded);
    let killed = false;
    const result = await pool.predict(sequences, {
      onProgress: (p: { done: number }) => {
        if (!killed && p.done > 200 && threads.length >= 2) {
          killed = true;
          // Killed from outside, as the OS would: not through the pool.
          void threads[1].thread.terminate();
        }
      }
    });
    pool.dispose();
    expect(killed).toBe(true);
    expect(pool.replacedCount).toBeGreaterThanOrEqual(1);
    expect(threads.length).toBeGreaterThanOrEqual(3);
    const direct = await (
      await loadModel(source.files)
    ).predict(sequences.slice(1400));
    expect(result.predictions).toHaveLength(1500);
    direct.predictions.forEach((row, i) =>
      expect(
        Math.abs(row[0] - result.predictions[1400 + i][0])
      ).toBeLessThanOrEqual(1e-6)
    );
  });
});
