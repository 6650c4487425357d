/**
 * Standalone HTML export of the table model: a complete document (inline CSS,
 * no scripts, no external resources, light/dark via `prefers-color-scheme`,
 * print-friendly) or a fragment for embedding (`text/html` fallbacks). Pure.
 *
 * Size: colours are classes defined once per export (one rule per colour
 * level in use, single-letter names for the most used levels); a cell is
 * `<td class=a title=0.004123>h` with optional end tags omitted, so a
 * character costs about 28 bytes with its value kept in `title` (shown on
 * hover) at the display precision.
 */
import { IDisplaySettings, normalizePayload } from '../payload/normalize';
import { IValidationProblem, Payload } from '../payload/types';
import { validatePayload } from '../payload/validate';
import { attributeValue, escapeHtml } from './escape';
import {
  buildTableModel,
  columnLabels,
  formatValue,
  glyphFor,
  groupRange,
  ISampleTable,
  ITableModel,
  LEVEL_MASKED,
  LEVEL_MISSING
} from './model';

export interface IExportOptions {
  /** Display settings (payload options win over them). */
  settings?: IDisplaySettings;
  /** Return an embeddable fragment instead of a whole document. */
  fragment?: boolean;
  /** Document title (default: the payload's title or "Character attention"). */
  documentTitle?: string;
}

export interface IExportResult {
  ok: boolean;
  /** The document or fragment; for an invalid payload, an error box. */
  html: string;
  problems: IValidationProblem[];
}

/** Validate, normalise and export a payload. Never throws. */
export function exportPayloadHtml(
  payload: unknown,
  options: IExportOptions = {}
): IExportResult {
  const { problems } = validatePayload(payload);
  if (problems.length > 0) {
    const body = renderProblemsHtml(problems);
    return {
      ok: false,
      problems,
      html: options.fragment
        ? body
        : Private.document(
            options.documentTitle ?? 'Invalid payload',
            Private.BASE_CSS,
            body
          )
    };
  }
  const model = buildTableModel(
    normalizePayload(payload as Payload, options.settings)
  );
  return {
    ok: true,
    problems: [],
    html: options.fragment
      ? renderFragment(model)
      : renderDocument(model, options.documentTitle)
  };
}

/** A complete HTML document of a table model. */
export function renderDocument(
  model: ITableModel,
  documentTitle?: string
): string {
  const { css, body } = Private.renderBody(model);
  const title =
    documentTitle ??
    (model.title ||
      (model.samples.length === 1 && model.samples[0].title) ||
      'Character attention');
  return Private.document(title, Private.BASE_CSS + css, body);
}

/** An embeddable fragment (its CSS is scoped to the fragment's own class). */
export function renderFragment(model: ITableModel): string {
  const { css, body } = Private.renderBody(model);
  return `<style>${Private.BASE_CSS}${css}</style>${body}`;
}

/** The error box listing every problem of an invalid payload. */
export function renderProblemsHtml(problems: IValidationProblem[]): string {
  const items = problems
    .map(problem => `<li>${escapeHtml(problem.message)}</li>`)
    .join('');
  return (
    `<div class="cax c-e" role="alert"><style>${Private.ERROR_CSS}</style>` +
    `<b>Invalid char-attention payload</b><ul>${items}</ul></div>`
  );
}

/** Short class names for colour levels: a..z, A..Z (without M, N), then pairs. */
export function bucketClassName(index: number): string {
  const alphabet = Private.ALPHABET;
  if (index < alphabet.length) {
    return alphabet[index];
  }
  const rest = index - alphabet.length;
  return (
    alphabet[Math.floor(rest / alphabet.length) % alphabet.length] +
    alphabet[rest % alphabet.length]
  );
}

namespace Private {
  export const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLOPQRSTUVWXYZ';

