/**
 * The explorer's runner with the demo model on in-process workers (the real
 * request handler, engine and explainer behind a MessageChannel) and a
 * ModelSession reading from an in-memory server: every row predicted in
 * input order, the same values as the CLI's evaluation path, Cancel keeping
 * the chunks done, explanations computed once and cached, bad files named.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import type { IEvaluated } from '../../../src/evaluate/evaluate-rows';
import { createExplainer } from '../../../src/explain';
import { ExplorerRunner, RUN_CHUNK } from '../../../src/lab/explorer/runner';
import type { IContentsLike } from '../../../src/lab/model-files';
import { ModelSession } from '../../../src/lab/model-session';
import { DEFAULT_LAB_SETTINGS } from '../../../src/lab/settings';
import { loadModel } from '../../../src/model/engine';
import { WorkerPool } from '../../../src/workers/pool';
import { channelWorkers } from '../support/channel-worker';

const ROOT = path.resolve(__dirname, '../../..');
const DEMO = path.join(ROOT, 'examples', 'models', 'demo');
const WORK = path.join(ROOT, 'artifacts', 'test-explorer');

function contents(files: {
  [path: string]: string | Uint8Array;
}): IContentsLike {
  return {
    async get(filePath, options) {
      const content = files[filePath];
      if (content === undefined) {
        throw Object.assign(new Error('Not Found'), {
          response: { status: 404 }
        });
      }
      const bytes =
        typeof content === 'string'
          ? Buffer.from(content)
          : Buffer.from(content);
      return options?.format === 'base64'
        ? { type: 'file', format: 'base64', content: bytes.toString('base64') }
        : { type: 'file', format: 'text', content: bytes.toString() };
    }
  };
}

const TEXTS = Array.from(
  { length: 600 },
  (_, i) =>
    [
      'great value',
      'arrived broken',
      'want a "refund", now',
      'terrific\nthanks',
      'terrible'
    ][i % 5] + ` #${i}`
);
const CSV =
  'text,label\n' +
  TEXTS.map((t, i) => `"${t.replace(/"/g, '""')}",${i % 2}`).join('\n') +
  '\n';

/** Keras's outputs of the TextVectorization fixture for its raw strings. */
const TV: { texts: string[]; outputs: number[][][] } = JSON.parse(
  fs.readFileSync(
    path.join(ROOT, 'test/fixtures/keras/layers/text_vectorization.json'),
    'utf8'
  )
);

function setup() {
  const factory = channelWorkers({
    engine: async () => loadModel,
    explainer: async () => createExplainer
  });
  const pool = new WorkerPool({ spawn: factory.spawn, size: 2, idleMs: 0 });
  const server = contents({
    'data/reviews.csv': CSV,
    'data/bad.tsv': 'text\tlabel\nfine\t1\nnot\tfine\t0\n',
    'models/demo.h5': new Uint8Array(
      fs.readFileSync(path.join(DEMO, 'demo.h5'))
    ),
    'models/tokenizer.json': fs.readFileSync(
      path.join(DEMO, 'tokenizer.json'),
      'utf8'
    ),
    'models/tv.keras': new Uint8Array(
      fs.readFileSync(
        path.join(ROOT, 'test/fixtures/keras/layers/text_vectorization.keras')
      )
    ),
    'data/tv.jsonl': TV.texts
      .map((text, i) => JSON.stringify({ text, label: i % 2 }))
      .join('\n')
  });
  const settings = () => DEFAULT_LAB_SETTINGS;
  const session = new ModelSession({
    contents: server,
    client: pool,
    settings
  });
  const runner = new ExplorerRunner(server, session);
  return { runner, pool, factory };
}

