/**
 * The validator's rules for `options` (R12) and what they decide for the
 * sign rule (R13): whether negative values are problems under the colour
 * map chosen. Pure.
 */
import { COLORMAP_NAMES, NORMALIZE_MODES } from './types';
import {
  checkUnknownKeys,
  Collector,
  describeType,
  has,
  isObject,
  Json,
  LIMITS,
  preview
} from './validate-problems';

const OPTION_KEYS = [
  'colormap',
  'vmin',
  'vmax',
  'normalize',
  'shareScale',
  'charsPerRow',
  'precision'
];

/** Diverging colour maps (centred on 0); every other known map is sequential. */
export const DIVERGING_COLORMAPS: ReadonlyArray<string> = ['RdBu'];

/** R13 as the options set it: are negative values problems, under which map. */
export interface ISignRule {
  signCheck: boolean;
  /** The colour map named in R13's message. */
  colormap: string;
}

/**
 * R12, then R13's condition: a sequential colormap named, no `vmin`, no
 * normalisation. Options with a problem turn R13 off.
 */
export function validateOptionsAndSigns(
  options: unknown,
  c: Collector
): ISignRule {
  const optionsOk = validateOptions(options, c);
  const colormap =
    optionsOk && isObject(options) && typeof options.colormap === 'string'
      ? options.colormap
      : 'Reds';
  const signCheck =
    optionsOk &&
    isObject(options) &&
    typeof options.colormap === 'string' &&
    DIVERGING_COLORMAPS.indexOf(colormap) < 0 &&
    !(isObject(options) && has(options, 'vmin')) &&
    !(
      isObject(options) &&
      typeof options.normalize === 'string' &&
      options.normalize !== 'none'
    );
  return { signCheck, colormap };
}

/** R12; returns whether options are usable for R13. */
function validateOptions(options: unknown, c: Collector): boolean {
  if (options === undefined) {
    return true;
  }
  if (!isObject(options)) {
    c.add('options', `must be an object, got ${describeType(options)}`);
    return false;
  }
  const before = c.problems.length;
  checkUnknownKeys(options, OPTION_KEYS, 'options', c);
  checkColormap(options, c);
  for (const key of ['vmin', 'vmax']) {
    if (has(options, key)) {
      const value = options[key];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        c.add(
          `options.${key}`,
          `must be a finite number, got ${describeType(value)}`
        );
      }
    }
  }
  if (
    typeof options.vmin === 'number' &&
    typeof options.vmax === 'number' &&
    Number.isFinite(options.vmin) &&
    Number.isFinite(options.vmax) &&
    !(options.vmin < options.vmax)
  ) {
    c.add(
      'options.vmin',
      `(${options.vmin}) must be less than options.vmax (${options.vmax})`
    );
  }
  if (has(options, 'normalize')) {
    const mode = options.normalize;
    if (
      typeof mode !== 'string' ||
      (NORMALIZE_MODES as ReadonlyArray<string>).indexOf(mode) < 0
    ) {
      c.add(
        'options.normalize',
        `${preview(mode)} is not known; use one of ${NORMALIZE_MODES.join(', ')}`
      );
    }
  }
  if (has(options, 'shareScale') && typeof options.shareScale !== 'boolean') {
    c.add(
      'options.shareScale',
      `must be a boolean, got ${describeType(options.shareScale)}`
    );
  }
  checkInteger(options, 'charsPerRow', 1, LIMITS.MAX_CHARS_PER_ROW, c);
  checkInteger(options, 'precision', 0, LIMITS.MAX_PRECISION, c);
  return c.problems.length === before;
}

function checkColormap(options: Json, c: Collector): void {
  if (!has(options, 'colormap')) {
    return;
  }
  const name = options.colormap;
  if (typeof name !== 'string') {
    c.add('options.colormap', `must be a string, got ${describeType(name)}`);
  } else if ((COLORMAP_NAMES as ReadonlyArray<string>).indexOf(name) < 0) {
    c.add(
      'options.colormap',
      `${preview(name)} is not known; use one of ${COLORMAP_NAMES.join(', ')}`
    );
  }
}

function checkInteger(
  options: Json,
  key: string,
  min: number,
  max: number,
  c: Collector
): void {
  if (!has(options, key)) {
    return;
  }
  const value = options[key];
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max
  ) {
    c.add(
      `options.${key}`,
      `must be an integer from ${min} to ${max}, got ${preview(value)}`
    );
  }
}
