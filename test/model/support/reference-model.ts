/**
 * The reference char-attention architecture (Embedding, GRU reset_after,
 * TimeDistributed(Dense(1, tanh)), Flatten, softmax 'attention_vec',
 * RepeatVector, Permute, Multiply, Lambda(sum over time), Dense(1, sigmoid))
 * with seeded random weights, written in the layouts real Keras / tfjs use:
 * tf.keras 2.x `model.save()` HDF5, tfjs `model.json` + shard, Keras 3 `.keras`.
 */
import { zipSync, strToU8 } from 'fflate';
import { writeH5 } from './h5-writer';

/** `lambda x: K.sum(x, axis=1)` as Keras 2.2+ stores it (marshal of CPython 3.11 code, base64). */
export const SUM_AXIS1_CODE =
  '4wEAAAAAAAAAAAAAAAQAAAADAAAA8zoAAACXAHQAAAAAAAAAAAAAAKABAAAAAAAAAAAAAAAAAAAA\n' +
  'AAAAAAB8AGQBrAKmAgAAqwIAAAAAAAAAAFMAKQNO6QEAAACpAdoEYXhpcykC2gFL2gNzdW2pAdoB\n' +
  'eHMBAAAAIPoIPHN0cmluZz76CDxsYW1iZGE+cgoAAAAEAAAAcxYAAACAAI1Bj0WKRZAhmCGIRdEM\n' +
  'HNQMHIAA8wAAAAA=\n';

