/**
 * Keras char-level text encoding, exactly as `keras_preprocessing` 1.1
 * (`Tokenizer.texts_to_sequences` with `char_level=True`, then
 * `pad_sequences`), keeping for every model position the original character
 * it came from so attention can be aligned back to the user's text.
 *
 * Pure: no DOM, no Node APIs.
 */
import { JsonDepthError, parseJsonText } from '../payload/json-text';

/** `pre` (Keras default) or `post`. */
export type Side = 'pre' | 'post';

/** A char-level tokenizer as Keras's `Tokenizer` uses it for encoding. */
export interface ICharTokenizer {
  /** Character -> index (index 0 is never assigned). */
  wordIndex: Map<string, number>;
  /** Lowercase the whole text before lookup (`str.lower()`). */
  lower: boolean;
  /** Token that unknown characters become, or `null` to drop them. */
  oovToken: string | null;
  /** Index of `oovToken` in `wordIndex` (what Keras emits for unknown characters). */
  oovIndex: number | null;
  /** Only indices `< numWords` are kept (Keras: falsy = no limit). */
  numWords: number | null;
  /** Where the tokenizer came from: a Keras `to_json()` or a plain `{char: index}` map. */
  source: 'keras' | 'map';
}

/**
 * The largest tokenizer JSON read, in characters: a character tokenizer is a
 * few kilobytes (even `word_counts` and `index_docs` of a large corpus stay
 * under a megabyte); a larger file is another kind of tokenizer or hostile.
 */
export const MAX_TOKENIZER_CHARS = 8 << 20;

