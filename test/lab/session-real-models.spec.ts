/**
 * The viewer's session on real Keras models, through the real worker
 * protocol and engine (in-process channel workers), against Keras's own
 * outputs and the CLI:
 * - a `.keras` model with its own TextVectorization layer and no tokenizer
 *   file (test/fixtures/keras/layers/text_vectorization.keras);
 * - a variable-length GRU (test/fixtures/keras/variable_length/): each
 *   text's prediction is Keras's on that text alone, or with a maxlen,
 *   Keras's after pad_sequences(maxlen=N).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ModelSession } from '../../src/lab/model-session';
import type { IContentsLike } from '../../src/lab/model-files';
import { DEFAULT_LAB_SETTINGS } from '../../src/lab/settings';
import { loadModel } from '../../src/model/engine';
import { createExplainer } from '../../src/explain';
import { WorkerPool } from '../../src/workers/pool';
import { channelWorkers } from './support/channel-worker';
import { cliTmpDir, run } from '../model-text/cli-support';

const KERAS = path.resolve(__dirname, '../fixtures/keras');

/** The fixture files, served as a Jupyter server would (base64 or text). */
function fixtureContents(files: { [path: string]: string }): IContentsLike {
  return {
    async get(filePath, options) {
      const real = files[filePath];
      if (!real) {
        throw Object.assign(new Error('Not Found'), {
          response: { status: 404 }
        });
      }
      const bytes = fs.readFileSync(real);
      return options?.format === 'base64'
        ? { type: 'file', format: 'base64', content: bytes.toString('base64') }
        : { type: 'file', format: 'text', content: bytes.toString('utf8') };
    }
  };
}

/**
 * `plainKernels`: the engine keeps the plain SIMD products even where the
 * process has relaxed SIMD (V8's flag is process-wide: a worker thread of
 * an earlier test may have turned it on).
 */
function realSession(
  files: { [path: string]: string },
  size = 1,
  plainKernels = false
) {
  const { spawn } = channelWorkers({
    engine: async () =>
      plainKernels
        ? (modelFiles, options) =>
            loadModel(modelFiles, { ...options, relaxedSimd: false })
        : loadModel,
    explainer: async () => createExplainer
  });
  return new ModelSession({
    contents: fixtureContents(files),
    client: new WorkerPool({ spawn, size, idleMs: 0, smallWork: 4 }),
    settings: () => DEFAULT_LAB_SETTINGS
  });
}

describe('the session on a model with its own TextVectorization layer', () => {
  const oracle = JSON.parse(
    fs.readFileSync(
      path.join(KERAS, 'layers', 'text_vectorization.json'),
      'utf8'
    )
  );
  const MODEL = path.join(KERAS, 'layers', 'text_vectorization.keras');

  it('loads without a tokenizer file and predicts as Keras, with the attention Keras gives', async () => {
    const session = realSession({ 'm/tv.keras': MODEL });
    await session.load('m/tv.keras');
    expect(session.tokenizerPath).toBe('');
    expect(session.tokenizerLabel).toBe(
      "the model's TextVectorization layer 'tv'"
    );
    const texts: string[] = oracle.texts;
    const { payload, input } = await session.predict(texts);
    expect(input).toMatchObject({
      maxlen: 12,
      padding: 'post',
      truncating: 'post',
      lengths: 'model'
    });
    const outputs: number[][] = oracle.outputs[0];
    payload.samples.forEach((sample, i) => {
      expect(
        Math.abs((sample.prediction as number) - outputs[i][0])
      ).toBeLessThan(1e-5);
      // The characters the layer kept (punctuation is stripped, at most
      // 12 kept), in order, are model positions 0, 1, ...
      const seen = sample.attention!.filter((_, c) => sample.mask![c]);
      expect(seen.length).toBe(
        (oracle.ids[i] as number[]).filter(id => id !== 0).length
      );
      seen.forEach((v, p) =>
        expect(Math.abs((v as number) - oracle.attention[i][p])).toBeLessThan(
          1e-5
        )
      );
    });
    expect(payload.meta).toMatchObject({
      tokenizer: "the model's TextVectorization layer 'tv'"
    });
    session.dispose();
  });

  it('gives the same values as the CLI on it', async () => {
    cliTmpDir('char-attention-tv-');
    const texts = ['Hello, World!', 'straße 123 ÄÖ', 'tabs\tand  spaces'];
    const session = realSession({ 'tv.keras': MODEL }, 1, true);
    await session.load('tv.keras');
    const viewer = await session.explain(texts, { method: 'occlusion' });
    // The CLI's worker threads switch relaxed SIMD on: both sides run the
    // plain kernels, so the values are equal bit for bit (relaxed-simd.spec.ts
    // bounds the relaxed path's difference).
    const cli = run(
      [
        'explain',
        '--model',
        MODEL,
        '--method',
        'occlusion',
        '--workers',
        '1',
        ...texts
      ],
      undefined,
      { CHAR_ATTENTION_RELAXED_SIMD: '0' }
    );
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain(
      "char-attention explain: using the model's TextVectorization layer 'tv' as the tokenizer"
    );
    const fromCli = JSON.parse(cli.stdout);
    viewer.payload.samples.forEach((sample, i) => {
      expect(sample.text).toBe(fromCli.samples[i].text);
      expect(sample.mask).toEqual(fromCli.samples[i].mask);
      expect(sample.attention).toEqual(fromCli.samples[i].attention);
      expect(sample.prediction).toEqual(fromCli.samples[i].prediction);
    });
    session.dispose();
  });
});

