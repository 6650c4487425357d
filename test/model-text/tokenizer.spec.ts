/**
 * Keras char-level encoding against keras_preprocessing 1.1 outputs
 * (test/fixtures/keras-tokenizer, made by real Keras).
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  encodeText,
  encodeTexts,
  padSequences,
  parseTokenizer,
  Side,
  textsToSequences,
  TokenizerError
} from '../../src/text/tokenizer';

const FIXTURES = path.resolve(__dirname, '../fixtures/keras-tokenizer');
const CASES = fs
  .readdirSync(FIXTURES)
  .filter(name => fs.existsSync(path.join(FIXTURES, name, 'expected.json')))
  .sort();

interface IExpected {
  tokenizer_args: { [key: string]: unknown };
  texts: string[];
  sequences: number[][];
  padded: { [key: string]: number[][] };
}

function load(name: string): { json: string; expected: IExpected } {
  return {
    json: fs.readFileSync(path.join(FIXTURES, name, 'tokenizer.json'), 'utf8'),
    expected: JSON.parse(
      fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')
    )
  };
}

describe('keras-tokenizer fixtures', () => {
  it('has the four cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(CASES)('%s', name => {
    const { json, expected } = load(name);
    const tokenizer = parseTokenizer(json);

    it('reads the Keras config', () => {
      const args = expected.tokenizer_args;
      expect(tokenizer.lower).toBe(args.lower ?? true);
      expect(tokenizer.oovToken).toBe(args.oov_token ?? null);
      expect(tokenizer.numWords).toBe(args.num_words ?? null);
    });

    it('texts_to_sequences', () => {
      expect(textsToSequences(tokenizer, expected.texts)).toEqual(
        expected.sequences
      );
    });

    it.each(Object.keys(expected.padded))('pad_sequences %s', key => {
      const params = Object.fromEntries(
        key.split(',').map(kv => kv.split('='))
      );
      const options = {
        maxlen: Number(params.maxlen),
        padding: params.padding as Side,
        truncating: params.truncating as Side
      };
      expect(padSequences(expected.sequences, options)).toEqual(
        expected.padded[key]
      );
      // The same through the provenance-keeping path.
      const { items } = encodeTexts(tokenizer, expected.texts, options);
      expect(items.map(item => item.padded)).toEqual(expected.padded[key]);
    });

    it('accepts the parsed object as well as the text', () => {
      expect(
        textsToSequences(parseTokenizer(JSON.parse(json)), expected.texts)
      ).toEqual(expected.sequences);
    });
  });
});

describe('pad_sequences defaults', () => {
  it('maxlen defaults to the longest sequence, pre padding', () => {
    expect(padSequences([[1], [2, 3, 4], []])).toEqual([
      [0, 0, 1],
      [2, 3, 4],
      [0, 0, 0]
    ]);
  });

  it('custom value', () => {
    expect(
      padSequences([[5]], { maxlen: 3, padding: 'post', value: -1 })
    ).toEqual([[5, -1, -1]]);
  });

  it('rejects a bad maxlen or side with a named field', () => {
    expect(() => padSequences([[1]], { maxlen: 0 })).toThrow(/maxlen/);
    expect(() => padSequences([[1]], { padding: 'left' as Side })).toThrow(
      /padding/
    );
    expect(() => padSequences([[1]], { truncating: 'x' as Side })).toThrow(
      /truncating/
    );
  });
});

describe('tokenizer sources', () => {
  it('plain {char: index} map, no lowering by default', () => {
    const tokenizer = parseTokenizer({ a: 1, b: 2, A: 3 });
    expect(tokenizer.source).toBe('map');
    expect(textsToSequences(tokenizer, ['abAc'])).toEqual([[1, 2, 3]]);
    expect(
      textsToSequences(parseTokenizer({ a: 1 }, { lower: true }), ['AaB'])
    ).toEqual([[1, 1]]);
  });

  it('clear errors naming the field', () => {
    expect(() => parseTokenizer('{nope')).toThrow(/not valid JSON/);
    expect(() => parseTokenizer('[1,2]')).toThrow(TokenizerError);
    expect(() => parseTokenizer({ a: 'x' })).toThrow(
      /tokenizer\["a"\] must be a positive integer/
    );
    expect(() =>
      parseTokenizer({
        class_name: 'Tokenizer',
        config: { char_level: false, word_index: '{}' }
      })
    ).toThrow(/char_level is false/);
    expect(() =>
      parseTokenizer({
        class_name: 'Tokenizer',
        config: { char_level: true, word_index: '{bad' }
      })
    ).toThrow(/config.word_index is not valid JSON/);
    expect(() =>
      parseTokenizer({
        class_name: 'Tokenizer',
        config: { char_level: true, word_index: '{"a": 1}', oov_token: '<OOV>' }
      })
    ).toThrow(/oov_token "<OOV>" is not in word_index/);
  });
});

describe('encoding provenance', () => {
  const keras = (wordIndex: object, extra: object = {}) =>
    parseTokenizer({
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

  it('an emoji is one character', () => {
    const e = encodeText(keras({ '😀': 1, a: 2 }), 'a😀');
    expect(e.chars).toEqual(['a', '😀']);
    expect(e.sequence).toEqual([2, 1]);
    expect(e.origin).toEqual([0, 1]);
  });

  it('a combining accent is its own character', () => {
    const e = encodeText(keras({ e: 1, '\u0301': 2 }), 'e\u0301');
    expect(e.sequence).toEqual([1, 2]);
    expect(e.origin).toEqual([0, 1]);
  });

  it("'İ' lowers to two code points, both owned by it", () => {
    expect(Array.from('İ'.toLowerCase())).toEqual(['i', '\u0307']);
    const e = encodeText(keras({ i: 1, '\u0307': 2, x: 3 }), 'xİx');
    expect(e.pieces).toEqual([['x'], ['i', '\u0307'], ['x']]);
    expect(e.sequence).toEqual([3, 1, 2, 3]);
    expect(e.origin).toEqual([0, 1, 1, 2]);
  });

  it('final sigma follows the whole-text context like Python', () => {
    // Python: 'ΟΔΟΣ'.lower() == 'οδος' (final sigma), 'Σ'.lower() == 'σ'
    expect('ΟΔΟΣ'.toLowerCase()).toBe('οδος');
    expect('Σ'.toLowerCase()).toBe('σ');
    const e = encodeText(keras({ ο: 1, δ: 2, ς: 3, σ: 4 }), 'ΟΔΟΣ');
    expect(e.sequence).toEqual([1, 2, 1, 3]);
    expect(e.origin).toEqual([0, 1, 2, 3]);
  });

  it('unknown characters are dropped without oov_token, mapped with it', () => {
    const dropped = encodeText(keras({ a: 1 }), 'a?a');
    expect(dropped.sequence).toEqual([1, 1]);
    expect(dropped.origin).toEqual([0, 2]);
    expect(dropped.unknownChars).toEqual([1]);
    expect(dropped.droppedCount).toBe(1);
    const mapped = encodeText(
      keras({ '<OOV>': 1, a: 2 }, { oov_token: '<OOV>' }),
      'a?a'
    );
    expect(mapped.sequence).toEqual([2, 1, 2]);
    expect(mapped.unknownChars).toEqual([1]);
    expect(mapped.droppedCount).toBe(0);
  });

  it('num_words: indices >= num_words are unknown', () => {
    const t = keras(
      { '<OOV>': 1, a: 2, b: 3 },
      { oov_token: '<OOV>', num_words: 3 }
    );
    expect(encodeText(t, 'ab').sequence).toEqual([2, 1]);
    const noOov = keras({ a: 1, b: 2 }, { num_words: 2 });
    expect(encodeText(noOov, 'ab').sequence).toEqual([1]);
    expect(encodeText(noOov, 'ab').unknownChars).toEqual([1]);
  });

  it('truncation marks positions -1', () => {
    const t = keras({ a: 1, b: 2, c: 3 });
    const pre = encodeTexts(t, ['abc'], { maxlen: 2 }).items[0];
    expect(pre.padded).toEqual([2, 3]);
    expect(pre.positions).toEqual([-1, 0, 1]);
    const post = encodeTexts(t, ['abc'], {
      maxlen: 2,
      truncating: 'post',
      padding: 'pre'
    }).items[0];
    expect(post.padded).toEqual([1, 2]);
    expect(post.positions).toEqual([0, 1, -1]);
    expect(post.truncatedCount).toBe(1);
  });
});
