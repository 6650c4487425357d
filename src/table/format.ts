/**
 * Number formatting shared by legends, headers, hover and exports: values
 * with a number of significant digits in the shorter of plain and exponent
 * notation. Pure.
 */

/** Largest number of significant digits a value is shown with. */
const MAX_DIGITS = 17;

/**
 * Format a value with `precision` significant digits (at least 1), without
 * trailing zeros, in the shorter of plain and exponent notation:
 * 0.0041234 -> `0.004123`, 12.5 -> `12.5`, 0.000012345 -> `1.235e-5`.
 * The one formatting of values: legends, headers, hover, labels and exports.
 *
 * A value that is not exactly ±1 never shows as `1` (a probability of
 * 0.99995 is not certain): digits are added until it differs (0.99995).
 * Rounding to significant digits never turns a non-zero value into `0`.
 */
export function formatValue(value: number, precision: number): string {
  const digits = Math.max(1, Math.min(MAX_DIGITS, Math.floor(precision)));
  let text = formatDigits(value, digits);
  if (Math.abs(value) !== 1) {
    // Only a text of 1 (after trimming) can read as certain.
    for (
      let more = digits + 1;
      more <= MAX_DIGITS && (text === '1' || text === '-1');
      more++
    ) {
      text = formatDigits(value, more);
    }
  }
  return text;
}

/** Smallest percentage written out; below it, `< 0.01%`. */
export const MIN_PERCENT = 0.01;

/**
 * A fraction as a percentage with 3 significant digits: 0.2891 -> `28.9%`,
 * 0.0042 -> `0.42%`; below 0.01% (but not 0), `< 0.01%`.
 */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return percent !== 0 && Math.abs(percent) < MIN_PERCENT
    ? `< ${MIN_PERCENT}%`
    : `${formatValue(percent, 3)}%`;
}

/** `U+0068` for each code point of a token (at most 8, then `…`). */
export function codePointsOf(token: string): string {
  let hit = codePointCache.get(token);
  if (hit === undefined) {
    hit = computeCodePoints(token);
    if (codePointCache.size < CACHE_SIZE) {
      codePointCache.set(token, hit);
    }
  }
  return hit;
}

/** `U+202E` for one code point. */
export function codePointName(code: number): string {
  return 'U+' + code.toString(16).toUpperCase().padStart(4, '0');
}

/** Entries kept by the per-token caches (texts repeat their characters). */
const CACHE_SIZE = 100000;
const codePointCache = new Map<string, string>();

function formatDigits(value: number, digits: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (value === 0) {
    return '0';
  }
  // Below 0.00095 no rounding reaches 0.001, so the plain form has at least
  // three leading zeros and is always longer: skip straight to the exponent
  // form (softmax values over long texts are mostly this small). Beyond 15
  // digits the shortest round-trip form can be shorter, so take the full path.
  if (digits <= 15 && Math.abs(value) < 0.00095) {
    return scientific(value, digits);
  }
  const fixed = value.toPrecision(digits);
  if (fixed.indexOf('e') < 0) {
    const plain = trimZeros(fixed);
    // Exponent notation only pays off with several leading zeros (0.000012).
    const zeros =
      value < 0 ? fixed.startsWith('-0.000') : fixed.startsWith('0.000');
    if (!zeros) {
      return plain;
    }
    const exponent = scientific(value, digits);
    return exponent.length < plain.length ? exponent : plain;
  }
  const plain = String(Number(fixed));
  const exponent = scientific(value, digits);
  return exponent.length < plain.length ? exponent : plain;
}

/** `12.50` -> `12.5`, `3.000` -> `3` (only after a decimal point). */
function trimZeros(text: string): string {
  if (text.indexOf('.') < 0) {
    return text;
  }
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) {
    end--;
  }
  if (text.charCodeAt(end - 1) === 46) {
    end--;
  }
  return text.slice(0, end);
}

/** `1.235e-5` style, without trailing zeros or a `+`. */
function scientific(value: number, digits: number): string {
  const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
  return `${trimZeros(mantissa)}e${exponent.charAt(0) === '+' ? exponent.slice(1) : exponent}`;
}

function computeCodePoints(token: string): string {
  const points = Array.from(token);
  if (points.length === 0) {
    return 'empty';
  }
  const shown = points
    .slice(0, 8)
    .map(point => codePointName(point.codePointAt(0)!));
  return shown.join(' ') + (points.length > 8 ? ' …' : '');
}