describe('the session on a variable-length model', () => {
  const oracle = JSON.parse(
    fs.readFileSync(
      path.join(KERAS, 'variable_length', 'gru_variable.json'),
      'utf8'
    )
  );
  const files = {
    'gru_variable.keras': path.join(
      KERAS,
      'variable_length',
      'gru_variable.keras'
    ),
    'tokenizer.json': path.join(KERAS, 'variable_length', 'tokenizer.json')
  };

  it.each([1, 2])(
    'runs each text at its own length: the prediction Keras gives that text alone (%i workers)',
    async size => {
      const session = realSession(files, size);
      await session.load('gru_variable.keras', 'tokenizer.json');
      const { payload, input } = await session.predict(oracle.texts);
      expect(input.lengths).toBe('own');
      expect(input.maxlen).toBeNull();
      expect(payload.meta).toMatchObject({ lengths: 'own', maxlen: null });
      payload.samples.forEach((sample, i) => {
        const alone = oracle.alone[i];
        // No attention layer: a prediction-only sample.
        expect(sample.attention).toBeUndefined();
        expect(sample.mask).toEqual(Array.from(sample.text!, () => true));
        expect(
          Math.abs((sample.prediction as number) - alone.prediction[0])
        ).toBeLessThan(1e-5);
      });
      session.dispose();
    }
  );

  it('with a maxlen, pads and truncates every text to it as pad_sequences does', async () => {
    const session = realSession(files);
    await session.load('gru_variable.keras', 'tokenizer.json');
    session.setChoices({ maxlen: oracle.maxlen.maxlen });
    const { payload, input } = await session.predict(oracle.texts);
    expect(input).toMatchObject({ lengths: 'maxlen', maxlen: 12 });
    payload.samples.forEach((sample, i) =>
      expect(
        Math.abs((sample.prediction as number) - oracle.maxlen.predictions[i])
      ).toBeLessThan(1e-5)
    );
    session.dispose();
  });

  it('explains each text at its own length (gradient x input of Keras on the text alone)', async () => {
    const session = realSession(files, 2);
    await session.load('gru_variable.keras', 'tokenizer.json');
    const { payload } = await session.explain(oracle.texts, {
      method: 'grad-x-input'
    });
    payload.samples.forEach((sample, i) => {
      const expected: number[] = oracle.alone[i].gradXInput;
      const scale = Math.max(...expected.map(Math.abs));
      (sample.attention as number[]).forEach((v, p) =>
        expect(Math.abs(v - expected[p])).toBeLessThanOrEqual(1e-4 * scale)
      );
    });
    session.dispose();
  });
});