export interface IRefWeight {
  /** tf.keras 2 HDF5 weight name, e.g. `gru/gru_cell/kernel:0`. */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface IRefModel {
  steps: number;
  vocab: number;
  /** Layers in config order: [name, class, weights]. */
  layers: Array<{ name: string; className: string; weights: IRefWeight[] }>;
  /** tf.keras 2.x functional config (`model.to_json()` shape). */
  config: any;
  /** Keras 3 `config.json`. */
  keras3Config: any;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

export function referenceModel(
  sizes: { steps: number; vocab: number; embed: number; units: number },
  seed = 1
): IRefModel {
  const { steps, vocab, embed, units } = sizes;
  const rnd = random(seed);
  const w = (name: string, shape: number[], scale = 1) => ({
    name,
    shape,
    data: Float32Array.from(
      { length: shape.reduce((a, d) => a * d, 1) },
      () => rnd() * scale
    )
  });
  const layers = [
    { name: 'input_1', className: 'InputLayer', weights: [] as IRefWeight[] },
    {
      name: 'embedding',
      className: 'Embedding',
      weights: [w('embedding/embeddings:0', [vocab, embed])]
    },
    {
      name: 'gru',
      className: 'GRU',
      weights: [
        w('gru/gru_cell/kernel:0', [embed, 3 * units]),
        w('gru/gru_cell/recurrent_kernel:0', [units, 3 * units]),
        w('gru/gru_cell/bias:0', [2, 3 * units], 0.2)
      ]
    },
    {
      name: 'time_distributed',
      className: 'TimeDistributed',
      weights: [
        w('time_distributed/kernel:0', [units, 1], 3),
        w('time_distributed/bias:0', [1], 0.1)
      ]
    },
    { name: 'flatten', className: 'Flatten', weights: [] },
    { name: 'attention_vec', className: 'Activation', weights: [] },
    { name: 'repeat_vector', className: 'RepeatVector', weights: [] },
    { name: 'permute', className: 'Permute', weights: [] },
    { name: 'multiply', className: 'Multiply', weights: [] },
    { name: 'lambda', className: 'Lambda', weights: [] },
    {
      name: 'dense',
      className: 'Dense',
      weights: [w('dense/kernel:0', [units, 1]), w('dense/bias:0', [1], 0.1)]
    }
  ];
  const configs: { [name: string]: any } = {
    input_1: {
      batch_input_shape: [null, steps],
      dtype: 'float32',
      sparse: false,
      ragged: false,
      name: 'input_1'
    },
    embedding: {
      name: 'embedding',
      trainable: true,
      dtype: 'float32',
      input_dim: vocab,
      output_dim: embed,
      mask_zero: false,
      input_length: steps
    },
    gru: {
      name: 'gru',
      trainable: true,
      dtype: 'float32',
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      time_major: false,
      units,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      dropout: 0.0,
      recurrent_dropout: 0.0,
      implementation: 2,
      reset_after: true
    },
    time_distributed: {
      name: 'time_distributed',
      trainable: true,
      dtype: 'float32',
      layer: {
        class_name: 'Dense',
        config: {
          name: 'dense_1',
          trainable: true,
          dtype: 'float32',
          units: 1,
          activation: 'tanh',
          use_bias: true
        }
      }
    },
    flatten: {
      name: 'flatten',
      trainable: true,
      dtype: 'float32',
      data_format: 'channels_last'
    },
    attention_vec: {
      name: 'attention_vec',
      trainable: true,
      dtype: 'float32',
      activation: 'softmax'
    },
    repeat_vector: {
      name: 'repeat_vector',
      trainable: true,
      dtype: 'float32',
      n: units
    },
    permute: {
      name: 'permute',
      trainable: true,
      dtype: 'float32',
      dims: [2, 1]
    },
    multiply: { name: 'multiply', trainable: true, dtype: 'float32' },
    lambda: {
      name: 'lambda',
      trainable: true,
      dtype: 'float32',
      function: [SUM_AXIS1_CODE, null, null],
      function_type: 'lambda',
      module: '__main__',
      output_shape: null,
      output_shape_type: 'raw',
      output_shape_module: null,
      arguments: {}
    },
    dense: {
      name: 'dense',
      trainable: true,
      dtype: 'float32',
      units: 1,
      activation: 'sigmoid',
      use_bias: true
    }
  };
  const inbound: { [name: string]: string[] } = {
    input_1: [],
    embedding: ['input_1'],
    gru: ['embedding'],
    time_distributed: ['gru'],
    flatten: ['time_distributed'],
    attention_vec: ['flatten'],
    repeat_vector: ['attention_vec'],
    permute: ['repeat_vector'],
    multiply: ['gru', 'permute'],
    lambda: ['multiply'],
    dense: ['lambda']
  };
  const config = {
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: layers.map(l => ({
        class_name: l.className,
        config: configs[l.name],
        name: l.name,
        inbound_nodes: inbound[l.name].length
          ? [inbound[l.name].map(i => [i, 0, 0, {}])]
          : []
      })),
      input_layers: [['input_1', 0, 0]],
      output_layers: [['dense', 0, 0]]
    },
    keras_version: '2.15.0',
    backend: 'tensorflow'
  };
  const policy = {
    module: 'keras',
    class_name: 'DTypePolicy',
    config: { name: 'float32' },
    registered_name: null
  };
  const k3 = (cfg: any) => {
    const out: any = { ...cfg, dtype: policy };
    delete out.batch_input_shape;
    delete out.input_length;
    return out;
  };
  const tensor = (name: string, shape: Array<number | null>) => ({
    class_name: '__keras_tensor__',
    config: { shape, dtype: 'float32', keras_history: [name, 0, 0] }
  });
  const keras3Config = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: 'functional',
      trainable: true,
      layers: layers.map(l => {
        if (l.className === 'InputLayer') {
          return {
            module: 'keras.layers',
            class_name: 'InputLayer',
            registered_name: null,
            name: 'input_1',
            inbound_nodes: [],
            config: {
              batch_shape: [null, steps],
              dtype: 'float32',
              sparse: false,
              name: 'input_1'
            }
          };
        }
        let cfg = k3(configs[l.name]);
        if (l.name === 'time_distributed') {
          cfg = {
            ...cfg,
            layer: {
              module: 'keras.layers',
              class_name: 'Dense',
              config: k3(configs.time_distributed.layer.config),
              registered_name: null
            }
          };
        }
        if (l.name === 'lambda') {
          cfg = {
            ...cfg,
            function: {
              class_name: '__lambda__',
              config: { code: SUM_AXIS1_CODE, defaults: null, closure: null }
            }
          };
        }
        const ins = inbound[l.name].map(i => tensor(i, [null]));
        return {
          module: 'keras.layers',
          class_name: l.className,
          registered_name: null,
          name: l.name,
          config: cfg,
          build_config: { input_shape: [null, steps] },
          inbound_nodes: [{ args: ins.length === 1 ? ins : [ins], kwargs: {} }]
        };
      }),
      input_layers: ['input_1', 0, 0],
      output_layers: ['dense', 0, 0]
    },
    registered_name: 'Functional'
  };
  return { steps, vocab, layers, config, keras3Config };
}

