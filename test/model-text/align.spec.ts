/**
 * Alignment of model-position attention back to the original characters
 * (the contract shared with the Python helper).
 */
import fc from 'fast-check';
import { alignBatch, alignmentNotices } from '../../src/text/align';
import {
  codePoints,
  encodeTexts,
  parseTokenizer,
  Side
} from '../../src/text/tokenizer';

function keras(wordIndex: { [c: string]: number }, extra: object = {}) {
  return parseTokenizer({
    class_name: 'Tokenizer',
    config: {
      char_level: true,
      lower: true,
      oov_token: null,
      num_words: null,
      word_index: JSON.stringify(wordIndex),
      ...extra
    }
  });
}

const ABC = keras({ a: 1, b: 2, c: 3, ' ': 4 });
/** Attention p + 1 at model position p: every value tells where it came from. */
const ramp = (n: number) => Array.from({ length: n }, (_, p) => p + 1);

describe('alignBatch', () => {
  it('drops padding (pre) and maps each character to its position', () => {
    const { payload } = alignBatch({
      tokenizer: ABC,
      texts: ['ab'],
      attention: [ramp(5)],
      pad: { maxlen: 5 }
    });
    expect(payload).toEqual({
      version: 1,
      samples: [{ text: 'ab', attention: [4, 5], mask: [true, true] }]
    });
  });

  it('post padding', () => {
    const { payload } = alignBatch({
      tokenizer: ABC,
      texts: ['ab'],
      attention: [ramp(4)],
      pad: { maxlen: 4, padding: 'post' }
    });
    expect(payload.samples[0].attention).toEqual([1, 2]);
  });

  it('truncation pre keeps the end; the cut characters are null / mask false', () => {
    const { payload } = alignBatch({
      tokenizer: ABC,
      texts: ['abcab'],
      attention: [ramp(3)],
      pad: { maxlen: 3 }
    });
    expect(payload.samples[0]).toEqual({
      text: 'abcab',
      attention: [null, null, 1, 2, 3],
      mask: [false, false, true, true, true]
    });
  });

  it('truncation post keeps the start, whatever the padding side', () => {
    for (const padding of ['pre', 'post'] as Side[]) {
      const { payload } = alignBatch({
        tokenizer: ABC,
        texts: ['abcab'],
        attention: [ramp(3)],
        pad: { maxlen: 3, truncating: 'post', padding }
      });
      expect(payload.samples[0].attention).toEqual([1, 2, 3, null, null]);
      expect(payload.samples[0].mask).toEqual([true, true, true, false, false]);
    }
  });

  it('unknown characters without oov_token are dropped (null, mask false)', () => {
    const { payload, items, options } = alignBatch({
      tokenizer: ABC,
      texts: ['a?b'],
      attention: [ramp(4)],
      pad: { maxlen: 4 }
    });
    expect(payload.samples[0]).toEqual({
      text: 'a?b',
      attention: [3, null, 4],
      mask: [true, false, true]
    });
    const notices = alignmentNotices(items, options);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toBe(
      'text 1: 1 character not in the vocabulary ("?"), dropped'
    );
  });

  it('unknown characters with oov_token are seen through the oov index', () => {
    const t = keras({ '<OOV>': 1, a: 2, b: 3 }, { oov_token: '<OOV>' });
    const { payload, items } = alignBatch({
      tokenizer: t,
      texts: ['a?b'],
      attention: [ramp(3)]
    });
    expect(items[0].padded).toEqual([2, 1, 3]);
    expect(payload.samples[0]).toEqual({
      text: 'a?b',
      attention: [1, 2, 3],
      mask: [true, true, true]
    });
  });

  it('num_words: characters beyond it are dropped, or oov when oov_token is set', () => {
    const noOov = keras({ a: 1, b: 2, c: 3 }, { num_words: 3 });
    expect(
      alignBatch({ tokenizer: noOov, texts: ['abc'], attention: [ramp(2)] })
        .payload.samples[0]
    ).toEqual({
      text: 'abc',
      attention: [1, 2, null],
      mask: [true, true, false]
    });
    const withOov = keras(
      { '<OOV>': 1, a: 2, b: 3 },
      { oov_token: '<OOV>', num_words: 3 }
    );
    const { items } = alignBatch({
      tokenizer: withOov,
      texts: ['ab'],
      attention: [ramp(2)]
    });
    expect(items[0].padded).toEqual([2, 1]);
  });

  it('an emoji is one character with one value', () => {
    const t = keras({ '😀': 1, a: 2 });
    const { payload } = alignBatch({
      tokenizer: t,
      texts: ['a😀a'],
      attention: [ramp(3)]
    });
    expect(payload.samples[0].attention).toEqual([1, 2, 3]);
    expect(codePoints(payload.samples[0].text as string)).toHaveLength(3);
  });

  it('a combining accent is its own character', () => {
    const t = keras({ e: 1, '\u0301': 2 });
    const { payload } = alignBatch({
      tokenizer: t,
      texts: ['e\u0301'],
      attention: [ramp(2)]
    });
    expect(payload.samples[0].attention).toEqual([1, 2]);
  });

  it("'İ' owns both code points of its lowercase and sums their attention", () => {
    const t = keras({ i: 1, '\u0307': 2, x: 3 });
    const { payload } = alignBatch({
      tokenizer: t,
      texts: ['xİx'],
      attention: [[0.1, 0.2, 0.3, 0.4]]
    });
    const values = payload.samples[0].attention as number[];
    expect(values).toHaveLength(3);
    expect(values[0]).toBeCloseTo(0.1, 12);
    expect(values[1]).toBeCloseTo(0.5, 12);
    expect(values[2]).toBeCloseTo(0.4, 12);
    // Only the dot known: 'İ' is still seen (through one of its code points).
    const dotOnly = keras({ '\u0307': 1 });
    const partial = alignBatch({
      tokenizer: dotOnly,
      texts: ['İ'],
      attention: [[0.7]]
    }).payload.samples[0];
    expect(partial).toEqual({ text: 'İ', attention: [0.7], mask: [true] });
  });

  it('final sigma: lowered in context like Python, aligned one to one', () => {
    const t = keras({ ο: 1, δ: 2, ς: 3, σ: 4 });
    const { payload, items } = alignBatch({
      tokenizer: t,
      texts: ['ΟΔΟΣ', 'ΣΟ'],
      attention: [ramp(4), ramp(4)]
    });
    expect(items[0].padded).toEqual([1, 2, 1, 3]);
    expect(items[1].padded).toEqual([0, 0, 4, 1]);
    expect(payload.samples[0].attention).toEqual([1, 2, 3, 4]);
    expect(payload.samples[1].attention).toEqual([3, 4]);
  });

  it('empty text: no characters, a notice', () => {
    const { payload, items, options } = alignBatch({
      tokenizer: ABC,
      texts: [''],
      attention: [ramp(3)],
      pad: { maxlen: 3 }
    });
    expect(payload.samples[0]).toEqual({ text: '', attention: [], mask: [] });
    expect(alignmentNotices(items, options)).toEqual([
      'text 1: empty text; the model sees only padding'
    ]);
  });

  it('predictions: a number for one output, an array for several', () => {
    const { payload } = alignBatch({
      tokenizer: ABC,
      texts: ['a', 'b', 'c'],
      attention: [[1], [1], [1]],
      predictions: [0.9, [0.2], [0.1, 0.8]]
    });
    expect(payload.samples.map(s => s.prediction)).toEqual([
      0.9,
      0.2,
      [0.1, 0.8]
    ]);
  });

  it('rejects attention rows of the wrong length or count', () => {
    expect(() =>
      alignBatch({
        tokenizer: ABC,
        texts: ['ab'],
        attention: [[1, 2, 3]],
        pad: { maxlen: 2 }
      })
    ).toThrow(/attention\[0\]: has 3 values, expected maxlen = 2/);
    expect(() =>
      alignBatch({ tokenizer: ABC, texts: ['a', 'b'], attention: [[1]] })
    ).toThrow(/attention has 1 rows for 2 texts/);
    expect(() =>
      alignBatch({
        tokenizer: ABC,
        texts: ['a'],
        attention: [[1]],
        predictions: [1, 2]
      })
    ).toThrow(/predictions has 2 entries for 1 texts/);
  });

  it('a NaN/null model value stays null but the character is seen', () => {
    const { payload } = alignBatch({
      tokenizer: ABC,
      texts: ['ab'],
      attention: [[NaN, null]]
    });
    expect(payload.samples[0]).toEqual({
      text: 'ab',
      attention: [null, null],
      mask: [true, true]
    });
  });
});

