/**
 * The model the user chose, its tokenizer (a Keras Tokenizer JSON, or the
 * model's own TextVectorization layer) and the choices that shape the input
 * (attention layer, maxlen, padding, truncating), turning texts into a
 * payload v1: encoding and alignment through the one text pipeline
 * (`text/pipeline.ts`, cheap, pure), the model in the worker pool (so the
 * page never blocks). The explanation methods come from the registry.
 *
 * No DOM or JupyterLab imports: the contents API and the worker pool are
 * given to the constructor.
 */
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import type { IForwardResult, IModelInfo } from '../model/types';
import type { ExplainMethod } from '../explain/registry';
import {
  availableMethods,
  checkExplainOptions,
  describeMethod,
  methodUnavailable
} from '../explain/registry';
import type { IExplainOptions, IExplanation } from '../explain/types';
import type { ITextPipeline, TextSource } from '../text/pipeline';
import type { IPaddedText } from '../text/tokenizer';
import {
  IEffectiveInput,
  IExplainBackend,
  IExplainHooks,
  IInputChoices,
  ILoadProgress,
  IPredictOptions,
  IPrediction,
  SessionError,
  SessionState,
  TokenizerNeededError
} from './session-types';
import type { IContentsLike } from './model-files';
import type { WorkerPool } from '../workers/pool';
import { basenameOf } from './export-path';
import { readModelFiles } from './model-files';
import {
  effectiveInput,
  engineOptions,
  readTokenizerSource,
  sentence,
  workerProgress
} from './session-helpers';
import { explanationPayload, predictionPayload } from './session-payloads';
import { RequestCancelledError } from '../workers/client';
import type { ILabSettings } from './settings';
import { messageOf } from '../payload/error-message';
import { ENGLISH, ITranslate } from '../table/translate';

/** The pure text modules, loaded on first use so the plugin entry stays small. */
type TextModules = {
  tokenizer: typeof import('../text/tokenizer');
  pipeline: typeof import('../text/pipeline');
  samples: typeof import('../explain/samples');
};

export * from './session-types';

export class ModelSession {
  constructor(options: {
    contents: IContentsLike;
    client: WorkerPool;
    settings: () => Readonly<ILabSettings>;
    loadTextModules?: () => Promise<TextModules>;
    /** Runs the explanation methods (default: the worker pool). */
    explainer?: IExplainBackend | null;
    /** The translation of the session's own messages (default: English). */
    trans?: ITranslate;
  }) {
    this._trans = options.trans ?? ENGLISH;
    this._contents = options.contents;
    this._explainer = options.explainer ?? options.client;
    this._client = options.client;
    this._settings = options.settings;
    this._loadTextModules =
      options.loadTextModules ??
      (async () => ({
        tokenizer: await import('../text/tokenizer'),
        pipeline: await import('../text/pipeline'),
        samples: await import('../explain/samples')
      }));
  }

  get state(): SessionState {
    return this._state;
  }
  get info(): IModelInfo | null {
    return this._info;
  }
  get modelPath(): string {
    return this._modelPath;
  }
  /** The tokenizer file; '' when the model's own TextVectorization layer encodes. */
  get tokenizerPath(): string {
    return this._tokenizerPath;
  }
  /** The tokenizer in words (a file, or the model's TextVectorization layer); '' before a load. */
  get tokenizerLabel(): string {
    return this._tokenizerLabel;
  }
  /** The model workers: `predict` and `explain` on encoded sequences. */
  get runner(): WorkerPool {
    return this._client;
  }
  get lastError(): string {
    return this._lastError;
  }
  get isReady(): boolean {
    return this._state === 'ready' && this._info !== null;
  }
  get choices(): Readonly<IInputChoices> {
    return this._choices;
  }
  /** Emitted on every state, model or choice change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Change input choices; a new attention layer needs `load` again. */
  setChoices(choices: Partial<IInputChoices>): void {
    this._choices = { ...this._choices, ...choices };
    this._changed.emit();
  }

  /** The choices in effect for the loaded model. */
  effectiveInput(): IEffectiveInput {
    const info = this._info;
    const own = this._source === null && info?.tokenizer !== undefined;
    return effectiveInput(info, own, this._choices, this._settings());
  }

