/**
 * The Attention Viewer: a main-area panel to pick a model and tokenizer,
 * review what was detected, type texts (one per line) and see the table
 * update as you type, then insert it into the notebook or export it.
 *
 * The panel is UI only: loading and inference go through `ModelSession`
 * (worker), inserting and exporting through callbacks given by the plugin.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { MimeModel } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import { COLORMAP_NAMES, MIME_TYPE } from '../payload/types';
import type { ColormapName, IPayloadOptions, Payload } from '../payload/types';
import { EXPLAIN_METHODS } from '../explain/types';
import type { ExplainMethod, IExplainOptions } from '../explain/types';
import type { ModelSession } from './model-session';
import { defaultMethod, SessionError } from './model-session';
import { RequestCancelledError } from '../workers/client';
import type { LabSettings } from './settings';
import { formatDims } from '../model/shapes';

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

/** The panel's content (wrapped in a `MainAreaWidget` by `createAttentionPanel`). */
export class AttentionViewer extends Panel {
  constructor(options: IPanelOptions) {
    super();
    this.addClass('jp-CharAttention-panel');
    this._session = options.session;
    this._settings = options.settings;
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this._actions = options.actions;
    this._displayDefaults = options.displayDefaults ?? (() => ({}));

    this._form = new Widget({ node: this._buildForm() });
    this._form.addClass('jp-CharAttention-panelForm');
    this._result = new Panel();
    this._result.addClass('jp-CharAttention-panelResult');
    this.addWidget(this._form);
    this.addWidget(this._result);

    this._session.changed.connect(this._onSessionChanged, this);
    this._settings.changed.connect(this._onSettingsChanged, this);
    this._onSettingsChanged();
    this._onSessionChanged();
    this._updateButtons();
  }

  /** The payload shown now (null before the first result). */
  get payload(): Payload | null {
    return this._payload;
  }

  /** Texts typed in the panel, one per non-empty line. */
  get texts(): string[] {
    return this._textsInput.value
      .split(/\r?\n/)
      .filter(line => line.trim() !== '');
  }

  /** The method chosen in the picker. */
  get method(): ExplainMethod {
    return this._methodSelect.value as ExplainMethod;
  }

  /** Choose the method (and compute). */
  setMethod(method: ExplainMethod): void {
    this._methodSelect.value = method;
    this._methodChosen = true;
    this._updateMethodFields();
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
    this._endRun();
    this._runStatus.textContent = this._trans.__('Cancelled.');
  }

  /** Put texts in the text box and compute them. */
  setTexts(texts: string[]): void {
    this._textsInput.value = texts.join('\n');
    this._scheduleCompute(0);
  }

  /** Fill the model path (and tokenizer path) and load them. */
  async openModel(modelPath: string, tokenizerPath?: string): Promise<void> {
    this._modelInput.value = modelPath;
    if (tokenizerPath) {
      this._tokenizerInput.value = tokenizerPath;
    }
    if (!this._tokenizerInput.value) {
      this._setStatus(
        this._trans.__(
          'Choose the tokenizer JSON that goes with %1.',
          modelPath
        ),
        'warning'
      );
      this._tokenizerInput.focus();
      return;
    }
    await this.loadModel();
  }

  /** Show a payload from an output (to change colours or wrapping, export). */
  showPayload(payload: Payload): void {
    this._mode = 'payload';
    this._sourcePayload = payload;
    const options = (payload as { options?: IPayloadOptions }).options ?? {};
    if (options.colormap) {
      this._colormapSelect.value = options.colormap;
    }
    if (typeof options.charsPerRow === 'number') {
      this._charsPerRowInput.value = String(options.charsPerRow);
    }
    this._setNotices([
      this._trans.__(
        'Showing a table from a notebook output. Type texts above to compute new ones.'
      )
    ]);
    this._renderCurrent();
  }

