/**
 * Keyboard focus in the DOM: exactly one cell of the output is reachable with
 * Tab (roving tabindex); arrow keys and Home / End / PageUp / PageDown move
 * it (`keyboard.ts` says where), drawing the row group first when a windowed
 * sample has not drawn it.
 */
import { CSS } from './css';
import { ICellPosition, nextCell } from './keyboard';
import { SampleView } from './sample-view';

/** A cell of the output: its sample, series and position. */
export interface ILocatedCell extends ICellPosition {
  sample: number;
}

/** The table cell an event happened in, if any. */
export function cellOf(target: EventTarget | null): HTMLElement | null {
  if (!target || !(target as Element).closest) {
    return null;
  }
  return (target as Element).closest(`td.${CSS.cell}`) as HTMLElement | null;
}

/** Where a cell element is (null outside a sample). */
export function locateCell(cell: HTMLElement): ILocatedCell | null {
  const sampleNode = cell.closest(`.${CSS.sample}`);
  if (!sampleNode) {
    return null;
  }
  return {
    sample: Number(sampleNode.getAttribute('data-sample')),
    series: Number(cell.getAttribute('data-series') || 0),
    pos: Number(cell.getAttribute('data-pos'))
  };
}

export class RovingFocus {
  /** `root` holds the samples; `views` gives the drawn ones by index. */
  constructor(root: HTMLElement, views: () => ReadonlyArray<SampleView>) {
    this._root = root;
    this._views = views;
  }

  /** The cell reachable with Tab (null before a sample is drawn). */
  get current(): ILocatedCell | null {
    return this._current;
  }

  /** Forget the cell (the content is replaced). */
  reset(): void {
    this._current = null;
  }

  /** Make the first cell of a sample the Tab stop (when none is yet). */
  start(view: SampleView): void {
    if (!this._current && view.sample.tokens.length > 0) {
      this._current = { sample: view.index, series: 0, pos: 0 };
      this.applyTabIndex();
    }
  }

  /** The row group of the current cell in `view`, if it is there. */
  groupIn(view: SampleView): number | undefined {
    const current = this._current;
    return current && current.sample === view.index
      ? Math.floor(current.pos / view.sample.charsPerRow)
      : undefined;
  }

  /** A cell got focus (by pointer or Tab): it becomes the Tab stop. */
  focusedCell(located: ILocatedCell): void {
    this._current = located;
    this.applyTabIndex();
  }

  /** Handle a navigation key on a cell; true when it moved the focus. */
  keyDown(event: KeyboardEvent): boolean {
    const cell = cellOf(event.target);
    const located = cell && this._current ? locateCell(cell) : null;
    const view = located ? this._views()[located.sample] : undefined;
    if (!located || !view) {
      return false;
    }
    const { sample } = view;
    const next = nextCell(event.key, event.ctrlKey, located, {
      count: sample.tokens.length,
      perRow: sample.charsPerRow,
      seriesCount: sample.series.length
    });
    if (!next) {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    this._current = { sample: located.sample, ...next };
    this.focusCurrent(true);
    return true;
  }

  /** Move DOM focus to the current cell, drawing its row group first if needed. */
  focusCurrent(scrollIntoView: boolean): void {
    const current = this._current;
    const view = current ? this._views()[current.sample] : undefined;
    if (!current || !view) {
      return;
    }
    view.reveal(Math.floor(current.pos / view.sample.charsPerRow));
    this.applyTabIndex();
    const cell = view.cellNode(current.series, current.pos);
    if (cell) {
      cell.focus();
      if (scrollIntoView && typeof cell.scrollIntoView === 'function') {
        cell.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      }
    }
  }

  /** Exactly one cell in the output is reachable with Tab. */
  applyTabIndex(): void {
    this._root
      .querySelectorAll('td[tabindex="0"]')
      .forEach(node => node.setAttribute('tabindex', '-1'));
    const current = this._current;
    const view = current ? this._views()[current.sample] : undefined;
    const cell = current && view?.cellNode(current.series, current.pos);
    if (cell) {
      cell.setAttribute('tabindex', '0');
    }
  }

  private _root: HTMLElement;
  private _views: () => ReadonlyArray<SampleView>;
  private _current: ILocatedCell | null = null;
}
