/**
 * The standalone HTML report of an evaluation (`char-attention evaluate
 * -o report.html`): the summary, the confusion matrix, the row table sorted
 * by loss, and the attribution tables of the worst rows (the package's one
 * HTML export of payloads). Inline CSS, no scripts, no network, light and
 * dark; every string escaped. Pure.
 */
import type { IBatchPayload } from '../payload/types';
import { exportPayloadHtml } from '../table/html';
import { escapeHtml } from '../table/escape';
import { className, formatScore, methodLabel } from './row-payload';
import type { IEvaluationSummary } from './summary';
import { SUMMARY_CSS, summaryBody } from './summary-html';
import type { IEvaluationRow } from './types';

/** Characters of a text shown in the row table. */
export const REPORT_TEXT_CHARS = 200;

/** What the report shows of one row. */
export interface IReportRow {
  row: IEvaluationRow;
  line: number;
}

export interface IReportInput {
  /** e.g. "Evaluation of demo.h5 on reviews.csv". */
  heading: string;
  summary: IEvaluationSummary;
  methods: string[];
  /** Rows in the order shown (worst loss first), at most a few thousand. */
  rows: IReportRow[];
  /** The attribution tables of the worst rows, or null. */
  tables: IBatchPayload | null;
  /** Things the reader must know (a method chosen for the tables, rows left out). */
  notes: string[];
}

const REPORT_CSS =
  'body{margin:16px;background:#fff}@media (prefers-color-scheme:dark){body{background:#111}}' +
  '.cae .e-r td{text-align:right;white-space:nowrap}.cae .e-r td.e-t{text-align:left;white-space:pre-wrap;word-break:break-word;max-width:48em;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}' +
  '.cae .e-r tr.e-w td.e-c{color:var(--er);font-weight:600}' +
  '@media print{body{margin:0}}';

function rowTable(input: IReportInput): string {
  const classes = input.summary.classes;
  let html =
    '<table class=e-r aria-label="Rows by loss"><thead><tr><th>row<th>line<th>text<th>label<th>prediction<th>predicted<th>correct<th>loss';
  for (const m of input.methods) {
    const name = escapeHtml(methodLabel(m));
    html += `<th>${name}: comp.<th>${name}: suff.`;
  }
  html += '</thead><tbody>';
  for (const { row, line } of input.rows) {
    const chars = Array.from(row.text);
    const text =
      chars.length > REPORT_TEXT_CHARS
        ? chars.slice(0, REPORT_TEXT_CHARS).join('') + '…'
        : row.text;
    html +=
      `<tr${row.correct === false ? ' class=e-w' : ''}><td>${row.index + 1}<td>${line}` +
      `<td class=e-t>${escapeHtml(text)}` +
      `<td>${row.label === null ? '' : escapeHtml(className(row.label, classes))}` +
      `<td>${formatScore(row.prediction)}<td>${escapeHtml(className(row.predictedClass, classes))}` +
      `<td class=e-c>${row.correct === null ? '' : row.correct ? 'yes' : 'no'}<td>${formatScore(row.loss)}`;
    for (const m of input.methods) {
      const r = row.explanations[m];
      html += `<td>${formatScore(r?.comprehensiveness)}<td>${formatScore(r?.sufficiency)}`;
    }
  }
  return html + '</tbody></table>';
}

/** The whole report document. */
export function reportHtml(input: IReportInput): string {
  const parts = [`<div class=cae>${summaryBody(input.summary, input.heading)}`];
  for (const note of input.notes) {
    parts.push(`<p class=e-n>${escapeHtml(note)}</p>`);
  }
  parts.push(
    `<h3>Rows by loss (${input.rows.length} of ${input.summary.count})</h3>`,
    rowTable(input),
    '</div>'
  );
  if (input.tables && input.tables.samples.length) {
    const exported = exportPayloadHtml(input.tables, { fragment: true });
    parts.push(
      `<div class=cae><h3>Attribution tables of the ${input.tables.samples.length} worst rows</h3></div>`,
      exported.html
    );
  }
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="color-scheme" content="light dark">' +
    `<title>${escapeHtml(input.heading)}</title><style>${SUMMARY_CSS}${REPORT_CSS}</style></head>` +
    `<body>${parts.join('')}</body></html>\n`
  );
}
