/**
 * The one place where evaluation reaches the rest of the package: the
 * worker pool (`WorkerPool.predict`, which gives the outputs of any model,
 * and `WorkerPool.explain`, which runs every method of the registry), and
 * the text pipeline of the loaded model (`ITextPipeline.encode`: tokenizer
 * or TextVectorization, vocabulary check, each text at its own length for a
 * variable-length model). Everything else in `evaluate/` sees only
 * `IEvaluationBackend`.
 *
 * Pure and light (type-only imports of the pool and the pipeline): the
 * explorer loads it in the page, so it must not pull in the model engine.
 * The explanation options are checked by the registry.
 */
import type { WorkerPool } from '../workers/pool';
import type { IExplainOptions } from '../explain/types';
import { alignSample } from '../text/align';
import type { ITextPipeline } from '../text/pipeline';
import type { IPaddedText } from '../text/tokenizer';
import type {
  IEncodedRow,
  IEvaluationBackend,
  IMethodRequest,
  IPositionValues
} from './types';

/** An evaluation backend on a worker pool and the model's text pipeline. */
export function poolBackend(
  pool: Pick<WorkerPool, 'predict' | 'explain'>,
  pipeline: Pick<ITextPipeline, 'encode'>
): IEvaluationBackend {
  return {
    encode(texts: string[]) {
      const { items, notices } = pipeline.encode(texts);
      return { rows: items.map(encodedRow), notices };
    },
    async predict(sequences, signal) {
      const result = await pool.predict(sequences, { signal });
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
        target: e.target,
        meta: e.meta,
        notices: e.notices
      }));
    }
  };
}

/** The explanation options of a request: the plan's target replaces the request's. */
export function explainOptions(
  request: IMethodRequest,
  target: number | null
): IExplainOptions {
  return { ...request, target: target ?? undefined };
}

/** A padded text as evaluation sees it; values align at the text's own padded length. */
function encodedRow(item: IPaddedText): IEncodedRow {
  return {
    padded: item.padded,
    chars: item.chars,
    align: values =>
      alignSample(item, values, item.padded.length).attention ?? []
  };
}
