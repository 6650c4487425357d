/**
 * Typed view of the `jupyterlab-char-attention:lab` settings.
 *
 * `parseLabSettings` is pure (bad values fall back to defaults and are
 * reported); `LabSettings` follows a settings object and signals changes so
 * open panels and commands apply them without a reload.
 */
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import {
  DEFAULT_MAX_INPUT_LENGTH,
  DEFAULT_MAX_LAYERS,
  DEFAULT_MAX_NESTING_DEPTH
} from '../model/limits';
import type { ExplainMethod } from '../explain/registry';

export const LAB_PLUGIN_ID = 'jupyterlab-char-attention:lab';

export type Side = 'pre' | 'post';
/** wasm: the engine's WebAssembly SIMD kernel; js: plain JavaScript. */
export type Backend = 'wasm' | 'js';

export const BACKENDS: readonly Backend[] = ['wasm', 'js'];
export const SIDES: readonly Side[] = ['pre', 'post'];
/** Methods for models without an attention layer. */
export const FALLBACK_METHODS: readonly ExplainMethod[] = [
  'occlusion',
  'grad-x-input',
  'integrated-gradients'
];

export interface ILabSettings {
  /** Model file (server path) used when none was picked in the panel ('' = none). */
  modelPath: string;
  /** Tokenizer JSON (server path) ('' = none). */
  tokenizerPath: string;
  /** Attention layer name ('' = found automatically). */
  attentionLayer: string;
  /** Sequence length fed to the model (null = the model's input length). */
  maxlen: number | null;
  /** The most input steps a model, maxlen or text may ask for (refused above). */
  maxInputLength: number;
  /** The most layers a model may have, nested and inlined calls included (refused above). */
  maxLayers: number;
  /** How deep models may nest in models (refused above). */
  maxNestingDepth: number;
  padding: Side;
  truncating: Side;
  /** Compute backend of the model worker (wasm SIMD kernel or plain JS). */
  backend: Backend;
  /** Write a static `text/html` copy of the table into outputs that lack one. */
  staticHtmlFallback: boolean;
  /** Delay before recomputing while the user types in the panel (ms). */
  debounceMs: number;
  /** Lambda layer semantics by layer name, e.g. `{"lambda_1": "sum(axis=1)"}`. */
  lambdas: { [layerName: string]: string };
  /** What "Visualize Attention" computes for a model without an attention layer. */
  explainMethod: ExplainMethod;
  /** Most model workers (0 = automatic: the core count, at most 4). */
  workers: number;
}

export const DEFAULT_LAB_SETTINGS: Readonly<ILabSettings> = Object.freeze({
  modelPath: '',
  tokenizerPath: '',
  attentionLayer: '',
  maxlen: null,
  maxInputLength: DEFAULT_MAX_INPUT_LENGTH,
  maxLayers: DEFAULT_MAX_LAYERS,
  maxNestingDepth: DEFAULT_MAX_NESTING_DEPTH,
  padding: 'pre',
  truncating: 'pre',
  backend: 'wasm',
  staticHtmlFallback: false,
  debounceMs: 300,
  lambdas: {},
  explainMethod: 'occlusion',
  workers: 0
});

export interface IParsedLabSettings {
  settings: ILabSettings;
  /** One message per ignored value (the default was used instead). */
  problems: string[];
}

/** Read settings from a composite JSON object, falling back per field. */
export function parseLabSettings(raw: unknown): IParsedLabSettings {
  const source = (raw !== null && typeof raw === 'object' ? raw : {}) as {
    [key: string]: unknown;
  };
  const problems: string[] = [];
  const settings: ILabSettings = { ...DEFAULT_LAB_SETTINGS, lambdas: {} };
  for (const read of [
    Private.readPaths,
    Private.readLengths,
    Private.readRunChoices,
    Private.readLambdas
  ]) {
    read(source, settings, problems);
  }
  return { settings, problems };
}

/** The part of `ISettingRegistry.ISettings` used here. */
export interface ISettingsLike {
  readonly composite: unknown;
  readonly changed: ISignal<any, any>;
}

/** Current lab settings, updated live from the settings registry. */
export class LabSettings {
  constructor(
    initial: ILabSettings = { ...DEFAULT_LAB_SETTINGS, lambdas: {} }
  ) {
    this._current = initial;
  }

  get current(): Readonly<ILabSettings> {
    return this._current;
  }

  /** Emitted with the new settings after every change. */
  get changed(): ISignal<this, ILabSettings> {
    return this._changed;
  }

  /** Problems found in the last settings read (for a notification). */
  get problems(): readonly string[] {
    return this._problems;
  }

  /** Follow a settings object from the registry. */
  follow(settings: ISettingsLike): void {
    const update = () => this.update(settings.composite);
    settings.changed.connect(update);
    update();
  }

  update(raw: unknown): void {
    const parsed = parseLabSettings(raw);
    this._current = parsed.settings;
    this._problems = parsed.problems;
    this._changed.emit(this._current);
  }

  private _current: ILabSettings;
  private _problems: string[] = [];
  private _changed = new Signal<this, ILabSettings>(this);
}

/** The part of `ISettingRegistry` used to load the lab settings. */
export interface ISettingRegistryLike {
  load(plugin: string): Promise<ISettingsLike>;
}

const shared = new WeakMap<object, ILoadedLabSettings>();

/** The lab settings of a registry, and when they are first read. */
export interface ILoadedLabSettings {
  settings: LabSettings;
  /** Resolves once the registry's values are in (rejects if they cannot be read). */
  ready: Promise<void>;
}

