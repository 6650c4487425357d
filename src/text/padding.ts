/**
 * Keras `pad_sequences`: its options with Keras's defaults, the model
 * position of every element of a padded or truncated sequence, and texts
 * encoded and padded together.
 *
 * Pure: no DOM, no Node APIs.
 */
import { encodeText, IEncodedText } from './char-encoding';
import { ICharTokenizer, TokenizerError } from './tokenizer-json';

/** `pre` (Keras default) or `post`. */
export type Side = 'pre' | 'post';

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