  /**
   * Load a model and its tokenizer. Without a tokenizer the model's own
   * TextVectorization layer encodes; a model without one rejects with
   * `TokenizerNeededError`. A load that fails leaves no model (state
   * `error`): the previous one's facts would describe a file the user no
   * longer asked for. Rejects with `RequestCancelledError` when `cancelLoad`
   * is called (the previous model then stays, or the session is empty).
   */
  async load(
    modelPath: string,
    tokenizerPath = '',
    onProgress?: (progress: ILoadProgress) => void
  ): Promise<IModelInfo> {
    if (!modelPath) {
      throw new SessionError(
        this._trans.__('Choose a model file (.h5, .keras or model.json).')
      );
    }
    const generation = ++this._loadGeneration;
    this._setState('loading');
    try {
      const modules = await this._loadTextModules();
      const source = await readTokenizerSource(
        this._contents,
        modules.tokenizer,
        tokenizerPath,
        onProgress,
        this._trans
      );
      this._throwIfStale(generation);
      const info = await this._loadModel(modelPath, onProgress);
      this._throwIfStale(generation);
      if (!source && !info.tokenizer) {
        throw new TokenizerNeededError(modelPath, this._trans);
      }
      // A tokenizer that does not fit the model fails here, before any text.
      let pipeline: ITextPipeline;
      try {
        pipeline = modules.pipeline.createTextPipeline(info, source);
      } catch (error) {
        throw new SessionError(sentence(messageOf(error)));
      }
      this._info = info;
      this._source = source;
      this._modules = modules;
      this._modelPath = modelPath;
      this._tokenizerPath = source ? tokenizerPath : '';
      this._tokenizerLabel = pipeline.sourceLabel;
      this._lastError = '';
      this._choices = { ...this._choices, attentionLayer: info.attentionLayer };
      onProgress?.({
        fraction: 1,
        message: this._trans.__('Loaded %1', basenameOf(modelPath))
      });
      this._setState('ready');
      return info;
    } catch (error) {
      if (generation === this._loadGeneration) {
        const cancelled = error instanceof RequestCancelledError;
        this._lastError = cancelled ? '' : messageOf(error);
        if (!cancelled) {
          this._forgetModel();
        }
        this._setState(cancelled ? (this._info ? 'ready' : 'empty') : 'error');
      }
      throw error;
    }
  }

  /** Stop a model load in progress (the worker is restarted). */
  cancelLoad(): void {
    if (this._state !== 'loading') {
      return;
    }
    this._loadGeneration++;
    // Loading is one long step in the worker: stop it for real.
    this._client.terminate(this._trans.__('Model loading was cancelled.'));
    // The worker restarts empty: a model loaded before is gone too.
    this._info = null;
    this._setState('empty');
  }

  /**
   * Run the model on texts: each text's prediction, with its attention
   * aligned to the characters when the model has an attention layer
   * (otherwise a prediction-only sample).
   */
  async predict(
    texts: string[],
    options: IPredictOptions = {}
  ): Promise<IPrediction> {
    const { items, notices, pipeline, input, modules } = this._encode(texts);
    const info = this._info!;
    const controller = new AbortController();
    const stop = () => controller.abort();
    options.signal?.addEventListener('abort', stop);
    this._predictRequests.add(controller);
    let result: IForwardResult;
    try {
      result = await this._client.predict(
        items.map(item => item.padded),
        {
          signal: controller.signal,
          onProgress: progress => options.onProgress?.(progress)
        }
      );
    } finally {
      this._predictRequests.delete(controller);
      options.signal?.removeEventListener('abort', stop);
    }
    const payload = predictionPayload(items, result, info.attentionLayer, {
      pipeline,
      samples: modules.samples,
      model: basenameOf(this._modelPath),
      display: options.display
    });
    return { payload, notices, input };
  }

  /**
   * Explain texts with a method of the registry (the worker pool runs it).
   * The payload's `meta.method` (batch and samples) names the method, so
   * the table header does. Rejects with `RequestCancelledError` when
   * `signal` aborts.
   */
  async explain(
    texts: string[],
    options: IExplainOptions,
    hooks: IExplainHooks = {}
  ): Promise<IPrediction> {
    const method = this._checkMethod(options);
    const explainer = this._explainer;
    if (!explainer) {
      throw new SessionError(
        this._trans.__(
          '%1 is not available in this build.',
          describeMethod(method).label
        )
      );
    }
    const { items, notices, pipeline, input, modules } = this._encode(texts);
    if (hooks.signal?.aborted) {
      throw new RequestCancelledError(
        this._trans.__('The explanation was cancelled.')
      );
    }
    let explanations: IExplanation[];
    try {
      explanations = await explainer.explain(
        items.map(item => item.padded),
        options,
        {
          signal: hooks.signal,
          onProgress: p =>
            hooks.onProgress?.({
              fraction: p.total > 0 ? Math.min(1, p.done / p.total) : null,
              message:
                p.message ??
                this._trans.__(
                  '%1: %2 of %3',
                  describeMethod(method).label,
                  p.done,
                  p.total
                )
            })
        }
      );
    } catch (error) {
      if (hooks.signal?.aborted) {
        throw new RequestCancelledError(
          this._trans.__('The explanation was cancelled.')
        );
      }
      throw error;
    }
    const payload = explanationPayload(items, explanations, method, notices, {
      pipeline,
      samples: modules.samples,
      model: basenameOf(this._modelPath),
      display: hooks.display
    });
    return { payload, notices, input };
  }

  /** Cancel every prediction in flight (e.g. superseded by newer typing). */
  cancelPredictions(): void {
    for (const controller of Array.from(this._predictRequests)) {
      controller.abort(
        new RequestCancelledError(
          this._trans.__('Superseded by a newer request.')
        )
      );
    }
    this._predictRequests.clear();
  }

