/**
 * The JSONL lines of a streamed `predict`: texts in, one payload v1 line
 * per text out (its prediction and attention aligned to its characters),
 * with the notices of its encoding. Made where the model runs (a worker
 * thread), so that the per-text work (encoding, alignment, JSON) runs in
 * parallel on every worker instead of in series on the main thread.
 *
 * Pure: no DOM, no Node APIs.
 */
import type { IForwardResult, IModelInfo } from '../model/types';
import { terminalJson } from '../payload/printable-json';
import type { ISample } from '../payload/types';
import { createTextPipeline, ITextPipelineSpec } from '../text/pipeline';
import { predictionSamples } from './samples';

/** What every part of one stream shares (plain data: it is posted to workers). */
export interface IPredictionLinesJob {
  /** The text pipeline of the main thread, rebuilt here for the same model. */
  pipeline: ITextPipelineSpec;
  /** Every sample's meta before its own `length`. */
  meta: { [key: string]: unknown };
}

/** The lines of some consecutive texts, and their notices. */
export interface IPredictionLines {
  /** One JSON payload per text, each ending with '\n'. */
  lines: string;
  /** Numbered among all the texts of the stream, e.g. `text 3: empty text; ...`. */
  notices: string[];
}

/** Runs the model on padded sequences (predictions and attention, in order). */
export type PredictSequences = (
  sequences: number[][]
) => Promise<IForwardResult>;

/**
 * The lines of `texts`, the first being text `first` + 1 of the stream:
 * byte for byte what the main thread writes from the same samples.
 */
export async function predictionLines(
  info: IModelInfo,
  job: IPredictionLinesJob,
  texts: string[],
  first: number,
  predict: PredictSequences
): Promise<IPredictionLines> {
  const pipeline = createTextPipeline(
    info,
    job.pipeline.source,
    job.pipeline.choices
  );
  const { items, notices } = pipeline.encode(texts, first);
  const result = await predict(items.map(item => item.padded));
  const samples = predictionSamples(
    info.attentionLayer,
    items,
    result,
    job.meta,
    first
  );
  return { lines: payloadLines(samples), notices };
}

/** One payload v1 of one sample per line, each line ending with '\n'. */
export function payloadLines(samples: ISample[]): string {
  let lines = '';
  for (const sample of samples) {
    lines += terminalJson(JSON.stringify({ version: 1, samples: [sample] }));
    lines += '\n';
  }
  return lines;
}
