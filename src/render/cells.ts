/**
 * The cells of the DOM table as HTML (built as strings of escaped text: much
 * faster than element-by-element creation when a windowed table scrolls),
 * and the words that describe a cell to a reader (title, aria-label, the
 * status line).
 */
import type { ITranslate } from '../table/translate';
import { escapeHtml } from '../table/escape';
import { visibleControls } from '../table/glyphs';
import {
  getCell,
  groupRange,
  ICellView,
  ISampleTable,
  ITableModel
} from '../table/model';
import { CSS } from './css';

/** Row groups `from..to` of a sample as HTML: one `tbody` each, a `tr` per series. */
export function groupsHtml(
  model: ITableModel,
  sample: ISampleTable,
  from: number,
  to: number,
  trans: ITranslate
): string {
  const seriesCount = sample.series.length;
  const names = sample.series.map(series => visibleControls(series.name));
  const parts: string[] = [];
  for (let group = from; group <= to; group++) {
    const [start, end] = groupRange(sample, group);
    parts.push(`<tbody class="${CSS.group}" data-group="${group}">`);
    for (let r = 0; r < seriesCount; r++) {
      parts.push(`<tr aria-rowindex="${2 + group * seriesCount + r}">`);
      if (!sample.named || r === 0) {
        const span =
          sample.named && seriesCount > 1 ? ` rowspan="${seriesCount}"` : '';
        parts.push(
          `<th class="${CSS.rowHeader}" scope="row"${span}>${start}</th>`
        );
      }
      if (sample.named) {
        parts.push(
          `<th class="${CSS.seriesHeader}" scope="row"><bdi>${escapeHtml(names[r])}</bdi></th>`
        );
      }
      for (let pos = start; pos < end; pos++) {
        const info = getCell(model, sample, r, pos);
        parts.push(
          cellHtml(
            info,
            r,
            pos - start,
            sample,
            sample.named ? names[r] : '',
            trans
          )
        );
      }
      parts.push('</tr>');
    }
    parts.push('</tbody>');
  }
  return parts.join('');
}

/** One cell as HTML; every payload string is escaped. */
export function cellHtml(
  info: ICellView,
  series: number,
  column: number,
  sample: ISampleTable,
  seriesName: string,
  trans: ITranslate
): string {
  let className = CSS.cell;
  if (info.masked) {
    className += ' ' + CSS.masked;
  }
  if (info.missing) {
    // A sample without any value is plain text, not a row of gaps.
    className += ' ' + (sample.valueless ? CSS.plain : CSS.missing);
  }
  const label = escapeHtml(cellLabel(info, seriesName, trans));
  let html =
    `<td class="${className}" data-pos="${info.pos}" data-series="${series}"` +
    ` aria-colindex="${column + 2}" tabindex="-1" aria-label="${label}" title="${label}"` +
    // Arrow keys belong to the table while a cell has focus, not to the
    // notebook's command-mode shortcuts (Lumino checks the event target).
    ' data-lm-suppress-shortcuts="true"';
  if (info.value !== null) {
    html += ` data-value="${String(info.value)}"`;
  }
  if (info.background) {
    html += ` style="background-color:${info.background};color:${info.foreground}"`;
  }
  const glyph = escapeHtml(info.glyph);
  return info.whitespace
    ? `${html}><span class="${CSS.whitespace}">${glyph}</span></td>`
    : `${html}>${glyph}</td>`;
}

/** `'a', U+0061, position 3, value 0.1` for `title` and `aria-label`. */
export function cellLabel(
  info: ICellView,
  seriesName: string,
  trans: ITranslate
): string {
  const parts = [
    `'${info.glyph}'`,
    info.codePoints,
    trans.__('position %1', info.pos),
    info.value === null
      ? trans.__('no value')
      : trans.__('value %1', info.valueText)
  ];
  if (seriesName) {
    parts.push(seriesName);
  }
  if (info.masked) {
    parts.push(trans.__('masked'));
  }
  return parts.join(', ');
}

/** The status line of a hovered or focused cell. */
export function describeCell(
  info: ICellView,
  sample: ISampleTable,
  series: number,
  trans: ITranslate
): string {
  const parts = [
    `'${info.glyph}' ${info.codePoints}`,
    trans.__('position %1', info.pos),
    info.value === null
      ? trans.__('no value')
      : trans.__('value %1', info.valueText)
  ];
  if (sample.named) {
    parts.push(
      trans.__('series %1', visibleControls(sample.series[series].name))
    );
  }
  if (info.masked) {
    parts.push(trans.__('masked (not seen by the model)'));
  }
  return parts.join(' · ');
}
