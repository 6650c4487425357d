/**
 * Real Keras HDF5 files (dl4j-test-resources): a Keras 2.1.3 full model,
 * the same weights-only file + JSON config, Keras 2.0.9 Lambda models.
 */
import { loadGraph, loadModel } from '../../src/model/engine';
import { runGraph } from '../../src/model/graph/graph';
import { openHdf5 } from '../../src/model/files/hdf5/file';
import { readKerasH5 } from '../../src/model/files/keras-h5';
import { LAMBDA_FORMS } from '../../src/model/layers/lambda';
import { ModelError } from '../../src/model/types';
import { fixture, maxAbsDiff } from './helpers';

const io = openHdf5(
  fixture('dl4j', 'simple_rnn_tf_keras_2_inputs_and_outputs.h5'),
  'io.h5'
);
const input = io.dataset('inputs/simple_rnn_1_input');
const prediction = io.dataset('predictions/dense_1');
const rnnActivation = io.dataset('activations/simple_rnn_1');
const denseActivation = io.dataset('activations/dense_1');

const fullModel = {
  'simple_rnn_tf_keras_2_model.h5': fixture(
    'dl4j',
    'simple_rnn_tf_keras_2_model.h5'
  )
};
const weightsAndConfig = {
  'simple_rnn_tf_keras_2_weights.h5': fixture(
    'dl4j',
    'simple_rnn_tf_keras_2_weights.h5'
  ),
  'simple_rnn_tf_keras_2_config.json': fixture(
    'dl4j',
    'simple_rnn_tf_keras_2_config.json'
  )
};

describe('HDF5 reading', () => {
  it('reads attributes with fixed-length string padding stripped', () => {
    const read = readKerasH5(
      fullModel['simple_rnn_tf_keras_2_model.h5'],
      'model.h5'
    );
    expect(read.kerasVersion).toBe('2.1.3');
    expect(read.backend).toBe('tensorflow');
    expect(read.layerNames).toEqual(['simple_rnn_1', 'dense_1']);
    expect(read.weights.get('dense_1')!.map(w => w.name)).toEqual([
      'dense_1/kernel:0',
      'dense_1/bias:0'
    ]);
    expect(read.weights.get('simple_rnn_1')!.map(w => w.shape)).toEqual([
      [1, 50],
      [50, 50],
      [50]
    ]);
    expect(JSON.parse(read.modelConfig!).class_name).toBe('Sequential');
  });

  it('reads variable-length string attributes (tf.keras 2.11)', () => {
    const read = readKerasH5(
      fixture('dl4j', 'keras-attention.h5'),
      'keras-attention.h5'
    );
    expect(read.kerasVersion).toBe('2.11.0');
    expect(read.layerNames).toEqual([
      'inputs',
      'dense',
      'attention',
      'concatenate',
      'dense_1',
      'outputs'
    ]);
    expect(read.weights.get('dense')!.map(w => w.name)).toEqual([
      'dense/kernel:0',
      'dense/bias:0'
    ]);
  });
});

