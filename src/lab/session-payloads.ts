/**
 * The payloads of a model session's runs (`model-session.ts`): one sample
 * per encoded text, each with what the text pipeline says about it in its
 * meta, and the model, the method and the input choices in the payload's
 * meta. Pure.
 */
import type { IExplanation } from '../explain/types';
import type { IForwardResult } from '../model/types';
import type { IBatchPayload, IPayloadOptions } from '../payload/types';
import type { ITextPipeline } from '../text/pipeline';
import type { IPaddedText } from '../text/tokenizer';

/** What every payload of one run is made with. */
export interface IRunContext {
  pipeline: ITextPipeline;
  /** `explain/samples.ts`, loaded with the text modules. */
  samples: typeof import('../explain/samples');
  /** The model file's name. */
  model: string;
  /** Display options written into the payload. */
  display?: IPayloadOptions;
}

/** The predictions of encoded texts, with their attention when the model has an attention layer. */
export function predictionPayload(
  items: IPaddedText[],
  result: IForwardResult,
  attentionLayer: string | null,
  run: IRunContext
): IBatchPayload {
  const samples = items.map((item, i) => {
    const attention = attentionLayer === null ? null : result.attention[i];
    const sample = run.samples.predictionSample(
      item,
      result.predictions[i],
      attention
    );
    const notice = run.pipeline.sampleNotice(item);
    if (notice) {
      sample.meta = { notice };
    }
    return sample;
  });
  return withDisplay(
    {
      version: 1,
      samples,
      meta: { model: run.model, attentionLayer, ...run.pipeline.meta() }
    },
    run.display
  );
}

/**
 * The explanations of encoded texts by one method; each explanation's
 * notices are also added to `notices`, numbered by text.
 */
export function explanationPayload(
  items: IPaddedText[],
  explanations: IExplanation[],
  method: string,
  notices: string[],
  run: IRunContext
): IBatchPayload {
  const samples = items.map((item, i) => {
    const explanation = explanations[i];
    const sample = run.samples.explanationSample(item, [explanation]);
    const truncated = run.pipeline.sampleNotice(item);
    const said = [...explanation.notices, ...(truncated ? [truncated] : [])];
    if (said.length) {
      sample.meta = { ...sample.meta, notice: said.join('; ') };
    }
    explanation.notices.forEach(notice =>
      notices.push(`text ${i + 1}: ${notice}`)
    );
    return sample;
  });
  return withDisplay(
    {
      version: 1,
      samples,
      meta: { model: run.model, method, ...run.pipeline.meta() }
    },
    run.display
  );
}

/** The payload with the display options, when there are any. */
function withDisplay(
  payload: IBatchPayload,
  display: IPayloadOptions | undefined
): IBatchPayload {
  if (display && Object.keys(display).length > 0) {
    payload.options = { ...display };
  }
  return payload;
}
