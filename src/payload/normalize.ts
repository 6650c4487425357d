/**
 * Payload v1 -> normalised samples: tokens, value rows, masks, resolved
 * options and colour scales. Pure; expects a payload that passed
 * `validatePayload` (it stays total on anything else, but the result of
 * invalid input is unspecified).
 */
import {
  ColormapName,
  COLORMAP_NAMES,
  IPayloadOptions,
  ISample,
  NormalizeMode,
  NORMALIZE_MODES,
  Payload
} from './types';

/** User settings (JupyterLab settings, CLI flags); payload options win over them. */
export interface IDisplaySettings {
  colormap?: ColormapName;
  charsPerRow?: number;
  normalize?: NormalizeMode;
  precision?: number;
  /** Draw whitespace/control characters as visible glyphs (default true). */
  showWhitespace?: boolean;
}

/** Options after merging defaults < settings < payload options. */
export interface IResolvedOptions {
  colormap: ColormapName;
  vmin?: number;
  vmax?: number;
  normalize: NormalizeMode;
  shareScale: boolean;
  charsPerRow: number;
  precision: number;
  showWhitespace: boolean;
}

export const DEFAULT_OPTIONS: IResolvedOptions = {
  colormap: 'Reds',
  normalize: 'none',
  shareScale: true,
  charsPerRow: 50,
  precision: 4,
  showWhitespace: true
};

/** The value range drawn from the lowest to the highest colour. */
export interface IScale {
  lo: number;
  hi: number;
  /** True for diverging maps (the middle colour is 0). */
  diverging: boolean;
}

/** One row of values over the tokens; NaN marks a missing value. */
export interface INormalizedRow {
  /** Series name; `` for a sample given with `attention`. */
  name: string;
  values: Float64Array;
}

export interface INormalizedSample {
  /** Index in the payload's `samples` (0 for a single-sample payload). */
  index: number;
  tokens: string[];
  rows: INormalizedRow[];
  /** 1 = seen by the model, 0 = masked. */
  mask: Uint8Array;
  maskedCount: number;
  /** Whether the sample came with `series` (row headers show names). */
  hasSeries: boolean;
  /**
   * A prediction-only sample: no `attention`, no `series`, a `prediction`.
   * Its one row has no values (all missing); a renderer shows the text and
   * the prediction without colours.
   */
  predictionOnly: boolean;
  prediction?: number[];
  label?: string | number | boolean;
  title?: string;
  /** How the values were obtained (payload `method`). */
  method?: string;
  meta?: { [key: string]: unknown };
  scale: IScale;
}

export interface INormalizedPayload {
  samples: INormalizedSample[];
  options: IResolvedOptions;
  /** True when the payload was a batch (`samples`). */
  isBatch: boolean;
  title?: string;
  meta?: { [key: string]: unknown };
}

/** Split a text into Unicode code points, as Keras's char-level Tokenizer does. */
export function splitCodePoints(text: string): string[] {
  return Array.from(text);
}

/** Merge defaults < settings < payload options (invalid entries are skipped). */
export function resolveOptions(
  payloadOptions: IPayloadOptions | undefined,
  settings: IDisplaySettings = {}
): IResolvedOptions {
  const resolved: IResolvedOptions = { ...DEFAULT_OPTIONS };
  for (const source of [
    settings as IPayloadOptions & IDisplaySettings,
    payloadOptions ?? {}
  ]) {
    const s = source as IPayloadOptions & IDisplaySettings;
    if (
      typeof s.colormap === 'string' &&
      (COLORMAP_NAMES as ReadonlyArray<string>).indexOf(s.colormap) >= 0
    ) {
      resolved.colormap = s.colormap;
    }
    if (
      typeof s.normalize === 'string' &&
      (NORMALIZE_MODES as ReadonlyArray<string>).indexOf(s.normalize) >= 0
    ) {
      resolved.normalize = s.normalize;
    }
    if (isInteger(s.charsPerRow, 1, 1000)) {
      resolved.charsPerRow = s.charsPerRow;
    }
    if (isInteger(s.precision, 0, 17)) {
      resolved.precision = s.precision;
    }
    if (typeof s.shareScale === 'boolean') {
      resolved.shareScale = s.shareScale;
    }
    if (typeof s.showWhitespace === 'boolean') {
      resolved.showWhitespace = s.showWhitespace;
    }
  }
  // vmin/vmax only come from the payload: they belong to its data.
  if (payloadOptions && isFiniteNumber(payloadOptions.vmin)) {
    resolved.vmin = payloadOptions.vmin;
  }
  if (payloadOptions && isFiniteNumber(payloadOptions.vmax)) {
    resolved.vmax = payloadOptions.vmax;
  }
  return resolved;
}

