/**
 * Keras `Tokenizer.texts_to_sequences` for a char-level tokenizer, keeping
 * for every element the original character it came from (lowercasing can
 * turn one character into several code points). Padding is `padding.ts`.
 *
 * Pure: no DOM, no Node APIs.
 */
import { ICharTokenizer } from './tokenizer-json';

/** One text encoded as Keras does, with per-element provenance. */
export interface IEncodedText {
  /** The original text. */
  text: string;
  /** The original text split into code points. */
  chars: string[];
  /** With a lowering tokenizer: for each original character, the code points of its lowered piece. */
  pieces?: string[][];
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
  // Without lowering each character is its own piece: no arrays for those.
  const pieces = tokenizer.lower ? Private.lowerPieces(text, chars) : undefined;
  const sequence: number[] = [];
  const origin: number[] = [];
  const unknownChars: number[] = [];
  let droppedCount = 0;
  for (let charIndex = 0; charIndex < chars.length; charIndex++) {
    const piece = pieces?.[charIndex];
    const count = piece ? piece.length : 1;
    let unknown = false;
    for (let k = 0; k < count; k++) {
      const codePoint = piece ? piece[k] : chars[charIndex];
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
  }
  const encoded: IEncodedText = {
    text,
    chars,
    sequence,
    origin,
    unknownChars,
    droppedCount
  };
  if (pieces) {
    encoded.pieces = pieces;
  }
  return encoded;
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

namespace Private {
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
}
