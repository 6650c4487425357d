/**
 * Payload samples from what the model gave for encoded texts: its
 * prediction (with its attention when it has an attention layer), or one
 * or several explanations (one row each), aligned to the characters.
 *
 * Pure: no DOM, no Node APIs.
 */
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
