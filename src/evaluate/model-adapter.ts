/**
 * The one place where evaluation reaches the rest of the package: the
 * worker pool (`WorkerPool.predict` with `outputsOnly`, so that models
 * without attention run too, and `WorkerPool.explain`), the explanation
 * contract (`EXPLAIN_METHODS`, `IExplainOptions`, `IExplanation` of
 * `explain/types`), and the text encoding (the CLI's `TextEncoder` from
 * `openPoolRun`, `encodeTexts`, `parseTokenizer`, `alignSample`,
 * `alignmentNotices`). Everything else in `evaluate/` sees only
 * `IEvaluationBackend`.
 *
 * Pure and light (a type-only import of the pool): the explorer
 * loads it in the page, so it must not pull in the model engine. The
 * explanation options are checked in full by the pool's plan.
 */
import type { WorkerPool } from '../workers/pool';
import {
  EXPLAIN_METHODS,
  ExplainMethod,
  IExplainOptions
} from '../explain/types';
import { alignmentNotices, alignSample } from '../text/align';
import {
  encodeTexts,
  IPaddedText,
  IPadOptions,
  IResolvedPadOptions,
  parseTokenizer
} from '../text/tokenizer';
import type {
  IEncodedRow,
  IEvaluationBackend,
  IMethodRequest,
  IPositionValues
} from './types';

export { EXPLAIN_METHODS };
export type { ExplainMethod };

/** Texts to padded sequences for one model (the CLI's `TextEncoder` of `openPoolRun` has this shape). */
export type TextEncoding = (texts: string[]) => {
  items: IPaddedText[];
  options: IResolvedPadOptions;
};

/** An evaluation backend on a worker pool and a text encoding. */
export function poolBackend(
  pool: Pick<WorkerPool, 'predict' | 'explain'>,
  encode: TextEncoding
): IEvaluationBackend {
  return {
    encode(texts: string[]) {
      const { items, options } = encode(texts);
      return {
        rows: items.map(item => encodedRow(item, options.maxlen)),
        notices: alignmentNotices(items, options)
      };
    },
    async predict(sequences, signal) {
      const result = await pool.predict(sequences, {
        signal,
        outputsOnly: true
      });
      return result.predictions;
    },
    async explain(sequences, request, target, signal) {
      const explained = await pool.explain(
        sequences,
        explainOptions(request, target),
        { signal }
      );
      return explained.map((e): IPositionValues => ({
        values: e.values,
        output: e.prediction,
        target: e.target
      }));
    }
  };
}

/** A text encoding from a tokenizer JSON text and the padding in effect. */
export function tokenizerEncoding(
  tokenizerJson: string,
  pad: IPadOptions
): TextEncoding {
  const tokenizer = parseTokenizer(tokenizerJson);
  return texts => encodeTexts(tokenizer, texts, pad);
}

/** The explanation options of a request. */
export function explainOptions(
  request: IMethodRequest,
  target: number | null
): IExplainOptions {
  return {
    method: request.method,
    window: request.window,
    steps: request.steps,
    target: target ?? undefined
  };
}

/** A method name from the user, checked against the known methods. */
export function isExplainMethod(name: string): name is ExplainMethod {
  return (EXPLAIN_METHODS as ReadonlyArray<string>).includes(name);
}

function encodedRow(item: IPaddedText, maxlen: number): IEncodedRow {
  return {
    padded: item.padded,
    chars: item.chars,
    align: values => alignSample(item, values, maxlen).attention ?? []
  };
}
