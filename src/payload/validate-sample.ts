/**
 * The validator's rules for one sample: its keys (R4), text or tokens and
 * the payload's token total (R5, R6), mask (R9), attention or series (R5,
 * R7, R8, R13, R16), prediction, label, title and method (R10, R11) and
 * meta (R14). The arrays are checked item by item in `validate-arrays.ts`.
 * Pure.
 */
import {
  countCodePoints,
  ILengthRule,
  validateMask,
  validatePrediction,
  validateTokens,
  validateValues
} from './validate-arrays';
import { validateMeta } from './validate-meta';
import { ISignRule } from './validate-options';
import {
  checkString,
  checkUnknownKeys,
  Collector,
  describeType,
  has,
  isObject,
  joinPath,
  Json,
  LIMITS
} from './validate-problems';

/** The keys a sample may have (a single-sample payload adds version and options). */
export const SAMPLE_KEYS = [
  'text',
  'tokens',
  'attention',
  'series',
  'mask',
  'prediction',
  'label',
  'title',
  'method',
  'meta'
];
const SERIES_KEYS = ['name', 'values'];

export function validateSample(
  sample: unknown,
  path: string,
  allowedKeys: string[],
  sign: ISignRule,
  c: Collector
): void {
  if (!isObject(sample)) {
    c.add(path, `must be an object, got ${describeType(sample)}`);
    return;
  }
  checkUnknownKeys(sample, allowedKeys, path, c);
  const length = validateText(sample, path, c);
  // R9: mask (read before values: masked positions are excluded from R13)
  let mask: boolean[] | undefined;
  if (has(sample, 'mask')) {
    mask = validateMask(sample.mask, joinPath(path, 'mask'), length, c);
  }
  validateSampleValues(sample, path, length, mask, sign, c);
  validateDescription(sample, path, c);
}

/** R5, R6: exactly one of text and tokens, counted into the payload's total. */
function validateText(sample: Json, path: string, c: Collector): ILengthRule {
  let tokenCount = -1;
  let fromText = false;
  const hasText = has(sample, 'text');
  const hasTokens = has(sample, 'tokens');
  if (hasText && hasTokens) {
    c.add(path, 'has both text and tokens (give one)');
  } else if (!hasText && !hasTokens) {
    c.add(path, 'needs text or tokens');
  } else if (hasText) {
    fromText = true;
    tokenCount = countText(sample.text, joinPath(path, 'text'), c);
  } else {
    tokenCount = validateTokens(sample.tokens, joinPath(path, 'tokens'), c);
  }
  if (tokenCount >= 0) {
    c.totalTokens += tokenCount;
    if (
      c.totalTokens > LIMITS.MAX_TOKENS &&
      c.totalTokens - tokenCount <= LIMITS.MAX_TOKENS
    ) {
      c.add(
        path,
        `brings the payload to ${c.totalTokens} tokens (at most ${LIMITS.MAX_TOKENS} in total)`
      );
    }
  }
  return {
    tokenCount,
    lengthText: (count: number): string =>
      fromText ? `text has ${count} characters` : `tokens has ${count}`
  };
}

/** R6: the code points of `text`, or -1 when it is not a string or too long. */
function countText(text: unknown, path: string, c: Collector): number {
  if (typeof text !== 'string') {
    c.add(path, `must be a string, got ${describeType(text)}`);
    return -1;
  }
  if (text.length > 2 * LIMITS.MAX_TOKENS) {
    c.add(
      path,
      `is ${text.length} characters long (at most ${LIMITS.MAX_TOKENS})`
    );
    return -1;
  }
  const count = countCodePoints(text);
  if (count > LIMITS.MAX_TOKENS) {
    c.add(path, `has ${count} characters (at most ${LIMITS.MAX_TOKENS})`);
    return -1;
  }
  return count;
}

/** R5, R7, R8: exactly one of attention and series (or a prediction-only sample). */
function validateSampleValues(
  sample: Json,
  path: string,
  length: ILengthRule,
  mask: boolean[] | undefined,
  sign: ISignRule,
  c: Collector
): void {
  const hasAttention = has(sample, 'attention');
  const hasSeries = has(sample, 'series');
  if (hasAttention && hasSeries) {
    c.add(path, 'has both attention and series (give one)');
  } else if (!hasAttention && !hasSeries) {
    // A prediction-only sample (a model without attention, run by predict) has neither.
    if (!has(sample, 'prediction')) {
      c.add(path, 'needs attention or series');
    }
  } else if (hasAttention) {
    const attentionPath = joinPath(path, 'attention');
    validateValues(sample.attention, attentionPath, length, mask, sign, c);
  } else {
    validateSeries(
      sample.series,
      joinPath(path, 'series'),
      length,
      mask,
      sign,
      c
    );
  }
}

/** R5: a non-empty array of {name, values}. */
function validateSeries(
  series: unknown,
  seriesPath: string,
  length: ILengthRule,
  mask: boolean[] | undefined,
  sign: ISignRule,
  c: Collector
): void {
  if (!Array.isArray(series)) {
    c.add(seriesPath, `must be an array, got ${describeType(series)}`);
    return;
  }
  if (series.length === 0) {
    c.add(seriesPath, 'is empty (at least one series is needed)');
    return;
  }
  series.forEach((item, index) => {
    const itemPath = joinPath(seriesPath, index);
    if (!isObject(item)) {
      c.add(itemPath, `must be an object, got ${describeType(item)}`);
      return;
    }
    checkUnknownKeys(item, SERIES_KEYS, itemPath, c);
    if (!has(item, 'name')) {
      c.add(joinPath(itemPath, 'name'), 'is missing');
    } else {
      checkString(item.name, joinPath(itemPath, 'name'), c);
    }
    const valuesPath = joinPath(itemPath, 'values');
    if (!has(item, 'values')) {
      c.add(valuesPath, 'is missing');
    } else {
      validateValues(item.values, valuesPath, length, mask, sign, c);
    }
  });
}

/** R10, R11, R14: prediction, label, title, method and meta. */
function validateDescription(sample: Json, path: string, c: Collector): void {
  if (has(sample, 'prediction')) {
    validatePrediction(sample.prediction, joinPath(path, 'prediction'), c);
  }
  if (has(sample, 'label')) {
    validateLabel(sample.label, joinPath(path, 'label'), c);
  }
  if (has(sample, 'title')) {
    checkString(sample.title, joinPath(path, 'title'), c);
  }
  if (has(sample, 'method')) {
    checkString(sample.method, joinPath(path, 'method'), c);
  }
  if (has(sample, 'meta')) {
    validateMeta(sample.meta, joinPath(path, 'meta'), c);
  }
}

/** R10: a string, a finite number or a boolean. */
function validateLabel(label: unknown, labelPath: string, c: Collector): void {
  if (typeof label === 'string') {
    checkString(label, labelPath, c);
  } else if (typeof label === 'number') {
    if (!Number.isFinite(label)) {
      c.add(labelPath, `must be finite, got ${describeType(label)}`);
    }
  } else if (typeof label !== 'boolean') {
    c.add(
      labelPath,
      `must be a string, number or boolean, got ${describeType(label)}`
    );
  }
}
