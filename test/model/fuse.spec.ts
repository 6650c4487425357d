/**
 * The fused attention-head multiply (fuse.ts): found on real Keras models
 * with RepeatVector -> Permute((2, 1)) -> Multiply, identical bit for bit to
 * the layers run one by one, and left alone where the intermediate tensors
 * are read elsewhere or asked for.
 */
import * as tf from '@tensorflow/tfjs';
import { loadGraph } from '../../src/model/engine';
import { findScaleFusions, IFusableStep } from '../../src/model/graph/fuse';
import { runGraph } from '../../src/model/graph/graph';
import { fixture, fixtureJson } from './helpers';
import { randomize, saveFiles } from './support/tfjs-models';

const MODELS: Array<[string, string]> = [
  ['explain', 'seed_attention.keras'],
  ['explain', 'seed_attention.h5'],
  ['explain_reference', 'attention.keras'],
  ['explain_reference', 'attention.h5']
];

function lambdasOf(folder: string): { [name: string]: string } {
  return folder === 'explain'
    ? fixtureJson('keras', 'explain', 'seed_attention.json').lambdas
    : (fixtureJson('keras', 'explain_reference', 'expected.json').lambdas ??
        {});
}

describe('fused attention-head multiply', () => {
  it.each(MODELS)(
    'is found in %s/%s and gives the same bits as the layers one by one',
    (folder, file) => {
      const { graph } = loadGraph(
        { [file]: fixture('keras', folder, file) },
        { lambdas: lambdasOf(folder) }
      );
      expect(graph.fusions.size).toBe(1);
      const [fusion] = [...graph.fusions.values()];
      expect(fusion.skipped).toEqual(['repeat', 'permute']);
      const T = graph.inputShapes[0][0] as number;
      const batch = 5;
      const data = new Float32Array(batch * T);
      for (let i = 0; i < data.length; i++) {
        // Front padding of varying length, then ids 1..9.
        data[i] = i % T < (i / T) * 3 ? 0 : 1 + ((i * 7) % 9);
      }
      const input = [{ shape: [batch, T], data }];
      const fused = runGraph(graph, input, { outputs: ['multiply'] });
      // Asking for the Permute output runs the three layers one by one.
      const plain = runGraph(graph, input, {
        outputs: ['multiply', 'permute']
      });
      expect(plain.activations.permute).toBeDefined();
      expect(fused.activations.permute).toBeUndefined();
      expect(Array.from(fused.activations.multiply.data)).toEqual(
        Array.from(plain.activations.multiply.data)
      );
      fused.outputs.forEach((out, i) =>
        expect(Array.from(out.data)).toEqual(Array.from(plain.outputs[i].data))
      );
    }
  );

  it.each([false, true])(
    'also averages the scaled rows in the GlobalAveragePooling1D after it (mask_zero %s), same bits',
    async maskZero => {
      const T = 12;
      const ids = tf.input({ shape: [T] });
      const e = tf.layers
        .embedding({ inputDim: 9, outputDim: 4, maskZero })
        .apply(ids) as tf.SymbolicTensor;
      const h = tf.layers
        .gru({
          units: 6,
          returnSequences: true,
          recurrentActivation: 'sigmoid'
        })
        .apply(e) as tf.SymbolicTensor;
      const score = tf.layers
        .timeDistributed({ layer: tf.layers.dense({ units: 1 }) })
        .apply(h) as tf.SymbolicTensor;
      const a = tf.layers
        .activation({ activation: 'softmax' })
        .apply(tf.layers.flatten().apply(score)) as tf.SymbolicTensor;
      const spread = tf.layers
        .permute({ dims: [2, 1], name: 'permute' })
        .apply(
          tf.layers.repeatVector({ n: 6, name: 'repeat' }).apply(a)
        ) as tf.SymbolicTensor;
      const product = tf.layers
        .multiply({ name: 'multiply' })
        .apply([h, spread]) as tf.SymbolicTensor;
      const pooled = tf.layers
        .globalAveragePooling1d({ name: 'pool' })
        .apply(product) as tf.SymbolicTensor;
      const out = tf.layers
        .dense({ units: 1, activation: 'sigmoid' })
        .apply(pooled) as tf.SymbolicTensor;
      const model = tf.model({ inputs: ids, outputs: out });
      randomize(model, 5);
      const files = await saveFiles(model);
      model.dispose();
      const { graph } = loadGraph(files);
      const [fusion] = [...graph.fusions.values()];
      expect(fusion.pooled?.layer.name).toBe('pool');
      const batch = 6;
      const data = new Float32Array(batch * T);
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < T; t++) {
          data[b * T + t] = t < b * 2 ? 0 : 1 + ((b * 5 + t * 3) % 8);
        }
      }
      const input = [{ shape: [batch, T], data }];
      const run = (outputs: string[]) =>
        runGraph(graph, input, { outputs: [...outputs, 'pool'] });
      const plain = run(['permute']);
      const scaled = run(['multiply']);
      const averaged = run([]);
      expect(averaged.activations.multiply).toBeUndefined();
      expect(scaled.activations.multiply).toBeDefined();
      for (const result of [scaled, averaged]) {
        expect(Array.from(result.activations.pool.data)).toEqual(
          Array.from(plain.activations.pool.data)
        );
        expect(Array.from(result.outputs[0].data)).toEqual(
          Array.from(plain.outputs[0].data)
        );
      }
    }
  );

  const step = (
    name: string,
    className: string,
    inputs: string[],
    config: { [key: string]: unknown } = {}
  ): IFusableStep => ({
    layer: { name, className, config },
    node: 0,
    inputs: inputs.map(layer => ({ layer, node: 0, tensor: 0 }))
  });
  const head = [
    step('states', 'GRU', ['in']),
    step('scores', 'Activation', ['states']),
    step('repeat', 'RepeatVector', ['scores']),
    step('permute', 'Permute', ['repeat'], { dims: [2, 1] }),
    step('multiply', 'Multiply', ['states', 'permute'])
  ];
  const out = [{ layer: 'multiply', node: 0, tensor: 0 }];

  it('scales the other input by the RepeatVector input', () => {
    const fusions = findScaleFusions(head, out);
    expect(fusions.size).toBe(1);
    const fusion = fusions.get(head[4])!;
    expect(fusion.scale.layer).toBe('scores');
    expect(fusion.other.layer).toBe('states');
  });

  it('leaves the head alone when the repeated scores are read elsewhere or are an output', () => {
    const reader = step('other', 'Flatten', ['permute']);
    expect(findScaleFusions([...head, reader], out).size).toBe(0);
    expect(
      findScaleFusions(head, [...out, { layer: 'repeat', node: 0, tensor: 0 }])
        .size
    ).toBe(0);
    const otherPerm = head.map(s =>
      s.layer.name === 'permute'
        ? step('permute', 'Permute', ['repeat'], { dims: [1, 2] })
        : s
    );
    expect(findScaleFusions(otherPerm, out).size).toBe(0);
  });
});
