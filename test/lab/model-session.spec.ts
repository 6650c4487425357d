import * as fs from 'fs';
import * as path from 'path';
import {
  defaultMethod,
  ModelSession,
  SessionError,
  TokenizerNeededError
} from '../../src/lab/model-session';
import type { IExplainBackend } from '../../src/lab/model-session';
import type { IExplainOptions, IExplanation } from '../../src/explain/types';
import type { IContentsLike } from '../../src/lab/model-files';
import { DEFAULT_LAB_SETTINGS } from '../../src/lab/settings';
import type { ILabSettings } from '../../src/lab/settings';
import { RequestCancelledError } from '../../src/workers/client';
import { WorkerPool } from '../../src/workers/pool';
import type { IAttentionModel, IModelInfo } from '../../src/model/types';
import { ModelError } from '../../src/model/types';
import type { ILoadedModel } from '../../src/model/engine';
import { createExplainer } from '../../src/explain';
import { createRequestHandler } from '../../src/workers/protocol';
import type { IWorkerModules } from '../../src/workers/protocol';
import { fakeWorkerFactory, FakeWorker } from './fake-worker';

const FIXTURES = path.resolve(__dirname, '../fixtures/keras-tokenizer');

/** A Jupyter server's files, in memory. */
function memoryContents(files: {
  [path: string]: string | Uint8Array;
}): IContentsLike & {
  reads: string[];
} {
  const reads: string[] = [];
  return {
    reads,
    async get(filePath, options) {
      reads.push(filePath);
      const content = files[filePath];
      if (content === undefined) {
        throw Object.assign(new Error('Not Found'), {
          response: { status: 404 }
        });
      }
      if (options?.format === 'base64') {
        const bytes =
          typeof content === 'string'
            ? Buffer.from(content)
            : Buffer.from(content);
        return {
          type: 'file',
          format: 'base64',
          content: bytes.toString('base64')
        };
      }
      return {
        type: 'file',
        format: 'text',
        content:
          typeof content === 'string'
            ? content
            : Buffer.from(content).toString()
      };
    }
  };
}

function modelInfo(
  inputLength: number | null,
  vocabularySize: number
): IModelInfo {
  return {
    format: 'keras-h5',
    inputLength,
    vocabularySize,
    attentionLayer: 'attention_vec',
    attentionChosenBy: 'name',
    layers: []
  };
}

/**
 * A worker running the real request handler of the model worker protocol,
 * with a stand-in model: attention (p + 1) / 100 at model position p.
 */
function scriptedWorker(
  info: IModelInfo,
  loadError?: Error,
  explainer?: IWorkerModules['explainer']
) {
  return (worker: FakeWorker) => {
    const handle = createRequestHandler(
      {
        engine: async () => async (): Promise<ILoadedModel> => {
          if (loadError) {
            throw loadError;
          }
          const model: IAttentionModel = {
            info,
            predict: async sequences => ({
              attention: sequences.map(seq =>
                Array.from(seq, (_, p) => (p + 1) / 100)
              ),
              predictions: sequences.map(() => [0.25])
            }),
            dispose: () => undefined
          };
          // A stand-in: no graph (the gradient methods are not run on it).
          return {
            ...model,
            forward: async (sequences: unknown[]) => sequences.map(() => [0.25])
          } as unknown as ILoadedModel;
        },
        explainer
      },
      response => worker.reply(response)
    );
    worker.handler = message => void handle(message);
  };
}

function makeSession(
  files: { [path: string]: string | Uint8Array },
  info: IModelInfo,
  settings: Partial<ILabSettings> = {},
  explainer: IExplainBackend | null = null,
  workerExplainer?: IWorkerModules['explainer']
) {
  const { factory, workers } = fakeWorkerFactory(
    scriptedWorker(info, undefined, workerExplainer)
  );
  const contents = memoryContents(files);
  const session = new ModelSession({
    contents,
    client: new WorkerPool({ spawn: factory, size: 1 }),
    settings: () => ({ ...DEFAULT_LAB_SETTINGS, ...settings }),
    explainer
  });
  return { session, workers, contents };
}

