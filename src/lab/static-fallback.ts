/**
 * Optional static `text/html` copy of char-attention outputs.
 *
 * When the setting is on, an output that carries a payload but no
 * `text/html` gets the exported table fragment added with `setData` (the
 * pattern of JupyterLab's vega extension for its PNG), so nbconvert, GitHub
 * and VS Code show the table. It never loops: the patch is only made when
 * `text/html` is missing, and after it it is present. Other data is never
 * touched and an invalid payload gets nothing.
 */
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IOutputAreaModel } from '@jupyterlab/outputarea';
import type { IOutputModel } from '@jupyterlab/rendermime';
import type { ICellModel } from '@jupyterlab/cells';
import type { IObservableList } from '@jupyterlab/observables';
import { MIME_TYPE } from '../payload/types';

/** The bundle with `text/html` added, or null when nothing must change. */
export function withStaticHtml(
  data: { readonly [mimeType: string]: unknown },
  renderFragment: (payload: unknown) => string | null
): { [mimeType: string]: unknown } | null {
  if (!data || !(MIME_TYPE in data) || 'text/html' in data) {
    return null;
  }
  const html = renderFragment(data[MIME_TYPE]);
  if (typeof html !== 'string' || html === '') {
    return null;
  }
  return { ...data, 'text/html': html };
}

/** Follows every notebook's outputs and patches them while `enabled`. */
export class StaticHtmlFallback {
  constructor(
    private readonly _tracker: INotebookTracker,
    private readonly _renderFragment: (payload: unknown) => string | null
  ) {
    _tracker.widgetAdded.connect((_, panel) => this._watchNotebook(panel));
    _tracker.forEach(panel => this._watchNotebook(panel));
  }

  get enabled(): boolean {
    return this._enabled;
  }

  set enabled(value: boolean) {
    if (value === this._enabled) {
      return;
    }
    this._enabled = value;
    if (value) {
      // Outputs already on screen get their copy now.
      this._tracker.forEach(panel => this._patchNotebook(panel));
    }
  }

  private _watchNotebook(panel: NotebookPanel): void {
    if (this._watched.has(panel)) {
      return;
    }
    this._watched.add(panel);
    const connectCells = () => {
      const cells = panel.content.model?.cells;
      if (!cells) {
        return;
      }
      for (let index = 0; index < cells.length; index++) {
        this._watchCell(cells.get(index));
      }
      cells.changed.connect((_, change) => {
        const added = change.newValues.slice();
        for (const cell of added) {
          this._watchCell(cell);
        }
        // Cells loaded from a file arrive with their outputs already set.
        window.setTimeout(() => {
          if (this._enabled) {
            added.forEach(cell => this._patchCell(cell));
          }
        }, 0);
      });
      if (this._enabled) {
        this._patchNotebook(panel);
      }
    };
    if (panel.content.model) {
      connectCells();
    }
    panel.content.modelChanged.connect(connectCells);
    panel.disposed.connect(() => this._watched.delete(panel));
  }

  private _watchCell(cell: ICellModel): void {
    const outputs = (cell as { outputs?: IOutputAreaModel }).outputs;
    if (!outputs || this._watchedOutputs.has(outputs)) {
      return;
    }
    this._watchedOutputs.add(outputs);
    outputs.changed.connect(
      (
        _: IOutputAreaModel,
        change: IObservableList.IChangedArgs<IOutputModel>
      ) => {
        if (
          !this._enabled ||
          (change.type !== 'add' && change.type !== 'set')
        ) {
          return;
        }
        // After the output area and the cell model have handled this change.
        const added = change.newValues.slice();
        window.setTimeout(() => {
          if (this._enabled) {
            added.forEach(output => this._patch(output));
          }
        }, 0);
      }
    );
  }

  private _patchCell(cell: ICellModel): void {
    const outputs = (cell as { outputs?: IOutputAreaModel }).outputs;
    if (!outputs || (cell as { isDisposed?: boolean }).isDisposed) {
      return;
    }
    for (let index = 0; index < outputs.length; index++) {
      this._patch(outputs.get(index));
    }
  }

  private _patchNotebook(panel: NotebookPanel): void {
    const cells = panel.content.model?.cells;
    if (!cells) {
      return;
    }
    for (let index = 0; index < cells.length; index++) {
      this._watchCell(cells.get(index));
      this._patchCell(cells.get(index));
    }
  }

  private _patch(output: IOutputModel): void {
    if ((output as { isDisposed?: boolean }).isDisposed) {
      return;
    }
    const patched = withStaticHtml(output.data, this._renderFragment);
    if (patched) {
      output.setData({ data: patched as IOutputModel['data'] });
    }
  }

  private _enabled = false;
  private _watched = new Set<NotebookPanel>();
  private _watchedOutputs = new WeakSet<IOutputAreaModel>();
}
