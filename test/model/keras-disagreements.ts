/**
 * Gradient fixture models (test/fixtures/keras/gradients) on which the
 * engine does not compute what Keras computes, with the reason. Their
 * comparisons run as `it.failing`: they pass while the engine disagrees and
 * fail once it agrees, so that the entry is removed with the fix.
 */
export const KERAS_DISAGREEMENTS: { readonly [model: string]: string } = {
  attention_partial_mask:
    'an explicit mask list holding None (mask=[None, value_mask], mask=[query_mask, None]): the ' +
    'engine drops the None slot, so the value mask is applied as the query mask, and keeps the ' +
    "inputs' own masks where Keras uses no mask",
  attention_mask_merged:
    'explicit mask=[query_mask, value_mask] in a model whose other masks Keras saved as ' +
    'operations the engine does not run (Concatenate: ExpandDims, ZerosLike, LogicalOr, Any): ' +
    'the engine drops every mask= argument, the explicit ones included, and the Attention ' +
    "layer runs with the Embedding's masks"
};

/** `it`, or `it.failing` for a model listed above. */
export function itAgreesWithKeras(model: string): jest.It {
  return KERAS_DISAGREEMENTS[model] ? it.failing : it;
}