/** tf.keras 2.x `model.save('x.h5')` layout. */
export function toLegacyH5(
  model: IRefModel,
  kerasVersion = '2.15.0'
): Uint8Array {
  const groups: string[] = ['model_weights'];
  const attrs: Array<{ path: string; name: string; value: string | string[] }> =
    [
      { path: '', name: 'backend', value: 'tensorflow' },
      { path: '', name: 'keras_version', value: kerasVersion },
      { path: '', name: 'model_config', value: JSON.stringify(model.config) },
      { path: 'model_weights', name: 'backend', value: 'tensorflow' },
      { path: 'model_weights', name: 'keras_version', value: kerasVersion },
      {
        path: 'model_weights',
        name: 'layer_names',
        value: model.layers.map(l => l.name)
      }
    ];
  const datasets: Array<{ path: string; shape: number[]; data: Float32Array }> =
    [];
  for (const layer of model.layers) {
    groups.push(`model_weights/${layer.name}`);
    attrs.push({
      path: `model_weights/${layer.name}`,
      name: 'weight_names',
      value: layer.weights.map(w => w.name)
    });
    for (const w of layer.weights) {
      const dir = w.name.split('/').slice(0, -1).join('/');
      groups.push(`model_weights/${layer.name}/${dir}`);
      datasets.push({
        path: `model_weights/${layer.name}/${w.name}`,
        shape: w.shape,
        data: w.data
      });
    }
  }
  // h5py rejects empty lists for layers without weights the same way: write them as empty string lists.
  return writeH5({
    groups,
    attrs: attrs.filter(a => !Array.isArray(a.value) || a.value.length > 0),
    datasets
  });
}

/** A tfjs layers model (`tensorflowjs_converter` output): model.json + one shard. */
export function toTfjs(model: IRefModel): { [name: string]: Uint8Array } {
  const weights = model.layers.flatMap(l => l.weights);
  const total = weights.reduce((a, w) => a + w.data.length, 0);
  const shard = new Float32Array(total);
  let at = 0;
  for (const w of weights) {
    shard.set(w.data, at);
    at += w.data.length;
  }
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: model.config
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: weights.map(w => ({
          name: w.name.replace(/:0$/, ''),
          shape: w.shape,
          dtype: 'float32'
        }))
      }
    ]
  };
  return {
    'model.json': strToU8(JSON.stringify(json)),
    'group1-shard1of1.bin': new Uint8Array(shard.buffer)
  };
}

/** A Keras 3 `.keras` archive: config.json, metadata.json, model.weights.h5. */
export function toKeras3(model: IRefModel): Uint8Array {
  const groups: string[] = ['layers'];
  const datasets: Array<{ path: string; shape: number[]; data: Float32Array }> =
    [];
  const paths: { [cls: string]: string } = {
    Embedding: 'layers/embedding/vars',
    GRU: 'layers/gru/cell/vars',
    TimeDistributed: 'layers/time_distributed/layer/vars',
    Dense: 'layers/dense/vars'
  };
  for (const layer of model.layers) {
    if (!layer.weights.length) {
      continue;
    }
    const base = paths[layer.className];
    groups.push(base);
    layer.weights.forEach((w, i) =>
      datasets.push({ path: `${base}/${i}`, shape: w.shape, data: w.data })
    );
  }
  const weightsH5 = writeH5({ groups, datasets });
  return zipSync({
    'metadata.json': strToU8(
      JSON.stringify({
        keras_version: '3.6.0',
        date_saved: '2026-01-01@00:00:00'
      })
    ),
    'config.json': strToU8(JSON.stringify(model.keras3Config)),
    'model.weights.h5': weightsH5
  });
}