describe('alignment properties', () => {
  // Vocabulary drawn from a small alphabet with tricky members.
  const ALPHABET = [
    'a',
    'b',
    'A',
    'i',
    '\u0307',
    'İ',
    'σ',
    'ς',
    'Σ',
    '😀',
    'e',
    '\u0301',
    ' ',
    '中'
  ];
  const text = fc
    .array(
      fc.oneof(
        fc.constantFrom(...ALPHABET),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })
      ),
      {
        maxLength: 30
      }
    )
    .map(parts => parts.join(''));
  const tokenizerArb = fc.record({
    known: fc.subarray(ALPHABET, { minLength: 1 }),
    lower: fc.boolean(),
    oov: fc.boolean(),
    numWords: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null })
  });
  const padArb = fc.record({
    maxlen: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
    padding: fc.constantFrom<Side>('pre', 'post'),
    truncating: fc.constantFrom<Side>('pre', 'post')
  });

  it('never loses a character; seen positions are exactly the non-padding ones', () => {
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 4 }),
        tokenizerArb,
        padArb,
        (texts, tok, pad) => {
          const wordIndex: { [c: string]: number } = {};
          if (tok.oov) {
            wordIndex['<OOV>'] = 1;
          }
          tok.known.forEach(c => {
            wordIndex[c] = Object.keys(wordIndex).length + 1;
          });
          const tokenizer = keras(wordIndex, {
            lower: tok.lower,
            oov_token: tok.oov ? '<OOV>' : null,
            num_words: tok.numWords
          });
          const { items, options } = encodeTexts(tokenizer, texts, pad);
          const maxlen = options.maxlen;
          if (maxlen === 0) {
            return;
          }
          // 2^-p per position: sums identify the set of positions exactly.
          const attention = texts.map(() =>
            Array.from({ length: maxlen }, (_, p) => 2 ** -p)
          );
          const { payload } = alignBatch({ tokenizer, texts, attention, pad });
          payload.samples.forEach((sample, k) => {
            const chars = codePoints(texts[k]);
            expect(sample.text).toBe(texts[k]);
            expect(sample.attention).toHaveLength(chars.length);
            expect(sample.mask).toHaveLength(chars.length);
            sample.mask!.forEach((seen, i) =>
              expect(seen).toBe(sample.attention![i] !== null)
            );
            const nonPadding = items[k].padded
              .map((index, p) => (index !== 0 ? 2 ** -p : 0))
              .reduce((a, b) => a + b, 0);
            const total = sample.attention!.reduce<number>(
              (a, v) => a + (v ?? 0),
              0
            );
            expect(total).toBe(nonPadding);
            // Seen characters come in model-position order.
            const firstPositions = sample
              .attention!.filter((v): v is number => v !== null)
              .map(v => -Math.log2(v));
            for (let i = 1; i < firstPositions.length; i++) {
              expect(firstPositions[i]).toBeGreaterThan(
                firstPositions[i - 1] - 1e-9
              );
            }
          });
        }
      ),
      { numRuns: 300 }
    );
  });
});
