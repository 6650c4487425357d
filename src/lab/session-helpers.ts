/**
 * Small parts of the model session (`model-session.ts`): reading the
 * tokenizer file, the input choices in effect, the engine's load options,
 * progress of a load, messages as sentences.
 */
import type { ILoadOptions, IModelInfo } from '../model/types';
import type { TextSource } from '../text/pipeline';
import { basenameOf } from './export-path';
import type { IContentsLike } from './model-files';
import { readText } from './model-files';
import {
  IEffectiveInput,
  IInputChoices,
  ILoadProgress,
  SessionError
} from './session-types';
import type { ILabSettings } from './settings';
import { messageOf } from '../payload/error-message';
import { ENGLISH, ITranslate } from '../table/translate';

/** The tokenizer JSON at `path` as a text source, or null when no path is given. */
export async function readTokenizerSource(
  contents: IContentsLike,
  tokenizer: typeof import('../text/tokenizer'),
  path: string,
  onProgress?: (progress: ILoadProgress) => void,
  trans: ITranslate = ENGLISH
): Promise<TextSource | null> {
  if (!path) {
    return null;
  }
  onProgress?.({
    fraction: 0,
    message: trans.__('Reading %1', basenameOf(path))
  });
  const text = await readText(contents, path, trans);
  try {
    return {
      kind: 'tokenizer',
      tokenizer: tokenizer.parseTokenizer(text),
      name: basenameOf(path)
    };
  } catch (error) {
    throw new SessionError(`${path}: ${messageOf(error)}`);
  }
}

/**
 * The input choices in effect: the user's, else the settings', else the
 * model's; a model's own TextVectorization layer pads and truncates at the
 * end (`own`). A maxlen that differs from a fixed input length is refused
 * when encoding.
 */
export function effectiveInput(
  info: IModelInfo | null,
  own: boolean,
  choices: Readonly<IInputChoices>,
  settings: Readonly<ILabSettings>
): IEffectiveInput {
  const maxlen = choices.maxlen ?? settings.maxlen ?? info?.inputLength ?? null;
  return {
    attentionLayer:
      info?.attentionLayer ?? choices.attentionLayer ?? settings.attentionLayer,
    maxlen,
    padding: own ? 'post' : (choices.padding ?? settings.padding),
    truncating: own ? 'post' : (choices.truncating ?? settings.truncating),
    lengths:
      info?.inputLength !== null && info?.inputLength !== undefined
        ? 'model'
        : maxlen !== null
          ? 'maxlen'
          : 'own'
  };
}

/** The engine's load options from the lab settings and the attention layer chosen. */
export function engineOptions(
  settings: Readonly<ILabSettings>,
  attentionLayer: string
): ILoadOptions & { simd: boolean } {
  return {
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
  };
}

/** A message as a sentence: full stop, and 'The' (field names keep their case). */
export function sentence(message: string): string {
  const text = message.replace(/^the /, 'The ');
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function workerProgress(
  progress: unknown,
  trans: ITranslate = ENGLISH
): ILoadProgress {
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
        : trans.__('Loading model');
  return {
    fraction: fraction === null ? null : 0.4 + 0.6 * fraction,
    message
  };
}
