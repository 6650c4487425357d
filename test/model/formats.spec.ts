/**
 * Model files in every supported layout. No real Keras-3-written file is
 * available, so the Keras 3 archive is built here from the dl4j model's
 * real weights with a Keras 3 style config and checked against the
 * predictions Keras computed for that model.
 */
import { strToU8, zipSync } from 'fflate';
import { loadGraph, loadModel } from '../../src/model/engine';
import { runGraph } from '../../src/model/graph/graph';
import { openHdf5 } from '../../src/model/files/hdf5/file';
import { readKerasH5 } from '../../src/model/files/keras-h5';
import { toSnakeCase } from '../../src/model/files/keras3-weights';
import { readTfjsModel } from '../../src/model/files/tfjs';
import { fixture, maxAbsDiff } from './helpers';
import { writeH5 } from './support/h5-writer';
import {
  referenceModel,
  toKeras3,
  toLegacyH5,
  toTfjs
} from './support/reference-model';

const io = openHdf5(
  fixture('dl4j', 'simple_rnn_tf_keras_2_inputs_and_outputs.h5'),
  'io.h5'
);
const input = io.dataset('inputs/simple_rnn_1_input');
const prediction = io.dataset('predictions/dense_1');
const dl4j = readKerasH5(
  fixture('dl4j', 'simple_rnn_tf_keras_2_model.h5'),
  'model.h5'
);

const policy = {
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: 'float32' },
  registered_name: null
};
const rnnConfig = {
  name: 'simple_rnn',
  trainable: true,
  dtype: policy,
  return_sequences: false,
  return_state: false,
  go_backwards: false,
  stateful: false,
  unroll: false,
  zero_output_for_mask: false,
  units: 50,
  activation: 'tanh',
  use_bias: true,
  dropout: 0.2,
  recurrent_dropout: 0.0,
  seed: null
};
const denseConfig = {
  name: 'dense',
  trainable: true,
  dtype: policy,
  units: 1,
  activation: 'linear',
  use_bias: true
};

function keras3Archive(config: unknown): Uint8Array {
  const rnn = dl4j.weights.get('simple_rnn_1')!;
  const dense = dl4j.weights.get('dense_1')!;
  const weights = writeH5({
    groups: [
      'layers/simple_rnn/cell/vars',
      'layers/dense/vars',
      'optimizer/vars'
    ],
    datasets: [
      ...rnn.map((w, i) => ({
        path: `layers/simple_rnn/cell/vars/${i}`,
        shape: w.shape,
        data: w.data
      })),
      ...dense.map((w, i) => ({
        path: `layers/dense/vars/${i}`,
        shape: w.shape,
        data: w.data
      }))
    ]
  });
  return zipSync({
    'metadata.json': strToU8(JSON.stringify({ keras_version: '3.6.0' })),
    'config.json': strToU8(JSON.stringify(config)),
    'model.weights.h5': weights
  });
}

describe('Keras 3 .keras archive (built from the dl4j model weights)', () => {
  const sequential = {
    module: 'keras',
    class_name: 'Sequential',
    registered_name: null,
    config: {
      name: 'sequential',
      trainable: true,
      dtype: policy,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          registered_name: null,
          config: {
            batch_shape: [null, 1, 1],
            dtype: 'float32',
            sparse: false,
            name: 'input_layer'
          }
        },
        {
          module: 'keras.layers',
          class_name: 'SimpleRNN',
          registered_name: null,
          config: rnnConfig,
          build_config: { input_shape: [null, 1, 1] }
        },
        {
          module: 'keras.layers',
          class_name: 'Dense',
          registered_name: null,
          config: denseConfig,
          build_config: { input_shape: [null, 50] }
        }
      ],
      build_input_shape: [null, 1, 1]
    },
    build_config: { input_shape: [null, 1, 1] }
  };
  const tensor = (layer: string, shape: Array<number | null>) => ({
    class_name: '__keras_tensor__',
    config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] }
  });
  const functional = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    registered_name: 'Functional',
    config: {
      name: 'functional',
      trainable: true,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          registered_name: null,
          name: 'input_layer',
          config: {
            batch_shape: [null, 1, 1],
            dtype: 'float32',
            sparse: false,
            name: 'input_layer'
          },
          inbound_nodes: []
        },
        {
          module: 'keras.layers',
          class_name: 'SimpleRNN',
          registered_name: null,
          name: 'simple_rnn',
          config: rnnConfig,
          build_config: { input_shape: [null, 1, 1] },
          inbound_nodes: [
            {
              args: [tensor('input_layer', [null, 1, 1])],
              kwargs: { training: false, mask: null }
            }
          ]
        },
        {
          module: 'keras.layers',
          class_name: 'Dense',
          registered_name: null,
          name: 'dense',
          config: denseConfig,
          build_config: { input_shape: [null, 50] },
          inbound_nodes: [
            { args: [tensor('simple_rnn', [null, 50])], kwargs: {} }
          ]
        }
      ],
      input_layers: [['input_layer', 0, 0]],
      output_layers: [['dense', 0, 0]]
    }
  };

  it.each([
    ['Sequential', sequential],
    ['Functional (dict inbound_nodes)', functional]
  ])('%s config: matches the Keras predictions', (_label, config) => {
    const loaded = loadGraph({ 'model.keras': keras3Archive(config) });
    expect(loaded.format).toBe('keras-v3');
    const out = runGraph(loaded.graph, [
      { shape: input.shape, data: input.data }
    ]).outputs[0];
    expect(maxAbsDiff(out.data, prediction.data)).toBeLessThanOrEqual(1e-5);
  });

  it('snake-cases class names like Keras', () => {
    expect(
      [
        'GRU',
        'SimpleRNN',
        'TimeDistributed',
        'Conv1D',
        'RepeatVector',
        'Dense'
      ].map(toSnakeCase)
    ).toEqual([
      'gru',
      'simple_rnn',
      'time_distributed',
      'conv1d',
      'repeat_vector',
      'dense'
    ]);
  });
});

