/**
 * Validator of payload v1 (`application/x-char-attention+json`).
 *
 * Pure: no DOM, no JupyterLab; never throws. Returns every problem found,
 * each with the JSON path of the offending value and a message that starts
 * with that path. The Python helper mirrors these rules one by one.
 *
 * Paths: `` is the root; fields are joined with `.`, array items use `[i]`,
 * e.g. `samples[2].attention[5]`. In a single-sample payload the sample is
 * the root, so its fields have no prefix (`attention[5]`).
 *
 * RULES (numbered; keep this list and the code in step)
 *  R1  The payload is a JSON object (not null, array, string, number).
 *      Message: "payload must be a JSON object, got <type>".
 *  R2  `version` is present and is the number 1. Missing: "version is missing
 *      (expected 1)"; a number > 1: "version <v> is newer than this renderer
 *      supports (1)"; anything else: "version must be 1, got <json>".
 *      When R2 fails with a future version, validation stops there.
 *  R3  If the root has `samples` it is a batch: `samples` is a non-empty array
 *      of at most MAX_SAMPLES (10,000) objects; allowed root keys: version,
 *      samples, options, title, meta. Otherwise the root is one sample plus
 *      `version` and `options`.
 *  R4  Unknown keys are problems ("<path>.<key> is not a known field") at the
 *      root, in samples, in options and in series items. `meta` may hold anything
 *      (see R14).
 *  R5  A sample has exactly one of `text` (string) / `tokens` (array of strings)
 *      and exactly one of `attention` (array) / `series` (non-empty array of
 *      {name: string, values: array}), or neither when it has a `prediction`
 *      (a prediction-only sample: the model's output, no per-character
 *      values). Messages: "<path> needs text or tokens", "<path> has both
 *      text and tokens", same for attention/series.
 *  R6  Tokens: `text` is split into Unicode code points (an emoji is one token).
 *      `text` has at most MAX_TOKENS (1,000,000) code points; `tokens` has at most
 *      MAX_TOKENS items, each a string of at most MAX_TOKEN_LENGTH (1,000) UTF-16
 *      units (the empty string is allowed, e.g. padding).
 *      The total number of tokens in a payload is at most MAX_TOKENS.
 *  R7  Lengths: `attention`, every `series[i].values` and `mask` have exactly
 *      one item per token: "samples[2].attention has 12 values, tokens has 13"
 *      (or "text has 13 characters").
 *  R8  Values (`attention[j]`, `series[i].values[j]`) are finite numbers or null
 *      (null = missing). NaN / Infinity / -Infinity, strings, booleans, arrays,
 *      objects are problems ("<path>[j] is NaN; use null for a missing value",
 *      "<path>[j] must be a number or null, got string").
 *  R9  `mask` is an array of booleans (false = not seen by the model).
 *  R10 `prediction` is a finite number or an array of 1..MAX_PREDICTIONS (1,000)
 *      finite numbers. `label` is a string, a finite number or a boolean.
 *      `title` and `method` are strings.
 *  R11 Strings other than `text` and tokens (title, method, label, series names) are at
 *      most MAX_STRING_LENGTH (10,000) UTF-16 units; a batch `title` too.
 *  R12 `options` is an object with only: colormap (one of COLORMAP_NAMES),
 *      vmin, vmax (finite numbers; vmin < vmax when both are given),
 *      normalize (one of NORMALIZE_MODES), shareScale (boolean),
 *      charsPerRow (integer 1..1000), precision (integer 0..17).
 *      Unknown colormap: "options.colormap 'Jet' is not known; use one of Reds, ...".
 *  R13 Signs: when `options.colormap` names a sequential map (every map but
 *      RdBu; without a colormap, signed values are drawn with RdBu centred on
 *      0 automatically, see `normalize.ts`), `options.vmin` is not given and
 *      `options.normalize` is absent or 'none', then a negative value at an
 *      unmasked position is a problem, reported once per values array:
 *      "<path> has negative values (min -0.3) but colormap Reds is sequential;
 *      use colormap RdBu, set options.vmin, or set options.normalize".
 *  R14 `meta` is an object (not an array); nested arrays/objects inside it are
 *      at most MAX_META_DEPTH (16) levels deep, and strings inside it at most
 *      MAX_STRING_LENGTH units.
 *  R16 The total number of values (the items of every `attention` and
 *      `series[i].values` array) in a payload is at most MAX_VALUES
 *      (1,000,000), counted from the array lengths before any value is
 *      looked at; reported once, at the array that crosses the limit:
 *      "<path> brings the payload to N values (at most 1000000 in total)".
 *      Arrays from there on are not checked item by item.
 *  R15 Reporting limits: per array, at most MAX_ITEM_PROBLEMS (5) item problems
 *      are listed, then one "<path> has N more invalid values" (or "invalid
 *      tokens") summary; at most
 *      MAX_PROBLEMS (200) problems in total, the last being "... and more
 *      problems (stopped after 200)".
 */
