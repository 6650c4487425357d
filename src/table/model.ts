/**
 * The table model: one source of truth for the DOM renderer and the HTML
 * export. Rows of `charsPerRow` cells per value series, row headers, per-cell
 * glyph / colour level / label, legend and header line. Pure.
 *
 * Per-cell data are kept in typed arrays (levels) and cell views are made on
 * demand, so a million-character payload costs a few arrays, not a million
 * objects.
 */
import {
  INormalizedPayload,
  INormalizedSample,
  IResolvedOptions,
  IScale
} from '../payload/normalize';
import { ColormapName } from '../payload/types';
import {
  COLORMAP_LEVELS,
  legendStops,
  palette,
  textPalette
} from './colormaps';

/** Level of a cell with no colour. */
export const LEVEL_MASKED = -1;
export const LEVEL_MISSING = -2;

export interface ILegend {
  colormap: ColormapName;
  lo: number;
  hi: number;
  loText: string;
  hiText: string;
  /** Evenly spaced colours from `lo` to `hi`. */
  stops: string[];
  /** CSS `linear-gradient(...)` of the stops, left to right. */
  gradient: string;
}

/** One value row of a sample (the sample's attention, or one series). */
export interface ITableRowSeries {
  name: string;
  values: Float64Array;
  /** Colour level per token: 0..255, LEVEL_MASKED or LEVEL_MISSING. */
  levels: Int16Array;
}

export interface ISampleTable {
  index: number;
  tokens: string[];
  mask: Uint8Array;
  maskedCount: number;
  series: ITableRowSeries[];
  /** True when row headers show series names (sample given with `series`). */
  named: boolean;
  charsPerRow: number;
  /** Number of row groups (`ceil(tokens / charsPerRow)`, at least 1). */
  groupCount: number;
  scale: IScale;
  legend: ILegend;
  /** Heading text (explicit title, else `Sample <i>` in a batch, else ``). */
  title: string;
  /** True when `title` is the generated `Sample <i>` (a view may translate it). */
  autoTitle: boolean;
  /** Formatted prediction(s), `` when absent. */
  prediction: string;
  /** Label as text, `` when absent. */
  label: string;
  /**
   * What the values are, from `meta.method` of the sample or the batch
   * (`attention` when neither says): `attention`, `occlusion (window 3)`,
   * `integrated gradients (32 steps)`...
   */
  method: string;
  /** Short summary, e.g. `250 characters, 70 masked`. */
  summary: string;
  /** Meta as compact JSON (at most 300 characters), `` when absent. */
  meta: string;
  /** The full header line as plain text. */
  headerLine: string;
}

export interface ITableModel {
  samples: ISampleTable[];
  options: IResolvedOptions;
  colormap: ColormapName;
  /** 256 background colours of the map. */
  palette: ReadonlyArray<string>;
  /** 256 text colours (contrast >= 4.5 on the matching background). */
  textColors: ReadonlyArray<string>;
  title: string;
  totalTokens: number;
}

/** Everything a view needs to draw one cell. */
export interface ICellView {
  /** Token index in the sample. */
  pos: number;
  token: string;
  glyph: string;
  /** Whitespace or control character drawn as a dimmed glyph. */
  whitespace: boolean;
  masked: boolean;
  missing: boolean;
  /** Exact value (null when missing). */
  value: number | null;
  /** The value at the display precision, as the legend shows it ('' when missing). */
  valueText: string;
  /** 0..255, LEVEL_MASKED or LEVEL_MISSING. */
  level: number;
  background: string | null;
  foreground: string | null;
  /** `U+0068` (several code points are joined with spaces). */
  codePoints: string;
  /** Full description for `title` / `aria-label`. */
  label: string;
}

/** Build the table model of a normalised payload. */
export function buildTableModel(payload: INormalizedPayload): ITableModel {
  const model = buildTableShell(payload);
  payload.samples.forEach((_, index) =>
    model.samples.push(buildSampleTable(payload, index))
  );
  return model;
}

/**
 * The table model of a payload without its samples (`samples` is empty):
 * a view that draws sample by sample builds each one with
 * `buildSampleTable` when it gets to it, so a large batch never costs one
 * long task up front.
 */
export function buildTableShell(payload: INormalizedPayload): ITableModel {
  const colormap = payload.options.colormap;
  let totalTokens = 0;
  for (const sample of payload.samples) {
    totalTokens += sample.tokens.length;
  }
  return {
    samples: [],
    options: payload.options,
    colormap,
    palette: palette(colormap),
    textColors: textPalette(colormap),
    title: payload.title ?? '',
    totalTokens
  };
}