/**
 * The one `LabSettings` of a settings registry: every plugin that needs the
 * lab settings gets the same object, read from the registry once (the
 * defaults come from the schema through the registry's composite).
 */
export function labSettingsOf(
  registry: ISettingRegistryLike
): ILoadedLabSettings {
  let loaded = shared.get(registry);
  if (!loaded) {
    const settings = new LabSettings();
    loaded = {
      settings,
      ready: registry
        .load(LAB_PLUGIN_ID)
        .then(source => settings.follow(source))
    };
    shared.set(registry, loaded);
  }
  return loaded;
}

/** The part of `ISettingRegistry` used to write the default model. */
export interface ISettingWriterLike {
  set(plugin: string, key: string, value: string): Promise<void>;
}

/**
 * Writes `modelPath` and `tokenizerPath` into the user settings unless they
 * already say so; resolves to whether anything was written.
 */
export async function rememberModel(
  registry: ISettingWriterLike,
  current: Readonly<ILabSettings>,
  modelPath: string,
  tokenizerPath: string
): Promise<boolean> {
  if (
    !modelPath ||
    (current.modelPath === modelPath && current.tokenizerPath === tokenizerPath)
  ) {
    return false;
  }
  await registry.set(LAB_PLUGIN_ID, 'modelPath', modelPath);
  await registry.set(LAB_PLUGIN_ID, 'tokenizerPath', tokenizerPath);
  return true;
}

namespace Private {
  /** modelPath, tokenizerPath, attentionLayer. */
  export function readPaths(
    source: { [key: string]: unknown },
    settings: ILabSettings,
    problems: string[]
  ): void {
    const text = (key: 'modelPath' | 'tokenizerPath' | 'attentionLayer') => {
      const value = source[key];
      if (value === undefined || value === null) {
        return;
      }
      if (typeof value === 'string') {
        settings[key] = value.trim();
      } else {
        problems.push(`${key} must be a string`);
      }
    };
    text('modelPath');
    text('tokenizerPath');
    text('attentionLayer');
  }

  /** maxlen, the model limits, padding and truncating. */
  export function readLengths(
    source: { [key: string]: unknown },
    settings: ILabSettings,
    problems: string[]
  ): void {
    const maxlen = source.maxlen;
    if (maxlen !== undefined && maxlen !== null && maxlen !== 0) {
      if (
        typeof maxlen === 'number' &&
        Number.isInteger(maxlen) &&
        maxlen > 0
      ) {
        settings.maxlen = maxlen;
      } else {
        problems.push(
          'maxlen must be a positive integer (or 0 for the model input length)'
        );
      }
    }

    for (const key of [
      'maxInputLength',
      'maxLayers',
      'maxNestingDepth'
    ] as const) {
      const value = source[key];
      if (value === undefined || value === null) {
        continue;
      }
      if (
        typeof value === 'number' &&
        Number.isSafeInteger(value) &&
        value >= 1
      ) {
        settings[key] = value;
      } else {
        problems.push(`${key} must be a positive integer`);
      }
    }

    for (const key of ['padding', 'truncating'] as const) {
      const value = source[key];
      if (value === undefined) {
        continue;
      }
      if (SIDES.includes(value as Side)) {
        settings[key] = value as Side;
      } else {
        problems.push(`${key} must be "pre" or "post"`);
      }
    }
  }

  /** backend, static HTML fallback, debounce, explanation method, workers. */
  export function readRunChoices(
    source: { [key: string]: unknown },
    settings: ILabSettings,
    problems: string[]
  ): void {
    const backend = source.backend;
    if (backend !== undefined) {
      if (BACKENDS.includes(backend as Backend)) {
        settings.backend = backend as Backend;
      } else {
        problems.push('backend must be "wasm" or "js"');
      }
    }

    const fallback = source.staticHtmlFallback;
    if (fallback !== undefined) {
      if (typeof fallback === 'boolean') {
        settings.staticHtmlFallback = fallback;
      } else {
        problems.push('staticHtmlFallback must be true or false');
      }
    }

    const debounce = source.debounceMs;
    if (debounce !== undefined) {
      if (
        typeof debounce === 'number' &&
        Number.isFinite(debounce) &&
        debounce >= 0
      ) {
        settings.debounceMs = Math.min(debounce, 5000);
      } else {
        problems.push('debounceMs must be a number of milliseconds');
      }
    }

    const method = source.explainMethod;
    if (method !== undefined) {
      if (FALLBACK_METHODS.includes(method as ExplainMethod)) {
        settings.explainMethod = method as ExplainMethod;
      } else {
        problems.push(
          `explainMethod must be one of ${FALLBACK_METHODS.join(', ')}`
        );
      }
    }

    const workers = source.workers;
    if (workers !== undefined) {
      if (
        typeof workers === 'number' &&
        Number.isInteger(workers) &&
        workers >= 0 &&
        workers <= 8
      ) {
        settings.workers = workers;
      } else {
        problems.push('workers must be an integer from 0 (automatic) to 8');
      }
    }
  }

  /** Lambda semantics by layer name. */
  export function readLambdas(
    source: { [key: string]: unknown },
    settings: ILabSettings,
    problems: string[]
  ): void {
    const lambdas = source.lambdas;
    if (lambdas !== undefined && lambdas !== null) {
      if (typeof lambdas === 'object' && !Array.isArray(lambdas)) {
        for (const [name, expression] of Object.entries(lambdas)) {
          if (typeof expression === 'string') {
            settings.lambdas[name] = expression;
          } else {
            problems.push(
              `lambdas.${name} must be a string such as "sum(axis=1)"`
            );
          }
        }
      } else {
        problems.push('lambdas must be an object of layer name → expression');
      }
    }
  }
}
