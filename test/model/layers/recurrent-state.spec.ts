/**
 * Recurrent layers started from other tensors (`initial_state`), their
 * `return_state` outputs, and the CuDNNGRU / CuDNNLSTM weight layouts, against
 * real Keras 3 (see scripts/keras_fixtures/layers.py for how the CuDNN files
 * were written).
 */
import { loadGraph } from '../../../src/model/engine';
import { buildGraph } from '../../../src/model/graph/graph';
import { parseModelConfig } from '../../../src/model/graph/keras-config';
import { weight } from '../helpers';
import { diff, load, modelFile, readCase, run } from './oracle';

describe('initial_state and return_state (real Keras oracle)', () => {
  for (const file of ['initial_state.keras', 'initial_state.h5']) {
    it(`${file}: decoders started from encoder states match Keras`, () => {
      const c = readCase('initial_state');
      const { outputs, activations } = run(load(file), c);
      for (const [layer, expected] of Object.entries(c.layers)) {
        expect({
          layer,
          ok: diff(activations[layer], expected) < 1e-5
        }).toEqual({
          layer,
          ok: true
        });
      }
      expect(diff(outputs[0], c.outputs[0])).toBeLessThan(1e-5);
    });
  }

  it('refuses other tensor arguments, naming the layer', () => {
    const spec = {
      class_name: 'Functional',
      config: {
        name: 'm',
        layers: [
          {
            class_name: 'InputLayer',
            name: 'in',
            config: { name: 'in', batch_shape: [null, 3, 2] },
            inbound_nodes: []
          },
          {
            class_name: 'InputLayer',
            name: 'c',
            config: { name: 'c', batch_shape: [null, 4] },
            inbound_nodes: []
          },
          {
            class_name: 'GRU',
            name: 'gru',
            config: { name: 'gru', units: 4, reset_after: true },
            inbound_nodes: [
              {
                args: [
                  {
                    class_name: '__keras_tensor__',
                    config: { keras_history: ['in', 0, 0] }
                  }
                ],
                kwargs: {
                  constants: {
                    class_name: '__keras_tensor__',
                    config: { keras_history: ['c', 0, 0] }
                  }
                }
              }
            ]
          }
        ],
        input_layers: [
          ['in', 0, 0],
          ['c', 0, 0]
        ],
        output_layers: [['gru', 0, 0]]
      }
    };
    const w = (name: string, shape: number[]) =>
      weight(name, shape, new Array(shape[0] * (shape[1] ?? 1)).fill(0.1));
    const weights = new Map([
      [
        'gru',
        [w('kernel', [2, 12]), w('recurrent', [4, 12]), w('bias', [2, 12])]
      ]
    ]);
    expect(() =>
      buildGraph(parseModelConfig(spec, 'test'), weights, { kerasMajor: 3 })
    ).toThrow(/Layer 'gru' \(GRU\): is called with a tensor for 'constants'/);
  });
});

describe('CuDNNGRU / CuDNNLSTM (tf.keras 2.x layout; Keras 3 GRU/LSTM oracle)', () => {
  for (const kind of ['gru', 'lstm']) {
    it(`cudnn_${kind}.h5 matches Keras's ${kind.toUpperCase()} with converted weights`, () => {
      const c = readCase(`cudnn_${kind}`);
      const { graph } = loadGraph(modelFile(`cudnn_${kind}.h5`));
      expect(graph.layerInfo.map(l => l.className)).toContain(
        kind === 'gru' ? 'CuDNNGRU' : 'CuDNNLSTM'
      );
      const { outputs } = run(graph, c, []);
      expect(diff(outputs[0], c.outputs[0])).toBeLessThan(1e-5);
    });
  }
});
