/**
 * Align a model's attention over its padded positions back to the user's
 * characters: one value per code point of the original text, padding dropped,
 * characters the model did not see kept with `mask: false` and `null`.
 *
 * Pure: no DOM, no Node APIs.
 */
import { IBatchPayload, ISample } from '../payload/types';
import {
  encodeTexts,
  ICharTokenizer,
  IPadOptions,
  IPaddedText,
  IResolvedPadOptions,
  TokenizerError
} from './tokenizer';

/** Inputs of a batch alignment. */
export interface IAlignRequest {
  tokenizer: ICharTokenizer;
  texts: string[];
  /** Per text, the model's attention over its `maxlen` positions. */
  attention: ArrayLike<number | null>[];
  /** Per text, the model's prediction (optional). */
  predictions?: Array<number | number[]>;
  /** `pad_sequences` options (maxlen defaults to the longest encoded text). */
  pad?: IPadOptions;
}

/** Align one encoded, padded text with the model's attention over `maxlen` positions. */
export function alignSample(
  item: IPaddedText,
  attention: ArrayLike<number | null>,
  maxlen: number,
  prediction?: number | number[]
): ISample {
  if (attention.length !== maxlen) {
    throw new TokenizerError(
      `attention has ${attention.length} values, expected maxlen = ${maxlen}`,
      'attention'
    );
  }
  const count = item.chars.length;
  const sums = new Float64Array(count);
  const has = new Uint8Array(count);
  for (let j = 0; j < item.origin.length; j++) {
    const position = item.positions[j];
    const value = position < 0 ? null : attention[position];
    // A character whose lowercase is several code points sums their attention.
    if (typeof value === 'number' && Number.isFinite(value)) {
      sums[item.origin[j]] += value;
      has[item.origin[j]] = 1;
    }
  }
  // Built by push: an array of numbers only stays unboxed (cheaper to keep
  // while a stream's samples wait to be written).
  const values: Array<number | null> = [];
  for (let i = 0; i < count; i++) {
    values.push(has[i] ? sums[i] : null);
  }
  const sample: ISample = {
    text: item.text,
    attention: values,
    mask: seenMask(item)
  };
  if (prediction !== undefined) {
    sample.prediction = Private.simplifyPrediction(prediction);
  }
  return sample;
}

/**
 * A prediction-only sample (a model without attention, run by `predict`):
 * the text, what the model saw of it and the prediction, no values.
 */
export function predictionOnlySample(
  item: IPaddedText,
  prediction: number | number[]
): ISample {
  return {
    text: item.text,
    mask: seenMask(item),
    prediction: Private.simplifyPrediction(prediction)
  };
}

/** Per character: whether the model saw it (not truncated, not dropped). */
export function seenMask(item: IPaddedText): boolean[] {
  const mask: boolean[] = new Array(item.chars.length).fill(false);
  for (let j = 0; j < item.origin.length; j++) {
    if (item.positions[j] >= 0) {
      mask[item.origin[j]] = true;
    }
  }
  return mask;
}

/** Encode texts, then align each text's attention: the payload v1 batch. */
export function alignBatch(request: IAlignRequest): {
  payload: IBatchPayload;
  items: IPaddedText[];
  options: IResolvedPadOptions;
} {
  const { tokenizer, texts, attention, predictions } = request;
  if (attention.length !== texts.length) {
    throw new TokenizerError(
      `attention has ${attention.length} rows for ${texts.length} texts`,
      'attention'
    );
  }
  if (predictions && predictions.length !== texts.length) {
    throw new TokenizerError(
      `predictions has ${predictions.length} entries for ${texts.length} texts`,
      'predictions'
    );
  }
  const { items, options } = encodeTexts(tokenizer, texts, request.pad);
  const samples = items.map((item, i) => {
    try {
      return alignSample(item, attention[i], options.maxlen, predictions?.[i]);
    } catch (error) {
      if (error instanceof TokenizerError) {
        throw new TokenizerError(
          `attention[${i}]: ${error.message.replace(/^attention /, '')}`,
          'attention'
        );
      }
      throw error;
    }
  });
  return { payload: { version: 1, samples }, items, options };
}

/** Whether `alignmentNotices` has something to say about this text. */
export function needsNotice(item: IPaddedText): boolean {
  return (
    !item.chars.length ||
    item.truncatedCount > 0 ||
    item.unknownChars.length > 0
  );
}

/** One-line notices about what the model did not see (for the CLI's stderr). */
export function alignmentNotices(
  items: IPaddedText[],
  options: IResolvedPadOptions,
  /** Index of `items[0]` in the whole batch (for batches encoded in parts). */
  first = 0
): string[] {
  const notices: string[] = [];
  items.forEach((item, i) => {
    const label = `text ${first + i + 1}`;
    if (!item.chars.length) {
      notices.push(`${label}: empty text; the model sees only padding`);
      return;
    }
    if (item.truncatedCount > 0) {
      const which = options.truncating === 'pre' ? 'first' : 'last';
      notices.push(
        `${label}: ${item.sequence.length} tokens > maxlen ${options.maxlen}, ` +
          `the ${which} ${item.truncatedCount} truncated`
      );
    }
    if (item.unknownChars.length > 0) {
      const unique = Array.from(
        new Set(item.unknownChars.map(c => item.chars[c]))
      );
      const shown = unique
        .slice(0, 10)
        .map(c => JSON.stringify(c))
        .join(', ');
      const more = unique.length > 10 ? `, ... ${unique.length} distinct` : '';
      const count = item.unknownChars.length;
      const fate =
        item.droppedCount > 0 ? 'dropped' : 'mapped to the oov token';
      notices.push(
        `${label}: ${count} character${count > 1 ? 's' : ''} not in the vocabulary (${shown}${more}), ${fate}`
      );
    }
  });
  return notices;
}

namespace Private {
  /** A single output is a number; several stay an array. */
  export function simplifyPrediction(
    prediction: number | number[]
  ): number | number[] {
    if (Array.isArray(prediction) && prediction.length === 1) {
      return prediction[0];
    }
    return prediction;
  }
}