/** Turn a valid payload into samples ready for the table model. */
export function normalizePayload(
  payload: Payload,
  settings: IDisplaySettings = {}
): INormalizedPayload {
  const options = resolveOptions(payload.options, settings);
  const isBatch = Array.isArray((payload as { samples?: unknown }).samples);
  const rawSamples: ISample[] = isBatch
    ? (payload as { samples: ISample[] }).samples
    : [payload as ISample];
  const samples = rawSamples.map((sample, index) =>
    Private.normalizeSample(sample, index)
  );
  // Signed values need a diverging map centred on 0: chosen automatically
  // unless the payload names a colour map (settings apply to unsigned data).
  const named =
    typeof payload.options?.colormap === 'string' &&
    (COLORMAP_NAMES as ReadonlyArray<string>).indexOf(
      payload.options.colormap
    ) >= 0;
  if (!named && Private.hasNegative(samples)) {
    options.colormap = 'RdBu';
  }
  const diverging = options.colormap === 'RdBu';
  if (options.shareScale) {
    const scale = computeScale(
      samples.map(sample => sample),
      options,
      diverging
    );
    samples.forEach(sample => (sample.scale = scale));
  } else {
    samples.forEach(
      sample => (sample.scale = computeScale([sample], options, diverging))
    );
  }
  const result: INormalizedPayload = { samples, options, isBatch };
  if (isBatch) {
    const batch = payload as { title?: unknown; meta?: unknown };
    if (typeof batch.title === 'string') {
      result.title = batch.title;
    }
    if (isPlainObject(batch.meta)) {
      result.meta = batch.meta;
    }
  }
  return result;
}

/**
 * The colour scale of some samples (unmasked, finite values only):
 * - `none`: sequential maps use [min(0, data min), data max] (0 is the lightest
 *   colour); diverging maps use [-max|v|, max|v|];
 * - `minmax`: [data min, data max];
 * - `max`: [0, max|v|], or [-max|v|, max|v|] for signed data or a diverging map.
 * `vmin` / `vmax` override either end. An empty or flat range is widened so
 * that it is never zero-width.
 */
export function computeScale(
  samples: INormalizedSample[],
  options: IResolvedOptions,
  diverging: boolean
): IScale {
  let min = Infinity;
  let max = -Infinity;
  for (const sample of samples) {
    const mask = sample.mask;
    for (const row of sample.rows) {
      const values = row.values;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (mask[i] === 1 && v === v) {
          if (v < min) {
            min = v;
          }
          if (v > max) {
            max = v;
          }
        }
      }
    }
  }
  let lo: number;
  let hi: number;
  if (min > max) {
    lo = diverging ? -1 : 0;
    hi = 1;
  } else {
    const absMax = Math.max(Math.abs(min), Math.abs(max));
    if (options.normalize === 'minmax') {
      lo = min;
      hi = max;
    } else if (options.normalize === 'max') {
      hi = absMax;
      lo = diverging || min < 0 ? -absMax : 0;
    } else if (diverging) {
      lo = -absMax;
      hi = absMax;
    } else {
      lo = Math.min(0, min);
      hi = max;
    }
  }
  if (options.vmin !== undefined) {
    lo = options.vmin;
  }
  if (options.vmax !== undefined) {
    hi = options.vmax;
  }
  if (!(hi > lo)) {
    if (hi > 0) {
      lo = 0;
    } else if (lo < 0) {
      hi = 0;
    } else {
      hi = lo + 1;
    }
    if (!(hi > lo)) {
      hi = lo + 1;
    }
  }
  return { lo, hi, diverging };
}

