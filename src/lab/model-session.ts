/**
 * The model the user chose, its tokenizer and the choices that shape the
 * input (attention layer, maxlen, padding, truncating), turning texts into a
 * payload v1: encoding and alignment here (cheap, pure), the forward pass in
 * the worker (so the page never blocks).
 *
 * No DOM or JupyterLab imports: the contents API and the worker client are
 * given to the constructor.
 */
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import type { IBatchPayload, IPayloadOptions } from '../payload/types';
import type { IForwardResult, IModelInfo } from '../model/types';
import type {
  ExplainMethod,
  IExplainOptions,
  IExplanation
} from '../explain/types';
import type { ICharTokenizer, Side } from '../text/tokenizer';
import type { IContentsLike } from './model-files';
import type { WorkerPool } from '../workers/pool';
import { maxOf } from '../model/limits';
import { basenameOf } from './export-path';
import { readModelFiles, readText } from './model-files';
import { RequestCancelledError } from '../workers/client';
import type { ILabSettings } from './settings';

/** The pure text helpers, loaded on first use so the plugin entry stays small. */
type TextModules = {
  tokenizer: typeof import('../text/tokenizer');
  align: typeof import('../text/align');
};

/** Input choices the user can change in the panel (null = from settings/model). */
export interface IInputChoices {
  attentionLayer: string | null;
  maxlen: number | null;
  padding: Side | null;
  truncating: Side | null;
}

/** The input choices in effect. */
export interface IEffectiveInput {
  attentionLayer: string;
  maxlen: number;
  padding: Side;
  truncating: Side;
}

export type SessionState = 'empty' | 'loading' | 'ready' | 'error';

export interface ILoadProgress {
  /** 0..1, or null when unknown. */
  fraction: number | null;
  message: string;
}

/** A problem the user must fix (bad text, mismatching tokenizer): one clear sentence. */
export class SessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface IPredictOptions {
  /** Stops the prediction (it then rejects with `RequestCancelledError`). */
  signal?: AbortSignal;
  /** Display options written into the payload. */
  display?: IPayloadOptions;
  /** Progress of a large batch (the worker reports every few dozen texts). */
  onProgress?: (progress: ILoadProgress) => void;
}

/**
 * Runs the explanation methods other than attention on encoded, padded
 * sequences (one explanation per sequence, values per model position), in
 * the worker pool. `signal` stops the work; `onProgress` reports units done.
 */
export interface IExplainBackend {
  explain(
    sequences: number[][],
    options: IExplainOptions,
    hooks: {
      onProgress?: (progress: { done: number; total: number }) => void;
      signal?: AbortSignal;
    }
  ): Promise<IExplanation[]>;
}

/** Hooks of a long explanation. */
export interface IExplainHooks {
  onProgress?: (progress: ILoadProgress) => void;
  signal?: AbortSignal;
  display?: IPayloadOptions;
}

/** The method used when the caller does not choose: attention if the model has it. */
export function defaultMethod(
  info: IModelInfo | null,
  fallback: ExplainMethod
): ExplainMethod {
  return info && info.attentionLayer ? 'attention' : fallback;
}

export interface IPrediction {
  payload: IBatchPayload;
  /** What the model did not see (truncated, unknown characters), one line each. */
  notices: string[];
  input: IEffectiveInput;
}

