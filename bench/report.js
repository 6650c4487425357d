/* eslint-disable */
/**
 * How the benchmarks print their figures: numbers with fixed digits ('n/a'
 * for a figure that was not measured) and Markdown tables.
 */
'use strict';

function fmt(n, digits = 1) {
  return typeof n === 'number' && Number.isFinite(n)
    ? n.toFixed(digits)
    : 'n/a';
}

/** Prints a Markdown table, columns padded to their widest cell. */
function table(header, rows) {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => String(r[i]).length))
  );
  const line = cells =>
    '| ' + cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map(w => '-'.repeat(w + 2)).join('|') + '|');
  rows.forEach(r => console.log(line(r)));
}

module.exports = { fmt, table };
