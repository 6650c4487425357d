/**
 * Labelled files against their oracles (test/fixtures/keras/faithfulness,
 * made by scripts/keras_fixtures/faithfulness.py): rows, labels and lines
 * as Python's csv module reads labelled.csv / .tsv / .jsonl; predictions and
 * losses of `char-attention evaluate` on the two Keras models against Keras
 * (<= 1e-5 / 1e-4), labels as class names; malformed files failing on the
 * line Python's reader places the problem on.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { labelIndex } from '../../src/evaluate/labels';
import {
  LabelledFormat,
  readLabelledText
} from '../../src/evaluate/labelled-file';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'test', 'fixtures', 'keras', 'faithfulness');
const BIN = path.join(ROOT, 'bin', 'char-attention.js');

interface IExpectedRow {
  index: number;
  line: number;
  lastLine: number;
  tsvLine: number;
  text: string;
  label: number;
  className: string;
  sigmoid: IKeras;
  softmax: IKeras;
  softmaxByName: IKeras;
}

interface IKeras {
  prediction: number;
  predictedClass: number;
  correct: boolean;
  loss: number;
  kerasLoss: number;
}

const expected = JSON.parse(
  fs.readFileSync(path.join(DIR, 'labelled.expected.json'), 'utf8')
) as { rows: IExpectedRow[]; classes: string[] };
const read = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');

function cli(args: string[]) {
  const result = spawnSync(
    process.execPath,
    [BIN, 'evaluate', '--tokenizer', path.join(DIR, 'tokenizer.json'), ...args],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 }
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib-node', 'cli', 'evaluate.js'))) {
    throw new Error(
      'lib-node/cli/evaluate.js is missing: run `npm run build:node` first'
    );
  }
});

describe('labelled files read as Python csv reads them', () => {
  it.each([
    ['labelled.csv', 'csv', 'line'],
    ['labelled.tsv', 'tsv', 'tsvLine'],
    ['labelled.jsonl', 'jsonl', null]
  ] as Array<[string, LabelledFormat, 'line' | 'tsvLine' | null]>)(
    '%s: every text, label and line',
    (file, format, lineKey) => {
      const { rows, columns } = readLabelledText(read(file), { format });
      expect(columns).toEqual({ text: 'text', label: 'label' });
      expect(rows.map(r => r.text)).toEqual(expected.rows.map(r => r.text));
      expect(rows.map(r => labelIndex(r.label, null, 2, r.line))).toEqual(
        expected.rows.map(r => r.label)
      );
      expect(rows.map(r => r.line)).toEqual(
        expected.rows.map((r, i) => (lineKey ? r[lineKey] : i + 1))
      );
    }
  );

  it('labelled-classes.csv: labels by class name', () => {
    const { rows } = readLabelledText(read('labelled-classes.csv'), {
      format: 'csv'
    });
    expect(
      rows.map(r => labelIndex(r.label, expected.classes, 3, r.line))
    ).toEqual(expected.rows.map(r => expected.classes.indexOf(r.className)));
  });
});

describe('char-attention evaluate against Keras', () => {
  function rows(stdout: string) {
    const lines = stdout
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    return {
      rows: lines.slice(0, -1),
      summary: lines[lines.length - 1].summary
    };
  }

  it.each([
    ['faith_sigmoid.keras', 'labelled.csv', [], 'sigmoid'],
    ['faith_sigmoid.h5', 'labelled.tsv', [], 'sigmoid'],
    ['faith_softmax.keras', 'labelled.jsonl', [], 'softmax'],
    [
      'faith_softmax.keras',
      'labelled-classes.csv',
      ['--classes', 'negative,positive,neutral'],
      'softmaxByName'
    ]
  ] as Array<
    [string, string, string[], 'sigmoid' | 'softmax' | 'softmaxByName']
  >)(
    '%s on %s: prediction <= 1e-5, loss <= 1e-4 of Keras',
    (model, file, extra, key) => {
      const result = cli([
        '--model',
        path.join(DIR, model),
        '--file',
        path.join(DIR, file),
        '--workers',
        '2',
        ...extra
      ]);
      expect(result.stderr).not.toMatch(/error/i);
      expect(result.code).toBe(0);
      const { rows: got, summary } = rows(result.stdout);
      expect(got).toHaveLength(expected.rows.length);
      let correct = 0;
      got.forEach((row, i) => {
        const keras = expected.rows[i][key];
        expect(row.index).toBe(i);
        expect(row.text).toBe(expected.rows[i].text);
        expect(Math.abs(row.prediction - keras.prediction)).toBeLessThanOrEqual(
          1e-5
        );
        expect(Math.abs(row.loss - keras.loss)).toBeLessThanOrEqual(1e-4);
        expect(Math.abs(row.loss - keras.kerasLoss)).toBeLessThanOrEqual(1e-4);
        if (Math.abs(keras.prediction - 0.5) > 1e-5 || key !== 'sigmoid') {
          expect(row.predictedClass).toBe(keras.predictedClass);
          expect(row.correct).toBe(keras.correct);
        }
        correct += keras.correct ? 1 : 0;
      });
      expect(summary.accuracy).toBeCloseTo(correct / got.length, 12);
    }
  );

  const malformed = JSON.parse(
    fs.readFileSync(path.join(DIR, 'malformed.expected.json'), 'utf8')
  ) as {
    files: { [name: string]: { file: string; problem: { line: number } } };
  };

  it.each(Object.entries(malformed.files))(
    '%s: fails naming the file and line Python puts the problem on',
    (_, { file, problem }) => {
      const result = cli([
        '--model',
        path.join(DIR, 'faith_sigmoid.keras'),
        '--file',
        path.join(DIR, file)
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `${path.join(DIR, file)}: line ${problem.line}: `
      );
    }
  );
});
