/**
 * Small parts of the model session (`model-session.ts`): reading the
 * tokenizer file, progress of a load, messages as sentences, display
 * options of a payload.
 */
import type { IBatchPayload, IPayloadOptions } from '../payload/types';
import type { TextSource } from '../text/pipeline';
import { basenameOf } from './export-path';
import type { IContentsLike } from './model-files';
import { readText } from './model-files';
import { ILoadProgress, SessionError } from './session-types';

/** The tokenizer JSON at `path` as a text source, or null when no path is given. */
export async function readTokenizerSource(
  contents: IContentsLike,
  tokenizer: typeof import('../text/tokenizer'),
  path: string,
  onProgress?: (progress: ILoadProgress) => void
): Promise<TextSource | null> {
  if (!path) {
    return null;
  }
  onProgress?.({ fraction: 0, message: `Reading ${basenameOf(path)}` });
  const text = await readText(contents, path);
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

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A message as a sentence: full stop, and 'The' (field names keep their case). */
export function sentence(message: string): string {
  const text = message.replace(/^the /, 'The ');
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function setDisplay(
  payload: IBatchPayload,
  display: IPayloadOptions | undefined
): void {
  if (display && Object.keys(display).length > 0) {
    payload.options = { ...display };
  }
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
