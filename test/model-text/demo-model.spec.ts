/**
 * The demo model in examples/models/demo (made by `npm run train-demo`):
 * accuracy, where its attention goes, .h5 / tfjs round trip, and its files
 * against what real Keras writes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { alignBatch } from '../../src/text/align';
import { loadModel } from '../../src/model/engine';
import { readModelFiles } from '../../src/model/files/node-files';
import { encodeTexts, parseTokenizer } from '../../src/text/tokenizer';
import { IAttentionModel } from '../../src/model/types';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const demo = require('../../scripts/train-demo.js');

const ROOT = path.resolve(__dirname, '../..');
const DEMO = path.join(ROOT, 'examples', 'models', 'demo');
const DL4J = path.resolve(ROOT, 'test/fixtures/dl4j');
// The development venv (scripts/venv.sh): Keras 3, h5py.
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

interface ILabelled {
  text: string;
  label: number;
}

/** Fresh texts from the same generator, with a seed training never used. */
const FRESH: ILabelled[] = demo.makeDataset(demo.makeRandom(20261124), 500);
const tokenizerJson = fs.readFileSync(
  path.join(DEMO, 'tokenizer.json'),
  'utf8'
);
const tokenizer = parseTokenizer(tokenizerJson);

function python(code: string): string {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run \`bash scripts/venv.sh\``);
  }
  const out = spawnSync(PYTHON, ['-c', code], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }
  });
  if (out.status !== 0) {
    throw new Error(`python failed: ${out.stderr}`);
  }
  return out.stdout;
}

let h5Model: IAttentionModel;
let tfjsModel: IAttentionModel;
let padded: number[][];
let h5Result: { predictions: number[][]; attention: number[][] };

beforeAll(async () => {
  await tf.setBackend('cpu');
  h5Model = await loadModel(readModelFiles(path.join(DEMO, 'demo.h5')).files);
  tfjsModel = await loadModel(
    readModelFiles(path.join(DEMO, 'model.json')).files
  );
  padded = encodeTexts(
    tokenizer,
    FRESH.map(d => d.text),
    { maxlen: 80 }
  ).items.map(i => i.padded);
  h5Result = await h5Model.predict(padded);
});

afterAll(() => {
  h5Model?.dispose();
  tfjsModel?.dispose();
});

