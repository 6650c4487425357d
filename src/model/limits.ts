/**
 * Limits that keep a hostile or damaged file from exhausting memory or time,
 * and the checks that apply them before any work proportional to what a
 * file declares. Pure: no DOM, no Node APIs.
 */
import { ModelError } from './types';

/** The input length (time steps) a model may declare or be padded to, by default. */
export const DEFAULT_MAX_INPUT_LENGTH = 100000;

/** Fixed caps (not settings): sizes no real Keras file comes near. */
export const FILE_LIMITS = {
  /**
   * The data an HDF5 file's datasets declare, in total, at most this many
   * times the file's own size (plus `HDF5_SLACK_BYTES`): contiguous data must
   * lie inside the file anyway; this bounds compressed chunks and datasets
   * that point at the same bytes.
   */
  HDF5_EXPANSION: 16,
  HDF5_SLACK_BYTES: 1 << 20,
  /** Uncompressed size of `config.json` / an assets file inside a `.keras` archive. */
  ARCHIVE_JSON_BYTES: 64 << 20,
  /** Uncompressed size of `metadata.json` inside a `.keras` archive. */
  ARCHIVE_METADATA_BYTES: 1 << 20,
  /** Uncompressed size of `model.weights.h5` inside a `.keras` archive. */
  ARCHIVE_WEIGHTS_BYTES: 2 ** 31,
  /**
   * A `.keras` entry may inflate to at most this many times its compressed
   * size (plus `ARCHIVE_SLACK_BYTES`): float weights compress about 1.1:1,
   * a zip bomb 1000:1.
   */
  ARCHIVE_EXPANSION: 16,
  ARCHIVE_SLACK_BYTES: 16 << 20
} as const;

/** A byte count for messages: `38.2 KB`, `1.07 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} bytes`;
  }
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toPrecision(3)} ${units[unit]}`;
}

/** A count for messages with thousands separators (locale-independent). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) {
    return String(n);
  }
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A positive integer limit from a setting or flag, or the default. */
export function resolveMaxInputLength(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1
    ? value
    : DEFAULT_MAX_INPUT_LENGTH;
}

/**
 * Refuses a model whose declared input length exceeds the limit, before
 * anything is allocated for it.
 */
export function checkDeclaredInputLength(
  declared: number | null | undefined,
  limit: number,
  file: string,
  how: string
): void {
  if (typeof declared === 'number' && declared > limit) {
    throw new ModelError(
      `${file}: the model declares an input of ${formatCount(declared)} steps; ` +
        `at most ${formatCount(limit)} are allowed (${how})`,
      { file }
    );
  }
}

/** The largest value of a list without spreading it into arguments. */
export function maxOf(values: ArrayLike<number>, empty = 0): number {
  if (values.length === 0) {
    return empty;
  }
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    if (values[i] > best) {
      best = values[i];
    }
  }
  return best;
}

/** Appends `items` to `target` one by one (no argument spread). */
export function appendAll<T>(target: T[], items: ArrayLike<T>): T[] {
  for (let i = 0; i < items.length; i++) {
    target.push(items[i]);
  }
  return target;
}
