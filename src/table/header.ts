/**
 * The header of one sample, as every view shows it (the DOM table, the HTML
 * export, and mirrored by the Python helper): title, method, rounded
 * prediction, label, a few named facts from `meta`, a summary, notes, and the
 * full-precision meta for a tooltip. Every payload string has its
 * bidirectional controls made visible. Pure.
 */
import { formatPercent, formatValue } from './format';
import { visibleControls } from './glyphs';
import { ENGLISH, ITranslate } from './translate';

/** What a header is made of: plain data of one sample of a payload. */
export interface IHeaderSource {
  /** 0-based index of the sample in the payload (shown from 1). */
  index: number;
  isBatch: boolean;
  title?: string;
  prediction?: number[];
  label?: string | number | boolean;
  /** The payload's own `method` text. */
  method?: string;
  meta?: { [key: string]: unknown };
  batchMeta?: { [key: string]: unknown };
  tokenCount: number;
  maskedCount: number;
  /** Number of named series (0 for a sample given with `attention`). */
  seriesCount: number;
  /** True when no position has a value (a prediction without values). */
  valueless: boolean;
  /** Significant digits of values (the header rounds to at most 3). */
  precision: number;
}

export type HeaderFieldKind =
  'title' | 'method' | 'prediction' | 'label' | 'fact' | 'summary';

export interface IHeaderField {
  kind: HeaderFieldKind;
  /** Shown before the value (`` for none). */
  name: string;
  /** The value as shown: rounded, controls made visible. */
  value: string;
  /** The meta key of a fact. */
  key?: string;
}

export interface ISampleHeader {
  fields: IHeaderField[];
  /** Lines under the header: a notice, what was inferred, no values. */
  notes: string[];
  /** Full precision: the prediction and every meta key, one per line. */
  tooltip: string;
  /** The fields as one line of text, ` · ` between them. */
  line: string;
}

/** Significant digits of predictions and facts in the header. */
export const HEADER_DIGITS = 3;
/** Predictions shown in the header (all of them are in the tooltip). */
export const HEADER_PREDICTIONS = 4;
/** Longest text of one meta value in the tooltip. */
export const TOOLTIP_VALUE_LENGTH = 1000;

/** `Sample 1` for index 0: samples are numbered from 1 for people. */
export function sampleName(index: number, trans: ITranslate = ENGLISH): string {
  return trans.__('Sample %1', index + 1);
}

/**
 * The method in words: the payload's `method` text, else `meta.method` of
 * the sample or the batch by its name, else `attention`.
 */
export function methodName(
  source: Pick<IHeaderSource, 'method' | 'meta' | 'batchMeta'>,
  trans: ITranslate = ENGLISH
): string {
  if (source.method !== undefined) {
    return visibleControls(source.method);
  }
  const key =
    stringOf(source.meta?.method) ?? stringOf(source.batchMeta?.method);
  switch (key ?? 'attention') {
    case 'attention':
      return trans.__('attention');
    case 'occlusion':
      return trans.__('occlusion');
    case 'grad-x-input':
      return trans.__('gradient × input');
    case 'integrated-gradients':
      return trans.__('integrated gradients');
    default:
      return visibleControls(key!);
  }
}

/** The header of a sample, in the words of `trans`. */
export function sampleHeader(
  source: IHeaderSource,
  trans: ITranslate = ENGLISH
): ISampleHeader {
  const fields: IHeaderField[] = [];
  const title =
    source.title !== undefined
      ? visibleControls(source.title)
      : source.isBatch
        ? sampleName(source.index, trans)
        : '';
  if (title) {
    fields.push({ kind: 'title', name: '', value: title });
  }
  const meta = { ...(source.batchMeta ?? {}), ...(source.meta ?? {}) };
  // Without values, no method made them: named only when the sample says so.
  if (!source.valueless || source.method !== undefined) {
    fields.push({ kind: 'method', name: '', value: methodName(source, trans) });
  }
  const digits = Math.max(1, Math.min(HEADER_DIGITS, source.precision));
  if (source.prediction && source.prediction.length > 0) {
    fields.push({
      kind: 'prediction',
      name: trans.__('prediction'),
      value: predictionText(source.prediction, digits, trans)
    });
  }
  if (source.label !== undefined) {
    fields.push({
      kind: 'label',
      name: trans.__('label'),
      value: visibleControls(String(source.label))
    });
  }
  fields.push(...facts(meta, trans));
  fields.push({ kind: 'summary', name: '', value: summary(source, trans) });
  return {
    fields,
    notes: notes(source, trans),
    tooltip: tooltip(source, meta),
    line: fields
      .map(field => (field.name ? `${field.name} ${field.value}` : field.value))
      .join(' · ')
  };
}

/**
 * Notes of a batch's own meta (what was inferred, a notice), shown once
 * under the batch title.
 */