/** The table of sample `index` of a normalised payload. */
export function buildSampleTable(
  payload: INormalizedPayload,
  index: number
): ISampleTable {
  return Private.buildSample(
    payload.samples[index],
    payload.options,
    payload.isBatch,
    payload.meta
  );
}

/** The view of one cell (`rowIndex` selects the series). */
export function getCell(
  model: ITableModel,
  sample: ISampleTable,
  rowIndex: number,
  pos: number
): ICellView {
  const series = sample.series[rowIndex];
  const token = sample.tokens[pos] ?? '';
  const { glyph, whitespace } = glyphFor(token, model.options.showWhitespace);
  const level = series.levels[pos];
  const raw = series.values[pos];
  const value = raw === raw ? raw : null;
  const masked = level === LEVEL_MASKED;
  const missing = value === null;
  const codePoints = codePointsOf(token);
  const valueText =
    value === null ? '' : formatValue(value, model.options.precision);
  const parts = [
    `'${glyph}'`,
    codePoints,
    `position ${pos}`,
    value === null ? 'no value' : `value ${valueText}`
  ];
  if (sample.named) {
    parts.push(series.name);
  }
  if (masked) {
    parts.push('masked');
  }
  return {
    pos,
    token,
    glyph,
    whitespace,
    masked,
    missing,
    value,
    valueText,
    level,
    background: level >= 0 ? model.palette[level] : null,
    foreground: level >= 0 ? model.textColors[level] : null,
    codePoints,
    label: parts.join(', ')
  };
}

/** Column header labels of a sample's table (`0 .. charsPerRow-1`). */
export function columnLabels(sample: ISampleTable): number[] {
  const count = Math.min(sample.charsPerRow, Math.max(1, sample.tokens.length));
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    labels.push(i);
  }
  return labels;
}

/** Token range [start, end) of a row group. */
export function groupRange(
  sample: ISampleTable,
  group: number
): [number, number] {
  const start = group * sample.charsPerRow;
  return [start, Math.min(sample.tokens.length, start + sample.charsPerRow)];
}

/**
 * Format a value with `precision` significant digits (at least 1), without
 * trailing zeros, in the shorter of plain and exponent notation:
 * 0.0041234 -> `0.004123`, 12.5 -> `12.5`, 0.000012345 -> `1.235e-5`.
 * The one formatting of values: legends, headers, hover, labels and exports.
 *
 * A value that is not exactly ±1 never shows as `1` (a probability of
 * 0.99995 is not certain): digits are added until it differs (0.99995).
 * Rounding to significant digits never turns a non-zero value into `0`.
 */
export function formatValue(value: number, precision: number): string {
  const digits = Math.max(1, Math.min(17, Math.floor(precision)));
  let text = Private.formatDigits(value, digits);
  if (Math.abs(value) !== 1) {
    for (
      let more = digits + 1;
      more <= 17 && Math.abs(Number(text)) === 1;
      more++
    ) {
      text = Private.formatDigits(value, more);
    }
  }
  return text;
}

/** Names of the explanation methods as the header shows them. */
const METHOD_NAMES: { [method: string]: string } = {
  attention: 'attention',
  occlusion: 'occlusion',
  'grad-x-input': 'gradient × input',
  'integrated-gradients': 'integrated gradients'
};

/**
 * The header's name of the method behind the values: `meta.method` of the
 * sample, else of the batch, else `attention` (a payload's values are
 * attention unless it says otherwise), with its window or steps when given.
 */
export function methodName(
  sampleMeta?: { [key: string]: unknown },
  batchMeta?: { [key: string]: unknown }
): string {
  const meta =
    sampleMeta && typeof sampleMeta.method === 'string'
      ? sampleMeta
      : batchMeta && typeof batchMeta.method === 'string'
        ? batchMeta
        : {};
  const method = typeof meta.method === 'string' ? meta.method : 'attention';
  const name = METHOD_NAMES[method] ?? method;
  const details: string[] = [];
  if (typeof meta.window === 'number' && meta.window > 1) {
    details.push(`window ${meta.window}`);
  }
  if (typeof meta.steps === 'number') {
    details.push(`${meta.steps} steps`);
  }
  return details.length ? `${name} (${details.join(', ')})` : name;
}

