/**
 * A Keras 3 `.keras` model starting with TextVectorization(split="character"):
 * the vocabulary in the archive becomes the tokenizer; encoding (standardize
 * `lower_and_strip_punctuation`, OOV, post padding / truncation) and the
 * model's outputs match real Keras 3.
 */
import { loadModel } from '../../../src/model/engine';
import { encodeTextVectorization } from '../../../src/text/text-vectorization';
import { maxAbsDiff } from '../helpers';
import { modelFile, readCase } from './oracle';

describe('TextVectorization as the tokenizer (real Keras 3 oracle)', () => {
  it('reads the vocabulary and encodes exactly as Keras', async () => {
    const c = readCase('text_vectorization');
    const model = await loadModel(modelFile('text_vectorization.keras'));
    try {
      const tv = model.info.tokenizer!;
      expect(tv).toMatchObject({
        kind: 'TextVectorization',
        layer: 'tv',
        standardize: 'lower_and_strip_punctuation',
        outputSequenceLength: 12
      });
      expect(tv.vocabulary).toEqual(c.vocabulary);
      expect(model.info.inputLength).toBe(12);
      const { items, options } = encodeTextVectorization(tv, c.texts);
      expect(options).toMatchObject({
        maxlen: 12,
        padding: 'post',
        truncating: 'post'
      });
      expect(items.map(i => i.padded)).toEqual(c.ids);
      // 'ö' of "wörld" is not in the vocabulary: the OOV index, reported.
      expect(items[1].unknownChars.map(k => items[1].chars[k])).toEqual(['ö']);
      // Stripped punctuation is not seen by the model.
      expect(items[0].positions.length).toBe(11);

      const result = await model.predict(items.map(i => i.padded));
      expect(
        maxAbsDiff(result.attention.flat(), c.attention.flat())
      ).toBeLessThan(1e-5);
      expect(
        maxAbsDiff(result.predictions.flat(), c.outputs[0].flat())
      ).toBeLessThan(1e-5);
      expect(model.info.attentionLayer).toBe('attention_vec');
    } finally {
      model.dispose();
    }
  });
});
