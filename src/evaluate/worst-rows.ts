/**
 * The rows with the largest loss seen so far, in bounded memory: at most
 * `capacity` rows are kept however many are added. Order: loss descending,
 * rows without a loss last, then input order. Pure.
 */

export interface ILossRanked {
  index: number;
  loss: number | null;
}

/** Loss descending, null last, then input order. */
export function byLoss(a: ILossRanked, b: ILossRanked): number {
  const la = a.loss ?? -Infinity;
  const lb = b.loss ?? -Infinity;
  return lb > la ? 1 : lb < la ? -1 : a.index - b.index;
}

export class WorstRows<T> {
  constructor(
    readonly capacity: number,
    private _key: (item: T) => ILossRanked
  ) {}

  add(item: T): void {
    this._items.push(item);
    if (this._items.length >= 2 * this.capacity + 64) {
      this._trim();
    }
  }

  /** The kept rows, worst first. */
  rows(): T[] {
    this._trim();
    return [...this._items];
  }

  private _trim(): void {
    this._items.sort((a, b) => byLoss(this._key(a), this._key(b)));
    this._items.length = Math.min(this._items.length, this.capacity);
  }

  private _items: T[] = [];
}
