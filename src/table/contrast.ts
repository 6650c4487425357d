/**
 * WCAG 2.x relative luminance and contrast ratio, and the text colour that
 * stays readable on a given cell background. Pure.
 */

/** Text colours a cell may use: whichever contrasts more with the background. */
export const DARK_TEXT = '#000000';
export const LIGHT_TEXT = '#ffffff';

/** WCAG's minimum contrast for normal text (level AA). */
export const MIN_CONTRAST = 4.5;

/** Parse `#rgb` or `#rrggbb` into 0..255 channels; null when malformed. */
export function parseHex(color: string): [number, number, number] | null {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!match) {
    return null;
  }
  let hex = match[1];
  if (hex.length === 3) {
    hex = hex
      .split('')
      .map(digit => digit + digit)
      .join('');
  }
  return [
    parseInt(hex.slice(0, 2), 16),
    parseInt(hex.slice(2, 4), 16),
    parseInt(hex.slice(4, 6), 16)
  ];
}

function linearChannel(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** Relative luminance (0 = black, 1 = white) of a `#rrggbb` colour. */
export function relativeLuminance(color: string): number {
  const rgb = parseHex(color);
  if (!rgb) {
    throw new Error(`not a hex colour: ${color}`);
  }
  return (
    0.2126 * linearChannel(rgb[0]) +
    0.7152 * linearChannel(rgb[1]) +
    0.0722 * linearChannel(rgb[2])
  );
}

/** Contrast ratio between two colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  const [light, dark] = la >= lb ? [la, lb] : [lb, la];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * The text colour (black or white) with the higher contrast on `background`.
 * For any background one of them reaches at least 4.58:1.
 */
export function textColorFor(background: string): string {
  return contrastRatio(background, DARK_TEXT) >=
    contrastRatio(background, LIGHT_TEXT)
    ? DARK_TEXT
    : LIGHT_TEXT;
}
