/**
 * Payload samples from what the model gave for encoded texts: its
 * prediction (with its attention when it has an attention layer), or one
 * or several explanations (one row each), aligned to the characters.
 *
 * Pure: no DOM, no Node APIs.
 */
import { ModelError } from '../model/types';
import type { IForwardResult } from '../model/types';
import type { ISample } from '../payload/types';
import { alignSample, predictionOnlySample } from '../text/align';
import type { IPaddedText } from '../text/tokenizer';
import type { IExplanation } from './types';

/**
 * The prediction of one text; with `attention` (one value per model
 * position) its row of values, without it a prediction-only sample.
 */
export function predictionSample(
  item: IPaddedText,
  prediction: number[],
  attention: number[] | null
): ISample {
  return attention
    ? alignSample(item, attention, item.padded.length, prediction)
    : predictionOnlySample(item, prediction);
}

/**
 * The samples of `predict` for encoded texts and the model's result on
 * them: each with `meta` (what every sample says about the model and the
 * input rule) and its own `length` (the positions the model saw).
 */
export function predictionSamples(
  attentionLayer: string | null,
  items: IPaddedText[],
  result: IForwardResult,
  meta: { [key: string]: unknown },
  /** Index of `items[0]` among all the texts (for messages). */
  first = 0
): ISample[] {
  return items.map((item, i) => {
    const attention = attentionLayer === null ? null : result.attention[i];
    const length = item.padded.length;
    if (attentionLayer !== null && attention?.length !== length) {
      throw new ModelError(
        `layer '${attentionLayer}' gave ${attention ? attention.length : 0} attention values ` +
          `for text ${first + i + 1}, expected ${length} (one per model position)`,
        { layer: attentionLayer }
      );
    }
    return {
      ...predictionSample(item, result.predictions[i], attention),
      meta: { ...meta, length }
    };
  });
}

/**
 * One text explained by one or several methods: one row per method (a
 * `series` when several), the methods named in `method`, and each
 * method's meta (they use distinct keys) with the method ids in `meta.method`.
 */
export function explanationSample(
  item: IPaddedText,
  explanations: IExplanation[]
): ISample {
  const aligned = explanations.map(e =>
    alignSample(item, e.values, item.padded.length, e.prediction)
  );
  const meta: { [key: string]: unknown } = {
    method: explanations.map(e => e.method).join(', ')
  };
  for (const e of explanations) {
    Object.assign(meta, e.meta);
  }
  const [base] = aligned;
  const sample: ISample = {
    text: base.text,
    mask: base.mask,
    method: explanations.map(e => e.label).join(' · '),
    meta
  };
  if (base.prediction !== undefined) {
    sample.prediction = base.prediction;
  }
  if (explanations.length === 1) {
    sample.attention = base.attention;
  } else {
    sample.series = aligned.map((a, k) => ({
      name: explanations[k].label,
      values: a.attention ?? []
    }));
  }
  return sample;
}
