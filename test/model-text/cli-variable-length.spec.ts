/**
 * `predict` and `explain` on a variable-length model without an attention
 * layer (test/fixtures/keras/variable_length/gru_variable.keras, real
 * Keras): `predict` exits 0 with prediction-only samples and a notice
 * pointing to `explain`; each text runs at its own length and gets the
 * prediction Keras gives it alone (--workers 1 and 2, with and without
 * --file), or with --maxlen N the prediction after pad_sequences(maxlen=N).
 */
import * as fs from 'fs';
import * as path from 'path';
import { validatePayload } from '../../src/payload/validate';
import { ROOT, run } from './cli-support';

const DIR = path.join(ROOT, 'test', 'fixtures', 'keras', 'variable_length');
const MODEL = path.join(DIR, 'gru_variable.keras');
const TOKENIZER = path.join(DIR, 'tokenizer.json');
const ORACLE = JSON.parse(
  fs.readFileSync(path.join(DIR, 'gru_variable.json'), 'utf8')
);
const TEXTS: string[] = ORACLE.texts;
const NOTICE =
  'char-attention predict: the model has no attention layer: predictions only, no per-character values ' +
  '(for those: char-attention explain --method occlusion, grad-x-input, integrated-gradients)\n';

let tmp: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib-node', 'cli', 'main.js'))) {
    throw new Error(
      'lib-node/cli/main.js is missing: run `npm run build:node` before these tests'
    );
  }
  fs.mkdirSync(path.join(ROOT, 'artifacts'), { recursive: true });
  tmp = fs.mkdtempSync(path.join(ROOT, 'artifacts', 'cli-variable-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function predict(args: string[]) {
  return run(['predict', '--model', MODEL, '--tokenizer', TOKENIZER, ...args]);
}

function expectPredictions(samples: any[], expected: number[]) {
  expect(samples).toHaveLength(expected.length);
  samples.forEach((sample, i) =>
    expect(Math.abs(sample.prediction - expected[i])).toBeLessThanOrEqual(1e-5)
  );
}

const ALONE: number[] = ORACLE.alone.map(
  (a: { prediction: number[] }) => a.prediction[0]
);

describe('predict on a variable-length model without attention', () => {
  it.each([1, 2])(
    'exits 0 with each text predicted alone, as Keras does (--workers %i)',
    workers => {
      const out = predict(['--workers', String(workers), ...TEXTS]);
      expect(out.code).toBe(0);
      expect(out.stderr).toBe(NOTICE);
      const payload = JSON.parse(out.stdout);
      expect(validatePayload(payload).problems).toEqual([]);
      expectPredictions(payload.samples, ALONE);
      payload.samples.forEach((sample: any, i: number) => {
        // A prediction-only sample: no values, what the model saw in mask.
        expect(sample.attention).toBeUndefined();
        expect(sample.series).toBeUndefined();
        expect(sample.mask).toEqual(Array.from(TEXTS[i], () => true));
        expect(sample.meta).toMatchObject({
          attentionLayer: null,
          lengths: 'own',
          length: ORACLE.alone[i].tokens
        });
      });
      expect(payload.meta).toMatchObject({ lengths: 'own', maxlen: null });
      // Padded together (the old behaviour) the predictions differ.
      const together: number[] = ORACLE.paddedTogether.predictions;
      expect(
        Math.max(...ALONE.map((p, i) => Math.abs(p - together[i])))
      ).toBeGreaterThan(1e-3);
    }
  );

  it.each([1, 2])(
    '--file streams one payload per text, each text alone (--workers %i)',
    workers => {
      const file = path.join(tmp, `texts-${workers}.txt`);
      fs.writeFileSync(file, TEXTS.join('\n') + '\n');
      const out = predict(['--workers', String(workers), '--file', file]);
      expect(out.code).toBe(0);
      const lines = out.stdout
        .trim()
        .split('\n')
        .map(l => JSON.parse(l));
      lines.forEach(line => expect(validatePayload(line).problems).toEqual([]));
      expectPredictions(
        lines.map(line => line.samples[0]),
        ALONE
      );
    }
  );

  it('--maxlen N pads and truncates every text to N as pad_sequences does', () => {
    const out = predict(['--maxlen', String(ORACLE.maxlen.maxlen), ...TEXTS]);
    expect(out.code).toBe(0);
    const payload = JSON.parse(out.stdout);
    expectPredictions(payload.samples, ORACLE.maxlen.predictions);
    expect(payload.meta).toMatchObject({ lengths: 'maxlen', maxlen: 12 });
    expect(out.stderr).toContain(
      'char-attention predict: text 5: 37 tokens > maxlen 12, the first 25 truncated\n'
    );
  });

  it('-o writes the HTML table of the predictions', () => {
    const file = path.join(tmp, 'predictions.html');
    const out = predict(['-o', file, ...TEXTS.slice(0, 2)]);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe(`${NOTICE}char-attention predict: wrote ${file}\n`);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('<!DOCTYPE html>');
    // Each sample's header shows its prediction (3 significant digits).
    expect(html).toContain(
      `prediction <b><bdi>${ALONE[0].toPrecision(3)}</bdi></b>`
    );
    expect(html).toContain(
      `prediction <b><bdi>${ALONE[1].toPrecision(3)}</bdi></b>`
    );
  });
});

describe('explain on a variable-length model', () => {
  it('explains each text at its own length: gradient x input of Keras on the text alone', () => {
    const out = run([
      'explain',
      '--model',
      MODEL,
      '--tokenizer',
      TOKENIZER,
      '--method',
      'grad-x-input',
      '--workers',
      '2',
      ...TEXTS
    ]);
    expect(out.code).toBe(0);
    JSON.parse(out.stdout).samples.forEach((sample: any, i: number) => {
      const expected: number[] = ORACLE.alone[i].gradXInput;
      const scale = Math.max(...expected.map(Math.abs));
      sample.attention.forEach((v: number, p: number) =>
        expect(Math.abs(v - expected[p])).toBeLessThanOrEqual(1e-4 * scale)
      );
    });
  });
});
