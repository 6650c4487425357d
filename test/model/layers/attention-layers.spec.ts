/**
 * Attention, AdditiveAttention and MultiHeadAttention (scores, masks,
 * causal masks, value_dim / output_shape / no bias), and Embedding
 * `mask_zero` carried through Dense, LayerNormalization, Dropout,
 * Bidirectional GRU, attention layers and pooling, against real Keras 3.
 */
import { SCORES_SUFFIX } from '../../../src/model/layers/attention-layers';
import { diff, load, readCase, run } from './oracle';

for (const name of ['attention', 'mask_chain', 'mask_concat']) {
  describe(`${name} (real Keras oracle)`, () => {
    for (const file of [`${name}.keras`, `${name}.h5`]) {
      it(`${file}: every recorded layer matches Keras within 1e-5`, () => {
        const c = readCase(name);
        const { outputs, activations } = run(load(file), c);
        for (const [layer, expected] of Object.entries(c.layers)) {
          expect({ layer, d: diff(activations[layer], expected) }).toEqual({
            layer,
            d: expect.any(Number)
          });
          expect({
            layer,
            ok: diff(activations[layer], expected) < 1e-5
          }).toEqual({ layer, ok: true });
        }
        expect(diff(outputs[0], c.outputs[0])).toBeLessThan(1e-5);
      });
    }
  });
}

describe('attention scores offered as the attention', () => {
  it('MultiHeadAttention: mean over heads and queries of each key weight', () => {
    const c = readCase('attention');
    const graph = load('attention.keras');
    const scores = `mha${SCORES_SUFFIX}`;
    expect(graph.shapes.get(scores)).toEqual([7]);
    const { activations } = run(graph, c, [scores]);
    expect(diff(activations[scores], c.mha_key_weight)).toBeLessThan(1e-5);
  });
});
