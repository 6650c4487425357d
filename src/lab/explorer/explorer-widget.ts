/**
 * The Attention Explorer: a labelled file (CSV / TSV / JSONL) run through a
 * model in the worker pool with progress and Cancel (what was done stays),
 * shown in a sortable, filterable Lumino DataGrid with a summary strip;
 * selecting rows shows their attribution tables (computed on demand,
 * cached) with their faithfulness and agreement, and "Insert into notebook"
 * puts them and the summary into the active notebook.
 *
 * State for tests and styles on the node: `data-state` (idle, loading,
 * running, done, cancelled, error), `data-rows`, `data-total`,
 * `data-visible`.
 */
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { DataGrid } from '@lumino/datagrid';
import { Panel, SplitPanel } from '@lumino/widgets';
import { CharacterWeights } from '../../evaluate/characters';
import { parseClasses } from '../../evaluate/labels';
import { methodLabel, rowSample } from '../../evaluate/row-payload';
import type { IBatchPayload } from '../../payload/types';
import { IRunChoices, FilterBar, RunBar } from './controls';
import { DetailsPanel } from './details';
import { explorerSummary } from './explorer-summary';
import { applyTheme, createResultsGrid, selectedGridRows } from './grid';
import { ResultsGridModel } from './grid-model';
import { insertIntoNotebook } from './insert';
import { ColumnKey, ResultsTable } from './results';
import type { ExplorerRunner, ILabelledFile } from './runner';
import { SummaryStrip } from './summary-strip';

/** Rows explained at once when many are selected. */
export const MAX_EXPLAINED_ROWS = 20;

export type ExplorerState =
  'idle' | 'loading' | 'running' | 'done' | 'cancelled' | 'error';

export interface IExplorerOptions {
  path: string;
  runner: ExplorerRunner;
  rendermime: IRenderMimeRegistry;
  notebooks: INotebookTracker;
  trans: TranslationBundle;
  pickFile(kind: 'model' | 'tokenizer', near?: string): Promise<string | null>;
  /** The tokenizer next to a model, if any. */
  siblingTokenizer(modelPath: string): Promise<string | null>;
  /** Choices remembered from the last run. */
  remembered: Partial<IRunChoices>;
  remember(choices: IRunChoices): void;
}

export class AttentionExplorer extends Panel {
  constructor(private _options: IExplorerOptions) {
    super();
    const trans = _options.trans;
    this.addClass('jp-CharAttention-explorer');
    this.id = `char-attention-explorer-${Private.ids.next++}`;
    this.title.label = trans.__(
      'Explorer: %1',
      Private.basename(_options.path)
    );
    this.title.caption = _options.path;
    this.title.closable = true;
    const titles = Private.columnTitles(trans);
    this._model = new ResultsGridModel(this._table, titles, i =>
      this._className(i)
    );
    this._runBar = new RunBar(trans);
    this._filters = new FilterBar(trans, titles);
    this._summary = new SummaryStrip(trans, i => this._className(i));
    this._grid = createResultsGrid(
      this._model,
      column => this._filters.toggleSort(column),
      trans.__('Rows of %1', _options.path)
    );
    this._details = new DetailsPanel(_options.rendermime, trans);
    const split = new SplitPanel({ orientation: 'vertical', spacing: 4 });
    split.addWidget(this._grid);
    split.addWidget(this._details);
    split.setRelativeSizes([0.55, 0.45]);
    split.addClass('jp-CharAttention-explorerSplit');
    // A column of flex items: the bars take their height, the split the rest.
    for (const widget of [this._runBar, this._summary, this._filters, split]) {
      this.addWidget(widget);
    }
    this._runBar.setChoices({
      methods: ['attention', 'occlusion'],
      ..._options.remembered
    });
    this._wire();
    this._setState('idle');
    this._summary.setCharacters('', []);
  }

  get state(): ExplorerState {
    return this._state;
  }

  /** The grid (for the theme and tests). */
  get grid(): DataGrid {
    return this._grid;
  }

  /** The tables on show, if any. */
  get payload(): IBatchPayload | null {
    return this._details.payload;
  }

  /** Fills the run bar's choices (e.g. the model of the Attention Viewer). */
  setChoices(choices: Partial<IRunChoices>): void {
    this._runBar.setChoices(choices);
  }

  /** Re-reads the theme's colours (on theme change). */
  refreshTheme(): void {
    applyTheme(this._grid);
  }