  dispose(): void {
    this._client.dispose();
    Signal.clearData(this);
  }

  /** The method of `options`, if this model can be explained with it. */
  private _checkMethod(options: IExplainOptions): ExplainMethod {
    let method: ExplainMethod;
    try {
      method = checkExplainOptions(options);
    } catch (error) {
      throw new SessionError(sentence(messageOf(error)));
    }
    const info = this._info;
    const reason = info ? methodUnavailable(method, info) : null;
    if (info && reason !== null) {
      const others = availableMethods(info).map(m => describeMethod(m).label);
      throw new SessionError(
        this._trans.__(
          '%1 cannot be explained with %2: %3; choose %4.',
          basenameOf(this._modelPath) || this._trans.__('The model'),
          describeMethod(method).label,
          reason,
          others.join(', ')
        )
      );
    }
    return method;
  }

  /**
   * The text pipeline of the loaded model with the choices in effect
   * (tokenizer or TextVectorization, lengths, padding, vocabulary), for
   * callers that encode and run texts themselves (the explorer).
   */
  textPipeline(): ITextPipeline {
    return this._pipeline().pipeline;
  }

  /** Texts encoded for the model (tokenizer, lengths, padding, vocabulary). */
  private _encode(texts: string[]): {
    items: IPaddedText[];
    notices: string[];
    pipeline: ITextPipeline;
    input: IEffectiveInput;
    modules: TextModules;
  } {
    const { pipeline, input, modules } = this._pipeline();
    if (texts.length === 0) {
      throw new SessionError(
        this._trans.__('There is no text to run the model on.')
      );
    }
    try {
      const { items, notices } = pipeline.encode(texts);
      return { items, notices, pipeline, input, modules };
    } catch (error) {
      throw new SessionError(sentence(messageOf(error)));
    }
  }

  private _pipeline(): {
    pipeline: ITextPipeline;
    input: IEffectiveInput;
    modules: TextModules;
  } {
    const info = this._info;
    const modules = this._modules;
    if (!this.isReady || !info || !modules) {
      throw new SessionError(this._trans.__('No model is loaded yet.'));
    }
    const input = this.effectiveInput();
    try {
      const pipeline = modules.pipeline.createTextPipeline(info, this._source, {
        maxlen: input.maxlen,
        padding: input.padding,
        truncating: input.truncating,
        // Padding runs on this thread: its length is capped before anything of it is made.
        limit: this._settings().maxInputLength,
        limitHint: this._trans.__('raise the maxInputLength setting')
      });
      return { pipeline, input, modules };
    } catch (error) {
      throw new SessionError(sentence(messageOf(error)));
    }
  }

  private async _loadModel(
    modelPath: string,
    onProgress?: (progress: ILoadProgress) => void
  ): Promise<IModelInfo> {
    const files = await readModelFiles(
      this._contents,
      modelPath,
      (path, index, count) =>
        onProgress?.({
          fraction: (0.4 * index) / count,
          message: this._trans.__('Reading %1', basenameOf(path))
        }),
      this._trans
    );
    const settings = this._settings();
    if (modelPath !== this._modelPath) {
      // Choices made for another model do not carry over.
      this._choices = { ...this._choices, attentionLayer: null, maxlen: null };
    }
    const attentionLayer =
      this._choices.attentionLayer ?? settings.attentionLayer;
    onProgress?.({
      fraction: 0.4,
      message: this._trans.__('Loading %1', basenameOf(modelPath))
    });
    // Not transferred: the pool keeps the bytes for workers it starts later.
    return this._client.load(files, engineOptions(settings, attentionLayer), {
      onProgress: progress =>
        onProgress?.(workerProgress(progress, this._trans))
    });
  }

  /** No model: its facts, tokenizer and paths are gone. */
  private _forgetModel(): void {
    this._info = null;
    this._source = null;
    this._modelPath = '';
    this._tokenizerPath = '';
    this._tokenizerLabel = '';
  }

  private _throwIfStale(generation: number): void {
    if (generation !== this._loadGeneration) {
      throw new RequestCancelledError(
        this._trans.__('Model loading was cancelled.')
      );
    }
  }

  private _setState(state: SessionState): void {
    this._state = state;
    this._changed.emit();
  }

  private _trans: ITranslate;
  private _contents: IContentsLike;
  private _client: WorkerPool;
  private _explainer: IExplainBackend | null;
  private _settings: () => Readonly<ILabSettings>;
  private _loadTextModules: () => Promise<TextModules>;
  private _modules: TextModules | null = null;
  private _state: SessionState = 'empty';
  private _info: IModelInfo | null = null;
  private _source: TextSource | null = null;
  private _modelPath = '';
  private _tokenizerPath = '';
  private _tokenizerLabel = '';
  private _lastError = '';
  private _choices: IInputChoices = {
    attentionLayer: null,
    maxlen: null,
    padding: null,
    truncating: null
  };
  private _loadGeneration = 0;
  private _predictRequests = new Set<AbortController>();
  private _changed = new Signal<this, void>(this);
}