/** Every sequence sent in predict requests, in order (the pool sends a batch in parts). */
function sentSequences(workers: FakeWorker[]): number[][] {
  return workers.flatMap(worker =>
    worker.posted
      .filter(p => p.message.type === 'predict')
      .flatMap(p => p.message.sequences)
  );
}

const MAP_TOKENIZER = JSON.stringify({ a: 1, b: 2, c: 3 });

describe('ModelSession', () => {
  it('loads through the contents API and sends the model bytes to the worker', async () => {
    const h5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0, 255]);
    const { session, workers } = makeSession(
      { 'models/m.h5': h5, 'models/tok.json': MAP_TOKENIZER },
      modelInfo(5, 4),
      { attentionLayer: 'attention_vec', backend: 'js' }
    );
    const progress: string[] = [];
    const info = await session.load('models/m.h5', 'models/tok.json', p =>
      progress.push(p.message)
    );
    expect(info.attentionLayer).toBe('attention_vec');
    expect(session.isReady).toBe(true);
    const load = workers[0].posted[0].message;
    expect(load.type).toBe('load');
    expect(Object.keys(load.files)).toEqual(['m.h5']);
    expect(Array.from(load.files['m.h5'])).toEqual(Array.from(h5));
    expect(load.options).toEqual({
      attentionLayer: 'attention_vec',
      simd: false,
      maxInputLength: 100000,
      maxLayers: 50000,
      maxNestingDepth: 32
    });
    expect(progress).toContain('Building the model');
    expect(progress[progress.length - 1]).toBe('Loaded m.h5');
  });

  it('caps the padded length on the page thread before padding', async () => {
    const { session, workers } = makeSession(
      { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
      modelInfo(null, 4),
      { maxInputLength: 10 }
    );
    await session.load('m.h5', 'tok.json');
    // A variable-length model: the text at its own length, 21.
    await expect(session.predict(['abc'.repeat(7)])).rejects.toThrow(
      'The longest text has 21 tokens; at most 10 input steps are allowed (raise the maxInputLength setting).'
    );
    // A huge maxlen choice fails just as fast: nothing of that length is made.
    session.setChoices({ maxlen: 1e9 });
    const start = Date.now();
    await expect(session.predict(['abc'])).rejects.toThrow(
      'maxlen is 1000000000; at most 10 input steps are allowed'
    );
    expect(Date.now() - start).toBeLessThan(1000);
    expect(workers[0].posted.filter(p => p.message.type === 'predict')).toEqual(
      []
    );
  });

  it('reads the weight shards a model.json lists', async () => {
    const modelJson = JSON.stringify({
      modelTopology: {},
      weightsManifest: [
        { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [] }
      ]
    });
    const { session, workers } = makeSession(
      {
        'tfjs/model.json': modelJson,
        'tfjs/group1-shard1of2.bin': new Uint8Array([1, 2]),
        'tfjs/group1-shard2of2.bin': new Uint8Array([3]),
        'tok.json': MAP_TOKENIZER
      },
      modelInfo(5, 4)
    );
    await session.load('tfjs/model.json', 'tok.json');
    const files = workers[0].posted[0].message.files;
    expect(Object.keys(files).sort()).toEqual(
      ['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json'].sort()
    );
    expect(Array.from(files['group1-shard2of2.bin'])).toEqual([3]);
    expect(new TextDecoder().decode(files['model.json'])).toBe(modelJson);
  });

  it('predicts: pads as Keras does and aligns attention to the characters', async () => {
    const { session, workers } = makeSession(
      { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
      modelInfo(5, 4)
    );
    await session.load('m.h5', 'tok.json');
    const { payload, input } = await session.predict(['abc', 'cab!']);
    expect(input).toEqual({
      attentionLayer: 'attention_vec',
      maxlen: 5,
      padding: 'pre',
      truncating: 'pre',
      lengths: 'model'
    });
    // Keras pad_sequences(maxlen=5, padding='pre'); '!' is unknown and dropped.
    expect(sentSequences(workers)).toEqual([
      [0, 0, 1, 2, 3],
      [0, 0, 3, 1, 2]
    ]);
    expect(payload.samples[0]).toEqual({
      text: 'abc',
      attention: [0.03, 0.04, 0.05],
      mask: [true, true, true],
      prediction: 0.25
    });
    expect(payload.samples[1]).toEqual({
      text: 'cab!',
      attention: [0.03, 0.04, 0.05, null],
      mask: [true, true, true, false],
      prediction: 0.25
    });
    expect(payload.meta).toEqual({
      model: 'm.h5',
      attentionLayer: 'attention_vec',
      tokenizer: 'tok.json',
      lengths: 'model',
      maxlen: 5,
      padding: 'pre',
      truncating: 'pre'
    });
  });

  it.each(['case0', 'case2'])(
    'sends exactly the sequences Keras pad_sequences gives (%s, maxlen 50, post/pre)',
    async caseName => {
      const tokenizer = fs.readFileSync(
        path.join(FIXTURES, caseName, 'tokenizer.json'),
        'utf8'
      );
      const expected = JSON.parse(
        fs.readFileSync(path.join(FIXTURES, caseName, 'expected.json'), 'utf8')
      );
      const { session, workers } = makeSession(
        { 'm.h5': 'x', 'tok.json': tokenizer },
        modelInfo(50, 1000),
        { padding: 'post', truncating: 'pre' }
      );
      await session.load('m.h5', 'tok.json');
      await session.predict(expected.texts);
      expect(sentSequences(workers)).toEqual(
        expected.padded['maxlen=50,padding=post,truncating=pre']
      );
    }
  );

  it('refuses a tokenizer that does not fit the model, naming both files', async () => {
    const { session } = makeSession(
      { 'm.h5': 'x', 'big.json': JSON.stringify({ a: 1, z: 40 }) },
      modelInfo(5, 30)
    );
    await expect(session.load('m.h5', 'big.json')).rejects.toThrow(
      "The tokenizer big.json does not match the model: it gives indices up to 40, but the model's Embedding accepts 0–29 (input_dim 30)."
    );
    expect(session.isReady).toBe(false);
    expect(session.state).toBe('error');
  });

  it('names a missing file', async () => {
    const { session } = makeSession(
      { 'tok.json': MAP_TOKENIZER },
      modelInfo(5, 4)
    );
    await expect(session.load('nope/m.h5', 'tok.json')).rejects.toThrow(
      'Cannot read nope/m.h5: file not found'
    );
  });

  it('forgets the previous model when a load fails: no facts of it remain', async () => {
    const { session } = makeSession(
      { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
      modelInfo(5, 4)
    );
    await session.load('m.h5', 'tok.json');
    expect(session.info).not.toBeNull();
    await expect(session.load('nope/m.h5', 'tok.json')).rejects.toThrow(
      'Cannot read nope/m.h5: file not found'
    );
    expect({
      state: session.state,
      ready: session.isReady,
      info: session.info,
      model: session.modelPath,
      tokenizer: session.tokenizerPath,
      label: session.tokenizerLabel,
      error: session.lastError
    }).toEqual({
      state: 'error',
      ready: false,
      info: null,
      model: '',
      tokenizer: '',
      label: '',
      error: 'Cannot read nope/m.h5: file not found'
    });
  });

  it('reports a worker load error with the file it names', async () => {
    const { factory } = fakeWorkerFactory(
      scriptedWorker(
        modelInfo(5, 4),
        new ModelError('m.h5: not an HDF5 file (bad signature)', {
          file: 'm.h5'
        })
      )
    );
    const session = new ModelSession({
      contents: memoryContents({ 'm.h5': 'x', 'tok.json': MAP_TOKENIZER }),
      client: new WorkerPool({ spawn: factory, size: 1 }),
      settings: () => DEFAULT_LAB_SETTINGS
    });
    const error = await session.load('m.h5', 'tok.json').catch(e => e);
    expect(error.message).toBe('m.h5: not an HDF5 file (bad signature)');
    expect(error.where).toEqual({ stage: 'load', file: 'm.h5' });
    expect(session.lastError).toBe('m.h5: not an HDF5 file (bad signature)');
    expect(session.state).toBe('error');
  });

  it('reports predict progress for large batches', async () => {
    const { session } = makeSession(
      { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
      modelInfo(5, 4)
    );
    await session.load('m.h5', 'tok.json');
    const seen: string[] = [];
    const texts = Array.from({ length: 70 }, () => 'abc');
    const { payload } = await session.predict(texts, {
      onProgress: p => seen.push(p.message)
    });
    expect(payload.samples).toHaveLength(70);
    // Progress grows to the whole batch, job by job.
    expect(seen.length).toBeGreaterThan(1);
    const counts = seen.map(m =>
      Number(/Computed (\d+) of 70 texts/.exec(m)![1])
    );
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBe('Computed 70 of 70 texts');
  });

  it('truncates a text longer than the model input, masks and says so', async () => {
    const { session } = makeSession(
      { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
      modelInfo(5, 4)
    );
    await session.load('m.h5', 'tok.json');
    // Keras pad_sequences truncates at the front by default: the end is kept.
    const { payload, notices } = await session.predict(['abcabc', 'ab']);
    expect(payload.samples[0].mask).toEqual([
      false,
      true,
      true,
      true,
      true,
      true
    ]);
    expect(payload.samples[0].attention![0]).toBeNull();
    expect(payload.samples[0].meta).toEqual({
      notice:
        'the first 1 of 6 characters are not seen by the model (maxlen 5, truncating pre); they are masked'
    });
    expect(payload.samples[1].meta).toBeUndefined();
    expect(notices.join('\n')).toContain('text 1: 6 tokens > maxlen 5');
  });

  it('refuses a maxlen that differs from the model input length', async () => {
    const { session } = makeSession(
      { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
      modelInfo(5, 4),
      { maxlen: 7 }
    );
    await session.load('m.h5', 'tok.json');
    await expect(session.predict(['ab'])).rejects.toThrow(
      new SessionError("maxlen 7 does not match the model's input length 5.")
    );
  });

  it('cancels a load: the worker is stopped and the session stays empty', async () => {
    const { factory, workers } = fakeWorkerFactory(); // never answers
    const session = new ModelSession({
      contents: memoryContents({ 'm.h5': 'x', 'tok.json': MAP_TOKENIZER }),
      client: new WorkerPool({ spawn: factory, size: 1 }),
      settings: () => DEFAULT_LAB_SETTINGS
    });
    const loading = session.load('m.h5', 'tok.json');
    await new Promise(resolve => setTimeout(resolve, 20));
    expect(session.state).toBe('loading');
    session.cancelLoad();
    await expect(loading).rejects.toBeInstanceOf(RequestCancelledError);
    expect(workers[0].terminated).toBe(true);
    expect(session.state).toBe('empty');
  });

  it('requires a model, and a tokenizer for a model without a TextVectorization layer', async () => {
    const { session } = makeSession({ 'm.h5': 'x' }, modelInfo(5, 4));
    await expect(session.load('', 't.json')).rejects.toThrow(
      'Choose a model file'
    );
    await expect(session.load('m.h5', '')).rejects.toThrow(
      new TokenizerNeededError('m.h5')
    );
    expect(new TokenizerNeededError('models/m.h5').message).toBe(
      'm.h5 has no TextVectorization layer: choose the tokenizer JSON that goes with it.'
    );
    await expect(session.predict(['a'])).rejects.toThrow(
      'No model is loaded yet.'
    );
  });

  describe('explain', () => {
    /**
     * A stand-in for the worker pool: value p/10 at model position p, in
     * `units` steps; `gate` holds the run until released (for cancelling).
     */
    function fakeExplainer(units = 4) {
      const calls: Array<{ sequences: number[][]; options: IExplainOptions }> =
        [];
      let release: (() => void) | null = null;
      const explainer: IExplainBackend & {
        calls: typeof calls;
        hold: boolean;
        release: () => void;
      } = {
        calls,
        hold: false,
        release: () => release?.(),
        async explain(sequences, options, hooks) {
          calls.push({ sequences, options });
          for (let done = 1; done <= units; done++) {
            if (explainer.hold) {
              await new Promise<void>((resolve, reject) => {
                release = resolve;
                hooks.signal?.addEventListener('abort', () =>
                  reject(new Error('aborted in the pool'))
                );
              });
            }
            hooks.onProgress?.({ done, total: units });
          }
          return sequences.map((sequence): IExplanation => ({
            method: options.method,
            label: options.method,
            values: sequence.map((_, p) => p / 10),
            prediction: [0.75],
            target: 0,
            meta: options.window
              ? { window: options.window, target: 0 }
              : { target: 0 },
            notices: []
          }));
        }
      };
      return explainer;
    }

    const noAttention = () => ({
      ...modelInfo(5, 4),
      attentionLayer: null,
      layers: [{ name: 'embedding', className: 'Embedding', outputShape: [] }],
      inferences: ['lambda_1 is sum(axis=1) (from its place and shapes)']
    });

    it('picks attention when the model has it, the setting otherwise', () => {
      expect(defaultMethod(modelInfo(5, 4), 'occlusion')).toBe('attention');
      expect(defaultMethod(noAttention(), 'occlusion')).toBe('occlusion');
      expect(defaultMethod(noAttention(), 'grad-x-input')).toBe('grad-x-input');
    });

    it('attention: one forward pass, the payload names the method', async () => {
      const { session } = makeSession(
        { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
        modelInfo(5, 4),
        {},
        null,
        async () => createExplainer
      );
      await session.load('m.h5', 'tok.json');
      const { payload } = await session.explain(['abc'], {
        method: 'attention'
      });
      expect(payload.meta).toMatchObject({
        method: 'attention',
        model: 'm.h5'
      });
      expect(payload.samples[0].attention).toEqual([0.03, 0.04, 0.05]);
    });

    it('other methods: values from the backend aligned to the characters', async () => {
      const explainer = fakeExplainer();
      const { session } = makeSession(
        { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
        noAttention(),
        {},
        explainer
      );
      await session.load('m.h5', 'tok.json');
      const progress: Array<number | null> = [];
      const { payload } = await session.explain(
        ['abc', 'abcabc'],
        { method: 'occlusion', window: 2 },
        { onProgress: p => progress.push(p.fraction) }
      );
      expect(explainer.calls[0].sequences).toEqual([
        [0, 0, 1, 2, 3],
        [2, 3, 1, 2, 3]
      ]);
      expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
      expect(payload.meta).toMatchObject({ method: 'occlusion' });
      expect(payload.samples[0]).toMatchObject({
        text: 'abc',
        attention: [0.2, 0.3, 0.4],
        prediction: 0.75,
        meta: { method: 'occlusion', window: 2, target: 0 }
      });
      // Too long for maxlen 5: the first character is masked and said so.
      expect(payload.samples[1].mask![0]).toBe(false);
      expect(String(payload.samples[1].meta!.notice)).toContain(
        'the first 1 of 6 characters are not seen by the model'
      );
      await expect(
        session.explain(['abc'], { method: 'attention' })
      ).rejects.toThrow(
        new SessionError(
          'm.h5 cannot be explained with attention: the model has no attention layer; choose occlusion, gradient × input, integrated gradients.'
        )
      );
    });

    it('cancels a long run; the next run works', async () => {
      const explainer = fakeExplainer();
      const { session } = makeSession(
        { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
        noAttention(),
        {},
        explainer
      );
      await session.load('m.h5', 'tok.json');
      explainer.hold = true;
      const controller = new AbortController();
      const run = session.explain(
        ['abc'],
        { method: 'integrated-gradients', steps: 64 },
        { signal: controller.signal }
      );
      await new Promise(resolve => setTimeout(resolve, 0));
      controller.abort();
      await expect(run).rejects.toThrow(RequestCancelledError);
      explainer.hold = false;
      const next = await session.explain(['ab'], {
        method: 'integrated-gradients',
        steps: 64
      });
      expect(next.payload.samples[0].attention).toEqual([0.3, 0.4]);
      expect(explainer.calls[1].options).toEqual({
        method: 'integrated-gradients',
        steps: 64
      });
    });

    it('runs other methods in the worker pool unless given another backend', async () => {
      const { session } = makeSession(
        { 'm.h5': 'x', 'tok.json': MAP_TOKENIZER },
        noAttention()
      );
      await session.load('m.h5', 'tok.json');
      // This stand-in worker has no explanation methods: the pool's error comes through.
      await expect(
        session.explain(['abc'], { method: 'occlusion' })
      ).rejects.toThrow('This worker cannot compute explanations');
    });
  });
});
