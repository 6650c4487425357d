/**
 * How the validator (`validate.ts`) reports: the limits of its rules, the
 * problem collector with its caps (R15), JSON paths, type names for
 * messages, and the checks every part of a payload shares (unknown keys,
 * R4; string lengths, R11). Pure; never throws except `StopValidation`,
 * which `validatePayload` catches.
 */
import { IValidationProblem } from './types';

export const LIMITS = {
  MAX_SAMPLES: 10000,
  // Tokens and values: the largest payload renders and exports within 5 s of
  // CPU and 500 MB (test/render/budget.spec.ts, python/tests/test_budget.py).
  MAX_TOKENS: 1000000,
  MAX_VALUES: 1000000,
  MAX_TOKEN_LENGTH: 1000,
  MAX_STRING_LENGTH: 10000,
  MAX_PREDICTIONS: 1000,
  MAX_META_DEPTH: 16,
  MAX_ITEM_PROBLEMS: 5,
  MAX_PROBLEMS: 200,
  MAX_CHARS_PER_ROW: 1000,
  MAX_PRECISION: 17
} as const;

/** Join a JSON path and a field name (`` + `a` = `a`). */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${path}[${key}]`;
  }
  return path ? `${path}.${key}` : key;
}

/** A short description of a JSON value's type for messages. */
export function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) {
      return 'NaN';
    }
    if (!Number.isFinite(value)) {
      return value > 0 ? 'Infinity' : '-Infinity';
    }
    return 'number';
  }
  return typeof value;
}

/** Thrown once MAX_PROBLEMS problems are listed (R15): validation ends there. */
export class StopValidation extends Error {}

/** Every problem found, in the order found, with the running totals of R6 and R16. */
export class Collector {
  problems: IValidationProblem[] = [];
  totalTokens = 0;
  totalValues = 0;

  add(path: string, text: string): void {
    if (this.problems.length >= LIMITS.MAX_PROBLEMS) {
      this.problems.push({
        path: '',
        message: `... and more problems (stopped after ${LIMITS.MAX_PROBLEMS})`
      });
      throw new StopValidation();
    }
    const where = path === '' ? 'payload' : path;
    this.problems.push({ path, message: `${where} ${text}` });
  }
}

/** R15: at most MAX_ITEM_PROBLEMS item problems per array, then a summary. */
export class ItemProblems {
  private count = 0;

  constructor(
    private path: string,
    private c: Collector,
    private noun: string
  ) {}

  add(index: number, text: string): void {
    this.count++;
    if (this.count <= LIMITS.MAX_ITEM_PROBLEMS) {
      this.c.add(joinPath(this.path, index), text);
    }
  }

  finish(): void {
    if (this.count > LIMITS.MAX_ITEM_PROBLEMS) {
      this.c.add(
        this.path,
        `has ${this.count - LIMITS.MAX_ITEM_PROBLEMS} more ${this.noun}`
      );
    }
  }
}

export type Json = { [key: string]: unknown };

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function has(object: Json, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** A value as JSON for a message, cut at 40 characters. */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** R4: keys outside `allowed` are problems. */
export function checkUnknownKeys(
  object: Json,
  allowed: string[],
  path: string,
  c: Collector
): void {
  for (const key of Object.keys(object)) {
    if (allowed.indexOf(key) < 0) {
      const shown = key.length > 40 ? `${key.slice(0, 37)}...` : key;
      c.add(joinPath(path, shown), 'is not a known field');
    }
  }
}

/** R10, R11: a string of at most `max` UTF-16 units. */
export function checkString(
  value: unknown,
  path: string,
  c: Collector,
  max: number = LIMITS.MAX_STRING_LENGTH
): void {
  if (typeof value !== 'string') {
    c.add(path, `must be a string, got ${describeType(value)}`);
  } else if (value.length > max) {
    c.add(path, `is ${value.length} characters long (at most ${max})`);
  }
}