/** Position of `value` in a scale, in [0, 1] (NaN stays NaN). */
export function scalePosition(value: number, scale: IScale): number {
  // Halves first: exact, and `hi - lo` cannot overflow for values near ±1.8e308.
  const t = (value / 2 - scale.lo / 2) / (scale.hi / 2 - scale.lo / 2);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= min &&
    value <= max
  );
}

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

namespace Private {
  /** Whether any unmasked value is below 0. */
  export function hasNegative(samples: INormalizedSample[]): boolean {
    for (const sample of samples) {
      for (const row of sample.rows) {
        for (let i = 0; i < row.values.length; i++) {
          if (row.values[i] < 0 && sample.mask[i] === 1) {
            return true;
          }
        }
      }
    }
    return false;
  }

  export function normalizeSample(
    sample: ISample,
    index: number
  ): INormalizedSample {
    const tokens =
      typeof sample.text === 'string'
        ? splitCodePoints(sample.text)
        : Array.isArray(sample.tokens)
          ? stringTokens(sample.tokens)
          : [];
    const count = tokens.length;
    const rows: INormalizedRow[] = [];
    const hasSeries = Array.isArray(sample.series);
    if (hasSeries) {
      for (const series of sample.series!) {
        rows.push({
          name: typeof series?.name === 'string' ? series.name : '',
          values: toValues(series?.values, count)
        });
      }
    } else {
      rows.push({ name: '', values: toValues(sample.attention, count) });
    }
    const mask = new Uint8Array(count).fill(1);
    let maskedCount = 0;
    if (Array.isArray(sample.mask)) {
      for (let i = 0; i < count; i++) {
        if (sample.mask[i] === false) {
          mask[i] = 0;
          maskedCount++;
        }
      }
    }
    const result: INormalizedSample = {
      index,
      tokens,
      rows,
      mask,
      maskedCount,
      hasSeries,
      predictionOnly: !hasSeries && !Array.isArray(sample.attention),
      scale: { lo: 0, hi: 1, diverging: false }
    };
    if (isFiniteNumber(sample.prediction)) {
      result.prediction = [sample.prediction];
    } else if (Array.isArray(sample.prediction)) {
      result.prediction = sample.prediction.filter(isFiniteNumber);
    }
    const label = sample.label;
    if (
      typeof label === 'string' ||
      typeof label === 'boolean' ||
      isFiniteNumber(label)
    ) {
      result.label = label;
    }
    if (typeof sample.title === 'string') {
      result.title = sample.title;
    }
    if (typeof sample.method === 'string') {
      result.method = sample.method;
    }
    if (isPlainObject(sample.meta)) {
      result.meta = sample.meta;
    }
    return result;
  }

  /** The tokens themselves when all are strings (the validated case), else a cleaned copy. */
  export function stringTokens(tokens: unknown[]): string[] {
    for (let i = 0; i < tokens.length; i++) {
      if (typeof tokens[i] !== 'string') {
        return tokens.map(token => (typeof token === 'string' ? token : ''));
      }
    }
    return tokens as string[];
  }

  /** Values as a Float64Array of the token count (NaN = missing). */
  export function toValues(values: unknown, count: number): Float64Array {
    const out = new Float64Array(count).fill(NaN);
    if (Array.isArray(values)) {
      const n = Math.min(count, values.length);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v === 'number' && Number.isFinite(v)) {
          out[i] = v;
        }
      }
    }
    return out;
  }
}
