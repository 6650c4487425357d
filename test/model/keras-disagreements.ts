/**
 * Gradient fixture models (test/fixtures/keras/gradients) on which the
 * engine does not compute what Keras computes, with the reason. Their
 * comparisons run as `it.failing`: they pass while the engine disagrees and
 * fail once it agrees, so that the entry is removed with the fix. None is
 * known today.
 */
export const KERAS_DISAGREEMENTS: { readonly [model: string]: string } = {};

/** `it`, or `it.failing` for a model listed above. */
export function itAgreesWithKeras(model: string): jest.It {
  return KERAS_DISAGREEMENTS[model] ? it.failing : it;
}
