/**
 * The fixed CSS of the HTML export: the look of the table, scoped under
 * `.cax`, theme colours as CSS variables (light, dark via
 * `prefers-color-scheme`, print). Colour levels get their own rules per
 * export (`html.ts`). Pure.
 */

/** Shared look, scoped under `.cax`. */
export const BASE_CSS =
  '.cax{--bg:#fff;--fg:#212121;--mu:#616161;--ln:#e0e0e0;--hd:#f5f5f5;--ms:#bdbdbd;' +
  'color:var(--fg);background:var(--bg);font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:8px 4px}' +
  '@media (prefers-color-scheme:dark){.cax{--bg:#111;--fg:#e0e0e0;--mu:#9e9e9e;--ln:#3a3a3a;--hd:#1e1e1e;--ms:#4a4a4a}}' +
  '.cax .c-t{font-size:15px;font-weight:600;margin:0 0 8px}' +
  '.cax .c-s{margin:0 0 18px}' +
  '.cax .c-h{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 14px;margin:0 0 4px}' +
  '.cax .c-h b{font-weight:600}.cax .c-h span{color:var(--mu)}.cax .c-h span b{color:var(--fg)}' +
  '.cax .c-h>b{font-size:14px}' +
  '.cax bdi{unicode-bidi:isolate}' +
  '.cax .c-m{color:var(--mu);font-size:12px;margin:0 0 4px}' +
  '.cax .c-l{display:flex;align-items:center;gap:6px;color:var(--mu);font-size:11px;margin:0 0 6px}' +
  '.cax .c-l i{display:inline-block;width:180px;height:10px;border:1px solid var(--ln)}' +
  '.cax .c-l .c-g{color:var(--fg);margin-left:6px}' +
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
  '.cax .P{color:var(--fg)}' +
  '@media print{.cax{--bg:#fff;--fg:#000;--mu:#444;--ln:#ccc;--hd:#f5f5f5;--ms:#bbb}' +
  '.cax td,.cax .c-l i{-webkit-print-color-adjust:exact;print-color-adjust:exact}' +
  '.cax tbody{break-inside:avoid}.cax td:hover{outline:0}}';

/** The error box of an invalid payload. */
export const ERROR_CSS =
  '.c-e{font:13px/1.4 system-ui,sans-serif;color:#b71c1c;background:#fdecea;border:1px solid #f5c6cb;padding:8px 12px;border-radius:4px}' +
  '.c-e ul{margin:4px 0 0;padding-left:20px}' +
  '@media (prefers-color-scheme:dark){.c-e{color:#ffcdd2;background:#3b1414;border-color:#7f2a2a}}';

/** The page around a standalone export. */
export const DOC_CSS =
  'body{margin:16px;background:#fff}@media (prefers-color-scheme:dark){body{background:#111}}' +
  '@media print{body{margin:0;background:#fff}}';
