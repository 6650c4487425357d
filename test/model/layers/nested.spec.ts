/**
 * Nested Sequential / functional models used as layers, from Keras 3
 * `.keras` and legacy `.h5` files and a tf.keras 2.x layout, against Keras.
 */
import { diff, load, readCase, run } from './oracle';

describe('nested models (real Keras oracles)', () => {
  const cases: Array<[string, string[]]> = [
    ['nested', ['nested.keras', 'nested.h5']],
    ['nested_seq', ['nested_seq.keras', 'nested_seq.h5']],
    ['nested_tf2', ['nested_tf2.h5']],
    ['nested_fn_tf2', ['nested_fn_tf2.h5']]
  ];
  for (const [name, files] of cases) {
    for (const file of files) {
      it(`${file} matches Keras`, () => {
        const c = readCase(name);
        const graph = load(file);
        const { outputs, activations } = run(graph, c);
        outputs.forEach((o, i) =>
          expect(diff(o, c.outputs[i])).toBeLessThan(1e-5)
        );
        for (const [layer, expected] of Object.entries(c.layers)) {
          expect([layer, diff(activations[layer], expected)]).toEqual([
            layer,
            expect.any(Number)
          ]);
          expect(diff(activations[layer], expected)).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('inlines the nested layers under their own names', () => {
    const graph = load('nested.keras');
    const names = graph.layerInfo.map(l => l.name);
    expect(names).toEqual(
      expect.arrayContaining(['inner_dense', 'inner_gru', 'fa', 'fb', 'fadd'])
    );
    expect(names).not.toContain('inner_seq');
    expect(names).not.toContain('inner_fn');
  });
});