/** `U+0068` for each code point of a token (at most 8, then `…`). */
export function codePointsOf(token: string): string {
  let hit = Private.codePointCache.get(token);
  if (hit === undefined) {
    hit = Private.computeCodePoints(token);
    if (Private.codePointCache.size < 100000) {
      Private.codePointCache.set(token, hit);
    }
  }
  return hit;
}

namespace Private {
  export const codePointCache = new Map<string, string>();

  export function formatDigits(value: number, digits: number): string {
    if (!Number.isFinite(value)) {
      return String(value);
    }
    if (value === 0) {
      return '0';
    }
    // Below 0.00095 no rounding reaches 0.001, so the plain form has at least
    // three leading zeros and is always longer: skip straight to the exponent
    // form (softmax values over long texts are mostly this small). Beyond 15
    // digits the shortest round-trip form can be shorter, so take the full path.
    if (digits <= 15 && Math.abs(value) < 0.00095) {
      return scientific(value, digits);
    }
    const fixed = value.toPrecision(digits);
    if (fixed.indexOf('e') < 0) {
      const plain = trimZeros(fixed);
      // Exponent notation only pays off with several leading zeros (0.000012).
      const zeros =
        value < 0 ? fixed.startsWith('-0.000') : fixed.startsWith('0.000');
      if (!zeros) {
        return plain;
      }
      const exponent = scientific(value, digits);
      return exponent.length < plain.length ? exponent : plain;
    }
    const plain = String(Number(fixed));
    const exponent = scientific(value, digits);
    return exponent.length < plain.length ? exponent : plain;
  }

  /** `12.50` -> `12.5`, `3.000` -> `3` (only after a decimal point). */
  export function trimZeros(text: string): string {
    if (text.indexOf('.') < 0) {
      return text;
    }
    let end = text.length;
    while (text.charCodeAt(end - 1) === 48) {
      end--;
    }
    if (text.charCodeAt(end - 1) === 46) {
      end--;
    }
    return text.slice(0, end);
  }

  /** `1.235e-5` style, without trailing zeros or a `+`. */
  export function scientific(value: number, digits: number): string {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
    return `${trimZeros(mantissa)}e${exponent.charAt(0) === '+' ? exponent.slice(1) : exponent}`;
  }

  export function computeCodePoints(token: string): string {
    const points = Array.from(token);
    if (points.length === 0) {
      return 'empty';
    }
    const shown = points
      .slice(0, 8)
      .map(
        point =>
          'U+' +
          point.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
      );
    return shown.join(' ') + (points.length > 8 ? ' …' : '');
  }
}

/** Visible glyph of a token: whitespace and controls become symbols. */
export function glyphFor(
  token: string,
  showWhitespace = true
): { glyph: string; whitespace: boolean } {
  const cache = showWhitespace ? Private.glyphCache : Private.plainGlyphCache;
  let hit = cache.get(token);
  if (!hit) {
    hit = Private.computeGlyph(token, showWhitespace);
    if (cache.size < 100000) {
      cache.set(token, hit);
    }
  }
  return hit;
}

namespace Private {
  export const glyphCache = new Map<
    string,
    { glyph: string; whitespace: boolean }
  >();
  export const plainGlyphCache = new Map<
    string,
    { glyph: string; whitespace: boolean }
  >();

  export const NAMED: { [char: string]: string } = {
    ' ': '␣',
    '\n': '↵',
    '\t': '⇥',
    '\r': '␍',
    '\u00a0': '⍽',
    '\u007f': '␡'
  };
  /** Invisible format characters (zero-width spaces, joiners, marks, selectors). */
  export function isInvisible(code: number): boolean {
    return (
      code === 0x00ad ||
      code === 0x034f ||
      code === 0x061c ||
      code === 0x115f ||
      code === 0x1160 ||
      code === 0x17b4 ||
      code === 0x17b5 ||
      (code >= 0x180b && code <= 0x180f) ||
      (code >= 0x200b && code <= 0x200f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2060 && code <= 0x206f) ||
      (code >= 0xfe00 && code <= 0xfe0f) ||
      code === 0xfeff
    );
  }
  export const SPACE = /^\s$/u;
  export const COMBINING = /^\p{M}/u;

  export function pointGlyph(point: string): {
    glyph: string;
    special: boolean;
  } {
    if (NAMED[point]) {
      return { glyph: NAMED[point], special: true };
    }
    const code = point.codePointAt(0)!;
    if (code < 0x20) {
      return { glyph: String.fromCharCode(0x2400 + code), special: true };
    }
    if (code >= 0x80 && code < 0xa0) {
      return { glyph: '·', special: true };
    }
    if (SPACE.test(point)) {
      return { glyph: '␣', special: true };
    }
    if (isInvisible(code)) {
      return { glyph: '·', special: true };
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      // A lone surrogate cannot be shown.
      return { glyph: '\ufffd', special: true };
    }
    return { glyph: point, special: false };
  }

