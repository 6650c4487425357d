/**
 * The loader says what a model is: a model whose input is not a sequence of
 * character indices is refused with its input shape and what is expected; a
 * Keras 1 file is named as one; the hard_sigmoid definition a layer runs is
 * listed among the inferences. Real Keras files made by
 * scripts/keras_fixtures/hostile.py; messages word for word.
 */
import * as fs from 'fs';
import { loadModel } from '../../src/model/engine';
import { fixturePath } from './support';

function files(name: string) {
  return { [name]: new Uint8Array(fs.readFileSync(fixturePath(name))) };
}

describe('inputs that are not character indices', () => {
  it('a Dense model over 2 float features', async () => {
    await expect(loadModel(files('features.keras'))).rejects.toThrow(
      "features.keras: the model's input has shape [batch, 2] and no Embedding layer reads it: it " +
        'takes 2 numeric features (float32), not character indices; expected: [batch, steps] integer ' +
        'character indices read by an Embedding layer (or an input declared with an integer dtype)'
    );
  });

  it('a GRU over one-hot vectors', async () => {
    await expect(loadModel(files('onehot.keras'))).rejects.toThrow(
      "onehot.keras: the model's input has shape [batch, 12, 20]: it takes 20 numbers at each step " +
        '(one-hot characters or features), not character indices; expected: [batch, steps] integer ' +
        'character indices read by an Embedding layer'
    );
  });
});

describe('Keras 1 files', () => {
  it('are named as Keras 1 with the version found', async () => {
    await expect(loadModel(files('keras1.h5'))).rejects.toThrow(
      'keras1.h5: written by Keras 1.2.2; Keras 1 files are not supported (Keras 2.0 or later is ' +
        'needed): load the model in Keras 2 and save it again'
    );
  });

  it('are recognised by their field names when they record no version', async () => {
    const json = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Sequential',
        config: [
          {
            class_name: 'Embedding',
            config: {
              name: 'embed',
              input_dim: 5,
              output_dim: 2,
              batch_input_shape: [null, 4]
            }
          },
          { class_name: 'Dense', config: { name: 'out', output_dim: 1 } }
        ]
      },
      weightsManifest: []
    };
    await expect(
      loadModel({
        'model.json': new TextEncoder().encode(JSON.stringify(json))
      })
    ).rejects.toThrow(
      "model.json: the config uses Keras 1 field names (layer 'out' (Dense) has output_dim, not " +
        'units); Keras 1 files are not supported (Keras 2.0 or later is needed): load the model in ' +
        'Keras 2 and save it again'
    );
  });
});

describe('hard_sigmoid', () => {
  it('a Keras 3 file: relu6(x + 3) / 6, listed among the inferences', async () => {
    const model = await loadModel(files('hard-sigmoid.keras'));
    expect(model.info.inferences).toContain(
      "hard_sigmoid in layer 'gate' (activation) is Keras 3's relu6(x + 3) / 6, as the file records " +
        'Keras 3.15.1 (Keras 2 used clip(0.2 * x + 0.5, 0, 1))'
    );
    model.dispose();
  });

  it('a Keras 2 file: clip(0.2 * x + 0.5, 0, 1), listed among the inferences', async () => {
    const model = await loadModel(files('hard-sigmoid-k2.h5'));
    expect(model.info.inferences).toContain(
      "hard_sigmoid in layer 'gate' (activation) is Keras 2's clip(0.2 * x + 0.5, 0, 1), as the file " +
        'records Keras 2.15.0 (Keras 3 uses relu6(x + 3) / 6)'
    );
    model.dispose();
  });

  it('each runs as its Keras computes it (Keras 3 predict; Keras 2 formula with numpy)', async () => {
    const oracle = JSON.parse(
      fs.readFileSync(fixturePath('hard-sigmoid.json'), 'utf8')
    ) as { input: number[][]; keras3: number[][]; keras2_formula: number[][] };
    const k3 = await loadModel(files('hard-sigmoid.keras'));
    const k2 = await loadModel(files('hard-sigmoid-k2.h5'));
    expect((await k3.forward(oracle.input))[0][0]).toBeCloseTo(
      oracle.keras3[0][0],
      6
    );
    expect((await k2.forward(oracle.input))[0][0]).toBeCloseTo(
      oracle.keras2_formula[0][0],
      6
    );
    k3.dispose();
    k2.dispose();
  });
});
