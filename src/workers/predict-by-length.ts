/**
 * Prediction of a batch whose sequences may differ in length, in chunks, so
 * that the worker reports progress and notices a cancel between chunks.
 */
import type { ILoadedModel } from '../model/engine';
import type { IForwardResult } from '../model/types';

/**
 * Predictions (and attention, when the model has an attention layer;
 * otherwise `attention` is empty) in input order. Sequences of different
 * lengths (a variable-length model, each text at its own length) run in
 * groups of equal length, as Keras runs each text alone.
 */
export async function predictByLength(
  model: ILoadedModel,
  sequences: number[][],
  chunk: number,
  beforeChunk: (done: number) => Promise<void>
): Promise<IForwardResult> {
  const withAttention = model.info.attentionLayer !== null;
  const predictions: number[][] = new Array(sequences.length);
  const attention: number[][] = withAttention
    ? new Array(sequences.length)
    : [];
  const groups = new Map<number, number[]>();
  sequences.forEach((s, i) => {
    const group = groups.get(s.length) ?? [];
    group.push(i);
    groups.set(s.length, group);
  });
  let done = 0;
  for (const indices of groups.values()) {
    for (let from = 0; from < indices.length; from += chunk) {
      await beforeChunk(done);
      const part = indices.slice(from, from + chunk);
      const rows = part.map(i => sequences[i]);
      if (withAttention) {
        const result = await model.predict(rows);
        part.forEach((i, k) => {
          predictions[i] = result.predictions[k];
          attention[i] = result.attention[k];
        });
      } else {
        const outputs = await model.forward(rows);
        part.forEach((i, k) => (predictions[i] = outputs[k]));
      }
      done += part.length;
    }
  }
  await beforeChunk(done);
  return { predictions, attention };
}
