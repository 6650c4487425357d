/**
 * The contract of the model session (`model-session.ts`): the input
 * choices, progress, errors, options and results of its calls, and the
 * explanation backend it runs methods on. Pure types and error classes.
 */
import type { IBatchPayload, IPayloadOptions } from '../payload/types';
import type { IModelInfo } from '../model/types';
import type { ExplainMethod } from '../explain/registry';
import { preferredMethod } from '../explain/registry';
import type { IExplainOptions, IExplanation } from '../explain/types';
import type { LengthRule } from '../text/pipeline';
import type { Side } from '../text/tokenizer';
import { basenameOf } from './export-path';
import { ENGLISH, ITranslate } from '../table/translate';

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
  /** The padded length; null: each text at its own length (variable-length model). */
  maxlen: number | null;
  padding: Side;
  truncating: Side;
  /** `model` (its fixed length), `maxlen` (padded to maxlen) or `own`. */
  lengths: LengthRule;
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

/** The model loaded but has no TextVectorization layer and no tokenizer was given. */
export class TokenizerNeededError extends SessionError {
  constructor(modelPath: string, trans: ITranslate = ENGLISH) {
    super(
      trans.__(
        '%1 has no TextVectorization layer: choose the tokenizer JSON that goes with it.',
        basenameOf(modelPath)
      )
    );
    this.name = 'TokenizerNeededError';
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

/** Progress of an explanation as a backend reports it. */
export interface IBackendProgress {
  done: number;
  total: number;
  /** In user words, when the backend has them. */
  message?: string;
}

/**
 * Runs the explanation methods on encoded, padded sequences (one
 * explanation per sequence, values per model position): the worker pool.
 * `signal` stops the work; `onProgress` reports the method's work items.
 */
export interface IExplainBackend {
  explain(
    sequences: number[][],
    options: IExplainOptions,
    hooks: {
      onProgress?: (progress: IBackendProgress) => void;
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

/** The method used when the caller does not choose: the model's attention if it has it. */
export function defaultMethod(
  info: IModelInfo | null,
  fallback: ExplainMethod
): ExplainMethod {
  return info ? preferredMethod(info, fallback) : fallback;
}

export interface IPrediction {
  payload: IBatchPayload;
  /** What the model did not see (truncated, unknown characters), one line each. */
  notices: string[];
  input: IEffectiveInput;
}
