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
 * The rules live in one file per part of the payload: options
 * (`validate-options.ts`, R12, R13's condition), a sample
 * (`validate-sample.ts`), its arrays item by item (`validate-arrays.ts`),
 * `meta` (`validate-meta.ts`), and the reporting caps with the shared checks
 * (`validate-problems.ts`, R4, R11, R15); the root (R1 to R3) is here.
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
import { IValidationProblem, PAYLOAD_VERSION } from './types';
import { validateMeta } from './validate-meta';
import { ISignRule, validateOptionsAndSigns } from './validate-options';
import {
  checkString,
  checkUnknownKeys,
  Collector,
  describeType,
  has,
  isObject,
  joinPath,
  Json,
  LIMITS,
  preview,
  StopValidation
} from './validate-problems';
import { SAMPLE_KEYS, validateSample } from './validate-sample';
import { messageOf } from './error-message';

export { countCodePoints } from './validate-arrays';
export { DIVERGING_COLORMAPS } from './validate-options';
export { describeType, joinPath, LIMITS } from './validate-problems';

const BATCH_KEYS = ['version', 'samples', 'options', 'title', 'meta'];

/** The result of `validatePayload`. */
export interface IValidationResult {
  valid: boolean;
  problems: IValidationProblem[];
}

/**
 * Check a parsed payload against every rule above. Never throws.
 */
export function validatePayload(payload: unknown): IValidationResult {
  const collector = new Collector();
  try {
    Private.validateRoot(payload, collector);
  } catch (error) {
    if (!(error instanceof StopValidation)) {
      // Defensive: a rule bug must not break the notebook.
      const message = messageOf(error);
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

namespace Private {
  /** R1 to R3, then every sample. */
  export function validateRoot(payload: unknown, c: Collector): void {
    if (!isObject(payload)) {
      c.add('', `must be a JSON object, got ${describeType(payload)}`);
      return;
    }
    if (!validateVersion(payload, c)) {
      return;
    }
    const options = has(payload, 'options') ? payload.options : undefined;
    const sign = validateOptionsAndSigns(options, c);
    if (has(payload, 'samples')) {
      validateBatch(payload, sign, c);
    } else {
      const keys = SAMPLE_KEYS.concat(['version', 'options']);
      validateSample(payload, '', keys, sign, c);
    }
  }

  /** R2; false when the version is newer than this one (validation stops). */
  export function validateVersion(payload: Json, c: Collector): boolean {
    if (!has(payload, 'version')) {
      c.add('version', 'is missing (expected 1)');
      return true;
    }
    const version = payload.version;
    if (typeof version === 'number' && version > PAYLOAD_VERSION) {
      c.add(
        'version',
        `${version} is newer than this renderer supports (${PAYLOAD_VERSION})`
      );
      return false;
    }
    if (version !== PAYLOAD_VERSION) {
      c.add('version', `must be 1, got ${preview(version)}`);
    }
    return true;
  }

  /** R3: a batch's own fields, then 1..MAX_SAMPLES samples. */
  export function validateBatch(
    payload: Json,
    sign: ISignRule,
    c: Collector
  ): void {
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
      validateSample(sample, joinPath('samples', index), SAMPLE_KEYS, sign, c)
    );
  }
}
