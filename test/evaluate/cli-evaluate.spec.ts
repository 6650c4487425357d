/**
 * `char-attention evaluate` end to end with the demo model (built CLI, worker
 * threads): rows in input order whatever the worker count, the JSONL fields,
 * the summary agreeing with the rows, the HTML report, and errors that name
 * the line. Needs `npm run build:node`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'char-attention.js');
const MODEL = path.join(ROOT, 'examples', 'models', 'demo', 'demo.h5');
const WORK = path.join(ROOT, 'artifacts', 'test-evaluate');

function cli(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'evaluate', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, content: string): string {
  const file = path.join(WORK, name);
  fs.writeFileSync(file, content);
  return file;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function jsonl(stdout: string) {
  return stdout
    .trim()
    .split('\n')
    .map(line => JSON.parse(line));
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib-node', 'cli', 'evaluate.js'))) {
    throw new Error(
      'lib-node/cli/evaluate.js is missing: run `npm run build:node` first'
    );
  }
  fs.mkdirSync(WORK, { recursive: true });
});

describe('char-attention evaluate', () => {
  it('rows come out in input order with --workers 1 and 2, identical', () => {
    const texts = fc.sample(
      fc.string({
        unit: fc.constantFrom(...'abcdefgh ,."\nXYZé!'.split('')),
        maxLength: 60
      }),
      { numRuns: 40, seed: 11 }
    );
    const labels = texts.map((_, i) => (i % 3 === 0 ? '' : String(i % 2)));
    const file = write(
      'order.csv',
      'text,label\r\n' +
        texts.map((t, i) => `${csvField(t)},${labels[i]}`).join('\r\n') +
        '\r\n'
    );
    const outputs = ['1', '2'].map(workers => {
      const result = cli([
        '--model',
        MODEL,
        '--file',
        file,
        '--method',
        'occlusion,attention',
        '--workers',
        workers
      ]);
      expect(result.stderr).not.toMatch(/Error|error:/);
      expect(result.code).toBe(0);
      return jsonl(result.stdout);
    });
    for (const lines of outputs) {
      const rows = lines.slice(0, -1);
      expect(rows.map(r => r.index)).toEqual(texts.map((_, i) => i));
      expect(rows.map(r => r.text)).toEqual(texts);
      expect(rows.map(r => r.label)).toEqual(
        labels.map(l => (l === '' ? null : Number(l)))
      );
      expect(Object.keys(rows[1])).toEqual([
        'index',
        'text',
        'label',
        'prediction',
        'predictedClass',
        'correct',
        'loss',
        'explanations',
        'agreement'
      ]);
      expect(Object.keys(rows[1].explanations)).toEqual([
        'occlusion',
        'attention'
      ]);
      expect(Object.keys(rows[1].explanations.occlusion)).toEqual([
        'values',
        'comprehensiveness',
        'sufficiency',
        'meta'
      ]);
      expect(rows[1].explanations.occlusion.meta).toMatchObject({
        window: 1
      });
      expect(Object.keys(rows[1].agreement)).toEqual(['occlusion~attention']);
      rows.forEach((row, i) => {
        const chars = Array.from(texts[i]);
        expect(row.explanations.occlusion.values).toHaveLength(chars.length);
      });
      expect(Object.keys(lines[lines.length - 1])).toEqual(['summary']);
    }
    // The forward passes a method counts depend on how the work was split.
    const withoutPasses = (lines: any[]) =>
      JSON.parse(JSON.stringify(lines), (key, value) =>
        key === 'passes' ? undefined : value
      );
    expect(withoutPasses(outputs[1])).toEqual(withoutPasses(outputs[0]));
  });

  it('the summary agrees with the rows', () => {
    const file = write(
      'summary.jsonl',
      [
        { text: 'The screen arrived BROKEN, I want a refund.', label: 'neg' },
        { text: 'great value', label: 'pos' },
        { text: 'terrible', label: 0 },
        { text: 'works fine', label: null },
        { text: 'awful, awful', label: 'neg' }
      ]
        .map(o => JSON.stringify(o))
        .join('\n')
    );
    const result = cli([
      '--model',
      MODEL,
      '--file',
      file,
      '--classes',
      'neg,pos',
      '--method',
      'attention,occlusion'
    ]);
    expect(result.code).toBe(0);
    const lines = jsonl(result.stdout);
    const rows = lines.slice(0, -1);
    const { summary } = lines[lines.length - 1];
    const labelled = rows.filter(r => r.label !== null);
    expect(summary.count).toBe(5);
    expect(summary.labelled).toBe(4);
    expect(summary.classes).toEqual(['neg', 'pos']);
    expect(summary.accuracy).toBeCloseTo(
      labelled.filter(r => r.correct).length / 4,
      12
    );
    expect(summary.meanLoss).toBeCloseTo(
      labelled.reduce((s, r) => s + r.loss, 0) / 4,
      12
    );
    const matrix = [
      [0, 0],
      [0, 0]
    ];
    labelled.forEach(r => matrix[r.label][r.predictedClass]++);
    expect(summary.confusionMatrix).toEqual(matrix);
    for (const method of ['attention', 'occlusion']) {
      const mean =
        rows.reduce((s, r) => s + r.explanations[method].comprehensiveness, 0) /
        5;
      expect(summary.methods[method].comprehensiveness).toBeCloseTo(mean, 12);
      expect(summary.characters[method].length).toBeGreaterThan(5);
    }
    const taus = rows
      .map(r => r.agreement['attention~occlusion'])
      .filter((t: number | null) => t !== null);
    expect(summary.agreement['attention~occlusion']).toBeCloseTo(
      taus.reduce((a: number, b: number) => a + b, 0) / taus.length,
      12
    );
  });

  it('-o writes the report: rows by loss, escaped text, tables of the worst rows', () => {
    const file = write(
      'report.tsv',
      'text\tlabel\n<script>alert(1)</script>\t1\ngreat value\t1\nterrible\t0\nfine\t0\n'
    );
    const output = path.join(WORK, 'report.html');
    fs.rmSync(output, { force: true });
    const result = cli([
      '--model',
      MODEL,
      '--file',
      file,
      '-o',
      output,
      '--worst',
      '2'
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/wrote .*report\.html \(4 rows\)/);
    const html = fs.readFileSync(output, 'utf8');
    expect(html).not.toMatch(/<script>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Confusion matrix');
    expect(html).toMatch(/Attribution tables of the 2 worst rows/);
    expect(html).toMatch(
      /No --method was given: the attribution tables show attention/
    );
    const losses = [
      ...html.matchAll(/<td class=e-c>(?:yes|no)<td>([0-9.e-]+)/g)
    ].map(m => Number(m[1]));
    expect(losses).toHaveLength(4);
    expect([...losses].sort((a, b) => b - a)).toEqual(losses);
  });

  it.each([
    [
      'a row with a stray comma',
      'bad.csv',
      'text,label\nfine,1\nnot, fine,0\n',
      [],
      /bad\.csv: line 3: 3 fields, but the header has 2/,
      1
    ],
    [
      'a label out of range',
      'range.csv',
      'text,label\nfine,1\nworse,2\n',
      [],
      /range\.csv: line 3: label "2" is not a class index 0\.\.1/,
      1
    ],
    [
      'class names that do not fit the model',
      'classes.csv',
      'text,label\nfine,a\n',
      ['--classes', 'a,b,c'],
      /--classes names 3 classes, but the model's output has 1 unit/,
      1
    ],
    [
      'an unknown method',
      'method.csv',
      'text\nx\n',
      ['--method', 'shap'],
      /unknown method 'shap'/,
      2
    ],
    [
      'a name without a format',
      'data.parquet',
      'x',
      [],
      /cannot tell the format of .*data\.parquet.*--format/,
      2
    ]
  ])(
    '%s fails with a clear message',
    (_, name, content, extra, message, code) => {
      const file = write(name, content);
      const result = cli(['--model', MODEL, '--file', file, ...extra]);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(code);
    }
  );
});
