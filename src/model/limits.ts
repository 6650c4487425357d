/**
 * Limits that keep a hostile or damaged file from exhausting memory or time,
 * and the checks that apply them before any work proportional to what a
 * file declares. Pure: no DOM, no Node APIs.
 */
import { ModelError } from './types';

/** The input length (time steps) a model may declare or be padded to, by default. */
export const DEFAULT_MAX_INPUT_LENGTH = 100000;

/**
 * The layers a model may have by default, counting every layer of every
 * nested model and, once nested models are inlined, every layer call (a
 * nested model called 8 times repeats its layers 8 times). Character models
 * have tens to hundreds of layers.
 */
export const DEFAULT_MAX_LAYERS = 50000;

/** How deep models may nest inside models by default (Keras models rarely nest 3 deep). */
export const DEFAULT_MAX_NESTING_DEPTH = 32;

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
  /** The data all datasets of one HDF5 file may declare, whatever its size. */
  HDF5_DATA_BYTES: 2 ** 31,
  /**
   * One dataset may read and inflate at most this many times its declared
   * size (plus `HDF5_SLACK_BYTES`): edge chunks overhang the dataset a
   * little, a compression bomb a thousandfold.
   */
  HDF5_READ_MARGIN: 2,
  /**
   * One attribute's value, decoded (`model_config` is the largest Keras
   * writes); all attributes read from a file decode to at most
   * `HDF5_EXPANSION` times its size plus this much.
   */
  HDF5_ATTRIBUTE_BYTES: 64 << 20,
  /**
   * A model config: `config.json` (or an assets file) inside a `.keras`
   * archive, a TensorFlow.js `model.json`, a `model.to_json()` file. Keras
   * writes about 600 bytes per layer: this fits `DEFAULT_MAX_LAYERS` layers.
   */
  ARCHIVE_JSON_BYTES: 32 << 20,
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
  ARCHIVE_SLACK_BYTES: 16 << 20,
  /** A model file (or all weight shards of a TensorFlow.js model) read from disk. */
  MODEL_FILE_BYTES: 2 ** 31,
  /** A tokenizer JSON file: a character tokenizer is a few kilobytes. */
  TOKENIZER_BYTES: 16 << 20,
  /** A text, payload or attention file named on the command line. */
  INPUT_FILE_BYTES: 1 << 30,
  /**
   * Entries of a TextVectorization vocabulary: more than Unicode has
   * characters assigned (about 155,000), which a character vocabulary cannot
   * exceed.
   */
  VOCABULARY_ENTRIES: 200000
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

/** A positive integer limit from a setting or flag, or `fallback`. */
export function resolveLimit(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1
    ? value
    : fallback;
}

/** The input length limit from a setting or flag, or the default. */
export function resolveMaxInputLength(value: unknown): number {
  return resolveLimit(value, DEFAULT_MAX_INPUT_LENGTH);
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
