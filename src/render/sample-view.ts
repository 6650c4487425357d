/**
 * The DOM of one sample: header, legend and table, and the rows in it. A
 * large sample is windowed: only the row groups in view (and a few around)
 * are in the DOM, between two spacers that keep the scroll height
 * (`windowing.ts` decides which groups).
 */
import { columnLabels, ISampleTable, ITableModel } from '../table/model';
import type { ITranslate } from '../table/translate';
import { groupsHtml } from './cells';
import { CSS } from './css';
import { headerNodes, legendNode } from './header-dom';
import {
  IGroupRange,
  INITIAL_GROUPS,
  scrollToGroup,
  spacerHeights,
  windowEdit,
  windowRange
} from './windowing';

/** Samples with more cells than this are windowed. */
export const VIRTUAL_THRESHOLD_CELLS = 3000;

/** Height of one row of cells before anything was measured (px). */
const ROW_HEIGHT_GUESS = 20;

export interface ISampleViewOptions {
  model: ITableModel;
  sample: ISampleTable;
  /** Position of the sample in the output (its `data-sample`). */
  index: number;
  trans: ITranslate;
  /** The row group of the focused cell when it is in this sample. */
  focusGroup: (view: SampleView) => number | undefined;
  /**
   * Called after the window changed; `hadFocus` when a cell of the table
   * had focus before (it may have been removed).
   */
  onWindowChanged: (view: SampleView, hadFocus: boolean) => void;
}

export class SampleView {
  constructor(options: ISampleViewOptions) {
    this.model = options.model;
    this.sample = options.sample;
    this.index = options.index;
    this._trans = options.trans;
    this._onWindowChanged = options.onWindowChanged;
    this._focusGroup = options.focusGroup;
    const { sample } = this;
    this.virtual =
      sample.tokens.length * sample.series.length > VIRTUAL_THRESHOLD_CELLS;
    this.node = this._sampleNode();
    this.scroll = document.createElement('div');
    this.scroll.className = CSS.scroll;
    this.tableNode = this._tableShell();
    this.scroll.appendChild(this.tableNode);
    this.node.appendChild(this.scroll);
  }

  readonly model: ITableModel;
  readonly sample: ISampleTable;
  readonly index: number;
  readonly node: HTMLElement;
  readonly scroll: HTMLElement;
  readonly tableNode: HTMLTableElement;
  /** Whether only the groups in view are in the DOM. */
  readonly virtual: boolean;

  /** Groups in the DOM. */
  get range(): IGroupRange {
    return { first: this._first, last: this._last };
  }

  /**
   * Draw the rows: all of them, or for a windowed sample the first window
   * (filled to the box's height in the next frame) and a scroll listener.
   */
  drawRows(): void {
    const { sample } = this;
    if (!this.virtual) {
      this._insert(0, sample.groupCount - 1, null);
      this._first = 0;
      this._last = sample.groupCount - 1;
      return;
    }
    // Fixed layout: column widths come from the header row, so scrolling
    // never re-measures every cell of the window.
    const headerColumns = sample.named ? 2 : 1;
    this.tableNode.style.width = `calc(${headerColumns * 5}em + ${
      columnLabels(sample).length
    } * 1.8em)`;
    this.scroll.classList.add(CSS.virtual);
    this.scroll.addEventListener('scroll', this._onScroll, { passive: true });
    this.updateWindow(true);
    // The box reaches its full height only with these rows and spacers.
    this.scheduleWindow();
  }

  /**
   * Render the groups in view (and spacers around them); without a layout
   * the window starts at `start` (default: where it is).
   */
  updateWindow(force = false, start?: number): void {
    const { sample, scroll, tableNode } = this;
    const next = windowRange({
      groupCount: sample.groupCount,
      groupHeight: this._groupHeight(),
      scrollTop: scroll.scrollTop,
      viewHeight: scroll.clientHeight,
      current: { first: start ?? this._first, last: this._last },
      focusGroup: this._focusGroup(this)
    });
    if (!force && next.first === this._first && next.last === this._last) {
      return;
    }
    const active = document.activeElement;
    const hadFocus = tableNode.contains(active) && active !== tableNode;
    this._ensureSpacers();
    this._apply(next);
    if (!this._measuredHeight && this._groups.length > 0) {
      const measured = this._groups[0].getBoundingClientRect().height;
      if (measured > 0) {
        this._measuredHeight = measured;
      }
    }
    const heights = spacerHeights(next, sample.groupCount, this._groupHeight());
    setSpacerHeight(this._topSpacer!, heights.top);
    setSpacerHeight(this._bottomSpacer!, heights.bottom);
    this._onWindowChanged(this, hadFocus);
  }

  /** Update the window in the next frame (once). */
  scheduleWindow(): void {
    if (this._pending || this._disposed) {
      return;
    }
    this._pending = true;
    const run = () => {
      this._pending = false;
      if (!this._disposed) {
        this.updateWindow();
      }
    };
    if (typeof requestAnimationFrame === 'function') {
      requestAnimationFrame(run);
    } else {
      setTimeout(run, 0);
    }
  }

  /** Scroll a windowed sample so that group `group` is drawn. */
  reveal(group: number): void {
    if (!this.virtual || (group >= this._first && group <= this._last)) {
      return;
    }
    const target = scrollToGroup(group, this._groupHeight());
    this.scroll.scrollTop = target.scrollTop;
    this.updateWindow(true, target.first);
  }

  /** The cell at (series, pos) when it is in the DOM. */
  cellNode(series: number, pos: number): HTMLElement | null {
    return this.tableNode.querySelector(
      `td[data-series="${series}"][data-pos="${pos}"]`
    );
  }

