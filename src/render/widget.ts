/**
 * `RenderedCharAttention`: the MIME renderer of
 * `application/x-char-attention+json`. A thin DOM layer over the pure table
 * model: heat table per sample, legend, header line, hover/focus status line,
 * roving keyboard focus, error box for invalid payloads. Large samples are
 * windowed (only the rows in view exist in the DOM) and batches render sample
 * by sample in short slices, so long inputs never block the page.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { nullTranslator } from '@jupyterlab/translation';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import {
  IDisplaySettings,
  INormalizedPayload,
  normalizePayload
} from '../payload/normalize';
import { IValidationProblem, MIME_TYPE, Payload } from '../payload/types';
import { validatePayload } from '../payload/validate';
import { fitCharsPerRow } from '../table/layout';
import {
  buildSampleTable,
  buildTableShell,
  columnLabels,
  getCell,
  groupRange,
  ICellView,
  ISampleTable,
  ITableModel
} from '../table/model';
import { escapeHtml } from '../table/escape';
import { charAttentionSettings } from './settings';
import { afterNextFrame, afterTask, ISlicedRun, runSliced } from './slices';

/** CSS classes of the DOM contract. */
export const CSS = {
  root: 'jp-RenderedCharAttention',
  batchTitle: 'jp-CharAttention-batchTitle',
  sample: 'jp-CharAttention-sample',
  header: 'jp-CharAttention-header',
  title: 'jp-CharAttention-title',
  method: 'jp-CharAttention-method',
  prediction: 'jp-CharAttention-prediction',
  label: 'jp-CharAttention-label',
  summary: 'jp-CharAttention-summary',
  meta: 'jp-CharAttention-meta',
  legend: 'jp-CharAttention-legend',
  legendName: 'jp-CharAttention-legendName',
  legendBar: 'jp-CharAttention-legendBar',
  legendMin: 'jp-CharAttention-legendMin',
  legendMax: 'jp-CharAttention-legendMax',
  scroll: 'jp-CharAttention-scroll',
  virtual: 'jp-mod-virtual',
  table: 'jp-CharAttention-table',
  group: 'jp-CharAttention-group',
  spacer: 'jp-CharAttention-spacer',
  rowHeader: 'jp-CharAttention-rowHeader',
  seriesHeader: 'jp-CharAttention-seriesHeader',
  cell: 'jp-CharAttention-cell',
  masked: 'jp-CharAttention-masked',
  missing: 'jp-CharAttention-missing',
  whitespace: 'jp-CharAttention-ws',
  status: 'jp-CharAttention-status',
  hint: 'jp-CharAttention-hint',
  error: 'jp-CharAttention-error'
};

/** Samples with more cells than this are windowed. */
export const VIRTUAL_THRESHOLD_CELLS = 3000;
/** Row groups rendered above and below the visible ones. */
const OVERSCAN_GROUPS = 4;
/** Row groups rendered before the first layout (or without layout, e.g. jsdom). */
const INITIAL_GROUPS = 40;
/** Translation domain of the extension's user strings. */
export const TRANSLATION_DOMAIN = 'jupyterlab_char_attention';