  /** Shared look, scoped under `.cax`; theme colours are CSS variables. */
  export const BASE_CSS =
    '.cax{--bg:#fff;--fg:#212121;--mu:#616161;--ln:#e0e0e0;--hd:#f5f5f5;--ms:#bdbdbd;' +
    'color:var(--fg);background:var(--bg);font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:8px 4px}' +
    '@media (prefers-color-scheme:dark){.cax{--bg:#111;--fg:#e0e0e0;--mu:#9e9e9e;--ln:#3a3a3a;--hd:#1e1e1e;--ms:#4a4a4a}}' +
    '.cax .c-t{font-size:15px;font-weight:600;margin:0 0 8px}' +
    '.cax .c-s{margin:0 0 18px}' +
    '.cax .c-h{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 14px;margin:0 0 4px}' +
    '.cax .c-h b{font-weight:600}.cax .c-h span{color:var(--mu)}.cax .c-h span b{color:var(--fg)}' +
    '.cax .c-m{color:var(--mu);font-size:11px;margin:0 0 4px;word-break:break-all}' +
    '.cax .c-l{display:flex;align-items:center;gap:6px;color:var(--mu);font-size:11px;margin:0 0 6px}' +
    '.cax .c-l i{display:inline-block;width:180px;height:10px;border:1px solid var(--ln)}' +
    '.cax table{border-collapse:collapse;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}' +
    '.cax th{font-weight:400;color:var(--mu);font-size:10px;padding:0;text-align:center;min-width:1.5em}' +
    '.cax thead th{border-bottom:1px solid var(--ln)}' +
    '.cax tbody th{text-align:right;padding:0 6px 0 4px;font-weight:600;color:var(--fg);font-size:11px}' +
    '.cax th.c-r{text-align:left;font-weight:400;color:var(--mu);font-size:11px}.cax th[rowspan]{vertical-align:top}' +
    '.cax .c-n tbody+tbody tr:first-child>*{border-top:2px solid var(--ln)}' +
    '.cax td{color:#000;text-align:center;padding:1px 0;min-width:1.5em;border:1px solid var(--bg);white-space:pre;cursor:default}' +
    '.cax td:hover{outline:2px solid var(--fg);outline-offset:-1px}' +
    '.cax td i{font-style:normal;opacity:.6}' +
    '.cax .M{background:repeating-linear-gradient(135deg,var(--hd) 0 3px,var(--ms) 3px 4px);color:var(--mu)}' +
    '.cax .N{background:var(--hd);color:var(--mu);outline:1px dashed var(--ms);outline-offset:-3px}' +
    '@media print{.cax{--bg:#fff;--fg:#000;--mu:#444;--ln:#ccc;--hd:#f5f5f5;--ms:#bbb}' +
    '.cax td,.cax .c-l i{-webkit-print-color-adjust:exact;print-color-adjust:exact}' +
    '.cax tbody{break-inside:avoid}.cax td:hover{outline:0}}';

  export const ERROR_CSS =
    '.c-e{font:13px/1.4 system-ui,sans-serif;color:#b71c1c;background:#fdecea;border:1px solid #f5c6cb;padding:8px 12px;border-radius:4px}' +
    '.c-e ul{margin:4px 0 0;padding-left:20px}' +
    '@media (prefers-color-scheme:dark){.c-e{color:#ffcdd2;background:#3b1414;border-color:#7f2a2a}}';

  export const DOC_CSS =
    'body{margin:16px;background:#fff}@media (prefers-color-scheme:dark){body{background:#111}}' +
    '@media print{body{margin:0;background:#fff}}';

  export function document(title: string, css: string, body: string): string {
    return (
      '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
      '<meta name="viewport" content="width=device-width,initial-scale=1">' +
      '<meta name="color-scheme" content="light dark">' +
      `<title>${escapeHtml(title)}</title><style>${DOC_CSS}${css}</style></head>` +
      `<body>${body}</body></html>\n`
    );
  }

  /** 32-bit FNV-1a as base 36: scopes a fragment's colour classes. */
  export function hash(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(36);
  }

