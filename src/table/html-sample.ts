/**
 * One sample of the HTML export: header (each field isolated in `<bdi>`),
 * notes, legend and table, written as a sequence of flat strings of a few
 * kilobytes so that a million cells never pile up in memory as one string
 * being built. Pure.
 */
import { SIGNED_MEANING, SIGNED_MEANING_DETAIL } from './colormaps';
import { attributeValue, escapeHtml } from './escape';
import { formatValue } from './format';
import { glyphFor, visibleControls } from './glyphs';
import { IHeaderField } from './header';
import {
  columnLabels,
  groupRange,
  ISampleTable,
  ITableModel,
  LEVEL_MASKED
} from './model';

/** Row groups written into one chunk. */
const GROUPS_PER_CHUNK = 32;

/**
 * The HTML of sample `index` in chunks; `names` are the class names of the
 * colour levels.
 */
export function* sampleChunks(
  model: ITableModel,
  sample: ISampleTable,
  index: number,
  names: ReadonlyArray<string>
): Generator<string> {
  yield '<div class=c-s>' + headerHtml(sample) + legendHtml(sample, index);
  yield tableHead(sample);
  const cells = new CellWriter(model, sample, names);
  // Pieces joined per chunk: one flat string each, the pieces then garbage.
  let pieces: string[] = [];
  for (let group = 0; group < sample.groupCount; group++) {
    cells.group(group, pieces);
    if ((group + 1) % GROUPS_PER_CHUNK === 0) {
      yield pieces.join('');
      pieces = [];
    }
  }
  pieces.push('</table></div>');
  yield pieces.join('');
}

/** The header line, its notes, and the full meta as its tooltip. */
export function headerHtml(sample: ISampleTable): string {
  const { header } = sample;
  const tooltip = header.tooltip
    ? ` title=${attributeValue(header.tooltip)}`
    : '';
  let html = `<div class=c-h${tooltip}>`;
  for (const field of header.fields) {
    html += fieldHtml(field);
  }
  html += '</div>';
  for (const note of header.notes) {
    html += `<div class=c-m><bdi>${escapeHtml(note)}</bdi></div>`;
  }
  return html;
}

function fieldHtml(field: IHeaderField): string {
  const value = `<bdi>${escapeHtml(field.value)}</bdi>`;
  switch (field.kind) {
    case 'title':
      return `<b>${value}</b>`;
    case 'summary':
      return `<span>${value}</span>`;
    default:
      return field.name
        ? `<span>${escapeHtml(field.name)} <b>${value}</b></span>`
        : `<span><b>${value}</b></span>`;
  }
}

function legendHtml(sample: ISampleTable, index: number): string {
  if (sample.valueless) {
    return '';
  }
  const { legend } = sample;
  const meaning = legend.signed
    ? `<span class=c-g title=${attributeValue(SIGNED_MEANING_DETAIL)}>${escapeHtml(SIGNED_MEANING)}</span>`
    : '';
  return (
    `<div class=c-l><span>${escapeHtml(legend.colormap)}</span><span>${escapeHtml(legend.loText)}</span>` +
    `<i class=g${index}></i><span>${escapeHtml(legend.hiText)}</span>${meaning}</div>`
  );
}

function tableHead(sample: ISampleTable): string {
  const named = sample.named;
  let head =
    (named ? '<table class=c-n>' : '<table>') +
    '<thead><tr><th>' +
    (named ? '<th>' : '');
  for (const column of columnLabels(sample)) {
    head += `<th>${column}`;
  }
  return head + '</thead>';
}

/** Writes the cells of a sample's row groups, with optional end tags left out. */
class CellWriter {
  constructor(
    model: ITableModel,
    private readonly _sample: ISampleTable,
    private readonly _names: ReadonlyArray<string>
  ) {
    this._precision = model.options.precision;
    this._showWhitespace = model.options.showWhitespace;
    this._seriesNames = _sample.series.map(series =>
      escapeHtml(visibleControls(series.name))
    );
  }

  /** One `<tbody>` (a row per series), pushed onto `out`. */
  group(group: number, out: string[]): void {
    const sample = this._sample;
    const [start, end] = groupRange(sample, group);
    const seriesCount = sample.series.length;
    out.push('<tbody>');
    for (let r = 0; r < seriesCount; r++) {
      if (!sample.named) {
        out.push(`<tr><th>${start}`);
      } else if (r === 0) {
        out.push(
          `<tr><th${seriesCount > 1 ? ` rowspan=${seriesCount}` : ''}>${start}` +
            `<th class=c-r><bdi>${this._seriesNames[r]}</bdi>`
        );
      } else {
        out.push(`<tr><th class=c-r><bdi>${this._seriesNames[r]}</bdi>`);
      }
      this._row(r, start, end, out);
    }
  }

  private _row(r: number, start: number, end: number, out: string[]): void {
    const { levels, values } = this._sample.series[r];
    const tokens = this._sample.tokens;
    const names = this._names;
    const precision = this._precision;
    const plain = this._sample.valueless;
    for (let pos = start; pos < end; pos++) {
      const level = levels[pos];
      const text = this._text(tokens[pos]);
      const v = values[pos];
      if (level >= 0) {
        out.push(
          `<td class=${names[level]} title=${formatValue(v, precision)}>${text}`
        );
      } else if (level === LEVEL_MASKED) {
        const value =
          v === v ? formatValue(v, precision) + ' masked' : 'masked';
        out.push(`<td class=M title=${attributeValue(value)}>${text}`);
      } else if (plain) {
        out.push(`<td class=P>${text}`);
      } else {
        out.push(`<td class=N title=missing>${text}`);
      }
    }
  }

  /** Escaped cell content per distinct token (texts repeat their characters). */
  private _text(token: string): string {
    let text = this._cellText.get(token);
    if (text === undefined) {
      const { glyph, whitespace } = glyphFor(token, this._showWhitespace);
      text = whitespace ? `<i>${escapeHtml(glyph)}</i>` : escapeHtml(glyph);
      if (this._cellText.size < 100000) {
        this._cellText.set(token, text);
      }
    }
    return text;
  }

  private readonly _precision: number;
  private readonly _showWhitespace: boolean;
  private readonly _seriesNames: string[];
  private readonly _cellText = new Map<string, string>();
}