  /** Load the model and tokenizer named in the form. */
  async loadModel(): Promise<void> {
    const modelPath = this._modelInput.value.trim();
    const tokenizerPath = this._tokenizerInput.value.trim();
    try {
      this._progress.hidden = false;
      this._progress.removeAttribute('value');
      await this._session.load(modelPath, tokenizerPath, progress => {
        if (progress.fraction === null) {
          this._progress.removeAttribute('value');
        } else {
          this._progress.value = progress.fraction;
        }
        this._setStatus(progress.message, 'info');
      });
      this._scheduleCompute(0);
    } catch (error) {
      if (error instanceof RequestCancelledError) {
        this._setStatus(
          this._trans.__('Model loading was cancelled.'),
          'warning'
        );
      } else {
        const message = Private.messageOf(error);
        this._setStatus(message, 'error');
        this._actions.notifyError(
          this._trans.__('Could not load the model: %1', message)
        );
      }
    } finally {
      this._progress.hidden = true;
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

  private _buildForm(): HTMLElement {
    const trans = this._trans;
    const form = document.createElement('div');

    const modelSection = Private.section(
      trans.__('Model'),
      'jp-CharAttention-panelModel'
    );
    this._modelInput = Private.textInput(
      'jp-CharAttention-modelPath',
      trans.__('path/to/model.h5')
    );
    this._tokenizerInput = Private.textInput(
      'jp-CharAttention-tokenizerPath',
      trans.__('path/to/tokenizer.json')
    );
    const browseModel = Private.button(
      trans.__('Browse…'),
      'jp-CharAttention-browseModel',
      () => this._browse('model')
    );
    browseModel.title = trans.__(
      'Pick a .h5, .keras or model.json file in the file browser'
    );
    const browseTokenizer = Private.button(
      trans.__('Browse…'),
      'jp-CharAttention-browseTokenizer',
      () => this._browse('tokenizer')
    );
    modelSection.append(
      Private.field(trans.__('Model file'), this._modelInput, browseModel),
      Private.field(
        trans.__('Tokenizer'),
        this._tokenizerInput,
        browseTokenizer
      )
    );
    this._loadButton = Private.button(
      trans.__('Load'),
      'jp-CharAttention-load',
      () => {
        void this.loadModel();
      }
    );
    this._loadButton.classList.add('jp-mod-accept');
    this._cancelButton = Private.button(
      trans.__('Cancel'),
      'jp-CharAttention-cancel',
      () => this._session.cancelLoad()
    );
    this._cancelButton.hidden = true;
    this._progress = document.createElement('progress');
    this._progress.className = 'jp-CharAttention-progress';
    this._progress.max = 1;
    this._progress.hidden = true;
    this._progress.setAttribute(
      'aria-label',
      trans.__('Model loading progress')
    );
    this._status = document.createElement('div');
    this._status.className = 'jp-CharAttention-modelStatus';
    this._status.setAttribute('role', 'status');
    this._status.setAttribute('aria-live', 'polite');
    const loadRow = document.createElement('div');
    loadRow.className = 'jp-CharAttention-row';
    loadRow.append(this._loadButton, this._cancelButton, this._progress);
    modelSection.append(loadRow, this._status);

    const detected = Private.section(
      trans.__('Input'),
      'jp-CharAttention-detected'
    );
    this._info = document.createElement('div');
    this._info.className = 'jp-CharAttention-modelInfo';
    this._inferences = document.createElement('ul');
    this._inferences.className = 'jp-CharAttention-inferences';
    this._inferences.setAttribute(
      'aria-label',
      trans.__('Inferred, not read from the file')
    );
    this._layerInput = Private.textInput(
      'jp-CharAttention-layer',
      trans.__('automatic')
    );
    this._layerList = document.createElement('datalist');
    this._layerList.id = `jp-CharAttention-layers-${Private.nextId()}`;
    this._layerInput.setAttribute('list', this._layerList.id);
    this._layerInput.title = trans.__(
      'Layer whose output is the attention (reloads the model)'
    );
    this._layerInput.addEventListener('change', () => {
      const layer = this._layerInput.value.trim();
      this._session.setChoices({ attentionLayer: layer || null });
      if (
        this._session.info &&
        layer !== (this._session.info.attentionLayer ?? '')
      ) {
        void this.loadModel();
      }
    });
    this._maxlenInput = document.createElement('input');
    this._maxlenInput.type = 'number';
    this._maxlenInput.min = '1';
    this._maxlenInput.className = 'jp-CharAttention-maxlen jp-mod-styled';
    this._maxlenInput.addEventListener('change', () => {
      const value = parseInt(this._maxlenInput.value, 10);
      this._session.setChoices({
        maxlen: Number.isInteger(value) && value > 0 ? value : null
      });
      this._scheduleCompute(0);
    });
    this._paddingSelect = Private.select('jp-CharAttention-padding', [
      'pre',
      'post'
    ]);
    this._truncatingSelect = Private.select('jp-CharAttention-truncating', [
      'pre',
      'post'
    ]);
    for (const [select, key] of [
      [this._paddingSelect, 'padding'],
      [this._truncatingSelect, 'truncating']
    ] as const) {
      select.addEventListener('change', () => {
        this._session.setChoices({ [key]: select.value as 'pre' | 'post' });
        this._scheduleCompute(0);
      });
    }
    detected.append(
      this._info,
      this._inferences,
      Private.field(
        trans.__('Attention layer'),
        this._layerInput,
        this._layerList
      ),
      Private.field(trans.__('Input length (maxlen)'), this._maxlenInput),
      Private.field(trans.__('Padding'), this._paddingSelect),
      Private.field(trans.__('Truncating'), this._truncatingSelect)
    );

    const textsSection = Private.section(
      trans.__('Texts'),
      'jp-CharAttention-panelTexts'
    );
    this._textsInput = document.createElement('textarea');
    this._textsInput.className = 'jp-CharAttention-texts jp-mod-styled';
    this._textsInput.rows = 4;
    this._textsInput.spellcheck = false;
    this._textsInput.placeholder = trans.__('One text per line');
    this._textsInput.setAttribute(
      'aria-label',
      trans.__('Texts, one per line')
    );
    this._textsInput.addEventListener('input', () => {
      this._mode = 'model';
      this._scheduleCompute();
    });
    textsSection.append(this._textsInput);

    const methodSection = Private.section(
      trans.__('Method'),
      'jp-CharAttention-panelMethod'
    );
    this._methodSelect = Private.select(
      'jp-CharAttention-methodPicker',
      [...EXPLAIN_METHODS],
      {
        attention: trans.__('attention layer'),
        occlusion: trans.__('occlusion'),
        'grad-x-input': trans.__('gradient × input'),
        'integrated-gradients': trans.__('integrated gradients')
      }
    );
    this._methodSelect.title = trans.__(
      'attention: the model’s attention layer; occlusion: how the prediction drops when characters are hidden; gradient × input and integrated gradients: how the output responds to each character'
    );
    this._methodSelect.addEventListener('change', () => {
      this._methodChosen = true;
      this._updateMethodFields();
      this._scheduleCompute(0);
    });
    this._windowInput = Private.numberInput('jp-CharAttention-window', 1, 1);
    this._windowInput.title = trans.__(
      'Consecutive characters hidden together'
    );
    this._stepsInput = Private.numberInput('jp-CharAttention-steps', 32, 1);
    this._stepsInput.max = '1024';
    this._stepsInput.title = trans.__(
      'Steps of the path integral (more: slower, more exact)'
    );
    this._targetInput = Private.numberInput('jp-CharAttention-target', '', 0);
    this._targetInput.placeholder = trans.__('predicted');
    this._targetInput.title = trans.__(
      'Output unit explained (empty: unit 0 for a sigmoid, the predicted class for softmax)'
    );
    for (const input of [
      this._windowInput,
      this._stepsInput,
      this._targetInput
    ]) {
      input.addEventListener('change', () => this._scheduleCompute(0));
    }
    this._windowField = Private.field(trans.__('Window'), this._windowInput);
    this._stepsField = Private.field(trans.__('Steps'), this._stepsInput);
    this._targetField = Private.field(
      trans.__('Target output'),
      this._targetInput
    );
    this._runProgress = document.createElement('progress');
    this._runProgress.className = 'jp-CharAttention-runProgress';
    this._runProgress.max = 1;
    this._runProgress.hidden = true;
    this._runProgress.setAttribute(
      'aria-label',
      trans.__('Explanation progress')
    );
    this._runCancel = Private.button(
      trans.__('Cancel'),
      'jp-CharAttention-runCancel',
      () => this.cancelRun()
    );
    this._runCancel.hidden = true;
    this._runStatus = document.createElement('span');
    this._runStatus.className = 'jp-CharAttention-runStatus';
    this._runStatus.setAttribute('role', 'status');
    const runRow = document.createElement('div');
    runRow.className = 'jp-CharAttention-row';
    runRow.append(this._runProgress, this._runCancel, this._runStatus);
    methodSection.append(
      Private.field(trans.__('Method'), this._methodSelect),
      this._windowField,
      this._stepsField,
      this._targetField,
      runRow
    );
    this._updateMethodFields();

    const display = Private.section(
      trans.__('Display'),
      'jp-CharAttention-display'
    );
    // '' = the settings' map (RdBu for signed values such as occlusion).
    this._colormapSelect = Private.select(
      'jp-CharAttention-colormap',
      ['', ...COLORMAP_NAMES],
      { '': trans.__('default') }
    );
    this._charsPerRowInput = document.createElement('input');
    this._charsPerRowInput.type = 'number';
    this._charsPerRowInput.min = '1';
    this._charsPerRowInput.max = '1000';
    this._charsPerRowInput.className =
      'jp-CharAttention-charsPerRow jp-mod-styled';
    this._colormapSelect.addEventListener('change', () =>
      this._renderCurrent()
    );
    this._charsPerRowInput.addEventListener('change', () =>
      this._renderCurrent()
    );
    const defaults = this._displayDefaults();
    this._colormapSelect.value = '';
    this._colormapSelect.title = trans.__(
      'default: %1, or RdBu centred on 0 for signed values',
      defaults.colormap ?? 'Reds'
    );
    // Empty: as many characters as fit the width.
    this._charsPerRowInput.placeholder = trans.__('fit width');
    this._charsPerRowInput.value =
      defaults.charsPerRow && defaults.charsPerRow > 0
        ? String(defaults.charsPerRow)
        : '';
    display.append(
      Private.field(trans.__('Colour map'), this._colormapSelect),
      Private.field(trans.__('Characters per row'), this._charsPerRowInput)
    );

    const actions = document.createElement('div');
    actions.className = 'jp-CharAttention-actions';
    this._insertButton = Private.button(
      trans.__('Insert into notebook'),
      'jp-CharAttention-insert',
      () =>
        void this._withPayload(payload =>
          this._actions.insertIntoNotebook(payload, this._key)
        )
    );
    this._insertButton.title = trans.__(
      'Add this table as a new output of the active cell'
    );
    this._exportButton = Private.button(
      trans.__('Export as HTML…'),
      'jp-CharAttention-export',
      () => void this._withPayload(payload => this._actions.exportHtml(payload))
    );
    this._copyTsvButton = Private.button(
      trans.__('Copy values as TSV'),
      'jp-CharAttention-copyTsv',
      () => void this._withPayload(payload => this._actions.copyTsv(payload))
    );
    actions.append(this._insertButton, this._exportButton, this._copyTsvButton);

    this._notices = document.createElement('ul');
    this._notices.className = 'jp-CharAttention-notices';
    this._notices.setAttribute('aria-live', 'polite');

    form.append(
      modelSection,
      detected,
      textsSection,
      methodSection,
      display,
      actions,
      this._notices
    );
    return form;
  }

  private async _browse(kind: 'model' | 'tokenizer'): Promise<void> {
    // Start where the other file is: a tokenizer usually sits by its model.
    const near = (
      kind === 'model' ? this._tokenizerInput : this._modelInput
    ).value.trim();
    const path = await this._actions.pickFile(kind, near || undefined);
    if (!path) {
      return;
    }
    (kind === 'model' ? this._modelInput : this._tokenizerInput).value = path;
    if (this._modelInput.value && this._tokenizerInput.value) {
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
        this._setNotices([
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
    const options = this._explainOptions();
    this.node.classList.add('jp-mod-computing');
    // Attention is one forward pass; the other methods take many.
    const long = options.method !== 'attention' || texts.length > 32;
    if (long) {
      this._runProgress.hidden = false;
      this._runProgress.removeAttribute('value');
      this._runCancel.hidden = false;
      this._runStatus.textContent = '';
    }
    try {
      const result = await this._session.explain(texts, options, {
        signal: run.signal,
        onProgress: progress => {
          if (generation !== this._computeGeneration) {
            return;
          }
          if (progress.fraction !== null) {
            this._runProgress.value = progress.fraction;
          }
          this._runStatus.textContent = progress.message;
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
      this._runStatus.textContent = '';
      this._setNotices(result.notices);
      this._renderCurrent();
    } catch (error) {
      if (
        error instanceof RequestCancelledError ||
        generation !== this._computeGeneration
      ) {
        return;
      }
      const message = Private.messageOf(error);
      this._setNotices([message], 'error');
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

  private _endRun(): void {
    this.node.classList.remove('jp-mod-computing');
    this._runProgress.hidden = true;
    this._runCancel.hidden = true;
  }

  /** The options of the method picker. */
  private _explainOptions(): IExplainOptions {
    const method = this.method;
    const options: IExplainOptions = { method };
    const int = (input: HTMLInputElement) => {
      const value = parseInt(input.value, 10);
      return Number.isInteger(value) && value >= 0 ? value : undefined;
    };
    if (method === 'occlusion') {
      options.window = Math.max(1, int(this._windowInput) ?? 1);
    }
    if (method === 'integrated-gradients') {
      options.steps = Math.max(1, int(this._stepsInput) ?? 32);
    }
    const target = int(this._targetInput);
    if (method !== 'attention' && target !== undefined) {
      options.target = target;
    }
    return options;
  }

  /** Show the inputs of the chosen method only. */
  private _updateMethodFields(): void {
    const method = this.method;
    this._windowField.hidden = method !== 'occlusion';
    this._stepsField.hidden = method !== 'integrated-gradients';
    this._targetField.hidden = method === 'attention';
  }

  /** Render the source payload with the display controls applied. */
  private _renderCurrent(): void {
    const source = this._sourcePayload;
    if (!source) {
      return;
    }
    const charsPerRow = parseInt(this._charsPerRowInput.value, 10);
    const options: IPayloadOptions = {
      ...((source as { options?: IPayloadOptions }).options ?? {})
    };
    if (this._colormapSelect.value) {
      options.colormap = this._colormapSelect.value as ColormapName;
    }
    if (Number.isInteger(charsPerRow) && charsPerRow > 0) {
      options.charsPerRow = charsPerRow;
    }
    const payload = { ...source, options } as Payload;
    this._payload = payload;
    this._updateButtons();
    if (!this.isVisible) {
      // Drawn when the viewer is shown: a hidden table costs main-thread time
      // while the user works elsewhere.
      this._renderPending = true;
      return;
    }
    this._renderPending = false;
    void this._renderPayload(payload);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._renderPending && this._payload) {
      this._renderPending = false;
      void this._renderPayload(this._payload);
    }
  }

  private async _renderPayload(payload: Payload): Promise<void> {
    if (!this._renderer) {
      try {
        this._renderer = this._rendermime.createRenderer(MIME_TYPE);
      } catch (error) {
        this._setNotices(
          [
            this._trans.__(
              'No renderer for %1: %2',
              MIME_TYPE,
              Private.messageOf(error)
            )
          ],
          'error'
        );
        return;
      }
      this._result.addWidget(this._renderer);
    }
    const model = new MimeModel({
      data: { [MIME_TYPE]: payload as any },
      trusted: true
    });
    await this._renderer.renderModel(model);
  }

  private async _withPayload(
    action: (payload: Payload) => Promise<void>
  ): Promise<void> {
    const payload = this._payload;
    if (!payload) {
      this._actions.notifyError(
        this._trans.__('There is no table yet: type a text first.')
      );
      return;
    }
    await action(payload);
  }

  private _onSessionChanged(): void {
    const session = this._session;
    const info = session.info;
    const loading = session.state === 'loading';
    this._loadButton.disabled = loading;
    this._cancelButton.hidden = !loading;
    this.node.dataset.modelState = session.state;
    if (session.modelPath && !this._modelInput.value) {
      this._modelInput.value = session.modelPath;
    }
    if (session.tokenizerPath && !this._tokenizerInput.value) {
      this._tokenizerInput.value = session.tokenizerPath;
    }
    if (info) {
      const input = session.effectiveInput();
      const format = `${info.format}${info.kerasVersion ? ` (Keras ${info.kerasVersion})` : ''}`;
      this._info.textContent = info.attentionLayer
        ? this._trans.__(
            'Format %1 · %2 layers · vocabulary %3 · attention from %4 (%5)',
            format,
            info.layers.length,
            info.vocabularySize ?? '?',
            info.attentionLayer,
            info.attentionChosenBy === 'name'
              ? this._trans.__('by name')
              : this._trans.__('found automatically')
          )
        : this._trans.__(
            'Format %1 · %2 layers · vocabulary %3 · no attention layer: occlusion and gradient methods only',
            format,
            info.layers.length,
            info.vocabularySize ?? '?'
          );
      this._inferences.replaceChildren(
        ...(info.inferences ?? []).map(text => {
          const item = document.createElement('li');
          item.textContent = this._trans.__('Inferred: %1', text);
          return item;
        })
      );
      const attentionOption = this._methodSelect.querySelector(
        'option[value="attention"]'
      ) as HTMLOptionElement | null;
      if (attentionOption) {
        attentionOption.disabled = !info.attentionLayer;
      }
      if (
        !this._methodChosen ||
        (this.method === 'attention' && !info.attentionLayer)
      ) {
        this._methodSelect.value = defaultMethod(
          info,
          this._settings.current.explainMethod
        );
        this._updateMethodFields();
      }
      this._layerInput.value = info.attentionLayer ?? '';
      this._layerList.replaceChildren(
        ...info.layers.map(layer => {
          const option = document.createElement('option');
          option.value = layer.name;
          option.label = `${layer.className} [batch, ${formatDims(layer.outputShape)}]`;
          return option;
        })
      );
      this._maxlenInput.value = String(input.maxlen);
      this._maxlenInput.placeholder =
        info.inputLength === null ? this._trans.__('longest text') : '';
      this._paddingSelect.value = input.padding;
      this._truncatingSelect.value = input.truncating;
      if (session.state === 'ready') {
        this._setStatus(
          this._trans.__(
            'Loaded %1 with %2.',
            session.modelPath,
            session.tokenizerPath
          ),
          'success'
        );
      }
    } else if (session.state === 'empty' && !loading) {
      this._info.textContent = this._trans.__('No model loaded.');
    }
    if (session.state === 'error') {
      this._setStatus(session.lastError, 'error');
    }
  }

  private _onSettingsChanged(): void {
    const settings = this._settings.current;
    if (!this._modelInput.value && settings.modelPath) {
      this._modelInput.value = settings.modelPath;
    }
    if (!this._tokenizerInput.value && settings.tokenizerPath) {
      this._tokenizerInput.value = settings.tokenizerPath;
    }
    if (!this._session.info) {
      this._paddingSelect.value = settings.padding;
      this._truncatingSelect.value = settings.truncating;
      if (settings.maxlen !== null) {
        this._maxlenInput.value = String(settings.maxlen);
      }
    } else {
      this._onSessionChanged();
      this._scheduleCompute(0);
    }
  }

  private _setStatus(
    message: string,
    kind: 'info' | 'success' | 'warning' | 'error'
  ): void {
    this._status.textContent = message;
    this._status.dataset.kind = kind;
  }

  private _setNotices(
    messages: string[],
    kind: 'info' | 'error' = 'info'
  ): void {
    this._notices.dataset.kind = kind;
    this._notices.replaceChildren(
      ...messages.map(message => {
        const item = document.createElement('li');
        item.textContent = message;
        return item;
      })
    );
  }

  private _updateButtons(): void {
    const empty = this._payload === null;
    this._insertButton.disabled = empty || this._mode === 'payload';
    this._exportButton.disabled = empty;
    this._copyTsvButton.disabled = empty;
  }

  private _session: ModelSession;
  private _settings: LabSettings;
  private _rendermime: IRenderMimeRegistry;
  private _trans: TranslationBundle;
  private _actions: IPanelActions;
  private _displayDefaults: () => {
    colormap?: ColormapName;
    charsPerRow?: number;
  };
  private _form: Widget;
  private _result: Panel;
  private _renderer: IRenderMime.IRenderer | null = null;
  private _payload: Payload | null = null;
  private _sourcePayload: Payload | null = null;
  private _mode: 'model' | 'payload' = 'model';
  private _renderPending = false;
  private _key = '';
  private _debounce = 0;
  private _computeGeneration = 0;
  private _modelInput!: HTMLInputElement;
  private _tokenizerInput!: HTMLInputElement;
  private _loadButton!: HTMLButtonElement;
  private _cancelButton!: HTMLButtonElement;
  private _progress!: HTMLProgressElement;
  private _status!: HTMLElement;
  private _info!: HTMLElement;
  private _layerInput!: HTMLInputElement;
  private _layerList!: HTMLDataListElement;
  private _maxlenInput!: HTMLInputElement;
  private _paddingSelect!: HTMLSelectElement;
  private _truncatingSelect!: HTMLSelectElement;
  private _textsInput!: HTMLTextAreaElement;
  private _colormapSelect!: HTMLSelectElement;
  private _charsPerRowInput!: HTMLInputElement;
  private _insertButton!: HTMLButtonElement;
  private _exportButton!: HTMLButtonElement;
  private _copyTsvButton!: HTMLButtonElement;
  private _notices!: HTMLUListElement;
  private _inferences!: HTMLUListElement;
  private _methodSelect!: HTMLSelectElement;
  private _methodChosen = false;
  private _windowInput!: HTMLInputElement;
  private _stepsInput!: HTMLInputElement;
  private _targetInput!: HTMLInputElement;
  private _windowField!: HTMLElement;
  private _stepsField!: HTMLElement;
  private _targetField!: HTMLElement;
  private _runProgress!: HTMLProgressElement;
  private _runCancel!: HTMLButtonElement;
  private _runStatus!: HTMLElement;
  private _run: AbortController | null = null;
}

/** The viewer in a main-area widget with its title and icon. */
export function createAttentionPanel(
  options: IPanelOptions
): MainAreaWidget<AttentionViewer> {
  const content = new AttentionViewer(options);
  const widget = new MainAreaWidget({ content });
  widget.id = `jp-CharAttention-viewer-${Private.nextId()}`;
  widget.title.label = options.trans.__('Attention Viewer');
  widget.title.caption = options.trans.__(
    'Visualize per-character attention of a model'
  );
  widget.title.closable = true;
  widget.addClass('jp-CharAttention-viewer');
  return widget;
}

namespace Private {
  let counter = 0;

  export function nextId(): number {
    return ++counter;
  }

  export function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  export function section(title: string, className: string): HTMLElement {
    const element = document.createElement('fieldset');
    element.className = `jp-CharAttention-section ${className}`;
    const legend = document.createElement('legend');
    legend.textContent = title;
    element.append(legend);
    return element;
  }

  export function field(
    label: string,
    control: HTMLElement,
    ...extra: HTMLElement[]
  ): HTMLElement {
    const wrapper = document.createElement('label');
    wrapper.className = 'jp-CharAttention-field';
    const text = document.createElement('span');
    text.className = 'jp-CharAttention-fieldLabel';
    text.textContent = label;
    wrapper.append(text, control, ...extra);
    return wrapper;
  }

  export function textInput(
    className: string,
    placeholder: string
  ): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'text';
    input.className = `${className} jp-mod-styled`;
    input.placeholder = placeholder;
    input.spellcheck = false;
    return input;
  }

  export function select(
    className: string,
    values: string[],
    labels: { [value: string]: string } = {}
  ): HTMLSelectElement {
    const element = document.createElement('select');
    element.className = `${className} jp-mod-styled`;
    for (const value of values) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = labels[value] ?? value;
      element.append(option);
    }
    return element;
  }

  export function numberInput(
    className: string,
    value: number | '',
    min: number
  ): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'number';
    input.min = String(min);
    input.value = String(value);
    input.className = `${className} jp-mod-styled`;
    return input;
  }

  export function button(
    label: string,
    className: string,
    onClick: () => void
  ): HTMLButtonElement {
    const element = document.createElement('button');
    element.type = 'button';
    element.className = `${className} jp-Button jp-mod-styled`;
    element.textContent = label;
    element.addEventListener('click', onClick);
    return element;
  }
}
