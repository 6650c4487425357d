/**
 * "Characters the model relies on": for each character, the mean of its
 * values over every explained row (each occurrence counts once), and the
 * characters with the largest means. Memory is bounded by the number of
 * distinct characters. Pure.
 */

/** One character's mean value and how many occurrences it is the mean of. */
export interface ICharacterWeight {
  char: string;
  mean: number;
  count: number;
}

/** How many characters the summary lists. */
export const TOP_CHARACTERS = 20;

export class CharacterWeights {
  /** Adds one row: its characters and their values (null = not seen, skipped). */
  add(
    chars: ReadonlyArray<string>,
    values: ReadonlyArray<number | null>
  ): void {
    const n = Math.min(chars.length, values.length);
    for (let i = 0; i < n; i++) {
      const value = values[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        continue;
      }
      const entry = this._totals.get(chars[i]);
      if (entry) {
        entry.sum += value;
        entry.count++;
      } else {
        this._totals.set(chars[i], { sum: value, count: 1 });
      }
    }
  }

  /** Distinct characters seen. */
  get size(): number {
    return this._totals.size;
  }

  /** The `limit` largest means (ties: more occurrences first, then code point order). */
  top(limit = TOP_CHARACTERS): ICharacterWeight[] {
    const all: ICharacterWeight[] = [];
    this._totals.forEach(({ sum, count }, char) =>
      all.push({ char, mean: sum / count, count })
    );
    all.sort(
      (a, b) =>
        b.mean - a.mean ||
        b.count - a.count ||
        (a.char < b.char ? -1 : a.char > b.char ? 1 : 0)
    );
    return all.slice(0, limit);
  }

  private _totals = new Map<string, { sum: number; count: number }>();
}