export class ModelSession {
  constructor(options: {
    contents: IContentsLike;
    client: WorkerPool;
    settings: () => Readonly<ILabSettings>;
    loadTextModules?: () => Promise<TextModules>;
    /** Explanation methods other than attention (the worker pool). */
    explainer?: IExplainBackend | null;
  }) {
    this._contents = options.contents;
    // The pool runs the explanation methods unless another backend is given.
    this._explainer = options.explainer ?? options.client;
    this._client = options.client;
    this._settings = options.settings;
    this._loadTextModules =
      options.loadTextModules ??
      (async () => ({
        tokenizer: await import('../text/tokenizer'),
        align: await import('../text/align')
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
  get tokenizerPath(): string {
    return this._tokenizerPath;
  }
  /** The model workers: `predict` and `explain` on encoded sequences. */
  get runner(): WorkerPool {
    return this._client;
  }
  get lastError(): string {
    return this._lastError;
  }
  get isReady(): boolean {
    return (
      this._state === 'ready' && this._info !== null && this._tokenizer !== null
    );
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
  effectiveInput(longest = 0): IEffectiveInput {
    const settings = this._settings();
    const info = this._info;
    const maxlen =
      this._choices.maxlen ??
      settings.maxlen ??
      info?.inputLength ??
      Math.max(1, longest);
    return {
      attentionLayer:
        info?.attentionLayer ??
        this._choices.attentionLayer ??
        settings.attentionLayer,
      maxlen,
      padding: this._choices.padding ?? settings.padding,
      truncating: this._choices.truncating ?? settings.truncating
    };
  }

  /**
   * Load a model and its tokenizer (replacing the current ones only on
   * success). Rejects with `RequestCancelledError` when `cancelLoad` is called.
   */
  async load(
    modelPath: string,
    tokenizerPath: string,
    onProgress?: (progress: ILoadProgress) => void
  ): Promise<IModelInfo> {
    if (!modelPath) {
      throw new SessionError(
        'Choose a model file (.h5, .keras or model.json).'
      );
    }
    if (!tokenizerPath) {
      throw new SessionError(
        'Choose the tokenizer JSON that goes with the model.'
      );
    }
    const generation = ++this._loadGeneration;
    this._setState('loading');
    try {
      const modules = await this._loadTextModules();
      onProgress?.({
        fraction: 0,
        message: `Reading ${basenameOf(tokenizerPath)}`
      });
      const tokenizerText = await readText(this._contents, tokenizerPath);
      let tokenizer: ICharTokenizer;
      try {
        tokenizer = modules.tokenizer.parseTokenizer(tokenizerText);
      } catch (error) {
        throw new SessionError(`${tokenizerPath}: ${Private.messageOf(error)}`);
      }
      this._throwIfStale(generation);

      const files = await readModelFiles(
        this._contents,
        modelPath,
        (path, index, count) =>
          onProgress?.({
            fraction: (0.4 * index) / count,
            message: `Reading ${basenameOf(path)}`
          })
      );
      this._throwIfStale(generation);

      const settings = this._settings();
      const sameModel = modelPath === this._modelPath;
      if (!sameModel) {
        // Choices made for another model do not carry over.
        this._choices = {
          ...this._choices,
          attentionLayer: null,
          maxlen: null
        };
      }
      const attentionLayer =
        this._choices.attentionLayer ?? settings.attentionLayer;
      onProgress?.({
        fraction: 0.4,
        message: `Loading ${basenameOf(modelPath)}`
      });
      // Not transferred: the pool keeps the bytes for workers it starts later.
      const info = await this._client.load(
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
          onProgress: progress => onProgress?.(Private.workerProgress(progress))
        }
      );
      this._throwIfStale(generation);
      Private.checkTokenizerFitsModel(
        tokenizer,
        info,
        tokenizerPath,
        modelPath
      );

      this._info = info;
      this._tokenizer = tokenizer;
      this._modules = modules;
      this._modelPath = modelPath;
      this._tokenizerPath = tokenizerPath;
      this._lastError = '';
      this._choices = { ...this._choices, attentionLayer: info.attentionLayer };
      onProgress?.({ fraction: 1, message: `Loaded ${basenameOf(modelPath)}` });
      this._setState('ready');
      return info;
    } catch (error) {
      if (generation === this._loadGeneration) {
        const cancelled = error instanceof RequestCancelledError;
        this._lastError = cancelled ? '' : Private.messageOf(error);
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
    this._tokenizer = null;
    this._setState('empty');
  }

  /** Run the model on texts and align the attention to their characters. */
  async predict(
    texts: string[],
    options: IPredictOptions = {}
  ): Promise<IPrediction> {
    const info = this._info!;
    const { items, pad, resolved, input, modules, tokenizer } =
      this._encode(texts);
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
    const aligned = modules.align.alignBatch({
      tokenizer,
      texts,
      attention: result.attention,
      predictions: result.predictions,
      pad
    });
    // What the model did not see is masked in the table and said in words.
    aligned.payload.samples.forEach((sample, i) => {
      const notice = Private.truncationNotice(items[i], resolved);
      if (notice) {
        sample.meta = { ...(sample.meta ?? {}), notice };
      }
    });
    const payload: IBatchPayload = {
      ...aligned.payload,
      meta: {
        model: basenameOf(this._modelPath),
        attentionLayer: info.attentionLayer,
        maxlen: resolved.maxlen,
        padding: resolved.padding,
        truncating: resolved.truncating
      }
    };
    if (options.display && Object.keys(options.display).length > 0) {
      payload.options = { ...options.display };
    }
    return {
      payload,
      notices: modules.align.alignmentNotices(items, resolved),
      input
    };
  }

  /**
   * Explain texts with a method: attention comes from the forward pass;
   * occlusion and the gradient methods from the explanation backend. The
   * payload's `meta.method` (batch and samples) names the method, so the
   * table header does. Rejects with `RequestCancelledError` when `signal`
   * aborts.
   */
  async explain(
    texts: string[],
    options: IExplainOptions,
    hooks: IExplainHooks = {}
  ): Promise<IPrediction> {
    if (options.method === 'attention') {
      if (!this._info?.attentionLayer) {
        throw new SessionError(
          `${basenameOf(this._modelPath) || 'The model'} has no attention layer: choose occlusion, gradient × input or integrated gradients.`
        );
      }
      const result = await this.predict(texts, {
        onProgress: hooks.onProgress,
        display: hooks.display,
        signal: hooks.signal
      });
      result.payload.meta = { ...result.payload.meta, method: 'attention' };
      return result;
    }
    const explainer = this._explainer;
    if (!explainer) {
      throw new SessionError(
        `${options.method} is not available in this build: only attention can be computed.`
      );
    }
    const { items, pad, input, modules, tokenizer } = this._encode(texts);
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
          onProgress: ({ done, total }) =>
            hooks.onProgress?.({
              fraction: total > 0 ? done / total : null,
              message: `${Private.methodLabel(options.method)}: ${done} of ${total} steps`
            })
        }
      );
    } catch (error) {
      if (hooks.signal?.aborted) {
        throw new RequestCancelledError('The explanation was cancelled.');
      }
      throw error;
    }
    const aligned = modules.align.alignBatch({
      tokenizer,
      texts,
      attention: explanations.map(e => e.values),
      predictions: explanations.map(e => e.prediction),
      pad
    });
    const notices = modules.align.alignmentNotices(items, aligned.options);
    aligned.payload.samples.forEach((sample, i) => {
      const explanation = explanations[i];
      const meta: { [key: string]: unknown } = {
        method: explanation.method,
        target: explanation.target,
        ...explanation.meta
      };
      const truncated = Private.truncationNotice(items[i], aligned.options);
      const said = [...explanation.notices, ...(truncated ? [truncated] : [])];
      if (said.length) {
        meta.notice = said.join('; ');
      }
      sample.meta = meta;
      explanation.notices.forEach(notice =>
        notices.push(`text ${i + 1}: ${notice}`)
      );
    });
    const payload: IBatchPayload = {
      ...aligned.payload,
      meta: {
        model: basenameOf(this._modelPath),
        method: options.method,
        maxlen: aligned.options.maxlen,
        padding: aligned.options.padding,
        truncating: aligned.options.truncating
      }
    };
    if (hooks.display && Object.keys(hooks.display).length > 0) {
      payload.options = { ...hooks.display };
    }
    return { payload, notices, input };
  }

  /** Encode texts as the model's input (maxlen, padding, truncating). */
  private _encode(texts: string[]) {
    const info = this._info;
    const tokenizer = this._tokenizer;
    const modules = this._modules;
    if (!this.isReady || !info || !tokenizer || !modules) {
      throw new SessionError('No model is loaded yet.');
    }
    if (texts.length === 0) {
      throw new SessionError('There is no text to run the model on.');
    }
    const encodedLengths = texts.map(text =>
      modules.tokenizer.encodedLength(tokenizer, text)
    );
    const input = this.effectiveInput(maxOf(encodedLengths));
    if (info.inputLength !== null && input.maxlen !== info.inputLength) {
      throw new SessionError(
        `maxlen ${input.maxlen} does not match the model input length ${info.inputLength}.`
      );
    }
    // Padding runs on this thread: its length is capped before anything of it is allocated.
    const pad = {
      maxlen: input.maxlen,
      padding: input.padding,
      truncating: input.truncating,
      limit: this._settings().maxInputLength,
      limitHint: 'raise the maxInputLength setting'
    };
    let encoded: ReturnType<typeof modules.tokenizer.encodeTexts>;
    try {
      encoded = modules.tokenizer.encodeTexts(tokenizer, texts, pad);
    } catch (error) {
      throw new SessionError(`${Private.messageOf(error)}.`);
    }
    const { items, options: resolved } = encoded;
    return { items, pad, resolved, input, modules, tokenizer };
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
  private _tokenizer: ICharTokenizer | null = null;
  private _modelPath = '';
  private _tokenizerPath = '';
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

namespace Private {
  export function methodLabel(method: ExplainMethod): string {
    return method === 'grad-x-input'
      ? 'gradient × input'
      : method.replace('-', ' ');
  }

  /**
   * `the first 10 of 90 characters are not seen by the model (maxlen 80,
   * truncating pre)`, or '' when the whole text fits.
   */
  export function truncationNotice(
    item: { truncatedCount: number; sequence: number[] },
    pad: { maxlen: number; truncating: Side }
  ): string {
    if (item.truncatedCount <= 0) {
      return '';
    }
    const which = pad.truncating === 'pre' ? 'first' : 'last';
    return (
      `the ${which} ${item.truncatedCount} of ${item.sequence.length} characters ` +
      `are not seen by the model (maxlen ${pad.maxlen}, truncating ${pad.truncating}); they are masked`
    );
  }

  export function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }

  export function workerProgress(progress: unknown): ILoadProgress {
    const data = (progress ?? {}) as {
      fraction?: unknown;
      message?: unknown;
      stage?: unknown;
    };
    const fraction = typeof data.fraction === 'number' ? data.fraction : null;
    const message =
      typeof data.message === 'string'
        ? data.message
        : typeof data.stage === 'string'
          ? data.stage
          : 'Loading model';
    return {
      fraction: fraction === null ? null : 0.4 + 0.6 * fraction,
      message
    };
  }

  /** Indices the tokenizer can emit must exist in the model's Embedding. */
  export function checkTokenizerFitsModel(
    tokenizer: ICharTokenizer,
    info: IModelInfo,
    tokenizerPath: string,
    modelPath: string
  ): void {
    if (typeof info.vocabularySize !== 'number') {
      return;
    }
    let largest = 0;
    for (const index of tokenizer.wordIndex.values()) {
      if (tokenizer.numWords && index >= tokenizer.numWords) {
        continue;
      }
      largest = Math.max(largest, index);
    }
    if (largest >= info.vocabularySize) {
      throw new SessionError(
        `The tokenizer ${basenameOf(tokenizerPath)} does not match the model ` +
          `${basenameOf(modelPath)}: it uses indices up to ${largest}, but the model's ` +
          `Embedding accepts 0–${info.vocabularySize - 1} (input_dim ${info.vocabularySize}).`
      );
    }
  }
}
