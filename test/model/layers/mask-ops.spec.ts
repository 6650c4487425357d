/**
 * Masks passed explicitly (`mask=`) and the mask operations Keras 3 saves
 * in the graph: a mask list keeps its None entries in place, the mask
 * merge of a Concatenate (ExpandDims, ZerosLike / OnesLike, LogicalOr, Any)
 * runs as Keras runs it, and an operation the engine does not run loses
 * only the `mask=` arguments that need it. Checked against real Keras 3
 * (`test/fixtures/keras/gradients/attention_mask_merged`,
 * `test/fixtures/keras/layers/mask_concat`).
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { loadGraph } from '../../../src/model/engine';
import { runGraph } from '../../../src/model/graph/graph';
import { parseModelConfig } from '../../../src/model/graph/keras-config';
import { fixture, fixtureJson } from '../helpers';
import { diff, load, readCase, run } from './oracle';

const MASK_OPS = ['Any', 'ExpandDims', 'LogicalOr', 'OnesLike', 'ZerosLike'];

/** A fixture `.keras` archive with its config rewritten by `edit`. */
function editedKeras(
  folder: string,
  file: string,
  edit: (config: any) => void
): Uint8Array {
  const entries = unzipSync(fixture('keras', folder, file));
  const config = JSON.parse(strFromU8(entries['config.json']));
  edit(config);
  return zipSync({
    ...entries,
    'config.json': strToU8(JSON.stringify(config))
  });
}

function keras3Tensor(layer: string): object {
  return {
    class_name: '__keras_tensor__',
    config: { shape: [null, 4], keras_history: [layer, 0, 0] }
  };
}

describe('explicit mask= arguments in a saved config', () => {
  it('keep the position of each tensor in a Keras 3 mask list, None entries counted', () => {
    const spec = parseModelConfig(
      {
        class_name: 'Functional',
        config: {
          name: 'm',
          input_layers: [['ids', 0, 0]],
          output_layers: [['att', 0, 0]],
          layers: [
            {
              class_name: 'InputLayer',
              config: { name: 'ids', batch_shape: [null, 4] },
              inbound_nodes: []
            },
            {
              class_name: 'Attention',
              config: { name: 'att' },
              inbound_nodes: [
                {
                  args: [[keras3Tensor('e'), keras3Tensor('e')]],
                  kwargs: { mask: [null, keras3Tensor('not_space')] }
                }
              ]
            }
          ]
        }
      },
      'm.keras'
    );
    const att = spec.layers[1];
    expect(att.inbound[0].filter(r => r.kwarg === 'mask')).toEqual([
      { layer: 'not_space', node: 0, tensor: 0, kwarg: 'mask', slot: 1 }
    ]);
    expect(att.callArgs?.[0]['#maskSlots']).toBe(2);
  });

  it('keep the position of each tensor in a tf.keras 2.x mask list', () => {
    const spec = parseModelConfig(
      {
        class_name: 'Model',
        config: {
          name: 'm',
          input_layers: [['ids', 0, 0]],
          output_layers: [['att', 0, 0]],
          layers: [
            {
              class_name: 'InputLayer',
              config: { name: 'ids', batch_input_shape: [null, 4] },
              inbound_nodes: []
            },
            {
              class_name: 'Attention',
              config: { name: 'att' },
              inbound_nodes: [
                [
                  ['e', 0, 0, { mask: [['q_mask', 0, 0], null] }],
                  ['e', 0, 0, {}]
                ]
              ]
            }
          ]
        }
      },
      'm.h5'
    );
    const att = spec.layers[1];
    expect(att.inbound[0].filter(r => r.kwarg === 'mask')).toEqual([
      { layer: 'q_mask', node: 0, tensor: 0, kwarg: 'mask', slot: 0 }
    ]);
    expect(att.callArgs?.[0]['#maskSlots']).toBe(2);
  });
});

describe('mask operations Keras 3 saved in the graph', () => {
  it('run as layers of the engine (mask_concat), with nothing inferred', () => {
    for (const file of ['mask_concat.keras', 'mask_concat.h5']) {
      const graph = load(file);
      expect(graph.inferences).toEqual([]);
      const classes = new Set(graph.layerInfo.map(l => l.className));
      expect(MASK_OPS.filter(c => !classes.has(c))).toEqual([]);
      const c = readCase('mask_concat');
      const { outputs, activations } = run(graph, c);
      for (const [layer, expected] of Object.entries(c.layers)) {
        expect({
          file,
          layer,
          ok: diff(activations[layer], expected) < 1e-5
        }).toEqual({
          file,
          layer,
          ok: true
        });
      }
      expect(diff(outputs[0], c.outputs[0])).toBeLessThan(1e-5);
    }
  });

  it('an operation the engine does not run drops only the mask= arguments that need it, reported; explicit masks stay', () => {
    const info = fixtureJson(
      'keras',
      'gradients',
      'attention_mask_merged.json'
    );
    // `Any` renamed to a class no engine runs: the pooling's mask (Keras's
    // own merge of [ids != 0, ids != 0]) falls back to the mask rules, which
    // give the same mask; the Attention keeps mask=[ids != 0, ids != ' '].
    const file = editedKeras('gradients', 'attention_mask_merged.keras', c =>
      c.config.layers
        .filter((l: any) => l.class_name === 'Any')
        .forEach((l: any) => (l.class_name = 'ReduceAnyOfSomeFutureKeras'))
    );
    const { graph } = loadGraph({ 'edited.keras': file });
    try {
      expect(graph.inferences).toEqual([
        'The masks Keras saved as operations the engine does not run (ReduceAnyOfSomeFutureKeras) ' +
          "are computed by the engine with Keras's mask rules instead, for 'gap'"
      ]);
      const att = graph.steps.find(s => s.layer.name === 'att_explicit')!;
      expect(att.maskInputs?.map(r => [r.layer, r.slot])).toEqual([
        ['not_equal_1', 0],
        ['not_equal_2', 1]
      ]);
      const classes = graph.layerInfo.map(l => l.className);
      expect(classes).not.toContain('LogicalOr');
      for (const s of info.samples) {
        const { outputs } = runGraph(graph, [
          { shape: [1, s.input.length], data: Float32Array.from(s.input) }
        ]);
        expect(Math.abs(outputs[0].data[0] - s.prediction[0])).toBeLessThan(
          1e-5
        );
      }
    } finally {
      graph.kernels.dispose();
    }
  });
});
