/**
 * The summary of an evaluation as an embeddable HTML fragment (scoped CSS,
 * no scripts, every string escaped, light and dark): counts, accuracy, mean
 * loss, the confusion matrix, the faithfulness of each method, the agreement
 * of each pair, and the characters each method relies on as bars. Used by
 * the standalone report and as the `text/html` of the explorer's summary
 * output. Pure.
 */
import { escapeHtml } from '../table/escape';
import type { ICharacterWeight } from './characters';
import { className, formatScore, methodLabel } from './row-payload';
import type { IEvaluationSummary } from './summary';

/** Shared look, scoped under `.cae`; theme colours are CSS variables. */
export const SUMMARY_CSS =
  '.cae{--bg:#fff;--fg:#212121;--mu:#616161;--ln:#e0e0e0;--hd:#f5f5f5;--ac:#1976d2;--ok:#2e7d32;--er:#c62828;' +
  'color:var(--fg);background:var(--bg);font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:8px 4px}' +
  '@media (prefers-color-scheme:dark){.cae{--bg:#111;--fg:#e0e0e0;--mu:#9e9e9e;--ln:#3a3a3a;--hd:#1e1e1e;--ac:#64b5f6;--ok:#81c784;--er:#ef9a9a}}' +
  '.cae h2{font-size:15px;margin:0 0 8px}.cae h3{font-size:13px;margin:14px 0 6px}' +
  '.cae .e-k{display:flex;flex-wrap:wrap;gap:6px 22px;margin:0 0 6px}.cae .e-k span{color:var(--mu)}.cae .e-k b{color:var(--fg);font-size:15px}' +
  '.cae .e-g{display:flex;flex-wrap:wrap;gap:8px 28px;align-items:flex-start}' +
  '.cae table{border-collapse:collapse;font-size:12px}.cae th,.cae td{border:1px solid var(--ln);padding:2px 8px;text-align:right}' +
  '.cae th{background:var(--hd);font-weight:600}.cae td.e-d{font-weight:700;color:var(--ok)}.cae td.e-x{color:var(--er)}' +
  '.cae .e-b{display:grid;grid-template-columns:auto 16em auto;gap:2px 8px;align-items:center;font-size:12px}' +
  '.cae .e-b code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:center;min-width:1.6em;background:var(--hd);border-radius:3px}' +
  '.cae .e-b i{display:block;height:10px;background:var(--ac);min-width:1px}.cae .e-b span{color:var(--mu)}' +
  '.cae .e-n{color:var(--mu);font-size:12px;margin:4px 0}';

/** A character as a bar label: whitespace made visible. */
export function visibleChar(char: string): string {
  switch (char) {
    case ' ':
      return '␣';
    case '\n':
      return '↵';
    case '\t':
      return '⇥';
    case '\r':
      return '␍';
    default:
      return char;
  }
}

/** Percent with 1 decimal, or '–'. */
function percent(value: number | null): string {
  return value === null ? '–' : `${(100 * value).toFixed(1)}%`;
}

function confusionHtml(summary: IEvaluationSummary): string {
  const matrix = summary.confusionMatrix;
  if (!matrix || summary.labelled === 0) {
    return '<p class=e-n>No labels: no confusion matrix.</p>';
  }
  const name = (i: number) => escapeHtml(className(i, summary.classes));
  let html =
    '<table aria-label="Confusion matrix"><thead><tr><th>label \\ predicted';
  matrix.forEach((_, j) => (html += `<th>${name(j)}`));
  html += '</thead><tbody>';
  matrix.forEach((row, i) => {
    html += `<tr><th>${name(i)}`;
    row.forEach((count, j) => {
      const kind = i === j ? ' class=e-d' : count > 0 ? ' class=e-x' : '';
      html += `<td${kind}>${count}`;
    });
  });
  return html + '</tbody></table>';
}

function methodsHtml(summary: IEvaluationSummary): string {
  const methods = Object.keys(summary.methods);
  if (!methods.length) {
    return '';
  }
  let html =
    '<table aria-label="Faithfulness"><thead><tr><th>method<th>comprehensiveness<th>sufficiency<th>rows</thead><tbody>';
  for (const m of methods) {
    const s = summary.methods[m];
    html += `<tr><th>${escapeHtml(methodLabel(m))}<td>${formatScore(s.comprehensiveness)}<td>${formatScore(s.sufficiency)}<td>${s.rows}`;
  }
  html += '</tbody></table>';
  const pairs = Object.keys(summary.agreement);
  if (pairs.length) {
    html +=
      '<table aria-label="Agreement"><thead><tr><th>methods<th>mean τ-b</thead><tbody>';
    for (const pair of pairs) {
      const [a, b] = pair.split('~');
      html += `<tr><th>${escapeHtml(`${methodLabel(a)} ~ ${methodLabel(b)}`)}<td>${formatScore(summary.agreement[pair])}`;
    }
    html += '</tbody></table>';
  }
  return html;
}

/** The bars of one method's top characters (widths relative to the largest |mean|). */
export function charactersHtml(
  method: string,
  weights: ICharacterWeight[]
): string {
  if (!weights.length) {
    return '';
  }
  const largest = Math.max(...weights.map(w => Math.abs(w.mean))) || 1;
  let html = `<div><h3>Characters ${escapeHtml(methodLabel(method))} relies on (mean value, top ${weights.length})</h3><div class=e-b>`;
  for (const w of weights) {
    const width = ((100 * Math.abs(w.mean)) / largest).toFixed(1);
    html +=
      `<code title="U+${w.char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}">${escapeHtml(visibleChar(w.char))}</code>` +
      `<i style="width:${width}%"></i><span>${formatScore(w.mean)} (${w.count}×)</span>`;
  }
  return html + '</div></div>';
}

/** The summary block (without its CSS). */
export function summaryBody(
  summary: IEvaluationSummary,
  heading: string
): string {
  const facts: Array<[string, string]> = [
    ['rows', String(summary.count)],
    ['labelled', String(summary.labelled)],
    ['accuracy', percent(summary.accuracy)],
    ['mean loss', formatScore(summary.meanLoss)]
  ];
  let html = `<h2>${escapeHtml(heading)}</h2><div class=e-k>`;
  for (const [name, value] of facts) {
    html += `<span>${name} <b>${escapeHtml(value)}</b></span>`;
  }
  html += `</div><div class=e-g>${confusionHtml(summary)}${methodsHtml(summary)}</div>`;
  const bars = Object.keys(summary.characters)
    .map(m => charactersHtml(m, summary.characters[m]))
    .join('');
  if (bars) {
    html += `<div class=e-g>${bars}</div>`;
  }
  return html;
}

/** An embeddable fragment: the summary with its scoped CSS. */
export function summaryFragment(
  summary: IEvaluationSummary,
  heading: string
): string {
  return `<div class=cae><style>${SUMMARY_CSS}</style>${summaryBody(summary, heading)}</div>`;
}