describe.each([
  ['full model (.h5)', fullModel, 'keras-h5'],
  ['weights-only .h5 + config JSON', weightsAndConfig, 'keras-h5-weights']
])('simple_rnn_tf_keras_2: %s', (_label, files, format) => {
  it.each([true, false])(
    'matches Keras predictions and per-layer activations (simd=%s)',
    simd => {
      const loaded = loadGraph(files, { simd });
      expect(loaded.format).toBe(format);
      const result = runGraph(
        loaded.graph,
        [{ shape: input.shape, data: input.data }],
        {
          outputs: ['simple_rnn_1', 'dense_1']
        }
      );
      expect(result.outputs[0].shape).toEqual(prediction.shape);
      expect(
        maxAbsDiff(result.outputs[0].data, prediction.data)
      ).toBeLessThanOrEqual(1e-5);
      expect(
        maxAbsDiff(result.activations.simple_rnn_1.data, rnnActivation.data)
      ).toBeLessThanOrEqual(1e-5);
      expect(
        maxAbsDiff(result.activations.dense_1.data, denseActivation.data)
      ).toBeLessThanOrEqual(1e-5);
    }
  );

  it('reports the layers, and refuses its float-vector input for texts', async () => {
    const loaded = loadGraph(files);
    expect(
      loaded.graph.layerInfo.map(l => [l.name, l.className, l.outputShape])
    ).toEqual([
      ['simple_rnn_1_input', 'InputLayer', [1, 1]],
      ['simple_rnn_1', 'SimpleRNN', [50]],
      ['dense_1', 'Dense', [1]]
    ]);
    loaded.graph.kernels.dispose();
    // A SimpleRNN over one float per step: not a model of character indices.
    await expect(loadModel(files)).rejects.toThrow(
      `${Object.keys(files)[0]}: the model's input has shape [batch, 1, 1]: it takes 1 number ` +
        'at each step (one-hot characters or features), not character indices; expected: ' +
        '[batch, steps] integer character indices read by an Embedding layer'
    );
  });
});

describe('Lambda layers (Keras 2.0.9, Python 2 marshal code)', () => {
  const files = { 'model_lambda.h5': fixture('dl4j', 'model_lambda.h5') };
  const sequential = {
    'sequential_lambda.h5': fixture('dl4j', 'sequential_lambda.h5')
  };

  it('fails with a message naming the layer and listing the accepted forms', () => {
    let error: unknown;
    try {
      loadGraph(files);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    const message = (error as ModelError).message;
    expect(message).toContain("Layer 'lambda_3' (Lambda)");
    for (const form of LAMBDA_FORMS) {
      expect(message).toContain(form);
    }
    expect((error as ModelError).where).toEqual({
      layer: 'lambda_3',
      className: 'Lambda'
    });
  });

  it('rejects a mapping that is not an accepted form', () => {
    expect(() =>
      loadGraph(files, {
        lambdas: { lambda_3: 'x ** 3 + 1', lambda_4: 'scale(3)' }
      })
    ).toThrow(/lambda_3.*"x \*\* 3 \+ 1" is not an accepted form/);
  });

  it('loads and runs with an explicit mapping (x**2 and 3*x in the stored code)', () => {
    const loaded = loadGraph(files, {
      lambdas: { lambda_3: 'square', lambda_4: 'scale(3)' }
    });
    const x = new Float32Array(2 * 784).map((_, i) => ((i * 7919) % 255) / 255);
    const { outputs, activations } = runGraph(
      loaded.graph,
      [{ shape: [2, 784], data: x }],
      {
        outputs: ['dense_3', 'lambda_3', 'lambda_4']
      }
    );
    expect(outputs[0].shape).toEqual([2, 10]);
    const sums = [0, 1].map(b =>
      outputs[0].data.subarray(b * 10, b * 10 + 10).reduce((a, v) => a + v, 0)
    );
    sums.forEach(s => expect(s).toBeCloseTo(1, 5));
    const d = activations.dense_3.data;
    activations.lambda_3.data.forEach((v, i) =>
      expect(v).toBeCloseTo(d[i] * d[i], 5)
    );
    activations.lambda_4.data.forEach((v, i) =>
      expect(v).toBeCloseTo(3 * activations.lambda_3.data[i], 4)
    );
  });

  it('loads the Sequential Lambda model with a mapping', () => {
    const loaded = loadGraph(sequential, {
      lambdas: { lambda_1: 'square', lambda_2: 'scale(3)' }
    });
    expect(loaded.graph.layerInfo.map(l => l.className)).toEqual([
      'InputLayer',
      'Dense',
      'Lambda',
      'Lambda',
      'Dense'
    ]);
    expect(() => loadGraph(sequential)).toThrow(/Layer 'lambda_1' \(Lambda\)/);
  });
});