  export function computeGlyph(
    token: string,
    showWhitespace: boolean
  ): { glyph: string; whitespace: boolean } {
    if (token === '') {
      return { glyph: '', whitespace: false };
    }
    const points = Array.from(token);
    let allSpecial = true;
    let glyph = '';
    for (const point of points) {
      const shown = pointGlyph(point);
      allSpecial = allSpecial && shown.special;
      if (shown.special && !showWhitespace && SPACE.test(point)) {
        glyph += '\u00a0';
      } else {
        glyph += shown.glyph;
      }
    }
    if (COMBINING.test(glyph)) {
      // A lone combining mark would attach to the cell border: give it a base.
      glyph = '◌' + glyph;
    }
    return { glyph, whitespace: allSpecial };
  }

  /** `key: value` pairs for flat metadata, compact JSON otherwise. */
  export function formatMeta(meta: { [key: string]: unknown }): string {
    try {
      return Object.keys(meta)
        .map(key => {
          const value = meta[key];
          const text =
            typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
          return `${key}: ${text}`;
        })
        .join(' · ');
    } catch {
      return '';
    }
  }

  export function buildSample(
    sample: INormalizedSample,
    options: IResolvedOptions,
    isBatch: boolean,
    batchMeta?: { [key: string]: unknown }
  ): ISampleTable {
    const { scale, mask } = sample;
    const span = scale.hi - scale.lo;
    const top = COLORMAP_LEVELS - 1;
    const series = sample.rows.map(row => {
      const values = row.values;
      const levels = new Int16Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (mask[i] === 0) {
          levels[i] = LEVEL_MASKED;
        } else if (v !== v) {
          levels[i] = LEVEL_MISSING;
        } else {
          let t = (v - scale.lo) / span;
          t = t < 0 ? 0 : t > 1 ? 1 : t;
          levels[i] = Math.round(t * top);
        }
      }
      return { name: row.name, values, levels };
    });
    const precision = options.precision;
    const stops = legendStops(options.colormap, 9);
    const title = sample.title ?? (isBatch ? `Sample ${sample.index}` : '');
    const prediction = sample.prediction
      ? sample.prediction.map(p => formatValue(p, precision)).join(', ')
      : '';
    const label = sample.label === undefined ? '' : String(sample.label);
    const count = sample.tokens.length;
    let summary = `${count} ${count === 1 ? 'character' : 'characters'}`;
    if (sample.maskedCount > 0) {
      summary += `, ${sample.maskedCount} masked`;
    }
    if (sample.hasSeries) {
      summary += `, ${series.length} series`;
    }
    // The payload's own `method` text wins; else `meta.method` names it.
    const method = sample.method ?? methodName(sample.meta, batchMeta);
    // The method is in the header already.
    const shownMeta = sample.meta ? { ...sample.meta } : undefined;
    if (shownMeta) {
      delete shownMeta.method;
    }
    let meta = '';
    if (shownMeta && Object.keys(shownMeta).length > 0) {
      meta = Private.formatMeta(shownMeta);
      if (meta.length > 300) {
        meta = meta.slice(0, 299) + '…';
      }
    }
    const headerParts = [title, `method ${method}`];
    if (prediction) {
      headerParts.push(`prediction ${prediction}`);
    }
    if (label) {
      headerParts.push(`label ${label}`);
    }
    headerParts.push(summary);
    return {
      index: sample.index,
      tokens: sample.tokens,
      mask,
      maskedCount: sample.maskedCount,
      series,
      named: sample.hasSeries,
      charsPerRow: options.charsPerRow,
      groupCount: Math.max(1, Math.ceil(count / options.charsPerRow)),
      scale,
      legend: {
        colormap: options.colormap,
        lo: scale.lo,
        hi: scale.hi,
        loText: formatValue(scale.lo, precision),
        hiText: formatValue(scale.hi, precision),
        stops,
        gradient: `linear-gradient(to right, ${stops.join(', ')})`
      },
      title,
      autoTitle: sample.title === undefined && isBatch,
      prediction,
      label,
      method,
      summary,
      meta,
      headerLine: headerParts.filter(part => part !== '').join(' · ')
    };
  }
}
