/**
 * Width fitting: rows wrap to the width of the output area unless the user or
 * the payload fixed the characters per row. `WidthFitter` watches the width
 * (once per frame) and measures a drawn row; `fitCharsPerRow`
 * (`table/layout.ts`) decides.
 */
import { IDisposable } from '@lumino/disposable';
import { fitCharsPerRow } from '../table/layout';

/** The widths a drawn row gives: row header cell(s) and the widest cell (px). */
export interface IRowMeasure {
  headerWidth: number;
  cellWidth: number;
}

/** Measure a drawn table row (`th` cells are row headers). */
export function measureRow(row: Element): IRowMeasure {
  let headerWidth = 0;
  let cellWidth = 0;
  for (const child of Array.from(row.children)) {
    const box = child.getBoundingClientRect().width;
    if (child.tagName === 'TH') {
      headerWidth += box;
    } else {
      cellWidth = Math.max(cellWidth, box);
    }
  }
  return { headerWidth, cellWidth };
}

/**
 * The characters per row that fit `available` px, when they differ from the
 * `shown` ones; null when nothing changes or nothing was measured.
 */
export function refit(
  available: number,
  measure: IRowMeasure,
  longest: number,
  shown: number
): number | null {
  const fit = fitCharsPerRow({ available, ...measure, tokens: longest });
  return fit !== null && fit !== shown ? fit : null;
}

/** Whether a payload option or the user's setting fixed the characters per row. */
export function hasFixedWidth(
  payload: unknown,
  settingsCharsPerRow: unknown
): boolean {
  const options = (payload as { options?: { charsPerRow?: unknown } } | null)
    ?.options;
  const valid = (value: unknown) =>
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= 1000;
  return valid(options?.charsPerRow) || valid(settingsCharsPerRow);
}

/**
 * Watches the width of `node` and calls `onWidthChange` at most once per
 * frame when it changes; `measure` then tells whether another number of
 * characters per row fits. Fitted once per width: a table re-wrapped to a
 * width never re-wraps itself at that width.
 */
export class WidthFitter implements IDisposable {
  constructor(node: HTMLElement, onWidthChange: () => void) {
    this._node = node;
    this._onWidthChange = onWidthChange;
    if (typeof ResizeObserver === 'function') {
      this._observer = new ResizeObserver(entries => {
        // Only the width decides the wrapping; the height grows as samples
        // are drawn.
        const width = entries[entries.length - 1]?.contentRect.width;
        if (width !== this._observedWidth) {
          this._observedWidth = width;
          this.schedule();
        }
      });
      this._observer.observe(node);
    }
  }

  /** Characters per row found by the last fitting (null: none yet). */
  get fit(): number | null {
    return this._fit;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Fit again at the current width (new data or settings may fit differently). */
  reset(): void {
    this._fittedWidth = 0;
  }

  /** Call `onWidthChange` in the next frame (once). */
  schedule(): void {
    if (this._frame || this._disposed) {
      return;
    }
    const run = () => {
      this._frame = 0;
      if (!this._disposed) {
        this._onWidthChange();
      }
    };
    if (typeof requestAnimationFrame === 'function') {
      this._frame = requestAnimationFrame(run);
    } else {
      run();
    }
  }

  /**
   * Measure `row` (the first drawn row) against the node's width: the
   * characters per row that fit when they differ from `shown`, else null.
   */
  measure(row: Element | null, longest: number, shown: number): number | null {
    const width = this._node.clientWidth;
    if (!row || width <= 0 || width === this._fittedWidth) {
      return null;
    }
    this._fittedWidth = width;
    const fit = refit(width, measureRow(row), longest, shown);
    if (fit !== null) {
      this._fit = fit;
    }
    return fit;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._observer?.disconnect();
    this._observer = null;
    if (this._frame && typeof cancelAnimationFrame === 'function') {
      cancelAnimationFrame(this._frame);
    }
    this._frame = 0;
  }

  private _node: HTMLElement;
  private _onWidthChange: () => void;
  private _observer: ResizeObserver | null = null;
  private _observedWidth: number | undefined = undefined;
  private _frame = 0;
  private _fit: number | null = null;
  private _fittedWidth = 0;
  private _disposed = false;
}