  /** Reads the file, loads the model and predicts every row. */
  async run(): Promise<void> {
    if (this._state === 'loading' || this._state === 'running') {
      return;
    }
    const trans = this._options.trans;
    const choices = this._runBar.choices;
    const controller = new AbortController();
    this._controller = controller;
    this._setState('loading');
    try {
      this._classes = choices.classes ? parseClasses(choices.classes) : null;
      if (!choices.tokenizerPath && choices.modelPath) {
        const sibling = await this._options.siblingTokenizer(choices.modelPath);
        if (sibling) {
          this._runBar.setChoices({ tokenizerPath: sibling });
          choices.tokenizerPath = sibling;
        }
      }
      this._status(trans.__('Reading %1…', this._options.path));
      this._file = await this._options.runner.readFile(this._options.path);
      const info = await this._options.runner.load(
        choices.modelPath,
        choices.tokenizerPath,
        progress => this._status(progress.message, progress.fraction)
      );
      this._runBar.setModel(info);
      this._options.remember(this._runBar.choices);
      if (controller.signal.aborted) {
        this._setState('cancelled');
        return;
      }
      this._reset();
      this._setState('running');
      const rows = this._file.rows;
      const outcome = await this._options.runner.run(rows, this._classes, {
        signal: controller.signal,
        onRows: evaluated => {
          this._table.append(evaluated);
          this._scheduleRefresh();
        },
        onProgress: (done, total) =>
          this._status(trans.__('%1 of %2 rows', done, total), done / total)
      });
      this._refresh();
      this._setState(outcome);
      this._status(
        outcome === 'done'
          ? trans.__('%1 rows', this._table.length)
          : trans.__(
              'Cancelled: %1 of %2 rows kept',
              this._table.length,
              rows.length
            ),
        outcome === 'done' ? 1 : this._table.length / Math.max(1, rows.length)
      );
    } catch (error) {
      this._setState('error');
      this._status((error as Error).message ?? String(error), 0);
    } finally {
      if (this._controller === controller) {
        this._controller = null;
      }
    }
  }

  /** Stops the run; the rows done so far stay. */
  cancel(): void {
    this._controller?.abort();
  }

  /** Inserts the tables on show and the summary into the active notebook. */
  insert(): void {
    const payload = this._details.payload;
    if (!payload) {
      return;
    }
    insertIntoNotebook(this._options.notebooks, this._options.trans, payload, {
      summary: this._evaluationSummary(),
      heading: this._options.trans.__('Evaluation of %1', this._options.path)
    });
  }

  dispose(): void {
    this.cancel();
    this._detailsController?.abort();
    window.clearTimeout(this._refreshTimer);
    window.clearTimeout(this._selectionTimer);
    super.dispose();
  }

  private _wire(): void {
    const bar = this._runBar;
    bar.runButton.addEventListener('click', () => void this.run());
    bar.cancelButton.addEventListener('click', () => this.cancel());
    bar.insertButton.addEventListener('click', () => this.insert());
    const browse = async (kind: 'model' | 'tokenizer') => {
      const input = kind === 'model' ? bar.modelPath : bar.tokenizerPath;
      const path = await this._options.pickFile(
        kind,
        input.value || this._options.path
      );
      if (path) {
        input.value = path;
      }
    };
    bar.browseModel.addEventListener('click', () => void browse('model'));
    bar.browseTokenizer.addEventListener(
      'click',
      () => void browse('tokenizer')
    );
    bar.methodsChanged.connect(() => this._onSelection());
    this._filters.changed.connect(() => this._refresh());
    this._grid.selectionModel!.changed.connect(() => {
      window.clearTimeout(this._selectionTimer);
      this._selectionTimer = window.setTimeout(() => this._onSelection(), 150);
    });
  }

  private _setState(state: ExplorerState): void {
    this._state = state;
    this.node.dataset.state = state;
    const busy = state === 'loading' || state === 'running';
    this._runBar.runButton.disabled = busy;
    this._runBar.cancelButton.disabled = !busy;
  }

  private _status(message: string, fraction: number | null = null): void {
    this._runBar.status.textContent = message;
    if (fraction === null) {
      this._runBar.progress.removeAttribute('value');
    } else {
      this._runBar.progress.value = fraction;
    }
  }

  /** A new run starts from an empty table. */
  private _reset(): void {
    this._table = new ResultsTable(this._file?.rows.length ?? 16);
    this._model.setTable(this._table);
    this._details.showMessage(
      this._options.trans.__(
        'Select rows in the grid to see their attribution tables.'
      )
    );
  }

