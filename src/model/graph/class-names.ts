/**
 * Which Keras classes are models (containers) rather than layers. Class
 * names themselves are normalised by `layers/layer-config.ts`. Pure.
 */
/** Names of classes that are containers, not layers. */
export const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];
