/**
 * Keras class names as the graph uses them: aliases and module prefixes
 * removed, and which classes are models rather than layers. Pure.
 */
/** Names of classes that are containers, not layers. */
export const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];

/** Normalises a Keras class name (`Custom>GRU`, `keras.layers.GRU`, `GRUV2`). */
export function normalizeClassName(raw: string): string {
  let name = raw;
  const gt = name.lastIndexOf('>');
  if (gt >= 0) {
    name = name.slice(gt + 1);
  }
  const dot = name.lastIndexOf('.');
  if (dot >= 0) {
    name = name.slice(dot + 1);
  }
  const aliases: { [k: string]: string } = {
    GRUV2: 'GRU',
    LSTMV2: 'LSTM',
    Convolution1D: 'Conv1D',
    MaxPool1D: 'MaxPooling1D',
    AvgPool1D: 'AveragePooling1D',
    GlobalMaxPool1D: 'GlobalMaxPooling1D',
    GlobalAvgPool1D: 'GlobalAveragePooling1D'
  };
  return aliases[name] ?? name;
}
