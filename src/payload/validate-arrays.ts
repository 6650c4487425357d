/**
 * The validator's rules for a sample's arrays, item by item: tokens (R6),
 * the mask (R9), values with their lengths, their totals and their signs
 * (R7, R8, R13, R16), and the prediction (R10). Pure.
 */
import { ISignRule } from './validate-options';
import {
  Collector,
  describeType,
  ItemProblems,
  LIMITS
} from './validate-problems';

/** How long a sample's values must be (R7), and how to say it. */
export interface ILengthRule {
  /** Tokens of the sample; -1 when they could not be counted. */
  tokenCount: number;
  /** `text has 13 characters` / `tokens has 13`. */
  lengthText: (count: number) => string;
}

/** Number of Unicode code points (lone surrogates count as one). */
export function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
      }
    }
    count++;
  }
  return count;
}

/** R6: `tokens`; returns their count, or -1 when they cannot be counted. */
export function validateTokens(
  tokens: unknown,
  path: string,
  c: Collector
): number {
  if (!Array.isArray(tokens)) {
    c.add(path, `must be an array of strings, got ${describeType(tokens)}`);
    return -1;
  }
  if (tokens.length > LIMITS.MAX_TOKENS) {
    c.add(path, `has ${tokens.length} items (at most ${LIMITS.MAX_TOKENS})`);
    return -1;
  }
  const items = new ItemProblems(path, c, 'invalid tokens');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token !== 'string') {
      items.add(i, `must be a string, got ${describeType(token)}`);
    } else if (token.length > LIMITS.MAX_TOKEN_LENGTH) {
      items.add(
        i,
        `is ${token.length} characters long (a token has at most ${LIMITS.MAX_TOKEN_LENGTH})`
      );
    }
  }
  items.finish();
  return tokens.length;
}

/** R9 (and R7 for its length); the mask when every item is a boolean. */
export function validateMask(
  mask: unknown,
  path: string,
  length: ILengthRule,
  c: Collector
): boolean[] | undefined {
  if (!Array.isArray(mask)) {
    c.add(path, `must be an array of booleans, got ${describeType(mask)}`);
    return undefined;
  }
  const { tokenCount, lengthText } = length;
  if (tokenCount >= 0 && mask.length !== tokenCount) {
    c.add(path, `has ${mask.length} values, ${lengthText(tokenCount)}`);
  }
  const items = new ItemProblems(path, c, 'invalid values');
  let ok = true;
  for (let i = 0; i < mask.length; i++) {
    if (typeof mask[i] !== 'boolean') {
      items.add(i, `must be true or false, got ${describeType(mask[i])}`);
      ok = false;
    }
  }
  items.finish();
  return ok ? (mask as boolean[]) : undefined;
}

/** R7, R8, R13, R16: one `attention` or `series[i].values` array. */
export function validateValues(
  values: unknown,
  path: string,
  length: ILengthRule,
  mask: boolean[] | undefined,
  sign: ISignRule,
  c: Collector
): void {
  if (!Array.isArray(values)) {
    c.add(
      path,
      `must be an array of numbers (or null), got ${describeType(values)}`
    );
    return;
  }
  const { tokenCount, lengthText } = length;
  if (tokenCount >= 0 && values.length !== tokenCount) {
    c.add(path, `has ${values.length} values, ${lengthText(tokenCount)}`);
  }
  // R16: the count comes from the length, so a huge payload stops here.
  const before = c.totalValues;
  c.totalValues += values.length;
  if (c.totalValues > LIMITS.MAX_VALUES) {
    if (before <= LIMITS.MAX_VALUES) {
      c.add(
        path,
        `brings the payload to ${c.totalValues} values (at most ${LIMITS.MAX_VALUES} in total)`
      );
    }
    return;
  }
  const items = new ItemProblems(path, c, 'invalid values');
  let negativeMin = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null) {
      continue;
    }
    if (typeof value !== 'number') {
      items.add(i, `must be a number or null, got ${describeType(value)}`);
    } else if (!Number.isFinite(value)) {
      items.add(i, `is ${describeType(value)}; use null for a missing value`);
    } else if (value < negativeMin && (!mask || mask[i] !== false)) {
      negativeMin = value;
    }
  }
  items.finish();
  if (sign.signCheck && negativeMin < 0) {
    c.add(
      path,
      `has negative values (min ${negativeMin}) but colormap ${sign.colormap} is sequential; ` +
        'use colormap RdBu, set options.vmin, or set options.normalize'
    );
  }
}

/** R10: `prediction`, a finite number or 1..MAX_PREDICTIONS of them. */
export function validatePrediction(
  value: unknown,
  path: string,
  c: Collector
): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      c.add(path, `must be finite, got ${describeType(value)}`);
    }
    return;
  }
  if (!Array.isArray(value)) {
    c.add(
      path,
      `must be a number or an array of numbers, got ${describeType(value)}`
    );
    return;
  }
  if (value.length === 0 || value.length > LIMITS.MAX_PREDICTIONS) {
    c.add(
      path,
      `has ${value.length} values (1 to ${LIMITS.MAX_PREDICTIONS} expected)`
    );
    return;
  }
  const items = new ItemProblems(path, c, 'invalid values');
  value.forEach((item, index) => {
    if (typeof item !== 'number' || !Number.isFinite(item)) {
      items.add(index, `must be a finite number, got ${describeType(item)}`);
    }
  });
  items.finish();
}