  /** The first row of cells, for measuring widths. */
  firstRow(): Element | null {
    return this.tableNode.querySelector('tbody.' + CSS.group + ' tr');
  }

  /** Stop listening; the node stays until its parent drops it. */
  dispose(): void {
    this._disposed = true;
    this.scroll.removeEventListener('scroll', this._onScroll);
  }

  /** Scroll events of the sample's box: window to the new position. */
  private _onScroll = (): void => {
    this.scheduleWindow();
  };

  private _groupHeight(): number {
    return this._measuredHeight || ROW_HEIGHT_GUESS * this.sample.series.length;
  }

  private _sampleNode(): HTMLElement {
    const { sample } = this;
    const node = document.createElement('div');
    node.className = CSS.sample;
    node.setAttribute('data-sample', String(this.index));
    // Height of the sample while it is out of view and not laid out (see the
    // stylesheet): header, legend and column labels, then its rows.
    const rows =
      sample.series.length *
      (this.virtual
        ? Math.min(sample.groupCount, INITIAL_GROUPS / 2)
        : sample.groupCount);
    node.style.setProperty(
      'contain-intrinsic-block-size',
      `auto ${(6 + rows * 1.6).toFixed(1)}em`
    );
    node.append(...headerNodes(sample, this._trans));
    if (!sample.valueless) {
      node.appendChild(legendNode(sample, this._trans));
    }
    return node;
  }

  private _tableShell(): HTMLTableElement {
    const { sample } = this;
    const table = document.createElement('table');
    table.className = CSS.table;
    if (sample.named) {
      table.classList.add(CSS.series);
    }
    table.setAttribute('role', 'grid');
    table.setAttribute('aria-readonly', 'true');
    const title = sample.title;
    const method = sample.method || this._trans.__('text');
    table.setAttribute(
      'aria-label',
      title
        ? this._trans.__('%1 per character: %2', method, title)
        : this._trans.__('%1 per character', method)
    );
    table.setAttribute(
      'aria-rowcount',
      String(sample.groupCount * sample.series.length + 1)
    );
    const row = document.createElement('tr');
    const corners = sample.named ? 2 : 1;
    for (let i = 0; i < corners; i++) {
      const corner = document.createElement('th');
      corner.className = CSS.corner;
      if (i === 0) {
        corner.setAttribute('scope', 'col');
      }
      row.appendChild(corner);
    }
    for (const column of columnLabels(sample)) {
      const th = document.createElement('th');
      th.setAttribute('scope', 'col');
      th.textContent = String(column);
      row.appendChild(th);
    }
    const thead = document.createElement('thead');
    thead.appendChild(row);
    table.appendChild(thead);
    return table;
  }

  private _ensureSpacers(): void {
    if (!this._topSpacer) {
      this._topSpacer = createSpacer(this.sample);
      this._bottomSpacer = createSpacer(this.sample);
      this.tableNode.append(this._topSpacer, this._bottomSpacer);
    }
  }

  /** Go from the groups in the DOM to `next`, keeping those still in view. */
  private _apply(next: IGroupRange): void {
    const edit = windowEdit(this.range, next);
    if (edit.replace) {
      this._groups.forEach(group => group.remove());
      this._groups = this._insert(next.first, next.last, this._bottomSpacer);
    } else {
      for (let i = 0; i < edit.dropFront; i++) {
        this._groups.shift()!.remove();
      }
      for (let i = 0; i < edit.dropBack; i++) {
        this._groups.pop()!.remove();
      }
      const before = this._insert(
        edit.addBefore.first,
        edit.addBefore.last,
        this._groups[0] ?? this._bottomSpacer
      );
      const after = this._insert(
        edit.addAfter.first,
        edit.addAfter.last,
        this._bottomSpacer
      );
      this._groups = [...before, ...this._groups, ...after];
    }
    this._first = next.first;
    this._last = next.last;
  }

  /** Draw groups `from..to` before `reference` (null: at the end). */
  private _insert(
    from: number,
    to: number,
    reference: Node | null
  ): HTMLElement[] {
    if (to < from) {
      return [];
    }
    const holder = document.createElement('table');
    holder.innerHTML = groupsHtml(
      this.model,
      this.sample,
      from,
      to,
      this._trans
    );
    const groups = Array.from(holder.tBodies);
    const fragment = document.createDocumentFragment();
    groups.forEach(group => fragment.appendChild(group));
    this.tableNode.insertBefore(fragment, reference);
    return groups;
  }

  private _trans: ITranslate;
  private _onWindowChanged: (view: SampleView, hadFocus: boolean) => void;
  private _focusGroup: (view: SampleView) => number | undefined;
  private _first = 0;
  private _last = -1;
  private _measuredHeight = 0;
  private _groups: HTMLElement[] = [];
  private _topSpacer: HTMLElement | null = null;
  private _bottomSpacer: HTMLElement | null = null;
  private _pending = false;
  private _disposed = false;
}

function createSpacer(sample: ISampleTable): HTMLElement {
  const tbody = document.createElement('tbody');
  tbody.className = CSS.spacer;
  tbody.setAttribute('aria-hidden', 'true');
  const tr = document.createElement('tr');
  const td = document.createElement('td');
  td.colSpan = sample.charsPerRow + (sample.named ? 2 : 1);
  tr.appendChild(td);
  tbody.appendChild(tr);
  return tbody;
}

function setSpacerHeight(spacer: HTMLElement, height: number): void {
  const td = spacer.querySelector('td') as HTMLElement;
  td.style.height = `${Math.max(0, Math.round(height))}px`;
  spacer.style.display = height > 0 ? '' : 'none';
}
