import * as fs from 'fs';
import * as path from 'path';
import { COLORMAP_NAMES } from '../../src/payload/types';
import {
  colorAt,
  COLORMAP_LEVELS,
  levelOf,
  palette,
  textPalette
} from '../../src/table/colormaps';
import {
  contrastRatio,
  MIN_CONTRAST,
  relativeLuminance,
  textColorFor
} from '../../src/table/contrast';

describe('colour maps', () => {
  it('is a plain {name: ["#rrggbb" x 256]} JSON (read by the Python helper too)', () => {
    const file = path.join(
      __dirname,
      '..',
      '..',
      'src',
      'table',
      'colormaps.json'
    );
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(data).sort()).toEqual([...COLORMAP_NAMES].sort());
    for (const name of COLORMAP_NAMES) {
      expect(data[name]).toHaveLength(256);
      for (const color of data[name]) {
        expect(color).toMatch(/^#[0-9a-f]{6}$/);
      }
    }
  });

  // End points published by matplotlib (viridis/magma data) and ColorBrewer.
  it.each([
    ['viridis', 0, '#440154'],
    ['viridis', 1, '#fde725'],
    ['magma', 0, '#000004'],
    ['magma', 1, '#fcfdbf'],
    ['Reds', 0, '#fff5f0'],
    ['Reds', 1, '#67000d'],
    ['Blues', 0, '#f7fbff'],
    ['Blues', 1, '#08306b'],
    ['Greens', 0, '#f7fcf5'],
    ['Greens', 1, '#00441b'],
    ['Greys', 0, '#ffffff'],
    ['Greys', 1, '#000000'],
    ['Oranges', 0, '#fff5eb'],
    ['Oranges', 1, '#7f2704'],
    ['Purples', 0, '#fcfbfd'],
    ['Purples', 1, '#3f007d'],
    // Drawn reversed (RdBu_r): the lowest values blue, the highest red.
    ['RdBu', 0, '#053061'],
    ['RdBu', 1, '#67001f']
  ] as const)('%s(%d) = %s', (name, t, color) => {
    expect(colorAt(name, t)).toBe(color);
  });

  it('has a near-white middle for RdBu (ColorBrewer #f7f7f7)', () => {
    const middle = colorAt('RdBu', 0.5);
    expect(relativeLuminance(middle)).toBeGreaterThan(
      relativeLuminance('#f0f0f0')
    );
  });

  it('gets darker along every sequential ColorBrewer map', () => {
    for (const name of [
      'Reds',
      'Blues',
      'Greens',
      'Greys',
      'Oranges',
      'Purples'
    ] as const) {
      const colors = palette(name);
      for (let i = 1; i < colors.length; i++) {
        expect(relativeLuminance(colors[i])).toBeLessThanOrEqual(
          relativeLuminance(colors[i - 1]) + 1e-3
        );
      }
    }
  });

  it('maps positions to levels, clamped', () => {
    expect(levelOf(0)).toBe(0);
    expect(levelOf(1)).toBe(COLORMAP_LEVELS - 1);
    expect(levelOf(-3)).toBe(0);
    expect(levelOf(7)).toBe(255);
    expect(levelOf(NaN)).toBe(-1);
  });
});

describe('contrast', () => {
  it('computes WCAG ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // WCAG reference: #777777 on white is 4.48:1.
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it.each(COLORMAP_NAMES)(
    'keeps text readable (>= 4.5:1) on all 256 levels of %s',
    name => {
      const backgrounds = palette(name);
      const texts = textPalette(name);
      expect(backgrounds).toHaveLength(256);
      backgrounds.forEach((background, level) => {
        expect(texts[level]).toBe(textColorFor(background));
        expect(contrastRatio(background, texts[level])).toBeGreaterThanOrEqual(
          MIN_CONTRAST
        );
      });
    }
  );
});