  private _scheduleRefresh(): void {
    if (!this._refreshTimer) {
      this._refreshTimer = window.setTimeout(() => this._refresh(), 250);
    }
  }

  /** Filters and sorts the rows into the grid, updates the counts and summary. */
  private _refresh(): void {
    window.clearTimeout(this._refreshTimer);
    this._refreshTimer = 0;
    const sort = this._filters.sort;
    const view = this._table.view(this._filters.filter, sort);
    const same = this._model.sort;
    this._model.setView(
      view,
      same &&
        sort &&
        same.column === sort.column &&
        same.descending === sort.descending
        ? same
        : sort
    );
    this._filters.setBinary(this._table.classCount === 2);
    const total = this._file?.rows.length ?? 0;
    this._filters.count.textContent = this._options.trans.__(
      '%1 of %2 rows shown',
      view.length,
      this._table.length
    );
    this.node.dataset.rows = String(this._table.length);
    this.node.dataset.total = String(total);
    this.node.dataset.visible = String(view.length);
    this._summary.setSummary(this._table.summary(), total);
  }

  /** Explains the selected rows (cached) and shows their tables. */
  private async _onSelection(): Promise<void> {
    const trans = this._options.trans;
    const file = this._file;
    const gridRows = selectedGridRows(this._grid);
    this._detailsController?.abort();
    if (!file || !gridRows.length) {
      return;
    }
    const methods = this._runBar.requests();
    if (!methods.length) {
      this._details.showMessage(
        trans.__('Choose at least one method to explain with.')
      );
      return;
    }
    const tableRows = gridRows
      .map(r => this._model.tableRow(r))
      .filter(r => r >= 0);
    const chosen = tableRows
      .slice(0, MAX_EXPLAINED_ROWS)
      .map(i => file.rows[this._table.row(i).index]);
    const controller = new AbortController();
    this._detailsController = controller;
    this._details.showMessage(
      trans.__(
        'Explaining %1 rows with %2…',
        chosen.length,
        methods.map(m => methodLabel(m.method)).join(', ')
      )
    );
    this._runBar.insertButton.disabled = true;
    try {
      const explained = await this._options.runner.explain(
        chosen,
        methods,
        this._classes,
        controller.signal
      );
      if (controller.signal.aborted) {
        return;
      }
      const payload: IBatchPayload = {
        version: 1,
        samples: explained.map(e =>
          rowSample(e.row, { classes: this._classes, line: e.extras.line })
        ),
        options: { shareScale: false }
      };
      const note =
        tableRows.length > chosen.length
          ? trans.__(
              'The first %1 of %2 selected rows.',
              chosen.length,
              tableRows.length
            )
          : '';
      await this._details.showPayload(payload, note);
      this._runBar.insertButton.disabled = false;
      this._updateCharacters(methods[0].method);
    } catch (error) {
      if (!controller.signal.aborted) {
        this._details.showMessage((error as Error).message ?? String(error));
      }
    }
  }

  private _updateCharacters(method: string): void {
    const weights = new CharacterWeights();
    for (const { row, extras } of this._options.runner.cachedRows()) {
      const values = row.explanations[method]?.values;
      if (values) {
        weights.add(extras.chars, values);
      }
    }
    this._summary.setCharacters(methodLabel(method), weights.top());
  }

  private _evaluationSummary() {
    const methods = this._runBar.choices.methods;
    return explorerSummary(
      this._table,
      this._options.runner.cachedRows(),
      methods,
      this._classes
    );
  }

  private _className(index: number): string {
    return this._classes?.[index] ?? String(index);
  }

  private _state: ExplorerState = 'idle';
  private _table = new ResultsTable();
  private readonly _model: ResultsGridModel;
  private _file: ILabelledFile | null = null;
  private _classes: string[] | null = null;
  private _runBar: RunBar;
  private _filters: FilterBar;
  private _summary: SummaryStrip;
  private _grid: DataGrid;
  private _details: DetailsPanel;
  private _controller: AbortController | null = null;
  private _detailsController: AbortController | null = null;
  private _refreshTimer = 0;
  private _selectionTimer = 0;
}

namespace Private {
  export const ids = { next: 0 };

  export function basename(path: string): string {
    return path.split('/').pop() || path;
  }

  export function columnTitles(trans: TranslationBundle): {
    [column in ColumnKey]: string;
  } {
    return {
      row: trans.__('row'),
      text: trans.__('text'),
      label: trans.__('label'),
      prediction: trans.__('prediction'),
      predicted: trans.__('predicted'),
      correct: trans.__('correct'),
      loss: trans.__('loss')
    };
  }
}