import {
  COLORMAP_NAMES,
  IValidationProblem,
  NORMALIZE_MODES,
  PAYLOAD_VERSION
} from './types';

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

const SAMPLE_KEYS = [
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
const BATCH_KEYS = ['version', 'samples', 'options', 'title', 'meta'];
const OPTION_KEYS = [
  'colormap',
  'vmin',
  'vmax',
  'normalize',
  'shareScale',
  'charsPerRow',
  'precision'
];
const SERIES_KEYS = ['name', 'values'];

/** Diverging colour maps (centred on 0); every other known map is sequential. */
export const DIVERGING_COLORMAPS: ReadonlyArray<string> = ['RdBu'];

/** The result of `validatePayload`. */
export interface IValidationResult {
  valid: boolean;
  problems: IValidationProblem[];
}

/**
 * Check a parsed payload against every rule above. Never throws.
 */
export function validatePayload(payload: unknown): IValidationResult {
  const collector = new Private.Collector();
  try {
    Private.validateRoot(payload, collector);
  } catch (error) {
    if (!(error instanceof Private.StopValidation)) {
      // Defensive: a rule bug must not break the notebook.
      const message = error instanceof Error ? error.message : String(error);
      collector.problems.push({
        path: '',
        message: `payload could not be checked: ${message}`
      });
    }
  }
  return {
    valid: collector.problems.length === 0,
    problems: collector.problems
  };
}

/** Format problems as lines (CLI, logs). */
export function formatProblems(problems: IValidationProblem[]): string {
  return problems.map(problem => problem.message).join('\n');
}

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

namespace Private {
  export class StopValidation extends Error {}

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

  export type Json = { [key: string]: unknown };

  export function isObject(value: unknown): value is Json {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  export function has(object: Json, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

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

  export function validateRoot(payload: unknown, c: Collector): void {
    if (!isObject(payload)) {
      c.add('', `must be a JSON object, got ${describeType(payload)}`);
      return;
    }
    // R2
    if (!has(payload, 'version')) {
      c.add('version', 'is missing (expected 1)');
    } else {
      const version = payload.version;
      if (typeof version === 'number' && version > PAYLOAD_VERSION) {
        c.add(
          'version',
          `${version} is newer than this renderer supports (${PAYLOAD_VERSION})`
        );
        return;
      }
      if (version !== PAYLOAD_VERSION) {
        c.add('version', `must be 1, got ${preview(version)}`);
      }
    }
    const options = has(payload, 'options') ? payload.options : undefined;
    const optionsOk = validateOptions(options, c);
    const colormap =
      optionsOk && isObject(options) && typeof options.colormap === 'string'
        ? options.colormap
        : 'Reds';
    const signCheck =
      optionsOk &&
      isObject(options) &&
      typeof options.colormap === 'string' &&
      DIVERGING_COLORMAPS.indexOf(colormap) < 0 &&
      !(isObject(options) && has(options, 'vmin')) &&
      !(
        isObject(options) &&
        typeof options.normalize === 'string' &&
        options.normalize !== 'none'
      );

    if (has(payload, 'samples')) {
      // R3 batch
      checkUnknownKeys(payload, BATCH_KEYS, '', c);
      if (has(payload, 'title')) {
        checkString(payload.title, 'title', c);
      }
      if (has(payload, 'meta')) {
        validateMeta(payload.meta, 'meta', c);
      }
      const samples = payload.samples;
      if (!Array.isArray(samples)) {
        c.add('samples', `must be an array, got ${describeType(samples)}`);
        return;
      }
      if (samples.length === 0) {
        c.add('samples', 'is empty (at least one sample is needed)');
        return;
      }
      if (samples.length > LIMITS.MAX_SAMPLES) {
        c.add(
          'samples',
          `has ${samples.length} samples (at most ${LIMITS.MAX_SAMPLES})`
        );
        return;
      }
      samples.forEach((sample, index) =>
        validateSample(
          sample,
          joinPath('samples', index),
          SAMPLE_KEYS,
          signCheck,
          colormap,
          c
        )
      );
    } else {
      validateSample(
        payload,
        '',
        SAMPLE_KEYS.concat(['version', 'options']),
        signCheck,
        colormap,
        c
      );
    }
  }

  /** R12; returns whether options are usable for R13. */
  export function validateOptions(options: unknown, c: Collector): boolean {
    if (options === undefined) {
      return true;
    }
    if (!isObject(options)) {
      c.add('options', `must be an object, got ${describeType(options)}`);
      return false;
    }
    const before = c.problems.length;
    checkUnknownKeys(options, OPTION_KEYS, 'options', c);
    if (has(options, 'colormap')) {
      const name = options.colormap;
      if (typeof name !== 'string') {
        c.add(
          'options.colormap',
          `must be a string, got ${describeType(name)}`
        );
      } else if ((COLORMAP_NAMES as ReadonlyArray<string>).indexOf(name) < 0) {
        c.add(
          'options.colormap',
          `${preview(name)} is not known; use one of ${COLORMAP_NAMES.join(', ')}`
        );
      }
    }
    for (const key of ['vmin', 'vmax']) {
      if (has(options, key)) {
        const value = options[key];
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          c.add(
            `options.${key}`,
            `must be a finite number, got ${describeType(value)}`
          );
        }
      }
    }
    if (
      typeof options.vmin === 'number' &&
      typeof options.vmax === 'number' &&
      Number.isFinite(options.vmin) &&
      Number.isFinite(options.vmax) &&
      !(options.vmin < options.vmax)
    ) {
      c.add(
        'options.vmin',
        `(${options.vmin}) must be less than options.vmax (${options.vmax})`
      );
    }
    if (has(options, 'normalize')) {
      const mode = options.normalize;
      if (
        typeof mode !== 'string' ||
        (NORMALIZE_MODES as ReadonlyArray<string>).indexOf(mode) < 0
      ) {
        c.add(
          'options.normalize',
          `${preview(mode)} is not known; use one of ${NORMALIZE_MODES.join(', ')}`
        );
      }
    }
    if (has(options, 'shareScale') && typeof options.shareScale !== 'boolean') {
      c.add(
        'options.shareScale',
        `must be a boolean, got ${describeType(options.shareScale)}`
      );
    }
    checkInteger(options, 'charsPerRow', 1, LIMITS.MAX_CHARS_PER_ROW, c);
    checkInteger(options, 'precision', 0, LIMITS.MAX_PRECISION, c);
    return c.problems.length === before;
  }

  export function checkInteger(
    options: Json,
    key: string,
    min: number,
    max: number,
    c: Collector
  ): void {
    if (!has(options, key)) {
      return;
    }
    const value = options[key];
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < min ||
      value > max
    ) {
      c.add(
        `options.${key}`,
        `must be an integer from ${min} to ${max}, got ${preview(value)}`
      );
    }
  }

  export function validateSample(
    sample: unknown,
    path: string,
    allowedKeys: string[],
    signCheck: boolean,
    colormap: string,
    c: Collector
  ): void {
    if (!isObject(sample)) {
      c.add(path, `must be an object, got ${describeType(sample)}`);
      return;
    }
    checkUnknownKeys(sample, allowedKeys, path, c);

    // R5, R6: tokens
    let tokenCount = -1;
    let tokenNoun = 'tokens has';
    const hasText = has(sample, 'text');
    const hasTokens = has(sample, 'tokens');
    if (hasText && hasTokens) {
      c.add(path, 'has both text and tokens (give one)');
    } else if (!hasText && !hasTokens) {
      c.add(path, 'needs text or tokens');
    } else if (hasText) {
      const text = sample.text;
      const textPath = joinPath(path, 'text');
      if (typeof text !== 'string') {
        c.add(textPath, `must be a string, got ${describeType(text)}`);
      } else if (text.length > 2 * LIMITS.MAX_TOKENS) {
        c.add(
          textPath,
          `is ${text.length} characters long (at most ${LIMITS.MAX_TOKENS})`
        );
      } else {
        tokenCount = countCodePoints(text);
        tokenNoun = 'text has';
        if (tokenCount > LIMITS.MAX_TOKENS) {
          c.add(
            textPath,
            `has ${tokenCount} characters (at most ${LIMITS.MAX_TOKENS})`
          );
          tokenCount = -1;
        }
      }
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
    const lengthText = (count: number): string =>
      tokenNoun === 'text has'
        ? `text has ${count} characters`
        : `tokens has ${count}`;

    // R9: mask (read before values: masked positions are excluded from R13)
    let mask: boolean[] | undefined;
    if (has(sample, 'mask')) {
      mask = validateMask(
        sample.mask,
        joinPath(path, 'mask'),
        tokenCount,
        lengthText,
        c
      );
    }

    // R5, R7, R8: values
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
      validateValues(
        sample.attention,
        joinPath(path, 'attention'),
        tokenCount,
        lengthText,
        mask,
        signCheck,
        colormap,
        c
      );
    } else {
      const series = sample.series;
      const seriesPath = joinPath(path, 'series');
      if (!Array.isArray(series)) {
        c.add(seriesPath, `must be an array, got ${describeType(series)}`);
      } else if (series.length === 0) {
        c.add(seriesPath, 'is empty (at least one series is needed)');
      } else {
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
          if (!has(item, 'values')) {
            c.add(joinPath(itemPath, 'values'), 'is missing');
          } else {
            validateValues(
              item.values,
              joinPath(itemPath, 'values'),
              tokenCount,
              lengthText,
              mask,
              signCheck,
              colormap,
              c
            );
          }
        });
      }
    }

    // R10, R11
    if (has(sample, 'prediction')) {
      validatePrediction(sample.prediction, joinPath(path, 'prediction'), c);
    }
    if (has(sample, 'label')) {
      const label = sample.label;
      const labelPath = joinPath(path, 'label');
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
    if (has(sample, 'title')) {
      checkString(sample.title, joinPath(path, 'title'), c);
    }
    if (has(sample, 'method')) {
      checkString(sample.method, joinPath(path, 'method'), c);
    }
    // R14
    if (has(sample, 'meta')) {
      validateMeta(sample.meta, joinPath(path, 'meta'), c);
    }
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

  export function validateMask(
    mask: unknown,
    path: string,
    tokenCount: number,
    lengthText: (count: number) => string,
    c: Collector
  ): boolean[] | undefined {
    if (!Array.isArray(mask)) {
      c.add(path, `must be an array of booleans, got ${describeType(mask)}`);
      return undefined;
    }
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

  export function validateValues(
    values: unknown,
    path: string,
    tokenCount: number,
    lengthText: (count: number) => string,
    mask: boolean[] | undefined,
    signCheck: boolean,
    colormap: string,
    c: Collector
  ): void {
    if (!Array.isArray(values)) {
      c.add(
        path,
        `must be an array of numbers (or null), got ${describeType(values)}`
      );
      return;
    }
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
    if (signCheck && negativeMin < 0) {
      c.add(
        path,
        `has negative values (min ${negativeMin}) but colormap ${colormap} is sequential; ` +
          'use colormap RdBu, set options.vmin, or set options.normalize'
      );
    }
  }

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

  export function validateMeta(
    meta: unknown,
    path: string,
    c: Collector
  ): void {
    if (!isObject(meta)) {
      c.add(path, `must be an object, got ${describeType(meta)}`);
      return;
    }
    // Iterative walk: deep junk must not overflow the stack.
    const stack: Array<{ value: unknown; path: string; depth: number }> = [
      { value: meta, path, depth: 1 }
    ];
    let reportedDepth = false;
    let longStrings = 0;
    while (stack.length > 0) {
      const { value, path: here, depth } = stack.pop()!;
      if (typeof value === 'string') {
        if (value.length > LIMITS.MAX_STRING_LENGTH) {
          longStrings++;
          if (longStrings <= LIMITS.MAX_ITEM_PROBLEMS) {
            c.add(
              here,
              `is ${value.length} characters long (at most ${LIMITS.MAX_STRING_LENGTH})`
            );
          }
        }
        continue;
      }
      if (typeof value !== 'object' || value === null) {
        continue;
      }
      if (depth > LIMITS.MAX_META_DEPTH) {
        if (!reportedDepth) {
          c.add(
            path,
            `is nested more than ${LIMITS.MAX_META_DEPTH} levels deep (at ${here})`
          );
          reportedDepth = true;
        }
        continue;
      }
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
          stack.push({
            value: value[i],
            path: joinPath(here, i),
            depth: depth + 1
          });
        }
      } else {
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--) {
          stack.push({
            value: (value as Json)[keys[i]],
            path: joinPath(here, keys[i]),
            depth: depth + 1
          });
        }
      }
    }
    if (longStrings > LIMITS.MAX_ITEM_PROBLEMS) {
      c.add(
        path,
        `has ${longStrings - LIMITS.MAX_ITEM_PROBLEMS} more too-long strings`
      );
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
}

/** Number of Unicode code points of a string (an emoji counts once). */
export const countCodePoints = Private.countCodePoints;
