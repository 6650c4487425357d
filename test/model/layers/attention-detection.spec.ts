/**
 * Automatic attention detection takes only a softmax over the time axis of
 * the input sequence (never a classifier head, also with a variable input
 * length), falls back to a self-attention layer's key weights, and says what
 * it inferred.
 */
import { loadGraph, loadModel } from '../../../src/model/engine';
import { chooseAttention } from '../../../src/model/graph/attention-choice';
import { SCORES_SUFFIX } from '../../../src/model/layers/attention-layers';
import { chainGraph, weight } from '../helpers';
import { modelFile } from './oracle';

function fill(shape: number[]) {
  return weight(
    'w',
    shape,
    new Array(shape.reduce((a, d) => a * d, 1)).fill(0.1)
  );
}

function classifier(steps: number | null, head: 'dense' | 'activation') {
  const layers: Array<{ class_name: string; config: any }> = [
    {
      class_name: 'Embedding',
      config: { name: 'emb', input_dim: 5, output_dim: 3 }
    },
    { class_name: 'GRU', config: { name: 'gru', units: 4, reset_after: true } }
  ];
  const weights: any = {
    emb: [fill([5, 3])],
    gru: [fill([3, 12]), fill([4, 12]), fill([2, 12])],
    head: [fill([4, steps ?? 4]), fill([steps ?? 4])]
  };
  if (head === 'dense') {
    layers.push({
      class_name: 'Dense',
      config: { name: 'head', units: steps ?? 4, activation: 'softmax' }
    });
  } else {
    layers.push(
      { class_name: 'Dense', config: { name: 'head', units: steps ?? 4 } },
      {
        class_name: 'Activation',
        config: { name: 'probs', activation: 'softmax' }
      }
    );
  }
  return chainGraph([steps], layers, weights);
}

describe('automatic attention detection', () => {
  for (const steps of [4, null]) {
    for (const head of ['dense', 'activation'] as const) {
      it(`never takes a softmax classifier head (${head}, input length ${steps ?? 'variable'})`, () => {
        expect(() =>
          chooseAttention(classifier(steps, head), undefined)
        ).toThrow(/No attention layer found.*char-attention explain/);
      });
    }
  }

  it('finds a softmax over time inside nested models and reports it', async () => {
    const model = await loadModel(modelFile('nested.keras'));
    expect(model.info.attentionLayer).toBe('attention_vec');
    expect(model.info.attentionChosenBy).toBe('auto');
    expect(model.info.inferences).toContain(
      "Attention layer 'attention_vec' (Softmax) found automatically: a softmax over the time axis of the input sequence"
    );
    model.dispose();
  });

  it("falls back to a self-attention layer's key weights and says so", async () => {
    const model = await loadModel(modelFile('attention.keras'));
    expect(model.info.attentionLayer).toBe(`mha${SCORES_SUFFIX}`);
    expect(model.info.inferences).toContain(
      "Attention shown for MultiHeadAttention 'mha' (found automatically, self-attention): " +
        'the mean over its 3 heads and all queries of the weight each position receives as a key'
    );
    const r = await model.predict([[1, 2, 3, 4, 5, 6, 7]]);
    expect(r.attention[0]).toHaveLength(7);
    expect(r.attention[0].reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('naming an attention layer shows its key weights', () => {
    const { graph } = loadGraph(modelFile('attention.keras'));
    const choice = chooseAttention(graph, 'att_add');
    expect(choice.layer).toBe(`att_add${SCORES_SUFFIX}`);
    expect(choice.inference).toMatch(/AdditiveAttention 'att_add'/);
  });
});
