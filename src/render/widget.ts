/**
 * `RenderedCharAttention`: the MIME renderer of
 * `application/x-char-attention+json`. A thin widget over units of one
 * responsibility each: `drawing.ts` checks and normalises the payload,
 * `sample-view.ts` draws a sample (windowing large ones with
 * `windowing.ts`), `roving-focus.ts` moves the keyboard focus
 * (`keyboard.ts`), `width-fit.ts` wraps rows to the output width, and
 * `slices.ts` spreads the drawing over frames so long inputs never block
 * the page. The heavy work is done lazily, in slices, after `renderModel`
 * returns; `dispose` stops it.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { nullTranslator } from '@jupyterlab/translation';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { IValidationProblem, MIME_TYPE } from '../payload/types';
import { buildSampleTable, getCell, ITableModel } from '../table/model';
import { describeCell } from './cells';
import { TRANSLATION_DOMAIN } from '../table/translate';
import { CSS } from './css';
import {
  checkPayload,
  drawingProblem,
  IPrepared,
  preparePayload
} from './drawing';
import { batchNodes, problemsNode, statusNode } from './header-dom';
import { cellOf, locateCell, RovingFocus } from './roving-focus';
import { SampleView } from './sample-view';
import { charAttentionSettings } from './settings';
import { afterNextFrame, afterTask, ISlicedRun, runSliced } from './slices';
import { WidthFitter } from './width-fit';

export { CSS } from './css';
export { TRANSLATION_DOMAIN } from '../table/translate';
export { VIRTUAL_THRESHOLD_CELLS } from './sample-view';

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
    this._focus = new RovingFocus(this.node, () => this._views);
    this._fitter = new WidthFitter(this.node, () => this._refit());
  }

  /** Characters per row in use when wrapping to the width (null: fixed or unknown). */
  get fittedCharsPerRow(): number | null {
    return this._fitter.fit;
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
    this._fitter.reset();
    return this._render();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._run?.cancel();
    this._run = null;
    this._views.forEach(view => view.dispose());
    this._fitter.dispose();
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
        this._focus.keyDown(event as KeyboardEvent);
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Layout is known now: fit the windows of large samples to their view.
    for (const view of this._views) {
      if (view.virtual) {
        view.updateWindow(true);
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
    // that did work of its own, and a re-wrap runs in an animation frame.
    // Until the first sample is shown, slices follow each other task by task
    // (nothing new is on screen to lay out); then one slice per frame.
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

  /** The steps of one drawing, for `runSliced`; `shown()` after the first sample. */
  private *_drawSteps(data: unknown, shown: () => void): Generator<void> {
    const checked = checkPayload(data, this._trans);
    if (checked.problems) {
      this._showProblems(checked.problems);
      return;
    }
    yield;
    const prepared = preparePayload(
      checked.payload,
      charAttentionSettings.current,
      this._fitter.fit,
      this._trans
    );
    if ('problems' in prepared) {
      this._showProblems(prepared.problems);
      return;
    }
    yield;
    this._replaceContent();
    this._prepared = prepared;
    this._table = prepared.table;
    this.node.append(
      ...batchNodes(prepared.table, this._trans),
      (this._status = statusNode(this._trans))
    );
    // Sample tables are built as they are drawn, one step each.
    for (let index = 0; index < prepared.normalized.samples.length; index++) {
      if (index > 0) {
        yield;
      }
      try {
        this._drawSample(prepared, index);
      } catch (error) {
        this._showProblems([drawingProblem(error, this._trans)]);
        return;
      }
      if (index === 0) {
        shown();
        // Measure the first drawn row: wrap it to the width if it does not fit.
        this._fitter.schedule();
      }
    }
  }

  private _drawSample(prepared: IPrepared, index: number): void {
    const sample = buildSampleTable(prepared.normalized, index);
    prepared.table.samples.push(sample);
    const view = new SampleView({
      model: prepared.table,
      sample,
      index: this._views.length,
      trans: this._trans,
      focusGroup: each => this._focus.groupIn(each),
      onWindowChanged: (_, hadFocus) => {
        this._focus.applyTabIndex();
        if (hadFocus) {
          this._focus.focusCurrent(false);
        }
      }
    });
    this._views.push(view);
    this.node.appendChild(view.node);
    view.drawRows();
    this._focus.start(view);
  }

  /** Drop the previous content (and what refers to it). */
  private _replaceContent(): void {
    this._views.forEach(view => view.dispose());
    this._views = [];
    this._table = null;
    this._prepared = null;
    this._focus.reset();
    this._status = null;
    this.node.textContent = '';
  }

  private _showProblems(problems: IValidationProblem[]): void {
    this._replaceContent();
    this.node.appendChild(problemsNode(problems, this._trans));
  }

  /** Hover or focus: describe the cell in the status line. */
  private _onPointAt(event: Event): void {
    const cell = cellOf(event.target);
    const located =
      cell && this._table && this._status ? locateCell(cell) : null;
    const view = located ? this._views[located.sample] : undefined;
    if (!located || !view) {
      return;
    }
    const info = getCell(view.model, view.sample, located.series, located.pos);
    this._status!.textContent = describeCell(
      info,
      view.sample,
      located.series,
      this._trans
    );
    if (event.type === 'focusin') {
      this._focus.focusedCell(located);
    }
  }

  private _onSettingsChanged(): void {
    if (this._data !== undefined && !this.isDisposed) {
      this._fitter.reset();
      void this._render();
    }
  }

  /** The width changed: re-render when a different number of characters fits. */
  private _refit(): void {
    const prepared = this._prepared;
    const view = this._views[0];
    if (this.isDisposed || !prepared || prepared.fixedWidth || !view) {
      return;
    }
    // Rows as wide as the longest text look the same at any larger width.
    const shown = Math.min(
      view.sample.charsPerRow,
      Math.max(1, prepared.longest)
    );
    if (
      this._fitter.measure(view.firstRow(), prepared.longest, shown) !== null
    ) {
      void this._render();
    }
  }

  private _mimeType: string;
  private _trans: TranslationBundle;
  private _focus: RovingFocus;
  private _fitter: WidthFitter;
  private _data: unknown = undefined;
  private _prepared: IPrepared | null = null;
  private _table: ITableModel | null = null;
  private _views: SampleView[] = [];
  private _status: HTMLElement | null = null;
  private _run: ISlicedRun | null = null;
  private _done: Promise<void> = Promise.resolve();
}