/** A tokenizer that cannot be read: names the field and the problem. */
export class TokenizerError extends Error {
  constructor(
    message: string,
    readonly field?: string
  ) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** Options for reading a plain `{char: index}` map (Keras JSON carries its own). */
export interface ITokenizerOptions {
  /** Lowercase texts before lookup; default false for a plain map. */
  lower?: boolean;
  /** Out-of-vocabulary token for a plain map (must be a key of the map). */
  oovToken?: string | null;
  /** Vocabulary limit for a plain map. */
  numWords?: number | null;
}

/**
 * Read a tokenizer from the text or object of Keras `Tokenizer.to_json()`
 * (the `word_index` etc. fields are JSON strings inside the JSON; objects are
 * accepted too) or from a plain `{char: index}` map.
 */
export function parseTokenizer(
  source: string | unknown,
  options: ITokenizerOptions = {}
): ICharTokenizer {
  let data: unknown = source;
  if (typeof source === 'string') {
    Private.checkSize(source);
    data = Private.parse(source, 'not valid JSON');
  }
  // `json.dumps(tokenizer.to_json())` writes a JSON string holding the JSON.
  if (typeof data === 'string' && /^\s*\{/.test(data)) {
    data = Private.parse(
      data,
      'a JSON string holding JSON (double-encoded), whose inner text is not valid JSON'
    );
  }
  if (!Private.isObject(data)) {
    throw new TokenizerError(
      `tokenizer: expected a JSON object (Keras Tokenizer.to_json() or {char: index}), got ${Private.typeName(data)}`
    );
  }
  const config = Private.isObject(data.config)
    ? data.config
    : 'word_index' in data
      ? data
      : null;
  if (config) {
    return Private.fromKerasConfig(
      config,
      'class_name' in data ? 'config.' : ''
    );
  }
  return Private.fromMap(data, options);
}

/** One text encoded as Keras does, with per-element provenance. */
export interface IEncodedText {
  /** The original text. */
  text: string;
  /** The original text split into code points. */
  chars: string[];
  /** For each original character, the code points of its lowered piece (itself if not lowering). */
  pieces: string[][];
  /** `texts_to_sequences` output for this text (not padded). */
  sequence: number[];
  /** For each element of `sequence`, the index of the original character it came from. */
  origin: number[];
  /** Original characters with at least one code point missing from the vocabulary. */
  unknownChars: number[];
  /** How many code points were dropped (unknown with no oov token). */
  droppedCount: number;
}

/** Split a string into Unicode code points (what Python iterates). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * Encode one text. The whole text is lowered at once (as Keras does); the
 * lowered text is then cut into consecutive pieces whose lengths are those of
 * each original character lowered alone, piece i belonging to character i.
 */
export function encodeText(
  tokenizer: ICharTokenizer,
  text: string
): IEncodedText {
  const chars = codePoints(text);
  const pieces = tokenizer.lower
    ? Private.lowerPieces(text, chars)
    : chars.map(c => [c]);
  const sequence: number[] = [];
  const origin: number[] = [];
  const unknownChars: number[] = [];
  let droppedCount = 0;
  pieces.forEach((piece, charIndex) => {
    let unknown = false;
    for (const codePoint of piece) {
      if (!Private.inVocabulary(tokenizer, codePoint)) {
        unknown = true;
      }
      const index = Private.lookup(tokenizer, codePoint);
      if (index === null) {
        droppedCount++;
        continue;
      }
      sequence.push(index);
      origin.push(charIndex);
    }
    if (unknown) {
      unknownChars.push(charIndex);
    }
  });
  return { text, chars, pieces, sequence, origin, unknownChars, droppedCount };
}

/**
 * The length of `encodeText(tokenizer, text).sequence`, without building
 * the per-character provenance (cheap enough for a first pass over a large
 * batch).
 */
export function encodedLength(tokenizer: ICharTokenizer, text: string): number {
  let length = 0;
  for (const codePoint of tokenizer.lower ? text.toLowerCase() : text) {
    if (Private.lookup(tokenizer, codePoint) !== null) {
      length++;
    }
  }
  return length;
}

/** Keras `texts_to_sequences` for a char-level tokenizer. */
export function textsToSequences(
  tokenizer: ICharTokenizer,
  texts: string[]
): number[][] {
  return texts.map(text => encodeText(tokenizer, text).sequence);
}

/** Options of Keras `pad_sequences`. */
export interface IPadOptions {
  /** Output length; default the longest sequence. */
  maxlen?: number | null;
  padding?: Side;
  truncating?: Side;
  /** Padding value (default 0). */
  value?: number;
  /**
   * The largest `maxlen` allowed (default none): checked before anything of
   * that length is allocated, so a model or option declaring a huge length
   * fails fast.
   */
  limit?: number;
  /** How the user can raise `limit`, for the message. */
  limitHint?: string;
}

/** `pad_sequences` options with every default filled in. */
export interface IResolvedPadOptions {
  maxlen: number;
  padding: Side;
  truncating: Side;
  value: number;
}

/** Fill in Keras's defaults (maxlen = longest sequence) and check the values. */
export function resolvePadOptions(
  lengths: number[],
  options: IPadOptions = {}
): IResolvedPadOptions {
  const padding = options.padding ?? 'pre';
  const truncating = options.truncating ?? 'pre';
  for (const [name, side] of [
    ['padding', padding],
    ['truncating', truncating]
  ] as const) {
    if (side !== 'pre' && side !== 'post') {
      throw new TokenizerError(
        `${name} must be 'pre' or 'post', got '${String(side)}'`,
        name
      );
    }
  }
  let maxlen = options.maxlen ?? null;
  if (maxlen === null) {
    // No spread: a batch can hold more texts than a call has arguments.
    maxlen = lengths.reduce((a, b) => (b > a ? b : a), 0);
  } else if (!Number.isInteger(maxlen) || maxlen < 1) {
    throw new TokenizerError(
      `maxlen must be a positive integer, got ${maxlen}`,
      'maxlen'
    );
  }
  const limit = options.limit;
  if (limit !== undefined && maxlen > limit) {
    const what =
      options.maxlen === null || options.maxlen === undefined
        ? `the longest text has ${maxlen} tokens`
        : `maxlen is ${maxlen}`;
    throw new TokenizerError(
      `${what}; at most ${limit} input steps are allowed` +
        (options.limitHint ? ` (${options.limitHint})` : ''),
      'maxlen'
    );
  }
  return { maxlen, padding, truncating, value: options.value ?? 0 };
}

/**
 * Model position of element `j` of a sequence of length `length`, or -1 when
 * truncation drops it (the same arithmetic as Keras `pad_sequences`).
 */
export function paddedPosition(
  j: number,
  length: number,
  options: IResolvedPadOptions
): number {
  const { maxlen, padding, truncating } = options;
  if (length <= maxlen) {
    return padding === 'pre' ? maxlen - length + j : j;
  }
  // Truncated sequences fill all maxlen positions, whatever the padding side.
  const start = truncating === 'pre' ? length - maxlen : 0;
  const k = j - start;
  return k >= 0 && k < maxlen ? k : -1;
}

/** Keras `pad_sequences` (int values, default value 0). */
export function padSequences(
  sequences: number[][],
  options: IPadOptions = {}
): number[][] {
  const resolved = resolvePadOptions(
    sequences.map(s => s.length),
    options
  );
  return sequences.map(sequence => Private.padOne(sequence, resolved));
}

/** One text encoded and padded, with the model position of every element. */
export interface IPaddedText extends IEncodedText {
  /** The padded sequence of `maxlen` indices the model gets. */
  padded: number[];
  /** For each element of `sequence`, its model position, or -1 when truncated. */
  positions: number[];
  /** How many elements truncation dropped. */
  truncatedCount: number;
}

/** Encode and pad texts together (maxlen defaults to the longest encoded text). */
export function encodeTexts(
  tokenizer: ICharTokenizer,
  texts: string[],
  options: IPadOptions = {}
): { items: IPaddedText[]; options: IResolvedPadOptions } {
  const encoded = texts.map(text => encodeText(tokenizer, text));
  const resolved = resolvePadOptions(
    encoded.map(e => e.sequence.length),
    options
  );
  const items = encoded.map(item => padEncoded(item, resolved));
  return { items, options: resolved };
}

/** One encoded text padded (or truncated) as `pad_sequences` does. */
export function padEncoded(
  item: IEncodedText,
  resolved: IResolvedPadOptions
): IPaddedText {
  const length = item.sequence.length;
  const positions = item.sequence.map((_, j) =>
    paddedPosition(j, length, resolved)
  );
  return {
    ...item,
    padded: Private.padOne(item.sequence, resolved),
    positions,
    truncatedCount: positions.filter(p => p < 0).length
  };
}

namespace Private {
  export function checkSize(text: string): void {
    if (text.length > MAX_TOKENIZER_CHARS) {
      throw new TokenizerError(
        `tokenizer: the JSON is ${(text.length / 1e6).toFixed(1)} million characters long; at most ` +
          `${(MAX_TOKENIZER_CHARS / 1e6).toFixed(1)} million are read (a character tokenizer is a few kilobytes)`
      );
    }
  }

  /** JSON text, with named errors for invalid or too deeply nested text. */
  export function parse(
    text: string,
    invalid: string,
    field?: string
  ): unknown {
    try {
      return parseJsonText(text);
    } catch (error) {
      if (error instanceof JsonDepthError) {
        throw new TokenizerError(
          `tokenizer: ${field ? `${field}: ` : ''}${error.message}`,
          field
        );
      }
      throw new TokenizerError(
        `tokenizer: ${invalid} (${(error as Error).message})`,
        field
      );
    }
  }

  export function typeName(value: unknown): string {
    return value === null
      ? 'null'
      : Array.isArray(value)
        ? 'an array'
        : `a ${typeof value}`;
  }

  export function isObject(
    value: unknown
  ): value is { [key: string]: unknown } {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  /** A field that Keras stores as a JSON string inside the JSON (objects accepted too). */
  export function nested(
    config: { [key: string]: unknown },
    key: string,
    prefix: string
  ): unknown {
    const value = config[key];
    if (typeof value !== 'string') {
      return value;
    }
    return parse(value, `${prefix}${key} is not valid JSON`, prefix + key);
  }

  export function indexMap(value: unknown, field: string): Map<string, number> {
    if (!isObject(value)) {
      throw new TokenizerError(
        `tokenizer: ${field} must be an object {char: index}`,
        field
      );
    }
    const map = new Map<string, number>();
    for (const [key, index] of Object.entries(value)) {
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 1) {
        throw new TokenizerError(
          `tokenizer: ${field}[${JSON.stringify(key)}] must be a positive integer, got ${JSON.stringify(index)}`,
          field
        );
      }
      map.set(key, index);
    }
    return map;
  }

  export function optionalCount(value: unknown, field: string): number | null {
    if (value === null || value === undefined) {
      return null;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new TokenizerError(
        `tokenizer: ${field} must be null or a non-negative integer, got ${JSON.stringify(value)}`,
        field
      );
    }
    return value;
  }

  export function oovIndexOf(
    wordIndex: Map<string, number>,
    oovToken: string | null,
    field: string
  ): number | null {
    if (oovToken === null) {
      return null;
    }
    const index = wordIndex.get(oovToken);
    if (index === undefined) {
      throw new TokenizerError(
        `tokenizer: ${field} ${JSON.stringify(oovToken)} is not in word_index`,
        field
      );
    }
    return index;
  }

  export function fromKerasConfig(
    config: { [key: string]: unknown },
    prefix: string
  ): ICharTokenizer {
    if (config.char_level === false) {
      throw new TokenizerError(
        `tokenizer: ${prefix}char_level is false; only char-level tokenizers are supported`,
        prefix + 'char_level'
      );
    }
    const wordIndex = indexMap(
      nested(config, 'word_index', prefix),
      prefix + 'word_index'
    );
    const oov = config.oov_token ?? null;
    if (oov !== null && typeof oov !== 'string') {
      throw new TokenizerError(
        `tokenizer: ${prefix}oov_token must be null or a string`,
        prefix + 'oov_token'
      );
    }
    const lower = config.lower ?? true;
    if (typeof lower !== 'boolean') {
      throw new TokenizerError(
        `tokenizer: ${prefix}lower must be true or false`,
        prefix + 'lower'
      );
    }
    return {
      wordIndex,
      lower,
      oovToken: oov,
      oovIndex: oovIndexOf(wordIndex, oov, prefix + 'oov_token'),
      numWords: optionalCount(config.num_words, prefix + 'num_words'),
      source: 'keras'
    };
  }

  export function fromMap(
    data: { [key: string]: unknown },
    options: ITokenizerOptions
  ): ICharTokenizer {
    const wordIndex = indexMap(data, 'tokenizer');
    const oovToken = options.oovToken ?? null;
    return {
      wordIndex,
      lower: options.lower ?? false,
      oovToken,
      oovIndex: oovIndexOf(wordIndex, oovToken, 'oov_token'),
      numWords: optionalCount(options.numWords ?? null, 'num_words'),
      source: 'map'
    };
  }

  /** Whether Keras keeps this code point as itself (known and within num_words). */
  export function inVocabulary(
    tokenizer: ICharTokenizer,
    codePoint: string
  ): boolean {
    const index = tokenizer.wordIndex.get(codePoint);
    return (
      index !== undefined &&
      !(tokenizer.numWords && index >= tokenizer.numWords)
    );
  }

  /** Keras's lookup: index, the oov index, or null (dropped). */
  export function lookup(
    tokenizer: ICharTokenizer,
    codePoint: string
  ): number | null {
    const index = tokenizer.wordIndex.get(codePoint);
    if (index !== undefined) {
      if (tokenizer.numWords && index >= tokenizer.numWords) {
        return tokenizer.oovIndex;
      }
      return index;
    }
    return tokenizer.oovToken !== null ? tokenizer.oovIndex : null;
  }

  /** Cut the whole-text lowercase into one piece per original character. */
  export function lowerPieces(text: string, chars: string[]): string[][] {
    const lowered = codePoints(text.toLowerCase());
    const pieces: string[][] = [];
    let offset = 0;
    chars.forEach((char, i) => {
      const length = codePoints(char.toLowerCase()).length;
      const end = i === chars.length - 1 ? lowered.length : offset + length;
      pieces.push(lowered.slice(offset, end));
      offset = end;
    });
    return pieces;
  }

  export function padOne(
    sequence: number[],
    options: IResolvedPadOptions
  ): number[] {
    const { maxlen, padding, truncating, value } = options;
    const out = new Array<number>(maxlen).fill(value);
    if (!sequence.length) {
      return out;
    }
    const kept =
      sequence.length <= maxlen
        ? sequence
        : truncating === 'pre'
          ? sequence.slice(sequence.length - maxlen)
          : sequence.slice(0, maxlen);
    const start = padding === 'pre' ? maxlen - kept.length : 0;
    kept.forEach((index, k) => {
      out[start + k] = index;
    });
    return out;
  }
}
