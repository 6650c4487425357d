/**
 * Labels as class indices: `0`/`1` for a sigmoid output, `0..k-1` for a
 * softmax over k classes. With class names (`--classes neg,pos`), a label
 * may be a name (its position in the list) or an index. Pure.
 */
import { DataFormatError, RawLabel } from './labelled-file';

/** Class names from `neg,pos` (trimmed, distinct, non-empty). */
export function parseClasses(text: string): string[] {
  const names = text.split(',').map(name => name.trim());
  if (names.length < 2 || names.some(name => name === '')) {
    throw new Error(
      `--classes needs at least two non-empty names separated by commas (e.g. neg,pos), got '${text}'`
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new Error(`--classes names '${name}' twice`);
    }
    seen.add(name);
  }
  return names;
}

/**
 * The number of classes of a model output of `units` units: 2 for a single
 * (sigmoid) unit, else `units`.
 */
export function classCount(units: number): number {
  return units === 1 ? 2 : units;
}

/** Checks that the class names fit the model's output. */
export function checkClasses(classes: string[] | null, units: number): void {
  if (classes && classes.length !== classCount(units)) {
    throw new Error(
      `--classes names ${classes.length} classes, but the model's output has ${units} unit${units === 1 ? ' (a sigmoid: 2 classes, 0 and 1)' : 's'}`
    );
  }
}

/**
 * A raw label as a class index in `0..count-1`, or null (no label). Errors
 * name the line and the accepted values.
 */
export function labelIndex(
  raw: RawLabel,
  classes: string[] | null,
  count: number,
  line: number
): number | null {
  if (raw === null) {
    return null;
  }
  let index: number | null = null;
  if (typeof raw === 'number') {
    index = Number.isInteger(raw) ? raw : null;
  } else {
    const text = raw.trim();
    const named = classes ? classes.indexOf(text) : -1;
    if (named >= 0) {
      return named;
    }
    // An integer, possibly written as a float by pandas ("1.0").
    if (/^[+-]?\d+(\.0*)?$/.test(text)) {
      index = Number(text);
    }
  }
  if (index === null || !(index >= 0 && index < count)) {
    const accepted = classes
      ? `one of ${classes.map(c => JSON.stringify(c)).join(', ')} or an index 0..${count - 1}`
      : `a class index 0..${count - 1}` +
        (typeof raw === 'string' && !/^[+-]?[\d.]+$/.test(raw.trim())
          ? ' (name the classes with --classes, e.g. --classes neg,pos)'
          : '');
    throw new DataFormatError(
      `label ${JSON.stringify(raw)} is not ${accepted}`,
      line
    );
  }
  return index;
}
