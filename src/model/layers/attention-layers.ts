/**
 * Keras attention layers: Attention (dot-product, `score_mode` dot or
 * concat, `use_scale`), AdditiveAttention (`attention-dot.ts`) and
 * MultiHeadAttention (`attention-multi-head.ts`), with Keras 3's masking
 * (query / value / key masks, `use_causal_mask`) and their gradients.
 *
 * Besides its output, every call yields `keyWeights` [batch, Tk]: the mean
 * over heads and queries of the weight each key position receives, which the
 * engine can show as the model's attention over its input.
 */
export { createDotAttention } from './attention-dot';
export { createMultiHeadAttention } from './attention-multi-head';

/** Suffix of the pseudo-layer that carries an attention layer's key weights. */
export const SCORES_SUFFIX = ':scores';

/** Classes whose calls yield key weights. */
export const SCORE_LAYERS = [
  'Attention',
  'AdditiveAttention',
  'MultiHeadAttention'
];