describe('reference attention model in every layout', () => {
  const model = referenceModel({ steps: 12, vocab: 10, embed: 4, units: 6 }, 7);
  const formats: Array<[string, { [name: string]: Uint8Array }]> = [
    ['keras-h5', { 'weights.best.hdf5': toLegacyH5(model) }],
    ['tfjs-layers', toTfjs(model)],
    ['keras-v3', { 'model.keras': toKeras3(model) }]
  ];
  const sequences = [
    [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [9, 9, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]
  ];

  it('gives the same predictions and attention from every layout; finds attention_vec automatically', async () => {
    const results = [];
    for (const [format, files] of formats) {
      const m = await loadModel(files);
      expect(m.info.format).toBe(format);
      expect(m.info.attentionLayer).toBe('attention_vec');
      expect(m.info.attentionChosenBy).toBe('auto');
      expect(m.info.inputLength).toBe(12);
      expect(m.info.vocabularySize).toBe(10);
      expect(m.info.layers.find(l => l.name === 'lambda')!.outputShape).toEqual(
        [6]
      );
      const r = await m.predict(sequences);
      m.dispose();
      expect(r.attention.map(a => a.length)).toEqual([12, 12, 12]);
      r.attention.forEach(a =>
        expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5)
      );
      r.predictions.forEach(p => {
        expect(p).toHaveLength(1);
        expect(p[0]).toBeGreaterThan(0);
        expect(p[0]).toBeLessThan(1);
      });
      results.push(r);
    }
    for (const r of results.slice(1)) {
      expect(
        maxAbsDiff(r.attention.flat(), results[0].attention.flat())
      ).toBeLessThanOrEqual(1e-6);
      expect(
        maxAbsDiff(r.predictions.flat(), results[0].predictions.flat())
      ).toBeLessThanOrEqual(1e-6);
    }
  });

  it('one forward pass: attention equals the attention_vec activation and batching does not change results', async () => {
    const files = formats[0][1];
    const m = await loadModel(files, { chunkSize: 2 });
    const batched = await m.predict(sequences);
    const { graph } = loadGraph(files);
    const data = Float32Array.from(sequences.flat());
    const direct = runGraph(graph, [{ shape: [3, 12], data }], {
      outputs: ['attention_vec']
    });
    expect(
      maxAbsDiff(
        batched.attention.flat(),
        direct.activations.attention_vec.data
      )
    ).toBeLessThanOrEqual(1e-6);
    expect(
      maxAbsDiff(batched.predictions.flat(), direct.outputs[0].data)
    ).toBeLessThanOrEqual(1e-6);
    m.dispose();
    await expect(m.predict(sequences)).rejects.toThrow(/disposed/);
  });

  it('uses a named attention layer and rejects layers that are not attention over time', async () => {
    const files = formats[1][1];
    const m = await loadModel(files, { attentionLayer: 'attention_vec' });
    expect(m.info.attentionChosenBy).toBe('name');
    m.dispose();
    await expect(loadModel(files, { attentionLayer: 'dense' })).rejects.toThrow(
      /Layer 'dense' \(Dense\) is not an attention over time: its output is \[batch, 1\]/
    );
    await expect(loadModel(files, { attentionLayer: 'nope' })).rejects.toThrow(
      /No layer named 'nope'/
    );
  });

  it('checks sequence lengths and vocabulary', async () => {
    const m = await loadModel(formats[0][1]);
    await expect(m.predict([[1, 2, 3]])).rejects.toThrow(
      /Sequence 0 has 3 steps, the model expects 12/
    );
    await expect(
      m.predict([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10]])
    ).rejects.toThrow(
      /Layer 'embedding' \(Embedding\): input index 10 is outside the vocabulary \[0, 9\]/
    );
    m.dispose();
  });
});

describe('tfjs weight manifests', () => {
  it('decodes uint8 and uint16 affine quantisation and float16', () => {
    const shard = new Uint8Array([
      0, 1, 255, 0, 0, 1, 0, 0x00, 0x3c, 0x00, 0xc0
    ]);
    const json = {
      modelTopology: { class_name: 'Sequential', config: [] },
      weightsManifest: [
        {
          paths: ['w.bin'],
          weights: [
            {
              name: 'a/q8',
              shape: [3],
              dtype: 'float32',
              quantization: { dtype: 'uint8', scale: 0.5, min: -1 }
            },
            {
              name: 'a/q16',
              shape: [2],
              dtype: 'float32',
              quantization: { dtype: 'uint16', scale: 0.25, min: 1 }
            },
            {
              name: 'b/h',
              shape: [2],
              dtype: 'float32',
              quantization: { dtype: 'float16' }
            }
          ]
        }
      ]
    };
    const read = readTfjsModel(
      { 'model.json': strToU8(JSON.stringify(json)), 'w.bin': shard },
      'model.json'
    );
    expect(Array.from(read.weights.get('a')![0].data)).toEqual([
      -1, -0.5, 126.5
    ]);
    expect(Array.from(read.weights.get('a')![1].data)).toEqual([1, 1.25]);
    expect(Array.from(read.weights.get('b')![0].data)).toEqual([1, -2]);
  });

  it('names a missing shard', () => {
    const files = toTfjs(
      referenceModel({ steps: 4, vocab: 5, embed: 2, units: 3 })
    );
    delete files['group1-shard1of1.bin'];
    expect(() => loadGraph(files)).toThrow(
      /weight shard 'group1-shard1of1.bin' is missing/
    );
  });
});
