/**
 * The table model: one source of truth for the DOM renderer and the HTML
 * export. Rows of `charsPerRow` cells per value series, row headers, per-cell
 * glyph / colour level / label, legend and header. Pure.
 *
 * Per-cell data are kept in typed arrays (levels) and cell views are made on
 * demand, so a million-character payload costs a few arrays, not a million
 * objects.
 */
import {
  INormalizedPayload,
  INormalizedSample,
  IResolvedOptions,
  IScale,
  scalePosition
} from '../payload/normalize';
import { ColormapName } from '../payload/types';
import {
  COLORMAP_LEVELS,
  isDiverging,
  legendStops,
  palette,
  textPalette
} from './colormaps';
import { codePointsOf, formatValue } from './format';
import { glyphFor } from './glyphs';
import { IHeaderSource, ISampleHeader, sampleHeader } from './header';

export { codePointsOf, formatValue } from './format';
export { glyphFor } from './glyphs';
export { methodName } from './header';

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
  /** A diverging map for signed values: the legend says what its ends mean. */
  signed: boolean;
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
  /** True when no position has a value: a plain row of text, no colours. */
  valueless: boolean;
  charsPerRow: number;
  /** Number of row groups (`ceil(tokens / charsPerRow)`, at least 1). */
  groupCount: number;
  scale: IScale;
  legend: ILegend;
  /** What the header is made of (a view builds it in its own words). */
  source: IHeaderSource;
  /** The header in English (exports, text). */
  header: ISampleHeader;
  /** Heading text (explicit title, else `Sample <i + 1>` in a batch, else ``). */
  title: string;
  /** What the values are, in words (`integrated gradients`). */
  method: string;
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
  /** The batch's own meta (shown once under the batch title). */
  meta?: { [key: string]: unknown };
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
  const model: ITableModel = {
    samples: [],
    options: payload.options,
    colormap,
    palette: palette(colormap),
    textColors: textPalette(colormap),
    title: payload.title ?? '',
    totalTokens
  };
  if (payload.meta) {
    model.meta = payload.meta;
  }
  return model;
}

/** The table of sample `index` of a normalised payload. */
export function buildSampleTable(
  payload: INormalizedPayload,
  index: number
): ISampleTable {
  const sample = payload.samples[index];
  const { options } = payload;
  const { series, valueless } = Private.levelRows(sample);
  const source = Private.headerSource(sample, payload, valueless);
  const header = sampleHeader(source);
  const count = sample.tokens.length;
  return {
    index: sample.index,
    tokens: sample.tokens,
    mask: sample.mask,
    maskedCount: sample.maskedCount,
    series,
    named: sample.hasSeries,
    valueless,
    charsPerRow: options.charsPerRow,
    groupCount: Math.max(1, Math.ceil(count / options.charsPerRow)),
    scale: sample.scale,
    legend: Private.legend(sample.scale, options),
    source,
    header,
    title: header.fields.find(field => field.kind === 'title')?.value ?? '',
    method: header.fields.find(field => field.kind === 'method')?.value ?? ''
  };
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
  return {
    pos,
    token,
    glyph,
    whitespace,
    masked: level === LEVEL_MASKED,
    missing: value === null,
    value,
    valueText:
      value === null ? '' : formatValue(value, model.options.precision),
    level,
    background: level >= 0 ? model.palette[level] : null,
    foreground: level >= 0 ? model.textColors[level] : null,
    codePoints: codePointsOf(token)
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

/** The colour level (0..255) of a value on a scale. */
export function levelOfValue(value: number, scale: IScale): number {
  // `scalePosition` halves first: `hi - lo` of ±1e308 would overflow.
  return Math.round(scalePosition(value, scale) * (COLORMAP_LEVELS - 1));
}

namespace Private {
  /** Colour levels of every row; `valueless` when no position has a value. */
  export function levelRows(sample: INormalizedSample): {
    series: ITableRowSeries[];
    valueless: boolean;
  } {
    const { scale, mask } = sample;
    let valued = 0;
    const series = sample.rows.map(row => {
      const values = row.values;
      const levels = new Int16Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v === v) {
          valued++;
        }
        levels[i] =
          mask[i] === 0
            ? LEVEL_MASKED
            : v !== v
              ? LEVEL_MISSING
              : levelOfValue(v, scale);
      }
      return { name: row.name, values, levels };
    });
    return { series, valueless: valued === 0 };
  }

  export function headerSource(
    sample: INormalizedSample,
    payload: INormalizedPayload,
    valueless: boolean
  ): IHeaderSource {
    const source: IHeaderSource = {
      index: sample.index,
      isBatch: payload.isBatch,
      tokenCount: sample.tokens.length,
      maskedCount: sample.maskedCount,
      seriesCount: sample.hasSeries ? sample.rows.length : 0,
      valueless,
      precision: payload.options.precision
    };
    if (sample.title !== undefined) {
      source.title = sample.title;
    }
    if (sample.prediction) {
      source.prediction = sample.prediction;
    }
    if (sample.label !== undefined) {
      source.label = sample.label;
    }
    if (sample.method !== undefined) {
      source.method = sample.method;
    }
    if (sample.meta) {
      source.meta = sample.meta;
    }
    if (payload.meta) {
      source.batchMeta = payload.meta;
    }
    return source;
  }

  export function legend(scale: IScale, options: IResolvedOptions): ILegend {
    const stops = legendStops(options.colormap, 9);
    return {
      colormap: options.colormap,
      lo: scale.lo,
      hi: scale.hi,
      loText: formatValue(scale.lo, options.precision),
      hiText: formatValue(scale.hi, options.precision),
      stops,
      gradient: `linear-gradient(to right, ${stops.join(', ')})`,
      signed: isDiverging(options.colormap)
    };
  }
}