  export function renderBody(model: ITableModel): {
    css: string;
    body: string;
  } {
    // Assign short class names to colour levels, most used first.
    const counts = new Float64Array(256);
    for (const sample of model.samples) {
      for (const series of sample.series) {
        const levels = series.levels;
        for (let i = 0; i < levels.length; i++) {
          if (levels[i] >= 0) {
            counts[levels[i]]++;
          }
        }
      }
    }
    const used: number[] = [];
    for (let level = 0; level < 256; level++) {
      if (counts[level] > 0) {
        used.push(level);
      }
    }
    used.sort((a, b) => counts[b] - counts[a] || a - b);
    const names: string[] = new Array(256).fill('');
    used.forEach((level, index) => (names[level] = bucketClassName(index)));
    const legendCss: string[] = [];
    let rules = '';
    for (const level of used.slice().sort((a, b) => a - b)) {
      const fg = model.textColors[level] === '#000000' ? '' : ';color:#fff';
      rules += `.S .${names[level]}{background:${model.palette[level]}${fg}}`;
    }
    model.samples.forEach((sample, index) => {
      legendCss.push(`.S .g${index}{background:${sample.legend.gradient}}`);
    });
    const scopedRules = rules + legendCss.join('');
    const scope = 'k' + hash(model.colormap + scopedRules);
    const css = scopedRules.split('.S ').join(`.${scope} `);

    const parts: string[] = [`<div class="cax ${scope}">`];
    if (model.title) {
      parts.push(`<div class=c-t>${escapeHtml(model.title)}</div>`);
    }
    model.samples.forEach((sample, index) =>
      renderSample(model, sample, index, names, parts)
    );
    parts.push('</div>');
    return { css, body: parts.join('') };
  }

  export function renderSample(
    model: ITableModel,
    sample: ISampleTable,
    index: number,
    names: string[],
    out: string[]
  ): void {
    const precision = model.options.precision;
    out.push('<div class=c-s><div class=c-h>');
    if (sample.title) {
      out.push(`<b>${escapeHtml(sample.title)}</b>`);
    }
    out.push(`<span>method <b>${escapeHtml(sample.method)}</b></span>`);
    if (sample.prediction) {
      out.push(
        `<span>prediction <b>${escapeHtml(sample.prediction)}</b></span>`
      );
    }
    if (sample.label) {
      out.push(`<span>label <b>${escapeHtml(sample.label)}</b></span>`);
    }
    out.push(`<span>${escapeHtml(sample.summary)}</span></div>`);
    if (sample.meta) {
      out.push(`<div class=c-m>${escapeHtml(sample.meta)}</div>`);
    }
    const legend = sample.legend;
    out.push(
      `<div class=c-l><span>${escapeHtml(legend.colormap)}</span><span>${escapeHtml(legend.loText)}</span>` +
        `<i class=g${index}></i><span>${escapeHtml(legend.hiText)}</span></div>`
    );
    const named = sample.named;
    let head =
      (named ? '<table class=c-n>' : '<table>') +
      '<thead><tr><th>' +
      (named ? '<th>' : '');
    for (const column of columnLabels(sample)) {
      head += `<th>${column}`;
    }
    out.push(head + '</thead>');
    const seriesCount = sample.series.length;
    const showWhitespace = model.options.showWhitespace;
    const tokens = sample.tokens;
    // Escaped cell content per distinct token (texts repeat their characters).
    const cellText = new Map<string, string>();
    const textOf = (token: string): string => {
      let text = cellText.get(token);
      if (text === undefined) {
        const { glyph, whitespace } = glyphFor(token, showWhitespace);
        text = whitespace ? `<i>${escapeHtml(glyph)}</i>` : escapeHtml(glyph);
        cellText.set(token, text);
      }
      return text;
    };
    for (let group = 0; group < sample.groupCount; group++) {
      const [start, end] = groupRange(sample, group);
      let html = '<tbody>';
      for (let r = 0; r < seriesCount; r++) {
        const series = sample.series[r];
        html += '<tr>';
        if (named) {
          if (r === 0) {
            html += `<th${seriesCount > 1 ? ` rowspan=${seriesCount}` : ''}>${start}`;
          }
          html += `<th class=c-r>${escapeHtml(series.name)}`;
        } else {
          html += `<th>${start}`;
        }
        const { levels, values } = series;
        for (let pos = start; pos < end; pos++) {
          const level = levels[pos];
          const text = textOf(tokens[pos]);
          const v = values[pos];
          if (level >= 0) {
            html += `<td class=${names[level]} title=${formatValue(v, precision)}>${text}`;
          } else if (level === LEVEL_MASKED) {
            const value =
              v === v ? formatValue(v, precision) + ' masked' : 'masked';
            html += `<td class=M title=${attributeValue(value)}>${text}`;
          } else if (level === LEVEL_MISSING) {
            html += `<td class=N title=missing>${text}`;
          }
        }
      }
      out.push(html);
    }
    out.push('</table></div>');
  }
}
