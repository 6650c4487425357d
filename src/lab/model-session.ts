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
import type { IBatchPayload } from '../payload/types';
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
  messageOf,
  readTokenizerSource,
  sentence,
  setDisplay,
  workerProgress
} from './session-helpers';
import { RequestCancelledError } from '../workers/client';
import type { ILabSettings } from './settings';

/** The pure text modules, loaded on first use so the plugin entry stays small. */
type TextModules = {
  tokenizer: typeof import('../text/tokenizer');
  pipeline: typeof import('../text/pipeline');
  samples: typeof import('../text/samples');
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
  }) {
    this._contents = options.contents;
    this._explainer = options.explainer ?? options.client;
    this._client = options.client;
    this._settings = options.settings;
    this._loadTextModules =
      options.loadTextModules ??
      (async () => ({
        tokenizer: await import('../text/tokenizer'),
        pipeline: await import('../text/pipeline'),
        samples: await import('../text/samples')
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
    const settings = this._settings();
    const info = this._info;
    const own = this._source === null && info?.tokenizer !== undefined;
    // A choice that differs from a fixed input length is refused when encoding.
    const maxlen =
      this._choices.maxlen ?? settings.maxlen ?? info?.inputLength ?? null;
    return {
      attentionLayer:
        info?.attentionLayer ??
        this._choices.attentionLayer ??
        settings.attentionLayer,
      maxlen,
      padding: own ? 'post' : (this._choices.padding ?? settings.padding),
      truncating: own
        ? 'post'
        : (this._choices.truncating ?? settings.truncating),
      lengths:
        info?.inputLength !== null && info?.inputLength !== undefined
          ? 'model'
          : maxlen !== null
            ? 'maxlen'
            : 'own'
    };
  }

  /**
   * Load a model and its tokenizer (replacing the current ones only on
   * success). Without a tokenizer the model's own TextVectorization layer
   * encodes; a model without one rejects with `TokenizerNeededError`.
   * Rejects with `RequestCancelledError` when `cancelLoad` is called.
   */
  async load(
    modelPath: string,
    tokenizerPath = '',
    onProgress?: (progress: ILoadProgress) => void
  ): Promise<IModelInfo> {
    if (!modelPath) {
      throw new SessionError(
        'Choose a model file (.h5, .keras or model.json).'
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
        onProgress
      );
      this._throwIfStale(generation);
      const info = await this._loadModel(modelPath, onProgress);
      this._throwIfStale(generation);
      if (!source && !info.tokenizer) {
        throw new TokenizerNeededError(modelPath);
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
      onProgress?.({ fraction: 1, message: `Loaded ${basenameOf(modelPath)}` });
      this._setState('ready');
      return info;
    } catch (error) {
      if (generation === this._loadGeneration) {
        const cancelled = error instanceof RequestCancelledError;
        this._lastError = cancelled ? '' : messageOf(error);
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
    this._client.terminate('Model loading was cancelled.');
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
    const samples = items.map((item, i) => {
      const attention =
        info.attentionLayer === null ? null : result.attention[i];
      const sample = modules.samples.predictionSample(
        item,
        result.predictions[i],
        attention
      );
      const notice = pipeline.sampleNotice(item);
      if (notice) {
        sample.meta = { notice };
      }
      return sample;
    });
    const payload: IBatchPayload = {
      version: 1,
      samples,
      meta: {
        model: basenameOf(this._modelPath),
        attentionLayer: info.attentionLayer,
        ...pipeline.meta()
      }
    };
    setDisplay(payload, options.display);
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
        `${describeMethod(method).label} is not available in this build.`
      );
    }
    const { items, notices, pipeline, input, modules } = this._encode(texts);
    if (hooks.signal?.aborted) {
      throw new RequestCancelledError('The explanation was cancelled.');
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
                `${describeMethod(method).label}: ${p.done} of ${p.total}`
            })
        }
      );
    } catch (error) {
      if (hooks.signal?.aborted) {
        throw new RequestCancelledError('The explanation was cancelled.');
      }
      throw error;
    }
    const samples = items.map((item, i) => {
      const explanation = explanations[i];
      const sample = modules.samples.explanationSample(item, [explanation]);
      const truncated = pipeline.sampleNotice(item);
      const said = [...explanation.notices, ...(truncated ? [truncated] : [])];
      if (said.length) {
        sample.meta = { ...sample.meta, notice: said.join('; ') };
      }
      explanation.notices.forEach(notice =>
        notices.push(`text ${i + 1}: ${notice}`)
      );
      return sample;
    });
    const payload: IBatchPayload = {
      version: 1,
      samples,
      meta: {
        model: basenameOf(this._modelPath),
        method,
        ...pipeline.meta()
      }
    };
    setDisplay(payload, hooks.display);
    return { payload, notices, input };
  }

  /** Cancel every prediction in flight (e.g. superseded by newer typing). */
  cancelPredictions(): void {
    for (const controller of Array.from(this._predictRequests)) {
      controller.abort(
        new RequestCancelledError('Superseded by a newer request.')
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
        `${basenameOf(this._modelPath) || 'The model'} cannot be explained with ${describeMethod(method).label}: ` +
          `${reason}; choose ${others.join(', ')}.`
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
      throw new SessionError('There is no text to run the model on.');
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
      throw new SessionError('No model is loaded yet.');
    }
    const input = this.effectiveInput();
    try {
      const pipeline = modules.pipeline.createTextPipeline(info, this._source, {
        maxlen: input.maxlen,
        padding: input.padding,
        truncating: input.truncating,
        // Padding runs on this thread: its length is capped before anything of it is made.
        limit: this._settings().maxInputLength,
        limitHint: 'raise the maxInputLength setting'
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
          message: `Reading ${basenameOf(path)}`
        })
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
      message: `Loading ${basenameOf(modelPath)}`
    });
    // Not transferred: the pool keeps the bytes for workers it starts later.
    return this._client.load(
      files,
      {
        attentionLayer: attentionLayer || undefined,
        lambdas: Object.keys(settings.lambdas).length
          ? settings.lambdas
          : undefined,
        // The engine's WebAssembly SIMD kernel; 'js' is plain JavaScript.
        simd: settings.backend !== 'js',
        // A model declaring more steps (or layers, or nesting) is refused in the worker.
        maxInputLength: settings.maxInputLength,
        maxLayers: settings.maxLayers,
        maxNestingDepth: settings.maxNestingDepth
      },
      {
        onProgress: progress => onProgress?.(workerProgress(progress))
      }
    );
  }

  private _throwIfStale(generation: number): void {
    if (generation !== this._loadGeneration) {
      throw new RequestCancelledError('Model loading was cancelled.');
    }
  }

  private _setState(state: SessionState): void {
    this._state = state;
    this._changed.emit();
  }

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
