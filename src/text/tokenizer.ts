/**
 * Keras char-level text encoding, exactly as `keras_preprocessing` 1.1
 * (`Tokenizer.texts_to_sequences` with `char_level=True`, then
 * `pad_sequences`), keeping for every model position the original character
 * it came from so attention can be aligned back to the user's text.
 *
 * The API of one module, in three parts: reading the tokenizer JSON
 * (`tokenizer-json.ts`), encoding texts (`char-encoding.ts`) and padding
 * them (`padding.ts`).
 *
 * Pure: no DOM, no Node APIs.
 */
export type { ICharTokenizer, ITokenizerOptions } from './tokenizer-json';
export {
  MAX_TOKENIZER_CHARS,
  parseTokenizer,
  TokenizerError
} from './tokenizer-json';
export type { IEncodedText } from './char-encoding';
export {
  codePoints,
  encodedLength,
  encodeText,
  textsToSequences
} from './char-encoding';
export type {
  IPaddedText,
  IPadOptions,
  IResolvedPadOptions,
  Side
} from './padding';
export {
  encodeTexts,
  padEncoded,
  paddedPosition,
  padSequences,
  resolvePadOptions
} from './padding';
