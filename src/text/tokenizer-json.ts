/**
 * Reading a Keras char-level tokenizer: the text or object of
 * `Tokenizer.to_json()` (its `word_index` etc. are JSON strings inside the
 * JSON; objects are accepted too) or a plain `{char: index}` map, checked
 * field by field and bounded in size. Encoding is `char-encoding.ts`.
 *
 * Pure: no DOM, no Node APIs.
 */
import { JsonDepthError, parseJsonText } from '../payload/json-text';

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
}
