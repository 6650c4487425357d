/**
 * What stock TensorFlow.js 4.22 does with this model family, and that the
 * engine creates no tfjs tensors (so nothing can leak).
 */
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '../../src/model/engine';
import { referenceModel, toTfjs } from './support/reference-model';

describe('stock tfjs', () => {
  it('refuses a GRU with reset_after=True', async () => {
    const model = referenceModel({ steps: 8, vocab: 6, embed: 3, units: 4 });
    const gruOnly = {
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          {
            class_name: 'Embedding',
            config: {
              name: 'embedding',
              input_dim: 6,
              output_dim: 3,
              batch_input_shape: [null, 8]
            }
          },
          {
            class_name: 'GRU',
            config: { ...model.config.config.layers[2].config }
          }
        ]
      }
    };
    await expect(
      tf.models.modelFromJSON({ modelTopology: gruOnly } as any)
    ).rejects.toThrow(
      'GRUCell does not support reset_after parameter set to true.'
    );
  });

  it('the engine allocates no tfjs tensors in load, predict and dispose', async () => {
    const before = tf.memory().numTensors;
    const files = toTfjs(
      referenceModel({ steps: 8, vocab: 6, embed: 3, units: 4 })
    );
    const m = await loadModel(files);
    await m.predict([[0, 1, 2, 3, 4, 5, 1, 2]]);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