describe('ExplorerRunner', () => {
  afterEach(() => jest.restoreAllMocks());

  it('predicts every row in input order, as the CLI does', async () => {
    const { runner, pool } = setup();
    try {
      const file = await runner.readFile('data/reviews.csv');
      expect(file.rows).toHaveLength(600);
      await runner.load('models/demo.h5', 'models/tokenizer.json');
      const got: IEvaluated[] = [];
      const progress: number[] = [];
      const outcome = await runner.run(file.rows, ['no', 'yes'], {
        signal: new AbortController().signal,
        onRows: rows => got.push(...rows),
        onProgress: done => progress.push(done)
      });
      expect(outcome).toBe('done');
      expect(got.map(r => r.row.index)).toEqual(TEXTS.map((_, i) => i));
      expect(progress).toEqual([256, 512, 600]);
      expect(got[3].row.text).toBe(TEXTS[3]);

      // The CLI (worker threads, file streaming) on the same file.
      fs.mkdirSync(WORK, { recursive: true });
      const csv = path.join(WORK, 'reviews.csv');
      fs.writeFileSync(csv, CSV);
      const cli = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'bin', 'char-attention.js'),
          'evaluate',
          '--model',
          path.join(DEMO, 'demo.h5'),
          '--file',
          csv,
          '--classes',
          'no,yes'
        ],
        { encoding: 'utf8', maxBuffer: 1 << 26 }
      );
      expect(cli.status).toBe(0);
      const lines = cli.stdout
        .trim()
        .split('\n')
        .slice(0, -1)
        .map(l => JSON.parse(l));
      expect(lines).toHaveLength(600);
      lines.forEach((line, i) => {
        expect(got[i].row.prediction).toBeCloseTo(line.prediction, 6);
        expect(got[i].row.label).toBe(line.label);
        expect(got[i].row.loss).toBeCloseTo(line.loss, 5);
      });
    } finally {
      pool.dispose();
    }
  });

  it('Cancel stops the run and keeps the chunks handed over', async () => {
    const { runner, pool } = setup();
    try {
      const file = await runner.readFile('data/reviews.csv');
      await runner.load('models/demo.h5', 'models/tokenizer.json');
      const controller = new AbortController();
      const got: IEvaluated[] = [];
      const outcome = await runner.run(file.rows, null, {
        signal: controller.signal,
        onRows: rows => {
          got.push(...rows);
          controller.abort();
        },
        onProgress: () => undefined
      });
      expect(outcome).toBe('cancelled');
      expect(got).toHaveLength(RUN_CHUNK);
      expect(got.map(r => r.row.index)).toEqual(got.map((_, i) => i));
    } finally {
      pool.dispose();
    }
  });

  it('explains chosen rows once and serves them from the cache', async () => {
    const { runner, pool } = setup();
    try {
      const file = await runner.readFile('data/reviews.csv');
      await runner.load('models/demo.h5', 'models/tokenizer.json');
      const explain = jest.spyOn(pool, 'explain');
      const rows = [file.rows[1], file.rows[4]];
      const methods = [
        { method: 'attention' as const },
        { method: 'occlusion' as const }
      ];
      const first = await runner.explain(rows, methods, null);
      expect(first.map(e => e.row.index)).toEqual([1, 4]);
      for (const e of first) {
        expect(Object.keys(e.row.explanations)).toEqual([
          'attention',
          'occlusion'
        ]);
        expect(e.row.explanations.occlusion.values).toHaveLength(
          Array.from(e.row.text).length
        );
        expect(e.row.explanations.occlusion.comprehensiveness).not.toBeNull();
        expect(Object.keys(e.row.agreement)).toEqual(['attention~occlusion']);
      }
      const calls = explain.mock.calls.length;
      expect(calls).toBe(2);
      const again = await runner.explain(
        [file.rows[4], file.rows[1]],
        methods,
        null
      );
      expect(explain.mock.calls.length).toBe(calls);
      expect(again[0]).toBe(first[1]);
      expect(runner.cachedRows()).toHaveLength(2);
    } finally {
      pool.dispose();
    }
  });

  it('a .keras model with its own TextVectorization layer needs no tokenizer file (Keras predictions)', async () => {
    const { runner, pool } = setup();
    try {
      const file = await runner.readFile('data/tv.jsonl');
      const info = await runner.load('models/tv.keras', '');
      expect(info.tokenizer?.kind).toBe('TextVectorization');
      const got: IEvaluated[] = [];
      await runner.run(file.rows, null, {
        signal: new AbortController().signal,
        onRows: rows => got.push(...rows),
        onProgress: () => undefined
      });
      expect(got).toHaveLength(TV.texts.length);
      got.forEach(({ row }, i) =>
        expect(
          Math.abs(row.prediction - TV.outputs[0][i][0])
        ).toBeLessThanOrEqual(1e-5)
      );
    } finally {
      pool.dispose();
    }
  });

  it('method options reach the methods (their meta says so) and key the cache', async () => {
    const { runner, pool } = setup();
    try {
      const file = await runner.readFile('data/reviews.csv');
      await runner.load('models/demo.h5', 'models/tokenizer.json');
      const rows = [file.rows[2]];
      const [fixed] = await runner.explain(
        rows,
        [{ method: 'integrated-gradients', steps: 8 }],
        null
      );
      expect(fixed.row.explanations['integrated-gradients'].meta).toMatchObject(
        { rule: 'riemann-midpoint', steps: 8 }
      );
      const [adaptive] = await runner.explain(
        rows,
        [{ method: 'integrated-gradients', tolerance: 0.05 }],
        null
      );
      const meta = adaptive.row.explanations['integrated-gradients'].meta;
      expect(meta).toMatchObject({ rule: 'trapezoid', tolerance: 0.05 });
      expect(typeof meta.gapRelative).toBe('number');
      const [window3] = await runner.explain(
        rows,
        [{ method: 'occlusion', window: 3 }],
        null
      );
      expect(window3.row.explanations.occlusion.meta).toMatchObject({
        window: 3
      });
      expect(runner.cachedRows()).toHaveLength(3);
      await expect(
        runner.explain(rows, [{ method: 'occlusion', window: 0 }], null)
      ).rejects.toThrow(/window must be an integer from 1/);
    } finally {
      pool.dispose();
    }
  });

  it('names the file and line of a bad row, and refuses plain text', async () => {
    const { runner, pool } = setup();
    try {
      await expect(runner.readFile('data/bad.tsv')).rejects.toThrow(
        'data/bad.tsv: line 3: 3 fields, but the header has 2'
      );
      await expect(runner.readFile('data/notes.txt')).rejects.toThrow(
        /reads \.csv, \.tsv and \.jsonl/
      );
    } finally {
      pool.dispose();
    }
  });
});
