/**
 * A Keras 3 `TextVectorization(split="character")` layer at the front of a
 * `.keras` model becomes the model's tokenizer: its vocabulary (the
 * archive's `assets/layers/<layer>/vocabulary.txt`, or the config's
 * `vocabulary` list) and its standardization are read from the file, and the
 * graph then starts at the layer's integer output.
 *
 * Encoding matches Keras 3 exactly (TensorFlow ops): `lower` is
 * `tf.strings.lower` (ASCII letters only), `strip_punctuation` removes
 * ``!"#$%&()*+,-./:;<=>?@[\]^_`{|}~'``, the text is split into Unicode code
 * points, unknown characters become the OOV index 1, index 0 is padding;
 * `output_sequence_length` pads and truncates at the end.
 *
 * Reading the layer from a model file is `model/graph/text-vectorization-layer.ts`.
 *
 * Pure: no DOM, no Node APIs.
 */
import {
  codePoints,
  IEncodedText,
  IPaddedText,
  IResolvedPadOptions,
  padEncoded,
  resolvePadOptions
} from './tokenizer';

/** What the model's TextVectorization layer does, as plain data. */
export interface ITextVectorizationInfo {
  kind: 'TextVectorization';
  /** The layer's name. */
  layer: string;
  /** Token by index: 0 is the padding token '', 1 the OOV token '[UNK]'. */
  vocabulary: string[];
  standardize:
    'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null;
  /** Fixed output length, or null (padded to the longest text of a batch). */
  outputSequenceLength: number | null;
}

/** Keras 3's DEFAULT_STRIP_REGEX as a set of characters. */
export const STRIP_CHARACTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\'';

/** Encodes texts as the TextVectorization layer does, keeping each character's model position. */
export function encodeTextVectorization(
  info: ITextVectorizationInfo,
  texts: string[]
): { items: IPaddedText[]; options: IResolvedPadOptions } {
  const encoded = texts.map(text => encodeTextVectorizationText(info, text));
  const options = resolvePadOptions(
    encoded.map(e => e.sequence.length),
    {
      maxlen: info.outputSequenceLength,
      padding: 'post',
      truncating: 'post'
    }
  );
  return { items: encoded.map(e => padEncoded(e, options)), options };
}

/** One text as the layer splits and looks it up, before padding. */
export function encodeTextVectorizationText(
  info: ITextVectorizationInfo,
  text: string
): IEncodedText {
  const index = Private.vocabularyIndex(info);
  const lower =
    info.standardize === 'lower' ||
    info.standardize === 'lower_and_strip_punctuation';
  const strip =
    info.standardize === 'strip_punctuation' ||
    info.standardize === 'lower_and_strip_punctuation';
  const chars = codePoints(text);
  const pieces: string[][] = [];
  const sequence: number[] = [];
  const origin: number[] = [];
  const unknownChars: number[] = [];
  chars.forEach((ch, i) => {
    // tf.strings.lower changes ASCII letters only.
    const c = lower && ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch;
    if (strip && STRIP_CHARACTERS.includes(c)) {
      pieces.push([]);
      return;
    }
    pieces.push([c]);
    const id = index.get(c);
    if (id === undefined) {
      unknownChars.push(i);
    }
    sequence.push(id ?? 1);
    origin.push(i);
  });
  return {
    text,
    chars,
    pieces,
    sequence,
    origin,
    unknownChars,
    droppedCount: 0
  };
}

namespace Private {
  const indexes = new WeakMap<ITextVectorizationInfo, Map<string, number>>();

  /** Token -> index (the first of duplicates), made once per layer. */
  export function vocabularyIndex(
    info: ITextVectorizationInfo
  ): Map<string, number> {
    const known = indexes.get(info);
    if (known) {
      return known;
    }
    const index = new Map<string, number>();
    info.vocabulary.forEach((token, i) => {
      if (i > 0 && !index.has(token)) {
        index.set(token, i);
      }
    });
    indexes.set(info, index);
    return index;
  }
}
