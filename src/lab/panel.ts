/**
 * The Attention Viewer: a main-area panel to pick a model and tokenizer,
 * review what was detected, type texts (one per line) and see the table
 * update as you type, then insert it into the notebook or export it.
 *
 * The panel wires small widgets of one responsibility each
 * (`viewer/*-section.ts`, the actions, the notices, the table) through
 * their signals to the `ModelSession` (loading and inference in the
 * workers); inserting and exporting go through callbacks of the plugin.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel } from '@lumino/widgets';
import type { ColormapName, IPayloadOptions, Payload } from '../payload/types';
import { explainCost } from '../explain/registry';
import type { ExplainMethod } from '../explain/registry';
import type { ModelSession } from './model-session';
import { SessionError, TokenizerNeededError } from './model-session';
import { RequestCancelledError } from '../workers/client';
import type { LabSettings } from './settings';
import { nextId } from './viewer/dom';
import { DisplaySection } from './viewer/display-section';
import { InputSection } from './viewer/input-section';
import { MethodSection } from './viewer/method-section';
import { FileKind, ModelSection } from './viewer/model-section';
import { NoticeList } from './viewer/notices';
import { ResultAction, ResultActions } from './viewer/result-actions';
import { ResultView } from './viewer/result-view';
import { TextsSection } from './viewer/texts-section';
import { messageOf } from '../payload/error-message';

/** What the panel needs from the application. */
export interface IPanelActions {
  /**
   * Ask the user for a file (model or tokenizer), starting in the folder of
   * `near` when given; resolves to a path or null.
   */
  pickFile(kind: 'model' | 'tokenizer', near?: string): Promise<string | null>;
  /** Append the payload to the active notebook cell. */
  insertIntoNotebook(payload: Payload, key: string): Promise<void>;
  /** Save the standalone HTML and offer a download. */
  exportHtml(payload: Payload): Promise<void>;
  /** Copy the values as TSV. */
  copyTsv(payload: Payload): Promise<void>;
  /** Show an error to the user (notification). */
  notifyError(message: string): void;
  /** Open the Attention Explorer (it asks for the labelled file) with this model. */
  openExplorer(model: { modelPath: string; tokenizerPath: string }): void;
}

export interface IPanelOptions {
  session: ModelSession;
  settings: LabSettings;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
  actions: IPanelActions;
  /** Default colour map and row width (the renderer's settings). */
  displayDefaults?: () => { colormap?: ColormapName; charsPerRow?: number };
}

/** Work over this many forward passes shows progress and Cancel. */
const LONG_RUN_PASSES = 32;

/** The panel's content (wrapped in a `MainAreaWidget` by `createAttentionPanel`). */
export class AttentionViewer extends Panel {
  constructor(options: IPanelOptions) {
    super();
    this.addClass('jp-CharAttention-panel');
    const trans = options.trans;
    this._session = options.session;
    this._settings = options.settings;
    this._trans = trans;
    this._actions = options.actions;
    this._modelSection = new ModelSection(trans);
    this._inputSection = new InputSection(trans);
    this._textsSection = new TextsSection(trans);
    this._methodSection = new MethodSection(trans);
    this._display = new DisplaySection(
      trans,
      (options.displayDefaults ?? (() => ({})))()
    );
    this._resultActions = new ResultActions(trans);
    this._notices = new NoticeList();
    this._result = new ResultView(options.rendermime, error =>
      this._notices.showMessages([messageOf(error)], 'error')
    );
    const form = new Panel();
    form.addClass('jp-CharAttention-panelForm');
    for (const widget of [
      this._modelSection,
      this._inputSection,
      this._textsSection,
      this._methodSection,
      this._display,
      this._resultActions,
      this._notices
    ]) {
      form.addWidget(widget);
    }
    this.addWidget(form);
    this.addWidget(this._result);
    this._connect();
    this._onSettingsChanged();
    this._onSessionChanged();
  }

