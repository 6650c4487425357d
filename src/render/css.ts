/**
 * The DOM contract of the renderer: CSS classes (styled by `style/base.css`,
 * relied on by tests and the end-to-end suite). The translation domain is
 * `table/translate.ts`.
 */

/** CSS classes of the DOM contract. */
export const CSS = {
  root: 'jp-RenderedCharAttention',
  batchTitle: 'jp-CharAttention-batchTitle',
  sample: 'jp-CharAttention-sample',
  header: 'jp-CharAttention-header',
  title: 'jp-CharAttention-title',
  method: 'jp-CharAttention-method',
  prediction: 'jp-CharAttention-prediction',
  label: 'jp-CharAttention-label',
  fact: 'jp-CharAttention-fact',
  summary: 'jp-CharAttention-summary',
  partName: 'jp-CharAttention-partName',
  note: 'jp-CharAttention-note',
  legend: 'jp-CharAttention-legend',
  legendName: 'jp-CharAttention-legendName',
  legendBar: 'jp-CharAttention-legendBar',
  legendMin: 'jp-CharAttention-legendMin',
  legendMax: 'jp-CharAttention-legendMax',
  legendMeaning: 'jp-CharAttention-legendMeaning',
  scroll: 'jp-CharAttention-scroll',
  virtual: 'jp-mod-virtual',
  series: 'jp-mod-series',
  table: 'jp-CharAttention-table',
  corner: 'jp-CharAttention-corner',
  group: 'jp-CharAttention-group',
  spacer: 'jp-CharAttention-spacer',
  rowHeader: 'jp-CharAttention-rowHeader',
  seriesHeader: 'jp-CharAttention-seriesHeader',
  cell: 'jp-CharAttention-cell',
  masked: 'jp-CharAttention-masked',
  missing: 'jp-CharAttention-missing',
  plain: 'jp-CharAttention-plain',
  whitespace: 'jp-CharAttention-ws',
  status: 'jp-CharAttention-status',
  hint: 'jp-CharAttention-hint',
  error: 'jp-CharAttention-error',
  errorTitle: 'jp-CharAttention-errorTitle'
};