describe('demo model', () => {
  it('loads from the .h5 with the attention layer and the Lambda found automatically', () => {
    expect(h5Model.info.format).toBe('keras-h5');
    expect(h5Model.info.kerasVersion).toBe('2.15.0');
    expect(h5Model.info.inputLength).toBe(80);
    expect(h5Model.info.attentionLayer).toBe('attention_vec');
    expect(h5Model.info.vocabularySize).toBe(tokenizer.wordIndex.size + 1);
    expect(tfjsModel.info.format).toBe('tfjs-layers');
  });

  it('classifies fresh texts with accuracy >= 0.95', () => {
    const correct = FRESH.filter(
      (d, i) => (h5Result.predictions[i][0] >= 0.5 ? 1 : 0) === d.label
    ).length;
    const accuracy = correct / FRESH.length;
    // Reported in the demo README; the training run measured it on another fresh set.
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('puts its attention on the trigger words', () => {
    const { payload } = alignBatch({
      tokenizer,
      texts: FRESH.map(d => d.text),
      attention: h5Result.attention,
      pad: { maxlen: 80 }
    });
    const stats = demo.evaluate(
      FRESH,
      h5Result.predictions.map(p => p[0]),
      (i: number) => payload.samples[i].attention
    );
    // The peak is on the word or the few characters the GRU needs to be sure of it.
    expect(stats.peakNearWord).toBeGreaterThanOrEqual(0.8);
    // A trigger character gets several times the attention of another one
    // (tanh scores cap the ratio between two positions at e^2 = 7.4).
    expect(stats.lift).toBeGreaterThanOrEqual(2.5);
  });

  it('.h5 and tfjs forms give the same attention and predictions (<= 1e-6)', async () => {
    const other = await tfjsModel.predict(padded);
    let attentionError = 0;
    let predictionError = 0;
    other.attention.forEach((row, i) =>
      row.forEach(
        (v, p) =>
          (attentionError = Math.max(
            attentionError,
            Math.abs(v - h5Result.attention[i][p])
          ))
      )
    );
    other.predictions.forEach((row, i) =>
      row.forEach(
        (v, k) =>
          (predictionError = Math.max(
            predictionError,
            Math.abs(v - h5Result.predictions[i][k])
          ))
      )
    );
    expect(attentionError).toBeLessThanOrEqual(1e-6);
    expect(predictionError).toBeLessThanOrEqual(1e-6);
  });

  it('the engine computes what the training graph computed (same weights, <= 1e-5)', async () => {
    // Rebuild the training-time forward pass from the tfjs shard.
    const modelJson = JSON.parse(
      fs.readFileSync(path.join(DEMO, 'model.json'), 'utf8')
    );
    const shard = fs.readFileSync(
      path.join(DEMO, modelJson.weightsManifest[0].paths[0])
    );
    const floats = new Float32Array(
      shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength)
    );
    const byName: { [name: string]: tf.Tensor } = {};
    let offset = 0;
    for (const w of modelJson.weightsManifest[0].weights) {
      const size = w.shape.reduce((a: number, b: number) => a * b, 1);
      byName[w.name] = tf.tensor(floats.slice(offset, offset + size), w.shape);
      offset += size;
    }
    const weights = {
      embeddings: byName['embedding/embeddings'],
      kernel: byName['gru/gru_cell/kernel'],
      recurrentKernel: byName['gru/gru_cell/recurrent_kernel'],
      gruBias: byName['gru/gru_cell/bias'],
      attentionKernel: byName['time_distributed/kernel'],
      attentionBias: byName['time_distributed/bias'],
      denseKernel: byName['dense_1/kernel'],
      denseBias: byName['dense_1/bias']
    };
    const count = 64;
    const x = tf.tensor2d(padded.slice(0, count), [count, 80], 'int32');
    const { logits, attention } = demo.forward(
      tf,
      demo.makeGruOp(tf),
      weights,
      x
    );
    const probabilities = await tf.sigmoid(logits).data();
    const att = await attention.data();
    let error = 0;
    for (let i = 0; i < count; i++) {
      error = Math.max(
        error,
        Math.abs(probabilities[i] - h5Result.predictions[i][0])
      );
      for (let p = 0; p < 80; p++) {
        error = Math.max(
          error,
          Math.abs(att[i * 80 + p] - h5Result.attention[i][p])
        );
      }
    }
    tf.dispose([x, logits, attention, ...Object.values(byName)]);
    expect(error).toBeLessThanOrEqual(1e-5);
  });
});

describe('demo files against real Keras', () => {
  it('tokenizer.json has the exact Keras to_json() layout', () => {
    const fixture = JSON.parse(
      fs.readFileSync(
        path.resolve(
          ROOT,
          'test/fixtures/keras-tokenizer/case0/tokenizer.json'
        ),
        'utf8'
      )
    );
    const mine = JSON.parse(tokenizerJson);
    expect(Object.keys(mine)).toEqual(Object.keys(fixture));
    expect(Object.keys(mine.config)).toEqual(Object.keys(fixture.config));
    for (const key of [
      'word_counts',
      'word_docs',
      'index_docs',
      'index_word',
      'word_index'
    ]) {
      expect(typeof mine.config[key]).toBe('string');
    }
    // json.dumps separators, as in the fixture.
    expect(
      tokenizerJson.startsWith(
        '{"class_name": "Tokenizer", "config": {"num_words": null'
      )
    ).toBe(true);
  });

  it("Keras's own tokenizer_from_json encodes the fresh texts as we do", () => {
    const texts = FRESH.slice(0, 100).map(d => d.text);
    const out = python(
      [
        'import json, sys',
        // keras_preprocessing 1.1's Tokenizer, as kept in Keras 3.
        'from keras.src.legacy.preprocessing.text import tokenizer_from_json',
        'from keras.utils import pad_sequences',
        `t = tokenizer_from_json(open(${JSON.stringify(path.join(DEMO, 'tokenizer.json'))}).read())`,
        `texts = json.loads(${JSON.stringify(JSON.stringify(texts))})`,
        'print(json.dumps(pad_sequences(t.texts_to_sequences(texts), maxlen=80).tolist()))'
      ].join('\n')
    );
    expect(JSON.parse(out)).toEqual(padded.slice(0, 100));
  }, 120000);

  it('demo.h5 has the layout of a real Keras 2.x HDF5 model (read with h5py)', () => {
    const summary = python(`
import h5py, json
def describe(fn):
    f = h5py.File(fn, 'r')
    mw = f['model_weights']
    layers = {}
    for name in mw.attrs['layer_names']:
        name = name.decode()
        g = mw[name]
        wn = [w.decode() for w in g.attrs['weight_names']]
        layers[name] = [[w, list(g[w].shape), str(g[w].dtype)] for w in wn]
    return {
        'root_attrs': sorted(f.attrs.keys()),
        'vlen': [f.attrs.get_id(k).get_type().is_variable_str() for k in ('backend', 'keras_version', 'model_config')],
        'mw_attrs': sorted(mw.attrs.keys()),
        'config_class': json.loads(f.attrs['model_config'])['class_name'],
        'layers': layers,
    }
print(json.dumps([describe(${JSON.stringify(path.join(DEMO, 'demo.h5'))}),
                  describe(${JSON.stringify(path.join(DL4J, 'simple_rnn_tf_keras_2_model.h5'))})]))
`);
    const [mine, real] = JSON.parse(summary);
    expect(mine.root_attrs).toEqual(
      expect.arrayContaining(['backend', 'keras_version', 'model_config'])
    );
    expect(real.root_attrs).toEqual(
      expect.arrayContaining(['backend', 'keras_version', 'model_config'])
    );
    expect(mine.vlen).toEqual(real.vlen);
    expect(mine.mw_attrs).toEqual(real.mw_attrs);
    expect(mine.config_class).toBe('Functional');
    expect(mine.layers.gru).toEqual([
      ['gru/gru_cell/kernel:0', [16, 96], 'float32'],
      ['gru/gru_cell/recurrent_kernel:0', [32, 96], 'float32'],
      ['gru/gru_cell/bias:0', [2, 96], 'float32']
    ]);
    expect(mine.layers.embedding).toEqual([
      ['embedding/embeddings:0', [tokenizer.wordIndex.size + 1, 16], 'float32']
    ]);
    expect(mine.layers.lambda).toEqual([]);
    expect(mine.layers.attention_vec).toEqual([]);
    // Every weight of the real file is a float32 dataset at <layer>/<weight name>, as ours.
    for (const entries of Object.values(real.layers) as Array<
      Array<[string, number[], string]>
    >) {
      for (const [, , dtype] of entries) {
        expect(dtype).toBe('float32');
      }
    }
  }, 120000);

  it('the Lambda config is what tf.keras 2.x writes (marshalled code of K.sum(x, axis=1))', () => {
    const config = JSON.parse(
      fs.readFileSync(path.join(DEMO, 'model.json'), 'utf8')
    ).modelTopology.model_config;
    const lambda = config.config.layers.find(
      (l: { class_name: string }) => l.class_name === 'Lambda'
    );
    expect(lambda.config.function_type).toBe('lambda');
    expect(lambda.config.module).toBe('__main__');
    const code = Buffer.from(lambda.config.function[0], 'base64').toString(
      'latin1'
    );
    for (const name of ['K', 'sum', 'axis']) {
      expect(code).toContain(name);
    }
  });
});