  /** The payload shown now (null before the first result). */
  get payload(): Payload | null {
    return this._payload;
  }

  /** Texts typed in the panel, one per non-empty line. */
  get texts(): string[] {
    return this._textsSection.texts;
  }

  /** The method chosen in the picker. */
  get method(): ExplainMethod {
    return this._methodSection.method;
  }

  /** Choose the method (and compute). */
  setMethod(method: ExplainMethod): void {
    this._methodSection.setMethod(method);
    this._scheduleCompute(0);
  }

  /** Stop the explanation in progress; the next run starts afresh. */
  cancelRun(): void {
    if (!this._run) {
      return;
    }
    this._run.abort();
    this._run = null;
    this._computeGeneration++;
    this._endRun(this._trans.__('Cancelled.'));
  }

  /** Put texts in the text box and compute them. */
  setTexts(texts: string[]): void {
    this._textsSection.setTexts(texts);
    this._scheduleCompute(0);
  }

  /** Fill the model path (and tokenizer path) and load them. */
  async openModel(modelPath: string, tokenizerPath?: string): Promise<void> {
    this._modelSection.setPath('model', modelPath);
    if (tokenizerPath) {
      this._modelSection.setPath('tokenizer', tokenizerPath);
    }
    await this.loadModel();
  }

  /** Show a payload from an output (to change colours or wrapping, export). */
  showPayload(payload: Payload): void {
    this._mode = 'payload';
    this._sourcePayload = payload;
    this._display.showOptions(
      (payload as { options?: IPayloadOptions }).options ?? {}
    );
    this._notices.showMessages([
      this._trans.__(
        'Showing a table from a notebook output. Type texts above to compute new ones.'
      )
    ]);
    this._renderCurrent();
  }

  /**
   * Load the model and tokenizer named in the form (no tokenizer: the
   * model's own TextVectorization layer).
   */
  async loadModel(): Promise<void> {
    const section = this._modelSection;
    try {
      section.showProgress(null);
      await this._session.load(
        section.modelPath,
        section.tokenizerPath,
        progress => {
          section.showProgress(progress.fraction);
          section.setStatus(progress.message, 'info');
        }
      );
      this._scheduleCompute(0);
    } catch (error) {
      if (error instanceof RequestCancelledError) {
        section.setStatus(
          this._trans.__('Model loading was cancelled.'),
          'warning'
        );
      } else if (error instanceof TokenizerNeededError) {
        section.setStatus(error.message, 'warning');
        section.focusTokenizer();
      } else {
        const message = messageOf(error);
        section.setStatus(message, 'error');
        this._actions.notifyError(
          this._trans.__('Could not load the model: %1', message)
        );
      }
    } finally {
      section.showProgress('hidden');
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._debounce);
    this._run?.abort();
    this._session.changed.disconnect(this._onSessionChanged, this);
    this._settings.changed.disconnect(this._onSettingsChanged, this);
    super.dispose();
  }

  private _connect(): void {
    this._modelSection.loadRequested.connect(() => void this.loadModel());
    this._modelSection.cancelRequested.connect(() =>
      this._session.cancelLoad()
    );
    this._modelSection.browseRequested.connect(
      (_, kind) => void this._browse(kind)
    );
    this._modelSection.exploreRequested.connect(() =>
      this._actions.openExplorer({
        modelPath: this._modelSection.modelPath,
        tokenizerPath: this._modelSection.tokenizerPath
      })
    );
    this._inputSection.layerChanged.connect((_, layer) => {
      this._session.setChoices({ attentionLayer: layer });
      const info = this._session.info;
      if (info && (layer ?? '') !== (info.attentionLayer ?? '')) {
        void this.loadModel();
      }
    });
    this._inputSection.inputChanged.connect((_, choices) => {
      this._session.setChoices(choices);
      this._scheduleCompute(0);
    });
    this._textsSection.edited.connect(() => {
      this._mode = 'model';
      this._scheduleCompute();
    });
    this._methodSection.changed.connect(() => this._scheduleCompute(0));
    this._methodSection.cancelRequested.connect(() => this.cancelRun());
    this._display.changed.connect(() => this._renderCurrent());
    this._resultActions.requested.connect(
      (_, action) => void this._act(action)
    );
    this._session.changed.connect(this._onSessionChanged, this);
    this._settings.changed.connect(this._onSettingsChanged, this);
  }