export function batchNotes(
  batchMeta: { [key: string]: unknown } | undefined,
  trans: ITranslate = ENGLISH
): string[] {
  return batchMeta ? metaNotes(batchMeta, trans) : [];
}

/** Every key of a meta object at full precision, one `key: value` per line. */
export function metaTooltip(meta: { [key: string]: unknown }): string {
  return Object.keys(meta)
    .map(key => `${visibleControls(key)}: ${tooltipValue(meta[key])}`)
    .join('\n');
}

/** A fact of the header: a meta key, its name and how its value is shown. */
interface IFact {
  /** The key, and other keys some producers use for the same fact. */
  keys: string[];
  name: (trans: ITranslate) => string;
  /** The value as shown, or null to leave the fact out. */
  format: (value: unknown, trans: ITranslate) => string | null;
}

/** The facts of `meta` shown in the header, in this order; the rest is in the tooltip. */
const FACTS: IFact[] = [
  {
    keys: ['gapRelative', 'completenessGapRelative'],
    name: trans => trans.__('completeness gap'),
    format: value => (isFiniteNumber(value) ? formatPercent(value) : null)
  },
  {
    keys: ['converged'],
    name: () => '',
    format: (value, trans) =>
      value === false ? trans.__('not converged') : null
  },
  {
    keys: ['steps'],
    name: trans => trans.__('steps'),
    format: countText
  },
  {
    keys: ['window'],
    name: trans => trans.__('window'),
    format: countText
  },
  {
    keys: ['target'],
    name: trans => trans.__('target'),
    format: value =>
      isFiniteNumber(value)
        ? formatValue(value, 17)
        : typeof value === 'string'
          ? visibleControls(value)
          : null
  }
];

function facts(
  meta: { [key: string]: unknown },
  trans: ITranslate
): IHeaderField[] {
  const fields: IHeaderField[] = [];
  for (const fact of FACTS) {
    const key = fact.keys.find(name => name in meta);
    const value = key === undefined ? null : fact.format(meta[key], trans);
    if (value !== null) {
      fields.push({ kind: 'fact', name: fact.name(trans), value, key });
    }
  }
  return fields;
}

function predictionText(
  prediction: number[],
  digits: number,
  trans: ITranslate
): string {
  const shown = prediction
    .slice(0, HEADER_PREDICTIONS)
    .map(value => formatValue(value, digits))
    .join(', ');
  return prediction.length > HEADER_PREDICTIONS
    ? trans.__('%1, … (%2 values)', shown, prediction.length)
    : shown;
}

/** `250 characters, 70 masked, 2 series`. */
function summary(source: IHeaderSource, trans: ITranslate): string {
  const parts = [trans._n('%1 character', '%1 characters', source.tokenCount)];
  if (source.maskedCount > 0) {
    parts.push(trans.__('%1 masked', source.maskedCount));
  }
  if (source.seriesCount > 0) {
    parts.push(trans.__('%1 series', source.seriesCount));
  }
  return parts.join(', ');
}

function notes(source: IHeaderSource, trans: ITranslate): string[] {
  const said = source.meta ? metaNotes(source.meta, trans) : [];
  if (source.valueless) {
    said.push(
      source.prediction && source.prediction.length > 0
        ? trans.__('No per-character values: only the prediction is shown.')
        : trans.__('No per-character values.')
    );
  }
  return said;
}

/** `notice` and `inferences` of a meta object: shown, never only in a tooltip. */
function metaNotes(
  meta: { [key: string]: unknown },
  trans: ITranslate
): string[] {
  const said: string[] = [];
  if (typeof meta.notice === 'string' && meta.notice) {
    said.push(visibleControls(meta.notice));
  }
  const inferred = meta.inferences;
  if (Array.isArray(inferred) && inferred.length > 0) {
    const items = inferred.map(item =>
      typeof item === 'string' ? item : tooltipValue(item)
    );
    said.push(trans.__('inferred: %1', visibleControls(items.join('; '))));
  }
  return said;
}

function tooltip(
  source: IHeaderSource,
  meta: { [key: string]: unknown }
): string {
  const lines: string[] = [];
  if (source.prediction && source.prediction.length > 0) {
    lines.push(`prediction: ${source.prediction.map(String).join(', ')}`);
  }
  const text = metaTooltip(meta);
  if (text) {
    lines.push(text);
  }
  return lines.join('\n');
}

/** A meta value at full precision (numbers as JavaScript prints them). */
function tooltipValue(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === 'string'
        ? value
        : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  if (text.length > TOOLTIP_VALUE_LENGTH) {
    // Cut between code points (the Python helper counts them too).
    const points = Array.from(text);
    if (points.length > TOOLTIP_VALUE_LENGTH) {
      text = points.slice(0, TOOLTIP_VALUE_LENGTH - 1).join('') + '…';
    }
  }
  return visibleControls(text);
}

function countText(value: unknown): string | null {
  return isFiniteNumber(value) ? formatValue(value, 17) : null;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
