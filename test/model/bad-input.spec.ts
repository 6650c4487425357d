/**
 * Bad model files give a ModelError naming the file / layer and the problem.
 */
import { loadGraph, loadModel } from '../../src/model/engine';
import { scalar } from '../../src/model/layers/activations';
import {
  parseLambdaForm,
  recognizeLambda
} from '../../src/model/layers/lambda';
import { ModelError } from '../../src/model/types';
import { fixture } from './helpers';
import { SUM_AXIS1_CODE } from './support/reference-model';

const model = fixture('dl4j', 'simple_rnn_tf_keras_2_model.h5');
const weights = fixture('dl4j', 'simple_rnn_tf_keras_2_weights.h5');
const configText = new TextDecoder().decode(
  fixture('dl4j', 'simple_rnn_tf_keras_2_config.json')
);

function errorOf(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error('expected a ModelError');
}

function withConfig(mutate: (config: any) => void) {
  const config = JSON.parse(configText);
  mutate(config);
  return {
    'w.h5': weights,
    'model.json': new TextEncoder().encode(JSON.stringify(config))
  };
}

describe('bad model input', () => {
  it('non-HDF5 bytes', () => {
    const e = errorOf(() =>
      loadGraph({
        'weights.best.hdf5': new TextEncoder().encode('hello, not a model')
      })
    );
    expect(e.message).toBe(
      'weights.best.hdf5: not an HDF5 file (no HDF5 signature)'
    );
    expect(e.where).toEqual({ file: 'weights.best.hdf5' });
  });

  it.each([512, 2048, 8000])('a file truncated to %d bytes', size => {
    const e = errorOf(() => loadGraph({ 'cut.h5': model.slice(0, size) }));
    expect(e.message).toMatch(/^cut\.h5: /);
    expect(e.message).toMatch(/truncated|damaged|not a Keras|missing/);
  });

  it('a weights-only file without its config', () => {
    expect(errorOf(() => loadGraph({ 'w.h5': weights })).message).toMatch(
      /w\.h5: this is a weights-only file \(no model_config\); also give the model config JSON/
    );
  });

  it('JSON that is not a model', () => {
    const files = {
      'w.h5': weights,
      'config.json': new TextEncoder().encode('{"hello": [1, 2]}')
    };
    expect(errorOf(() => loadGraph(files)).message).toBe(
      'config.json: this JSON is not a Keras model config (no class_name)'
    );
    const broken = {
      'w.h5': weights,
      'config.json': new TextEncoder().encode('{"class_name": ')
    };
    expect(errorOf(() => loadGraph(broken)).message).toMatch(
      /^config\.json: the model config is not valid JSON/
    );
    expect(
      errorOf(() =>
        loadGraph({ 'model.json': new TextEncoder().encode('[1]') })
      ).message
    ).toMatch(/model\.json: not a TensorFlow\.js layers model/);
  });

  it('weights that do not match the config', () => {
    const e = errorOf(() =>
      loadGraph(withConfig(c => (c.config[0].config.units = 40)))
    );
    expect(e.message).toBe(
      "w.h5: Layer 'simple_rnn_1' (SimpleRNN): weight kernel should have shape [1, 40], the file has [1, 50] (simple_rnn_1/kernel:0)"
    );
    expect(e.where).toEqual({ layer: 'simple_rnn_1', className: 'SimpleRNN' });
    const renamed = errorOf(() =>
      loadGraph(withConfig(c => (c.config[1].config.name = 'output')))
    );
    expect(renamed.message).toMatch(
      /weights file has layer 'dense_1', the config has no such layer/
    );
  });

  it('an unknown layer class names the layer and the class', () => {
    const e = errorOf(() =>
      loadGraph(withConfig(c => (c.config[1].class_name = 'FancyAttention')))
    );
    expect(e.message).toMatch(
      /^w\.h5: Layer 'dense_1' \(FancyAttention\): layer class 'FancyAttention' is not supported/
    );
    expect(e.where).toEqual({ layer: 'dense_1', className: 'FancyAttention' });
  });

  it('unsupported options fail with the reason', () => {
    const e = errorOf(() =>
      loadGraph(withConfig(c => (c.config[0].config.activation = 'mish')))
    );
    expect(e.message).toMatch(
      /^w\.h5: Layer 'simple_rnn_1' \(SimpleRNN\): activation 'mish' is not supported/
    );
  });

  it('no files, unknown file kinds', async () => {
    await expect(loadModel({})).rejects.toThrow('No model files were given');
    await expect(loadModel({ 'notes.txt': new Uint8Array(3) })).rejects.toThrow(
      /No model file recognised/
    );
  });
});

describe('Lambda forms', () => {
  it('parses the accepted forms and tolerates K./tf. spellings', () => {
    expect(parseLambdaForm('sum(axis=1)')).toEqual({
      kind: 'sum',
      axis: 1,
      keepDims: false
    });
    expect(parseLambdaForm('K.sum(x, axis=1)')).toEqual({
      kind: 'sum',
      axis: 1,
      keepDims: false
    });
    expect(
      parseLambdaForm('tf.reduce_mean(x, axis=-2, keepdims=True)')
    ).toEqual({ kind: 'mean', axis: -2, keepDims: true });
    expect(parseLambdaForm('max(axis=2)')).toEqual({
      kind: 'max',
      axis: 2,
      keepDims: false
    });
    expect(parseLambdaForm('scale(0.5)')).toEqual({
      kind: 'scale',
      factor: 0.5
    });
    expect(parseLambdaForm('identity')).toEqual({ kind: 'identity' });
    expect(parseLambdaForm('x[:, 0]')).toBeNull();
  });

  it('recognises K.sum(x, axis=1) from the marshalled code of CPython 3.11', () => {
    const spec = {
      name: 'lambda_1',
      className: 'Lambda',
      config: {
        function: [SUM_AXIS1_CODE, null, null],
        function_type: 'lambda'
      }
    };
    expect(recognizeLambda(spec)).toEqual({
      op: { kind: 'sum', axis: 1, keepDims: false },
      text: 'K.sum(x, axis=1)'
    });
  });

  it('never guesses a named function from its name or the declared output shape', () => {
    const spec = {
      name: 'lambda_1',
      className: 'Lambda',
      config: {
        function: 'attention_sum',
        function_type: 'function',
        output_shape: [64]
      }
    };
    expect(recognizeLambda(spec)).toBeNull();
  });
});

describe('hard_sigmoid follows the Keras version that wrote the model', () => {
  it('Keras 2 / tf.keras: max(0, min(1, 0.2x + 0.5)); Keras 3: max(0, min(1, x / 6 + 0.5))', () => {
    const spec = { name: 'gru', className: 'GRU', config: {} };
    const k2 = scalar(spec, 'hard_sigmoid', 2);
    const k3 = scalar(spec, 'hard_sigmoid', 3);
    expect([-3, -1, 0, 1, 2.5, 3].map(k2)).toEqual([0, 0.3, 0.5, 0.7, 1, 1]);
    expect([-3, 0, 1.5, 3, 4].map(v => k3(v))).toEqual([0, 0.5, 0.75, 1, 1]);
  });
});
