/**
 * The model's own attention layer as the explanation: one forward pass,
 * the layer's output over the input positions. No target (the attention
 * does not depend on which output is explained).
 */
import type { IExplainMethod } from '../method';
import type { IExplanation } from '../types';

export interface IAttentionTypes {
  options: Record<string, never>;
  unit: Record<string, never>;
  partial: { prediction: number[]; values: number[] };
  state: null;
}

export const attention: IExplainMethod<IAttentionTypes> = {
  id: 'attention',
  label: 'attention',
  description: 'the output of the model’s attention layer (one forward pass)',
  options: [],
  explainsTarget: false,
  workNoun: 'forward passes',

  unavailable: info =>
    info.attentionLayer === null ? 'the model has no attention layer' : null,

  resolve: () => ({}),

  cost: () => 1,

  plan: () => [{ work: {}, size: 1 }],

  async run(context, sequence) {
    const result = await context.model.predict([sequence]);
    return { prediction: result.predictions[0], values: result.attention[0] };
  },

  combine(info, sequence, options, partials) {
    const [first] = partials;
    const explanation: IExplanation = {
      method: 'attention',
      label: 'attention',
      values: first.values,
      prediction: first.prediction,
      target: 0,
      meta: { attentionLayer: info.attentionLayer },
      notices: []
    };
    return { kind: 'done', explanation };
  }
};
