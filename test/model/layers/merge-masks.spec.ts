/**
 * Which mask rules a merge layer follows, by the Keras version that wrote
 * the model: Keras >= 3.4 (keras-team/keras#19685) ORs the masks when every
 * input has one and counts masked entries as the identity; Keras 2 ANDs
 * them; Keras 3.0 to 3.3 files take the AND and say so. The values
 * themselves are checked against real Keras 3.15 in gradients-keras.spec.ts
 * (`masked_merges`, `attention_head_masked`).
 */
import {
  mergesMasksAsKeras34,
  orMasks
} from '../../../src/model/layers/merge-masked';

describe('merge mask rules by Keras version', () => {
  it.each([
    [2, 13, false],
    [2, undefined, false],
    [3, 3, false],
    [3, 4, true],
    [3, 15, true],
    [3, undefined, true]
  ])('Keras %s.%s: Keras 3.4 rules %s', (kerasMajor, kerasMinor, expected) => {
    expect(mergesMasksAsKeras34({ kerasMajor, kerasMinor })).toBe(expected);
  });

  it('says what a Keras 3.0-3.3 merge layer does with masks', () => {
    const inferences: string[] = [];
    const layer = { name: 'weighted', className: 'Multiply' };
    mergesMasksAsKeras34({ kerasMajor: 3, kerasMinor: 2, inferences }, layer);
    mergesMasksAsKeras34({ kerasMajor: 3, kerasMinor: 15, inferences }, layer);
    expect(inferences).toEqual([
      "layer 'weighted' (Multiply): masks merged with a logical AND, as Keras 2; " +
        'Keras 3.2 may merge masked inputs differently (fixed in Keras 3.4)'
    ]);
  });

  it('ORs the masks only when every input has one', () => {
    const m = (...v: number[]) => ({
      batch: 1,
      steps: v.length,
      data: Uint8Array.from(v)
    });
    expect(orMasks([m(0, 1, 0), m(0, 0, 1)])?.data).toEqual(
      Uint8Array.from([0, 1, 1])
    );
    expect(orMasks([m(0, 1, 0), null])).toBeNull();
  });
});
