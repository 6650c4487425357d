/**
 * `char-attention explain` end to end through bin/char-attention.js on the
 * real-Keras fixture models of scripts/keras_fixtures/explain.py (needs
 * `npm run build:node`): values aligned to the characters match the Keras
 * oracles, several methods become series, bad input gets clear messages.
 */
import * as fs from 'fs';
import * as path from 'path';
import { validatePayload } from '../../src/payload/validate';
import { cliTmpDir, ROOT, run } from './cli-support';

const DIR = path.join(ROOT, 'test', 'fixtures', 'keras', 'explain');
const TOKENIZER = path.join(DIR, 'tokenizer.json');
const oracle = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));

function explain(model: string, args: string[]) {
  return run([
    'explain',
    '--model',
    path.join(DIR, model),
    '--tokenizer',
    TOKENIZER,
    ...args
  ]);
}

/** The oracle values of the characters of a text with no unknown character (pre-padding). */
function alignedOracle(values: number[], textLength: number): number[] {
  return values.slice(values.length - textLength);
}

function relativeError(actual: number[], expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  return Math.max(...actual.map((v, i) => Math.abs(v - expected[i]))) / scale;
}

let tmp: string;
beforeAll(() => {
  tmp = cliTmpDir('char-attention-explain-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('char-attention explain', () => {
  it('prints occlusion per character as Keras computes it, naming the method', () => {
    const sample = oracle('gru_softmax').samples[1];
    const out = explain('gru_softmax.keras', [
      '--method',
      'occlusion',
      sample.text
    ]);
    // Only what the loader inferred (the attention layer found automatically).
    expect(
      out.stderr.split('\n').filter(l => l && !l.includes(': inferred: '))
    ).toEqual([]);
    expect(out.code).toBe(0);
    const payload = JSON.parse(out.stdout);
    expect(validatePayload(payload).problems).toEqual([]);
    const [s] = payload.samples;
    expect(s.method).toBe('occlusion');
    expect(s.meta).toMatchObject({
      model: 'gru_softmax.keras',
      method: 'occlusion',
      window: 1,
      target: sample.target
    });
    expect(s.prediction).toHaveLength(4);
    expect(
      relativeError(
        s.attention,
        alignedOracle(sample.occlusion['1'], sample.text.length)
      )
    ).toBeLessThanOrEqual(1e-4);
  });

  it('puts several methods in series rows, with steps, rule, window and gap in meta', () => {
    const sample = oracle('seed_attention').samples[0];
    const out = explain('seed_attention.h5', [
      '--method',
      'attention,occlusion,grad-x-input,integrated-gradients',
      '--window',
      '3',
      '--steps',
      '32',
      '--lambda',
      'attention_sum=sum(axis=1)',
      sample.text
    ]);
    expect(
      out.stderr.split('\n').filter(l => l && !l.includes(': inferred: '))
    ).toEqual([]);
    expect(out.code).toBe(0);
    const [s] = JSON.parse(out.stdout).samples;
    expect(s.series.map((r: { name: string }) => r.name)).toEqual([
      'attention',
      'occlusion (window 3)',
      'gradient × input',
      'integrated gradients (32 steps)'
    ]);
    expect(s.method).toBe(
      'attention · occlusion (window 3) · gradient × input · integrated gradients (32 steps)'
    );
    expect(s.meta).toMatchObject({
      method: 'attention, occlusion, grad-x-input, integrated-gradients',
      attentionLayer: 'attention_vec',
      window: 3,
      steps: 32,
      rule: 'riemann-midpoint',
      target: 0
    });
    expect(s.meta.gap).toBeLessThan(
      0.05 *
        Math.abs(
          sample.integratedGradients.fInput -
            sample.integratedGradients.fBaseline
        )
    );
    const n = sample.text.length;
    const [, occ, gxi, ig] = s.series.map(
      (r: { values: number[] }) => r.values
    );
    expect(
      relativeError(occ, alignedOracle(sample.occlusion['3'], n))
    ).toBeLessThanOrEqual(1e-4);
    expect(
      relativeError(gxi, alignedOracle(sample.gradXInput, n))
    ).toBeLessThanOrEqual(1e-4);
    expect(
      relativeError(ig, alignedOracle(sample.integratedGradients.values, n))
    ).toBeLessThanOrEqual(1e-4);
  });

  it('truncates a long text in front as pad_sequences does, masks the cut characters and says so', () => {
    const sample = oracle('rnn_pool').samples[2];
    const out = explain('rnn_pool.keras', [
      '--method',
      'grad-x-input',
      sample.text
    ]);
    expect(out.code).toBe(0);
    const cut = sample.tokens - 20;
    expect(out.stderr).toContain(
      `char-attention explain: text 1: ${sample.tokens} tokens > maxlen 20, the first ${cut} truncated\n`
    );
    // ':' is not in the tokenizer's vocabulary: dropped, as Keras does.
    expect(out.stderr).toContain(
      '1 character not in the vocabulary (":"), dropped'
    );
    const [s] = JSON.parse(out.stdout).samples;
    const seen = s.mask.filter((m: boolean) => m).length;
    expect(seen).toBe(20);
    expect(s.mask.slice(0, 10).every((m: boolean) => !m)).toBe(true);
    expect(
      s.attention.slice(0, 10).every((v: number | null) => v === null)
    ).toBe(true);
  });

  it('writes the HTML table with -o, naming the method and using RdBu for signed values', () => {
    const file = path.join(tmp, 'explain.html');
    const out = explain('conv_bilstm.keras', [
      '--method',
      'occlusion',
      '-o',
      file,
      'the lazy fox'
    ]);
    expect(out.code).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('<b><bdi>occlusion</bdi></b>');
    expect(html).toContain('RdBu');
  });

  it.each([
    [
      ['--method', 'saliency'],
      2,
      "unknown method 'saliency' (methods: attention, occlusion, grad-x-input, integrated-gradients)"
    ],
    [
      ['--method', 'occlusion', '--window', '0'],
      2,
      '--window must be an integer from 1'
    ],
    [
      ['--method', 'integrated-gradients', '--steps', '0'],
      2,
      '--steps must be an integer from 1'
    ],
    [
      ['--method', 'occlusion', '--window', 'two'],
      2,
      "--window must be an integer, got 'two'"
    ],
    [[], 2, '--method is required'],
    [
      ['--method', 'occlusion', '--target', '7'],
      1,
      'target 7 is out of range: the model has 4 output unit(s) (0..3)'
    ],
    [
      ['--method', 'attention'],
      1,
      'char-attention explain: The method attention cannot explain this model: the model has no attention layer; use occlusion, grad-x-input, integrated-gradients\n'
    ],
    [
      ['--method', 'integrated-gradients', '--tolerance', 'tight'],
      2,
      "--tolerance must be a number, got 'tight'"
    ],
    [
      ['--method', 'integrated-gradients', '--tolerance', '0'],
      2,
      '--tolerance must be a number from 0.000001 to 1 (integrated gradients: automatic steps stop when the completeness gap is at most this fraction of |f(x) − f(baseline)|), got 0'
    ]
  ])('rejects %j (exit %i): %s', (args, code, message) => {
    const out = explain('gru_softmax.keras', [...(args as string[]), 'abc']);
    expect(out.code).toBe(code);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(message as string);
  });

  it.each([
    [
      ['--method', 'occlusion', '--steps', '0'],
      '--steps is not used by occlusion: only integrated-gradients takes it'
    ],
    [
      ['--method', 'grad-x-input', '--window', '3'],
      '--window is not used by grad-x-input: only occlusion takes it'
    ],
    [
      ['--method', 'attention', '--target', '1'],
      '--target is not used by attention: only occlusion, grad-x-input and integrated-gradients take it'
    ],
    [
      ['--method', 'occlusion,grad-x-input', '--tolerance', '0.1'],
      '--tolerance is not used by occlusion or grad-x-input: only integrated-gradients takes it'
    ]
  ])(
    'refuses %j, an option no chosen method takes, before loading the model (exit 2)',
    (args, message) => {
      const out = explain('gru_softmax.keras', [...args, 'abc']);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.split('\n')[0]).toBe(
        `char-attention explain: ${message}`
      );
    }
  );

  it('points a model without attention to the other methods', () => {
    const out = explain('conv_bilstm.h5', ['--method', 'attention', 'abc']);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      'char-attention explain: The method attention cannot explain this model: the model has no attention layer; use occlusion, grad-x-input, integrated-gradients\n'
    );
  });

  it('integrated gradients pick their steps by default: gap within the tolerance, said in meta', () => {
    const samples = oracle('conv_bilstm').samples;
    const out = explain('conv_bilstm.keras', [
      '--method',
      'integrated-gradients',
      ...samples.map((s: { text: string }) => s.text)
    ]);
    expect(out.code).toBe(0);
    // No completeness notice (text 3 is truncated, which is said).
    expect(out.stderr).not.toContain('completeness');
    JSON.parse(out.stdout).samples.forEach(
      (
        s: { meta: { [key: string]: number | string | boolean } },
        i: number
      ) => {
        const ig = samples[i].integratedGradients;
        expect(s.meta).toMatchObject({
          rule: 'trapezoid',
          tolerance: 0.01,
          converged: true
        });
        expect(s.meta.gap as number).toBeLessThanOrEqual(
          0.01 * Math.abs(ig.fInput - ig.fBaseline)
        );
      }
    );
    // A tolerance no rule can meet: the cap, and a notice.
    const capped = explain('conv_bilstm.keras', [
      '--method',
      'integrated-gradients',
      '--tolerance',
      '1e-6',
      samples[0].text
    ]);
    expect(capped.code).toBe(0);
    expect(JSON.parse(capped.stdout).samples[0].meta).toMatchObject({
      steps: 1024,
      converged: false
    });
    expect(capped.stderr).toMatch(
      /char-attention explain: text 1: integrated gradients: completeness gap \d+\.\d% of \|f\(x\) - f\(baseline\)\| = \S+ after 1024 steps, over the tolerance of 0\.0001%: the values are approximate\n/
    );
  });
});