export class RenderedCharAttention
  extends Widget
  implements IRenderMime.IRenderer
{
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType || MIME_TYPE;
    this._trans = (options.translator ?? nullTranslator).load(
      TRANSLATION_DOMAIN
    );
    this.addClass(CSS.root);
    this.node.addEventListener('mouseover', this);
    this.node.addEventListener('focusin', this);
    this.node.addEventListener('keydown', this);
    charAttentionSettings.changed.connect(this._onSettingsChanged, this);
    // Rows wrap to the width available unless the user or payload set a
    // number of characters per row: re-wrap when the width changes.
    if (typeof ResizeObserver === 'function') {
      this._resizeObserver = new ResizeObserver(entries => {
        // Only the width decides the wrapping; the height grows as samples
        // are drawn.
        const width = entries[entries.length - 1]?.contentRect.width;
        if (width !== this._observedWidth) {
          this._observedWidth = width;
          this._onResize();
        }
      });
      this._resizeObserver.observe(this.node);
    }
  }

  /** Characters per row in use when wrapping to the width (null: fixed or unknown). */
  get fittedCharsPerRow(): number | null {
    return this._fit;
  }

  /**
   * Resolves when every sample of the last render is in the DOM (including a
   * render started meanwhile, e.g. to re-wrap to the width).
   */
  get rendered(): Promise<void> {
    const done = this._done;
    return done.then(() =>
      this._done === done || this.isDisposed ? undefined : this.rendered
    );
  }

  /**
   * The table model of the last valid payload (null for an error box); its
   * samples are added as they are drawn (all of them once `rendered` resolves).
   */
  get tableModel(): ITableModel | null {
    return this._table;
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._data = model.data[this._mimeType];
    // New data may fit differently (rows are never wider than its texts).
    this._fitWidth = 0;
    return this._render();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._run?.cancel();
    this._run = null;
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    window.cancelAnimationFrame?.(this._resizeFrame);
    charAttentionSettings.changed.disconnect(this._onSettingsChanged, this);
    super.dispose();
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case 'mouseover':
      case 'focusin':
        this._onPointAt(event);
        break;
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
      case 'scroll':
        this._onScroll(event);
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Layout is known now: fit the windows of large samples to their view.
    for (const view of this._views) {
      if (view.virtual) {
        this._updateWindow(view, true);
      }
    }
  }

  /**
   * Render the stored data with the current settings. Never throws. The
   * drawing runs in time-boxed slices (validation, normalisation, then
   * samples); the old content stays until the first new sample replaces it.
   * Resolves once the first slice of the new content is shown.
   */
  private _render(): Promise<void> {
    this._run?.cancel();
    let resolveFirst!: () => void;
    const first = new Promise<void>(resolve => (resolveFirst = resolve));
    let isShown = false;
    const shown = () => {
      isShown = true;
      resolveFirst();
    };
    // Nothing is drawn in the caller's task: a new result arrives in a task
    // that did work of its own, and a re-wrap runs in an animation frame. The
    // old content stays until the new one replaces it. Until the first
    // sample is shown, slices follow each other task by task (nothing new is
    // on screen to lay out); then one slice per frame.
    const run = runSliced(this._drawSteps(this._data, shown), {
      immediate: false,
      schedule: next => (isShown ? afterNextFrame(next) : afterTask(next))
    });
    this._run = run;
    this._done = run.done.then(
      () => shown(),
      error => {
        // A bug, not a bad payload (those get the error box): say so once.
        console.error('char-attention: drawing failed', error);
        shown();
      }
    );
    return first;
  }

  /** The steps of one drawing, for `runSliced`; `shown()` after the first slice. */
  private *_drawSteps(data: unknown, shown: () => void): Generator<void> {
    let payload: unknown = data;
    if (typeof payload === 'string') {
      try {
        payload = JSON.parse(payload);
      } catch (error) {
        this._replaceContent();
        this._showProblems([
          {
            path: '',
            message: this._trans.__(
              'payload is not valid JSON: %1',
              (error as Error).message
            )
          }
        ]);
        return;
      }
    }
    const fail = (error: unknown) => {
      this._replaceContent();
      this._showProblems([
        {
          path: '',
          message: `payload could not be drawn: ${(error as Error).message}`
        }
      ]);
    };
    let problems: IValidationProblem[];
    try {
      problems = validatePayload(payload).problems;
    } catch (error) {
      fail(error);
      return;
    }
    if (problems.length > 0) {
      this._replaceContent();
      this._showProblems(problems);
      return;
    }
    yield;
    let normalized: INormalizedPayload;
    let table: ITableModel;
    try {
      const settings: IDisplaySettings = { ...charAttentionSettings.current };
      this._fixedWidth = Private.hasFixedWidth(payload, settings);
      if (!this._fixedWidth && this._fit !== null) {
        settings.charsPerRow = this._fit;
      }
      normalized = normalizePayload(payload as Payload, settings);
      table = buildTableShell(normalized);
    } catch (error) {
      fail(error);
      return;
    }
    yield;
    this._replaceContent();
    this._table = table;
    this._longest = 0;
    for (const each of normalized.samples) {
      this._longest = Math.max(this._longest, each.tokens.length);
    }
    this._drawShell(table);
    // Sample tables are built as they are drawn, one step each.
    for (let index = 0; index < normalized.samples.length; index++) {
      if (index > 0) {
        yield;
      }
      let sample: ISampleTable;
      try {
        sample = buildSampleTable(normalized, index);
      } catch (error) {
        fail(error);
        return;
      }
      table.samples.push(sample);
      this._renderSample(table, sample);
      if (index === 0) {
        shown();
        // Measure the first drawn row: wrap it to the width if it does not fit.
        this._onResize();
      }
    }
  }

  /** Drop the previous content (and what refers to it). */
  private _replaceContent(): void {
    this._views = [];
    this._table = null;
    this._focus = null;
    this._status = null;
    this.node.textContent = '';
  }

  /** The batch title and the status line above the samples. */
  private _drawShell(table: ITableModel): void {
    if (table.title) {
      const title = document.createElement('div');
      title.className = CSS.batchTitle;
      title.textContent = table.title;
      this.node.appendChild(title);
    }
    const status = document.createElement('div');
    status.className = CSS.status;
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    // The hint is shown once per output area (see the stylesheet); the
    // status line then describes the hovered or focused cell.
    const hint = document.createElement('span');
    hint.className = CSS.hint;
    hint.textContent = this._trans.__(
      'Hover or focus a character to see its value; arrow keys move between cells.'
    );
    status.appendChild(hint);
    this._status = status;
    this.node.appendChild(status);
  }

  private _showProblems(problems: IValidationProblem[]): void {
    const box = document.createElement('div');
    box.className = CSS.error;
    box.setAttribute('role', 'alert');
    const heading = document.createElement('div');
    heading.className = 'jp-CharAttention-errorTitle';
    heading.textContent = this._trans._n(
      'Invalid char-attention payload (%1 problem)',
      'Invalid char-attention payload (%1 problems)',
      problems.length
    );
    box.appendChild(heading);
    const list = document.createElement('ul');
    for (const problem of problems) {
      const item = document.createElement('li');
      item.textContent = problem.message;
      if (problem.path) {
        item.setAttribute('data-path', problem.path);
      }
      list.appendChild(item);
    }
    box.appendChild(list);
    this.node.appendChild(box);
  }

  private _renderSample(table: ITableModel, sample: ISampleTable): void {
    const index = this._views.length;
    const node = document.createElement('div');
    node.className = CSS.sample;
    node.setAttribute('data-sample', String(index));
    // Height of the sample while it is out of view and not laid out (see the
    // stylesheet): header, legend and column labels, then its rows.
    const rows =
      sample.series.length *
      (sample.tokens.length * sample.series.length > VIRTUAL_THRESHOLD_CELLS
        ? Math.min(sample.groupCount, INITIAL_GROUPS / 2)
        : sample.groupCount);
    node.style.setProperty(
      'contain-intrinsic-block-size',
      `auto ${(6 + rows * 1.6).toFixed(1)}em`
    );

    const header = document.createElement('div');
    header.className = CSS.header;
    const addPart = (className: string, label: string, text: string) => {
      const part = document.createElement('span');
      part.className = className;
      if (label) {
        const name = document.createElement('span');
        name.className = 'jp-CharAttention-partName';
        name.textContent = label + ' ';
        part.appendChild(name);
        const value = document.createElement('b');
        value.textContent = text;
        part.appendChild(value);
      } else {
        part.textContent = text;
      }
      header.appendChild(part);
    };
    const trans = this._trans;
    const title = sample.autoTitle
      ? trans.__('Sample %1', sample.index)
      : sample.title;
    if (title) {
      addPart(CSS.title, '', title);
    }
    addPart(CSS.method, trans.__('method'), sample.method);
    if (sample.prediction) {
      addPart(CSS.prediction, trans.__('prediction'), sample.prediction);
    }
    if (sample.label) {
      addPart(CSS.label, trans.__('label'), sample.label);
    }
    addPart(CSS.summary, '', Private.summary(sample, trans));
    node.appendChild(header);
    if (sample.meta) {
      const meta = document.createElement('div');
      meta.className = CSS.meta;
      meta.textContent = sample.meta;
      node.appendChild(meta);
    }

    const legend = document.createElement('div');
    legend.className = CSS.legend;
    const legendName = document.createElement('span');
    legendName.className = CSS.legendName;
    legendName.textContent = sample.legend.colormap;
    const legendMin = document.createElement('span');
    legendMin.className = CSS.legendMin;
    legendMin.textContent = sample.legend.loText;
    const bar = document.createElement('span');
    bar.className = CSS.legendBar;
    bar.style.background = sample.legend.gradient;
    bar.setAttribute('role', 'img');
    bar.setAttribute(
      'aria-label',
      trans.__(
        'colour scale %1 from %2 to %3',
        sample.legend.colormap,
        sample.legend.loText,
        sample.legend.hiText
      )
    );
    const legendMax = document.createElement('span');
    legendMax.className = CSS.legendMax;
    legendMax.textContent = sample.legend.hiText;
    legend.append(legendName, legendMin, bar, legendMax);
    node.appendChild(legend);

    const scroll = document.createElement('div');
    scroll.className = CSS.scroll;
    const tableNode = document.createElement('table');
    tableNode.className = CSS.table;
    if (sample.named) {
      tableNode.classList.add('jp-mod-series');
    }
    tableNode.setAttribute('role', 'grid');
    tableNode.setAttribute('aria-readonly', 'true');
    tableNode.setAttribute(
      'aria-label',
      title
        ? trans.__('%1 per character: %2', sample.method, title)
        : trans.__('%1 per character', sample.method)
    );
    const thead = document.createElement('thead');
    const headRow = document.createElement('tr');
    const corner = document.createElement('th');
    corner.className = 'jp-CharAttention-corner';
    corner.setAttribute('scope', 'col');
    corner.textContent = '';
    headRow.appendChild(corner);
    if (sample.named) {
      const nameCorner = document.createElement('th');
      nameCorner.className = 'jp-CharAttention-corner';
      headRow.appendChild(nameCorner);
    }
    for (const column of columnLabels(sample)) {
      const th = document.createElement('th');
      th.setAttribute('scope', 'col');
      th.textContent = String(column);
      headRow.appendChild(th);
    }
    thead.appendChild(headRow);
    tableNode.appendChild(thead);
    scroll.appendChild(tableNode);
    node.appendChild(scroll);
    this.node.appendChild(node);

    const cellCount = sample.tokens.length * sample.series.length;
    const view: Private.ISampleView = {
      index,
      sample,
      table,
      scroll,
      tableNode,
      virtual: cellCount > VIRTUAL_THRESHOLD_CELLS,
      first: 0,
      last: -1,
      groupHeight: 0,
      topSpacer: null,
      bottomSpacer: null,
      groups: []
    };
    this._views.push(view);
    tableNode.setAttribute(
      'aria-rowcount',
      String(sample.groupCount * sample.series.length + 1)
    );
    if (view.virtual) {
      // Fixed layout: column widths come from the header row, so scrolling
      // never re-measures every cell of the window.
      const headerColumns = sample.named ? 2 : 1;
      tableNode.style.width = `calc(${headerColumns * 5}em + ${
        columnLabels(sample).length
      } * 1.8em)`;
      scroll.classList.add(CSS.virtual);
      scroll.addEventListener('scroll', this, { passive: true });
      this._updateWindow(view, true);
      // The box reaches its full height only with these rows and spacers:
      // fill it in the next frame.
      this._scheduleWindow(view);
    } else {
      for (const tbody of this._renderGroups(view, 0, sample.groupCount - 1)) {
        tableNode.appendChild(tbody);
      }
      view.first = 0;
      view.last = sample.groupCount - 1;
    }
    if (index === 0 && sample.tokens.length > 0) {
      this._focus = { sample: 0, series: 0, pos: 0 };
      this._applyTabIndex();
    }
  }

  /**
   * Row groups `from..to` as `tbody` elements (one `tr` per series). Built as
   * one HTML string of escaped text: much faster than element-by-element
   * creation when a windowed table scrolls.
   */
  private _renderGroups(
    view: Private.ISampleView,
    from: number,
    to: number
  ): HTMLElement[] {
    if (to < from) {
      return [];
    }
    const { sample, table } = view;
    const seriesCount = sample.series.length;
    const parts: string[] = [];
    for (let group = from; group <= to; group++) {
      const [start, end] = groupRange(sample, group);
      parts.push(`<tbody class="${CSS.group}" data-group="${group}">`);
      for (let r = 0; r < seriesCount; r++) {
        parts.push(`<tr aria-rowindex="${2 + group * seriesCount + r}">`);
        if (!sample.named || r === 0) {
          const span =
            sample.named && seriesCount > 1 ? ` rowspan="${seriesCount}"` : '';
          parts.push(
            `<th class="${CSS.rowHeader}" scope="row"${span}>${start}</th>`
          );
        }
        if (sample.named) {
          parts.push(
            `<th class="${CSS.seriesHeader}" scope="row">${escapeHtml(
              sample.series[r].name
            )}</th>`
          );
        }
        for (let pos = start; pos < end; pos++) {
          parts.push(
            Private.cellHtml(
              getCell(table, sample, r, pos),
              r,
              pos - start,
              sample.named ? sample.series[r].name : '',
              this._trans
            )
          );
        }
        parts.push('</tr>');
      }
      parts.push('</tbody>');
    }
    const holder = document.createElement('table');
    holder.innerHTML = parts.join('');
    return Array.from(holder.tBodies);
  }

  /** Render the groups in view of a windowed sample (and spacers around them). */
  private _updateWindow(view: Private.ISampleView, force = false): void {
    const { sample, scroll, tableNode } = view;
    const viewHeight = scroll.clientHeight;
    const groupHeight = view.groupHeight || 20 * sample.series.length;
    let first: number;
    let last: number;
    if (viewHeight > 0) {
      const top = Math.floor(scroll.scrollTop / groupHeight);
      const visible = Math.ceil(viewHeight / groupHeight);
      first = Math.max(0, top - OVERSCAN_GROUPS);
      last = Math.min(sample.groupCount - 1, top + visible + OVERSCAN_GROUPS);
    } else {
      first = view.first;
      last = Math.min(sample.groupCount - 1, first + INITIAL_GROUPS - 1);
    }
    if (this._focus && this._focus.sample === view.index) {
      // Keep the focused cell in the DOM: focus must not be lost on scroll.
      const focusGroup = Math.floor(this._focus.pos / sample.charsPerRow);
      if (focusGroup < first || focusGroup > last) {
        const keep = focusGroup;
        if (keep < first && first - keep <= INITIAL_GROUPS) {
          first = keep;
        } else if (keep > last && keep - last <= INITIAL_GROUPS) {
          last = keep;
        }
      }
    }
    if (!force && first === view.first && last === view.last) {
      return;
    }
    const hadFocus =
      tableNode.contains(document.activeElement) &&
      document.activeElement !== tableNode;
    if (!view.topSpacer) {
      view.topSpacer = Private.createSpacer(sample);
      view.bottomSpacer = Private.createSpacer(sample);
      tableNode.appendChild(view.topSpacer);
      tableNode.appendChild(view.bottomSpacer!);
    }
    const overlaps =
      view.groups.length > 0 && first <= view.last && last >= view.first;
    if (!overlaps) {
      for (const group of view.groups) {
        group.remove();
      }
      view.groups = this._renderGroups(view, first, last);
      const fragment = document.createDocumentFragment();
      view.groups.forEach(group => fragment.appendChild(group));
      tableNode.insertBefore(fragment, view.bottomSpacer!);
    } else {
      // Keep the groups still in view; add and remove only the edges.
      while (view.groups.length && view.first < first) {
        view.groups.shift()!.remove();
        view.first++;
      }
      while (view.groups.length && view.last > last) {
        view.groups.pop()!.remove();
        view.last--;
      }
      const before = this._renderGroups(view, first, view.first - 1);
      const after = this._renderGroups(view, view.last + 1, last);
      const head = document.createDocumentFragment();
      before.forEach(group => head.appendChild(group));
      tableNode.insertBefore(head, view.groups[0] ?? view.bottomSpacer!);
      const tail = document.createDocumentFragment();
      after.forEach(group => tail.appendChild(group));
      tableNode.insertBefore(tail, view.bottomSpacer!);
      view.groups = [...before, ...view.groups, ...after];
    }
    view.first = first;
    view.last = last;
    if (!view.groupHeight && view.groups.length > 0) {
      const measured = view.groups[0].getBoundingClientRect().height;
      if (measured > 0) {
        view.groupHeight = measured;
      }
    }
    const height = view.groupHeight || groupHeight;
    Private.setSpacerHeight(view.topSpacer, first * height);
    Private.setSpacerHeight(
      view.bottomSpacer!,
      (sample.groupCount - 1 - last) * height
    );
    this._applyTabIndex();
    if (hadFocus) {
      this._focusCurrent(false);
    }
  }

  private _onScroll(event: Event): void {
    const view = this._views.find(v => v.scroll === event.currentTarget);
    if (view) {
      this._scheduleWindow(view);
    }
  }

  /** Update the window of a windowed sample in the next frame (once). */
  private _scheduleWindow(view: Private.ISampleView): void {
    if (view.pending) {
      return;
    }
    view.pending = true;
    const run = () => {
      view.pending = false;
      if (!this.isDisposed) {
        this._updateWindow(view);
      }
    };
    if (typeof requestAnimationFrame === 'function') {
      requestAnimationFrame(run);
    } else {
      setTimeout(run, 0);
    }
  }

  /** Hover or focus: describe the cell in the status line. */
  private _onPointAt(event: Event): void {
    const cell = Private.cellOf(event.target);
    if (!cell || !this._table || !this._status) {
      return;
    }
    const located = this._locate(cell);
    if (!located) {
      return;
    }
    const view = this._views[located.sample];
    const info = getCell(this._table, view.sample, located.series, located.pos);
    this._status.textContent = Private.describe(
      info,
      view.sample,
      located.series,
      this._trans
    );
    if (event.type === 'focusin') {
      this._focus = located;
      this._applyTabIndex();
    }
  }

  private _locate(
    cell: HTMLElement
  ): { sample: number; series: number; pos: number } | null {
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

  private _onKeyDown(event: KeyboardEvent): void {
    const cell = Private.cellOf(event.target);
    if (!cell || !this._focus) {
      return;
    }
    const located = this._locate(cell);
    if (!located) {
      return;
    }
    const view = this._views[located.sample];
    const { sample } = view;
    const perRow = sample.charsPerRow;
    const count = sample.tokens.length;
    const seriesCount = sample.series.length;
    let { series, pos } = located;
    const rowStart = pos - (pos % perRow);
    switch (event.key) {
      case 'ArrowRight':
        pos = Math.min(count - 1, pos + 1);
        break;
      case 'ArrowLeft':
        pos = Math.max(0, pos - 1);
        break;
      case 'ArrowDown':
        if (series < seriesCount - 1) {
          series++;
        } else if (pos + perRow < count || rowStart + perRow < count) {
          series = 0;
          pos = Math.min(count - 1, pos + perRow);
        }
        break;
      case 'ArrowUp':
        if (series > 0) {
          series--;
        } else if (pos - perRow >= 0) {
          series = seriesCount - 1;
          pos -= perRow;
        }
        break;
      case 'Home':
        pos = event.ctrlKey ? 0 : rowStart;
        if (event.ctrlKey) {
          series = 0;
        }
        break;
      case 'End':
        pos = event.ctrlKey
          ? count - 1
          : Math.min(count - 1, rowStart + perRow - 1);
        if (event.ctrlKey) {
          series = seriesCount - 1;
        }
        break;
      case 'PageDown':
        pos = Math.min(count - 1, pos + perRow * 10);
        break;
      case 'PageUp':
        pos = Math.max(0, pos - perRow * 10);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    this._focus = { sample: located.sample, series, pos };
    this._focusCurrent(true);
  }

  /** Move DOM focus to the focused cell, rendering its group first if needed. */
  private _focusCurrent(scrollIntoView: boolean): void {
    if (!this._focus) {
      return;
    }
    const view = this._views[this._focus.sample];
    if (!view) {
      return;
    }
    const group = Math.floor(this._focus.pos / view.sample.charsPerRow);
    if (view.virtual && (group < view.first || group > view.last)) {
      const height = view.groupHeight || 20 * view.sample.series.length;
      view.scroll.scrollTop = Math.max(0, group * height - height);
      view.first = Math.max(0, group - OVERSCAN_GROUPS);
      this._updateWindow(view, true);
    }
    this._applyTabIndex();
    const cell = this._cellNode(view, this._focus.series, this._focus.pos);
    if (cell) {
      cell.focus();
      if (scrollIntoView && typeof cell.scrollIntoView === 'function') {
        cell.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      }
    }
  }

  private _cellNode(
    view: Private.ISampleView,
    series: number,
    pos: number
  ): HTMLElement | null {
    return view.tableNode.querySelector(
      `td[data-series="${series}"][data-pos="${pos}"]`
    );
  }

  /** Exactly one cell in the widget is reachable with Tab (roving tabindex). */
  private _applyTabIndex(): void {
    const current = this.node.querySelectorAll('td[tabindex="0"]');
    current.forEach(node => node.setAttribute('tabindex', '-1'));
    if (!this._focus) {
      return;
    }
    const view = this._views[this._focus.sample];
    const cell =
      view && this._cellNode(view, this._focus.series, this._focus.pos);
    if (cell) {
      cell.setAttribute('tabindex', '0');
    }
  }

  private _onSettingsChanged(): void {
    if (this._data !== undefined && !this.isDisposed) {
      this._fitWidth = 0;
      void this._render();
    }
  }

  /** Re-wrap to the new width (once per frame). */
  private _onResize(): void {
    if (this._resizeFrame || this.isDisposed) {
      return;
    }
    const run = () => {
      this._resizeFrame = 0;
      this._refit();
    };
    if (typeof requestAnimationFrame === 'function') {
      this._resizeFrame = requestAnimationFrame(run);
    } else {
      run();
    }
  }

  /**
   * Measure the available width and the drawn cells and re-render when a
   * different number of characters fits in a row.
   */
  private _refit(): void {
    if (this.isDisposed || this._fixedWidth || !this._table) {
      return;
    }
    const view = this._views[0];
    const width = this.node.clientWidth;
    // Fitted once per width: a re-wrapped table must not re-wrap itself.
    if (!view || width <= 0 || width === this._fitWidth) {
      return;
    }
    const row = view.tableNode.querySelector('tbody.' + CSS.group + ' tr');
    if (!row) {
      return;
    }
    this._fitWidth = width;
    let headerWidth = 0;
    let cellWidth = 0;
    for (const child of Array.from(row.children) as HTMLElement[]) {
      const box = child.getBoundingClientRect().width;
      if (child.tagName === 'TH') {
        headerWidth += box;
      } else {
        cellWidth = Math.max(cellWidth, box);
      }
    }
    const tokens = this._longest;
    const fit = fitCharsPerRow({
      available: width,
      headerWidth,
      cellWidth,
      tokens
    });
    // Rows as wide as the longest text look the same at any larger width.
    const shown = Math.min(view.sample.charsPerRow, Math.max(1, tokens));
    if (fit !== null && fit !== shown) {
      this._fit = fit;
      void this._render();
    }
  }

  private _mimeType: string;
  private _trans: TranslationBundle;
  private _resizeObserver: ResizeObserver | null = null;
  private _resizeFrame = 0;
  private _fit: number | null = null;
  private _fixedWidth = false;
  private _data: unknown = undefined;
  private _table: ITableModel | null = null;
  private _views: Private.ISampleView[] = [];
  private _status: HTMLElement | null = null;
  private _focus: { sample: number; series: number; pos: number } | null = null;
  private _longest = 0;
  private _observedWidth: number | undefined = undefined;
  private _fitWidth = 0;
  private _run: ISlicedRun | null = null;
  private _done: Promise<void> = Promise.resolve();
}

namespace Private {
  export interface ISampleView {
    index: number;
    sample: ISampleTable;
    table: ITableModel;
    scroll: HTMLElement;
    tableNode: HTMLTableElement;
    virtual: boolean;
    first: number;
    last: number;
    groupHeight: number;
    topSpacer: HTMLElement | null;
    bottomSpacer: HTMLElement | null;
    groups: HTMLElement[];
    pending?: boolean;
  }

  export function cellOf(target: EventTarget | null): HTMLElement | null {
    if (!target || !(target as Element).closest) {
      return null;
    }
    return (target as Element).closest(`td.${CSS.cell}`) as HTMLElement | null;
  }

  /** One cell as HTML; every payload string is escaped. */
  export function cellHtml(
    info: ICellView,
    series: number,
    column: number,
    seriesName: string,
    trans: TranslationBundle
  ): string {
    let className = CSS.cell;
    if (info.masked) {
      className += ' ' + CSS.masked;
    }
    if (info.missing) {
      className += ' ' + CSS.missing;
    }
    const label = escapeHtml(cellLabel(info, seriesName, trans));
    let html =
      `<td class="${className}" data-pos="${info.pos}" data-series="${series}"` +
      ` aria-colindex="${column + 2}" tabindex="-1" aria-label="${label}" title="${label}"` +
      // Arrow keys belong to the table while a cell has focus, not to the
      // notebook's command-mode shortcuts (Lumino checks the event target).
      ' data-lm-suppress-shortcuts="true"';
    if (info.value !== null) {
      html += ` data-value="${String(info.value)}"`;
    }
    if (info.background) {
      html += ` style="background-color:${info.background};color:${info.foreground}"`;
    }
    const glyph = escapeHtml(info.glyph);
    return info.whitespace
      ? `${html}><span class="${CSS.whitespace}">${glyph}</span></td>`
      : `${html}>${glyph}</td>`;
  }

  /** `'a', U+0061, position 3, value 0.1` for `title` and `aria-label`. */
  export function cellLabel(
    info: ICellView,
    seriesName: string,
    trans: TranslationBundle
  ): string {
    const parts = [
      `'${info.glyph}'`,
      info.codePoints,
      trans.__('position %1', info.pos),
      info.value === null
        ? trans.__('no value')
        : trans.__('value %1', info.valueText)
    ];
    if (seriesName) {
      parts.push(seriesName);
    }
    if (info.masked) {
      parts.push(trans.__('masked'));
    }
    return parts.join(', ');
  }

  /** `250 characters, 70 masked, 2 series`. */
  export function summary(
    sample: ISampleTable,
    trans: TranslationBundle
  ): string {
    const count = sample.tokens.length;
    const parts = [trans._n('%1 character', '%1 characters', count)];
    if (sample.maskedCount > 0) {
      parts.push(trans.__('%1 masked', sample.maskedCount));
    }
    if (sample.named) {
      parts.push(trans.__('%1 series', sample.series.length));
    }
    return parts.join(', ');
  }

  export function createSpacer(sample: ISampleTable): HTMLElement {
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

  export function setSpacerHeight(spacer: HTMLElement, height: number): void {
    const td = spacer.querySelector('td') as HTMLElement;
    td.style.height = `${Math.max(0, Math.round(height))}px`;
    spacer.style.display = height > 0 ? '' : 'none';
  }

  export function describe(
    info: ICellView,
    sample: ISampleTable,
    series: number,
    trans: TranslationBundle
  ): string {
    const parts = [
      `'${info.glyph}' ${info.codePoints}`,
      trans.__('position %1', info.pos),
      info.value === null
        ? trans.__('no value')
        : trans.__('value %1', info.valueText)
    ];
    if (sample.named) {
      parts.push(trans.__('series %1', sample.series[series].name));
    }
    if (info.masked) {
      parts.push(trans.__('masked (not seen by the model)'));
    }
    return parts.join(' · ');
  }

  /** Whether the payload or the user fixed the number of characters per row. */
  export function hasFixedWidth(
    payload: unknown,
    settings: IDisplaySettings
  ): boolean {
    const options = (payload as { options?: { charsPerRow?: unknown } })
      .options;
    const valid = (value: unknown) =>
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= 1 &&
      value <= 1000;
    return valid(options?.charsPerRow) || valid(settings.charsPerRow);
  }
}
