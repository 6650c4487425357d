/**
 * Expected cell colours and contrast, computed independently of the renderer:
 * from the colour tables in src/table/colormaps.json (256 matplotlib samples
 * per map) and the normalisation rule of payload v1 (`normalize: 'none'`:
 * t = (v - vmin) / (vmax - vmin), clamped to [0, 1]).
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lab.mjs';

const colormaps = JSON.parse(
  fs.readFileSync(
    path.join(repoRoot, 'src', 'table', 'colormaps.json'),
    'utf-8'
  )
);

/** [r, g, b] of '#rrggbb'. */
export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** [r, g, b, a] of a computed CSS colour 'rgb(r, g, b)' / 'rgba(r, g, b, a)'. */
export function parseCssColor(css) {
  const match = /rgba?\(([^)]+)\)/.exec(css);
  if (!match) {
    throw new Error(`not an rgb() colour: ${css}`);
  }
  const parts = match[1]
    .split(/[\s,/]+/)
    .filter(Boolean)
    .map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
}

/**
 * The colours a value may legitimately get: the two table entries around
 * t * 255 (renderers may round or floor the index).
 */
export function expectedColors(colormap, value, vmin, vmax) {
  const table = colormaps[colormap];
  if (!table) {
    throw new Error(`unknown colormap ${colormap}`);
  }
  const t = Math.min(1, Math.max(0, (value - vmin) / (vmax - vmin)));
  const x = t * (table.length - 1);
  return [...new Set([Math.floor(x), Math.ceil(x)])].map(i =>
    hexToRgb(table[i])
  );
}

/** Largest channel difference between two colours. */
export function colorDistance(a, b) {
  return Math.max(...[0, 1, 2].map(i => Math.abs(a[i] - b[i])));
}

/** WCAG 2 relative luminance of [r, g, b] (0-255). */
export function luminance([r, g, b]) {
  const channel = c => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG 2 contrast ratio (1-21). */
export function contrastRatio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `over` with alpha composited onto the opaque `under`. */
export function composite(over, under) {
  const alpha = over[3] ?? 1;
  return [0, 1, 2].map(i =>
    Math.round(over[i] * alpha + under[i] * (1 - alpha))
  );
}
