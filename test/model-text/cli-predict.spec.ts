/**
 * `char-attention predict` end to end through bin/char-attention.js on the
 * demo model (needs `npm run build:node` and examples/models/demo).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFiles } from '../../src/model/files/node-files';
import { ModelError } from '../../src/model/types';
import { BIN, cliTmpDir, ROOT, run } from './cli-support';

const DEMO = path.join(ROOT, 'examples', 'models', 'demo');
const H5 = path.join(DEMO, 'demo.h5');
const TOKENIZER = path.join(DEMO, 'tokenizer.json');
const DL4J = path.resolve(ROOT, 'test/fixtures/dl4j');

/** `predict` on the demo .h5 with its tokenizer. */
function predict(args: string[]) {
  return run(['predict', '--model', H5, '--tokenizer', TOKENIZER, ...args]);
}

let tmp: string;
beforeAll(() => {
  tmp = cliTmpDir('char-attention-predict-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('char-attention predict', () => {
  it('prints a payload v1 batch with prediction, aligned attention and model meta', () => {
    const out = predict([
      'The lid is BROKEN, refund please.',
      'Five stars, thanks a lot.'
    ]);
    expect(out.code).toBe(0);
    // What was inferred rather than read is said on stderr and in the meta.
    const inferences = [
      "Lambda 'lambda' read as sum over axis 1 from its code `K.sum(x, axis=1)`",
      "Attention layer 'attention_vec' (Activation) found automatically: a softmax over the time axis of the input sequence"
    ];
    expect(out.stderr).toBe(
      inferences.map(i => `char-attention predict: inferred: ${i}\n`).join('')
    );
    const payload = JSON.parse(out.stdout);
    expect(payload.version).toBe(1);
    expect(payload.samples).toHaveLength(2);
    const [positive, negative] = payload.samples;
    expect(positive.text).toBe('The lid is BROKEN, refund please.');
    expect(positive.attention).toHaveLength(positive.text.length);
    expect(positive.mask.every((m: boolean) => m)).toBe(true);
    expect(positive.prediction).toBeGreaterThan(0.5);
    expect(negative.prediction).toBeLessThan(0.5);
    expect(positive.meta).toEqual({
      model: 'demo.h5',
      format: 'keras-h5',
      attentionLayer: 'attention_vec',
      attentionChosenBy: 'auto',
      kerasVersion: '2.15.0',
      inferences,
      lengths: 'model',
      length: 80
    });
    expect(payload.meta).toEqual({
      tokenizer: TOKENIZER,
      lengths: 'model',
      maxlen: 80,
      padding: 'pre',
      truncating: 'pre'
    });
    // Padding dropped: what remains is part of a softmax over 80 positions.
    const total = positive.attention.reduce((a: number, b: number) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('one stderr notice per long, unknown-character or empty text; the payload shows mask false', () => {
    const long = 'my order arrived on time and '.repeat(4);
    const out = predict(['--json', long, 'broken ☃', '']);
    expect(out.code).toBe(0);
    const lines = out.stderr
      .trim()
      .split('\n')
      .filter(l => !l.includes(': inferred: '));
    expect(lines).toEqual([
      `char-attention predict: text 1: ${long.length} tokens > maxlen 80, the first ${long.length - 80} truncated`,
      'char-attention predict: text 2: 1 character not in the vocabulary ("☃"), dropped',
      'char-attention predict: text 3: empty text; the model sees only padding'
    ]);
    const [first, second, third] = JSON.parse(out.stdout).samples;
    expect(first.mask.filter((m: boolean) => !m)).toHaveLength(
      long.length - 80
    );
    expect(
      first.mask.slice(0, long.length - 80).every((m: boolean) => !m)
    ).toBe(true);
    expect(second.mask).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false
    ]);
    expect(second.attention[7]).toBeNull();
    expect(third).toMatchObject({ text: '', attention: [], mask: [] });
  });

  it('tfjs model.json (or its folder) gives the same payload as the .h5', () => {
    const text = 'Can I get a refund? The screen is terrible.';
    const fromH5 = JSON.parse(predict([text]).stdout).samples[0];
    const folder = run(['predict', '--model', DEMO, text]);
    expect(folder.code).toBe(0);
    expect(folder.stderr).toMatch(/using tokenizer .*tokenizer\.json/);
    const fromTfjs = JSON.parse(folder.stdout).samples[0];
    expect(fromTfjs.meta.format).toBe('tfjs-layers');
    fromTfjs.attention.forEach((v: number, i: number) =>
      expect(Math.abs(v - fromH5.attention[i])).toBeLessThanOrEqual(1e-6)
    );
  });

  it('--file streams one payload per line to a pipe, whole and in order (400 texts)', () => {
    const texts = Array.from(
      { length: 400 },
      (_, i) => `message ${i}: the lid is broken, refund please`
    );
    const file = path.join(tmp, 'many.txt');
    fs.writeFileSync(file, texts.join('\n') + '\n');
    const result = spawnSync(
      process.execPath,
      [BIN, 'predict', '--model', H5, '--tokenizer', TOKENIZER, '--file', file],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 1 << 28
      }
    );
    expect(result.status).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(1 << 18);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(400);
    const last = JSON.parse(lines[399]);
    expect(last.version).toBe(1);
    expect(last.samples).toHaveLength(1);
    expect(last.samples[0].text).toBe(texts[399]);
  });

  it('-o writes the standalone HTML export', () => {
    const file = path.join(tmp, 'out.html');
    const out = predict(['-o', file, 'refund <b>now</b> & then']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('');
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/<html/i);
    expect(html).not.toContain('<b>now</b>');
    expect(html).toContain('&lt;');
  });

  it('--layer picks the attention layer; an unknown layer is a clear error', () => {
    const ok = predict(['--layer', 'attention_vec', 'refund']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).samples[0].meta.attentionChosenBy).toBe(
      'name'
    );
    const bad = predict(['--layer', 'no_such_layer', 'refund']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no_such_layer/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("a .keras model with a TextVectorization layer needs no tokenizer: Keras's encoding", () => {
    const model = path.join(
      ROOT,
      'test/fixtures/keras/layers/text_vectorization.keras'
    );
    const out = run(['predict', '--model', model, 'Hello, World!', 'wörld']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain(
      "using the model's TextVectorization layer 'tv' as the tokenizer"
    );
    expect(out.stderr).toContain(
      'text 2: 1 character not in the vocabulary ("ö"), mapped to the oov token'
    );
    const [hello] = JSON.parse(out.stdout).samples;
    // Punctuation is stripped by the layer: the model never sees ',' and '!'.
    expect(hello.mask).toEqual(
      [...'Hello, World!'].map(c => c !== ',' && c !== '!')
    );
    const pre = run(['predict', '--model', model, '--padding', 'pre', 'x']);
    expect(pre.code).toBe(2);
    expect(pre.stderr).toMatch(/pads and truncates at the end \(post\)/);
  });

  it('--lambda mapping is accepted; a malformed one is a usage error', () => {
    expect(predict(['--lambda', 'lambda=sum(axis=1)', 'refund']).code).toBe(0);
    const bad = predict(['--lambda', 'lambda', 'refund']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--lambda expects NAME=EXPR/);
  });

  it('a file that is not a model fails with exit 1 and names the file', () => {
    const junk = path.join(tmp, 'junk.h5');
    fs.writeFileSync(junk, 'not an hdf5 file at all');
    const out = run([
      'predict',
      '--model',
      junk,
      '--tokenizer',
      TOKENIZER,
      'refund'
    ]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/junk\.h5/);
    const missing = run([
      'predict',
      '--model',
      path.join(tmp, 'missing.h5'),
      '--tokenizer',
      TOKENIZER,
      'refund'
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /cannot read model '.*missing\.h5': no such file/
    );
  });

  it('a tokenizer that does not fit the model is refused, not silently wrong', () => {
    const big = JSON.stringify({ a: 1, b: 500 });
    const out = run(['predict', '--model', H5, '--tokenizer', big, 'ab']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      "char-attention predict: the tokenizer (inline JSON) does not match the model: it gives indices up to 500, but the model's Embedding accepts 0–30 (input_dim 31)\n"
    );
  });

  it('usage: --maxlen must match a fixed input length; --help; no texts', () => {
    const wrong = predict(['--maxlen', '50', 'x']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      "char-attention predict: --maxlen 50 does not match the model's input length 80\n"
    );
    expect(run(['predict', '--model', H5, '--tokenizer', TOKENIZER]).code).toBe(
      2
    );
    expect(run(['predict', 'x']).stderr).toMatch(/--model is required/);
    const help = run(['predict', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: char-attention predict --model PATH/);
  });
});

describe('readModelFiles', () => {
  it('weights-only .h5 + --config gives both files', () => {
    const source = readModelFiles(
      path.join(DL4J, 'simple_rnn_tf_keras_2_weights.h5'),
      path.join(DL4J, 'simple_rnn_tf_keras_2_config.json')
    );
    expect(Object.keys(source.files).sort()).toEqual([
      'simple_rnn_tf_keras_2_config.json',
      'simple_rnn_tf_keras_2_weights.h5'
    ]);
    expect(source.kind).toBe('hdf5');
  });

  it('model.json brings its shards; a missing shard names it', () => {
    const source = readModelFiles(path.join(DEMO, 'model.json'));
    expect(Object.keys(source.files).sort()).toEqual([
      'group1-shard1of1.bin',
      'model.json'
    ]);
    const folder = fs.mkdtempSync(path.join(tmp, 'tfjs-'));
    fs.copyFileSync(
      path.join(DEMO, 'model.json'),
      path.join(folder, 'model.json')
    );
    expect(() => readModelFiles(path.join(folder, 'model.json'))).toThrow(
      /weight shard 'group1-shard1of1.bin' is missing/
    );
    expect(() => readModelFiles(path.join(folder, 'model.json'))).toThrow(
      ModelError
    );
  });

  it('a folder with several models asks to name one', () => {
    const folder = fs.mkdtempSync(path.join(tmp, 'many-'));
    fs.writeFileSync(path.join(folder, 'a.h5'), '');
    fs.writeFileSync(path.join(folder, 'b.keras'), '');
    expect(() => readModelFiles(folder)).toThrow(
      /several model files \(a\.h5, b\.keras\)/
    );
  });
});
