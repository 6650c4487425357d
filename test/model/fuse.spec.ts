/**
 * The fused attention-head multiply (fuse.ts): found on real Keras models
 * with RepeatVector -> Permute((2, 1)) -> Multiply, identical bit for bit to
 * the layers run one by one, and left alone where the intermediate tensors
 * are read elsewhere or asked for.
 */
import { loadGraph } from '../../src/model/engine';
import { findScaleFusions, IFusableStep } from '../../src/model/fuse';
import { runGraph } from '../../src/model/graph';
import { fixture, fixtureJson } from './helpers';

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
