/**
 * Append a char-attention result to a cell's outputs, once.
 *
 * Pure apart from the output list it is given (any object with the
 * `IOutputAreaModel` methods used here): existing outputs are never
 * replaced, removed or reordered; a result whose key is already in the list,
 * or is being computed right now, is not added again.
 */
import { MIME_TYPE } from '../payload/types';
import type { ISample, Payload } from '../payload/types';

/** Metadata key under which an inserted output records where it came from. */
export const OUTPUT_METADATA_KEY = 'jupyterlab-char-attention';

/** A `display_data` output as nbformat writes it. */
export interface IDisplayDataOutput {
  output_type: 'display_data';
  data: { [mimeType: string]: unknown };
  metadata: { [key: string]: unknown };
}

/** The part of `IOutputAreaModel` used here. */
export interface IOutputListLike {
  readonly length: number;
  get(index: number): { readonly metadata?: unknown; toJSON(): unknown };
  add(output: any): number;
}

export interface IDisplayOutputOptions {
  /** Standalone-safe HTML fragment of the table, for viewers without the extension. */
  html?: string;
  /** Identifies the computation (model, texts, settings) to refuse duplicates. */
  key: string;
}

/** Build the `display_data` output: payload + `text/html` + `text/plain`. */
export function buildDisplayOutput(
  payload: Payload,
  options: IDisplayOutputOptions
): IDisplayDataOutput {
  const data: { [mimeType: string]: unknown } = {
    [MIME_TYPE]: payload,
    'text/plain': summarizePayload(payload)
  };
  if (typeof options.html === 'string' && options.html !== '') {
    data['text/html'] = options.html;
  }
  return {
    output_type: 'display_data',
    data,
    metadata: { [OUTPUT_METADATA_KEY]: { key: options.key } }
  };
}

/** A one-paragraph plain-text summary of a payload (for `text/plain`). */
export function summarizePayload(payload: Payload): string {
  const samples = Private.samplesOf(payload);
  const lines = [
    `Character attention: ${samples.length} sample${samples.length === 1 ? '' : 's'}`
  ];
  samples.slice(0, 20).forEach((sample, index) => {
    const tokens = Array.isArray(sample.tokens)
      ? sample.tokens
      : Array.from(typeof sample.text === 'string' ? sample.text : '');
    const values = Array.isArray(sample.attention)
      ? sample.attention
      : Array.isArray(sample.series) && sample.series.length > 0
        ? sample.series[0].values
        : [];
    let best = -1;
    values.forEach((value, position) => {
      const seen =
        !Array.isArray(sample.mask) || sample.mask[position] !== false;
      if (
        seen &&
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (best < 0 || value > (values[best] as number))
      ) {
        best = position;
      }
    });
    const parts = [`${tokens.length} characters`];
    if (best >= 0) {
      parts.push(
        `peak ${Private.format(values[best] as number)} at ${JSON.stringify(
          tokens[best] ?? ''
        )} (position ${best})`
      );
    }
    const prediction = sample.prediction;
    if (typeof prediction === 'number') {
      parts.push(`prediction ${Private.format(prediction)}`);
    } else if (Array.isArray(prediction)) {
      parts.push(`prediction [${prediction.map(Private.format).join(', ')}]`);
    }
    const title = sample.title ? `${sample.title}: ` : '';
    lines.push(`  [${index}] ${title}${parts.join(', ')}`);
  });
  if (samples.length > 20) {
    lines.push(`  … ${samples.length - 20} more`);
  }
  return lines.join('\n');
}

/** The key recorded in an output's metadata, if it was inserted by us. */
export function outputKey(output: {
  readonly metadata?: unknown;
}): string | null {
  const metadata = output.metadata as { [key: string]: unknown } | undefined;
  const entry = metadata?.[OUTPUT_METADATA_KEY] as
    { key?: unknown } | undefined;
  return typeof entry?.key === 'string' ? entry.key : null;
}

/** Whether an output with this key is already in the list. */
export function hasOutputWithKey(
  outputs: IOutputListLike,
  key: string
): boolean {
  for (let index = 0; index < outputs.length; index++) {
    if (outputKey(outputs.get(index)) === key) {
      return true;
    }
  }
  return false;
}

export type AppendResult = 'added' | 'duplicate';

/** Append the output unless one with the same key is already there. */
export function appendOutputOnce(
  outputs: IOutputListLike,
  output: IDisplayDataOutput
): AppendResult {
  const key = outputKey(output);
  if (key !== null && hasOutputWithKey(outputs, key)) {
    return 'duplicate';
  }
  outputs.add(output);
  return 'added';
}

/**
 * Refuses a second run for the same target while the first is computing
 * (double clicks, a repeated shortcut).
 */
export class RunGuard {
  /** Claim `key`; false when a run with this key is already under way. */
  begin(key: string): boolean {
    if (this._running.has(key)) {
      return false;
    }
    this._running.add(key);
    return true;
  }

  end(key: string): void {
    this._running.delete(key);
  }

  isRunning(key: string): boolean {
    return this._running.has(key);
  }

  /** Run `task` under `key`; resolves to null (without running) if busy. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T | null> {
    if (!this.begin(key)) {
      return null;
    }
    try {
      return await task();
    } finally {
      this.end(key);
    }
  }

  private _running = new Set<string>();
}

/** A short, stable key for a computation (FNV-1a over its JSON). */
export function computationKey(parts: unknown): string {
  const text = JSON.stringify(parts) ?? '';
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${hash.toString(16).padStart(8, '0')}-${text.length}`;
}

namespace Private {
  export function samplesOf(payload: Payload): ISample[] {
    if (payload && Array.isArray((payload as { samples?: unknown }).samples)) {
      return (payload as { samples: ISample[] }).samples;
    }
    return payload ? [payload as ISample] : [];
  }

  export function format(value: number): string {
    return Number.isFinite(value)
      ? Number(value.toPrecision(4)).toString()
      : String(value);
  }
}