  private async _browse(kind: FileKind): Promise<void> {
    const section = this._modelSection;
    // Start where the other file is: a tokenizer usually sits by its model.
    const near = kind === 'model' ? section.tokenizerPath : section.modelPath;
    const path = await this._actions.pickFile(kind, near || undefined);
    if (!path) {
      return;
    }
    section.setPath(kind, path);
    // A .keras model may carry its own TextVectorization layer.
    if (
      section.modelPath &&
      (section.tokenizerPath || /\.keras$/i.test(section.modelPath))
    ) {
      await this.loadModel();
    }
  }

  private _scheduleCompute(delay = this._settings.current.debounceMs): void {
    window.clearTimeout(this._debounce);
    this._debounce = window.setTimeout(() => void this._compute(), delay);
  }

  private async _compute(): Promise<void> {
    if (this._mode !== 'model') {
      return;
    }
    const texts = this.texts;
    if (texts.length === 0) {
      return;
    }
    if (!this._session.isReady) {
      if (this._session.state !== 'loading') {
        this._notices.showMessages([
          this._trans.__('Load a model to see the attention of these texts.')
        ]);
      }
      return;
    }
    const generation = ++this._computeGeneration;
    // A newer keystroke makes older results useless: stop them in the worker.
    this._run?.abort();
    this._session.cancelPredictions();
    const run = new AbortController();
    this._run = run;
    const options = this._methodSection.options();
    this.node.classList.add('jp-mod-computing');
    try {
      const longest = texts.reduce((n, t) => Math.max(n, t.length), 1);
      if (texts.length * explainCost(options, longest) > LONG_RUN_PASSES) {
        this._methodSection.showRun(null, '');
      }
      const result = await this._session.explain(texts, options, {
        signal: run.signal,
        onProgress: progress => {
          if (generation === this._computeGeneration) {
            this._methodSection.showRun(progress.fraction, progress.message);
          }
        }
      });
      if (generation !== this._computeGeneration) {
        return;
      }
      this._sourcePayload = result.payload;
      this._key = JSON.stringify([
        this._session.modelPath,
        result.input,
        options,
        texts
      ]);
      this._notices.showMessages(result.notices);
      this._renderCurrent();
    } catch (error) {
      if (
        error instanceof RequestCancelledError ||
        generation !== this._computeGeneration
      ) {
        return;
      }
      const message = messageOf(error);
      this._notices.showMessages([message], 'error');
      if (!(error instanceof SessionError)) {
        this._actions.notifyError(
          this._trans.__('The model failed on these texts: %1', message)
        );
      }
    } finally {
      if (generation === this._computeGeneration) {
        this._run = null;
        this._endRun();
      }
    }
  }

  private _endRun(status = ''): void {
    this.node.classList.remove('jp-mod-computing');
    this._methodSection.endRun(status);
  }

  /** Render the source payload with the display controls applied. */
  private _renderCurrent(): void {
    const source = this._sourcePayload;
    if (!source) {
      return;
    }
    const options = this._display.apply(
      (source as { options?: IPayloadOptions }).options
    );
    const payload = { ...source, options } as Payload;
    this._payload = payload;
    this._resultActions.setEnabled(true, this._mode === 'model');
    this._result.showPayload(payload, this.isVisible);
  }

