/**
 * Gradient x input: sum_e E[t,e] * df/dE[t,e], E = the Embedding output:
 * one point of the path (alpha = 1, weight 1), one unit.
 */
import {
  chooseTarget,
  gradientsUnavailable,
  IExplainMethod,
  readOption,
  TARGET_OPTION
} from '../method';

export interface IGradXInputTypes {
  options: { target: number | null };
  unit: { target: number | null };
  partial: {
    prediction: number[];
    target: number;
    values: number[];
    embeddingLayer: string;
  };
  state: null;
}

export const gradXInput: IExplainMethod<IGradXInputTypes> = {
  id: 'grad-x-input',
  label: 'gradient × input',
  description:
    'the gradient of the output times the input embedding, per character',
  options: [TARGET_OPTION],
  explainsTarget: true,
  workNoun: 'gradient passes',

  unavailable: gradientsUnavailable,

  resolve: raw => ({
    target: readOption(raw, TARGET_OPTION, 'gradient × input')
  }),

  // A forward pass for the prediction, a forward and a backward pass for the gradient.
  cost: () => 4,

  plan: (sequence, options) => [{ work: { target: options.target }, size: 1 }],

  async run(context, sequence, unit) {
    const [prediction] = await context.model.forward([sequence]);
    const target = chooseTarget(prediction, unit.target);
    const gradients = context.gradients();
    const { terms } = await gradients.at(
      sequence,
      [{ alpha: 1, weight: 1 }],
      target
    );
    return {
      prediction,
      target,
      values: terms,
      embeddingLayer: gradients.embeddingLayer
    };
  },

  combine(info, sequence, options, partials) {
    const [first] = partials;
    return {
      kind: 'done',
      explanation: {
        method: 'grad-x-input',
        label: 'gradient × input',
        values: first.values,
        prediction: first.prediction,
        target: first.target,
        meta: { embeddingLayer: first.embeddingLayer, target: first.target },
        notices: []
      }
    };
  }
};