  private async _act(action: ResultAction): Promise<void> {
    const payload = this._payload;
    if (!payload) {
      this._actions.notifyError(
        this._trans.__('There is no table yet: type a text first.')
      );
      return;
    }
    if (action === 'insert') {
      await this._actions.insertIntoNotebook(payload, this._key);
    } else if (action === 'export') {
      await this._actions.exportHtml(payload);
    } else {
      await this._actions.copyTsv(payload);
    }
  }

  private _onSessionChanged(): void {
    const session = this._session;
    const info = session.info;
    const section = this._modelSection;
    section.setLoading(session.state === 'loading');
    this.node.dataset.modelState = session.state;
    section.setPath('model', session.modelPath, true);
    section.setPath('tokenizer', session.tokenizerPath, true);
    if (info) {
      this._inputSection.showModel({
        info,
        input: session.effectiveInput(),
        tokenizer: session.tokenizerLabel
      });
      this._methodSection.setModel(info, this._settings.current.explainMethod);
      this._showsModel = true;
      if (session.state === 'ready') {
        section.setStatus(
          this._trans.__(
            'Loaded %1 with %2.',
            session.modelPath,
            session.tokenizerLabel
          ),
          'success'
        );
      }
    } else if (this._showsModel) {
      this._forgetModel();
    } else if (session.state === 'empty') {
      this._inputSection.showEmpty(this._settings.current);
    }
    if (session.state === 'error') {
      section.setStatus(session.lastError, 'error');
    }
  }

  /**
   * The session has no model any more (a load failed or was cancelled):
   * nothing the previous model told or computed stays on screen. A table
   * opened from a notebook output is not the model's and stays.
   */
  private _forgetModel(): void {
    this._showsModel = false;
    this._inputSection.showEmpty(this._settings.current);
    this._methodSection.clearModel();
    if (this._mode !== 'model') {
      return;
    }
    window.clearTimeout(this._debounce);
    this._run?.abort();
    this._run = null;
    this._computeGeneration++;
    this._endRun();
    this._sourcePayload = null;
    this._payload = null;
    this._key = '';
    this._resultActions.setEnabled(false, false);
    this._result.clear();
    this._notices.showMessages([]);
  }

  private _onSettingsChanged(): void {
    const settings = this._settings.current;
    this._modelSection.setPath('model', settings.modelPath, true);
    this._modelSection.setPath('tokenizer', settings.tokenizerPath, true);
    if (!this._session.info) {
      this._inputSection.showDefaults(settings);
    } else {
      this._onSessionChanged();
      this._scheduleCompute(0);
    }
  }

  private _session: ModelSession;
  private _settings: LabSettings;
  private _trans: TranslationBundle;
  private _actions: IPanelActions;
  private _modelSection: ModelSection;
  private _inputSection: InputSection;
  private _textsSection: TextsSection;
  private _methodSection: MethodSection;
  private _display: DisplaySection;
  private _resultActions: ResultActions;
  private _notices: NoticeList;
  private _result: ResultView;
  private _payload: Payload | null = null;
  private _sourcePayload: Payload | null = null;
  private _mode: 'model' | 'payload' = 'model';
  /** The form shows a loaded model's facts (and maybe its results). */
  private _showsModel = false;
  private _key = '';
  private _debounce = 0;
  private _computeGeneration = 0;
  private _run: AbortController | null = null;
}

/** The viewer in a main-area widget with its title and icon. */
export function createAttentionPanel(
  options: IPanelOptions
): MainAreaWidget<AttentionViewer> {
  const content = new AttentionViewer(options);
  const widget = new MainAreaWidget({ content });
  widget.id = `jp-CharAttention-viewer-${nextId()}`;
  widget.title.label = options.trans.__('Attention Viewer');
  widget.title.caption = options.trans.__(
    'Visualize per-character attention of a model'
  );
  widget.title.closable = true;
  widget.addClass('jp-CharAttention-viewer');
  return widget;
}
