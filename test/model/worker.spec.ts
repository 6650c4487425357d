/**
 * The model worker's request handler as a worker runs it: replies in order,
 * lazy engine import, cancel between chunks, errors as replies.
 */
import { loadModel } from '../../src/model/engine';
import type { IModelInfo } from '../../src/model/types';
import {
  payloadLines,
  predictionLines
} from '../../src/explain/prediction-lines';
import { predictionSamples } from '../../src/explain/samples';
import { createTextPipeline } from '../../src/text/pipeline';
import type { ICharTokenizer } from '../../src/text/tokenizer';
import {
  createRequestHandler,
  WorkerRequest,
  WorkerResponse
} from '../../src/workers/protocol';
import { referenceModel, toTfjs } from './support/reference-model';

const FILES = toTfjs(
  referenceModel({ steps: 10, vocab: 8, embed: 3, units: 5 }, 3)
);

function handler() {
  const posted: WorkerResponse[] = [];
  let engineImports = 0;
  const handle = createRequestHandler(
    {
      engine: async () => {
        engineImports++;
        return loadModel;
      }
    },
    response => posted.push(response)
  );
  return { handle, posted, imports: () => engineImports };
}

const sequences = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    Array.from({ length: 10 }, (_, t) => (i + t) % 8)
  );

describe('model worker request handler', () => {
  it('loads (engine imported once), predicts with progress, disposes', async () => {
    const { handle, posted, imports } = handler();
    await handle({ type: 'load', id: 1, files: FILES });
    await handle({ type: 'load', id: 2, files: FILES });
    expect(imports()).toBe(1);
    expect(posted.map(r => r.type)).toEqual([
      'progress',
      'progress',
      'loaded',
      'progress',
      'progress',
      'loaded'
    ]);
    posted.length = 0;
    await handle({ type: 'predict', id: 3, sequences: sequences(70) });
    const progress = posted.filter(r => r.type === 'progress');
    expect(progress.map(r => (r as { done: number }).done)).toEqual([
      32, 64, 70
    ]);
    const last = posted[posted.length - 1];
    expect(last.type).toBe('predicted');
    const direct = await (await loadModel(FILES)).predict(sequences(70));
    expect((last as { result: unknown }).result).toEqual(direct);
    posted.length = 0;
    await handle({ type: 'dispose', id: 4 });
    await handle({ type: 'predict', id: 5, sequences: sequences(1) });
    expect(posted).toEqual([
      { type: 'disposed', id: 4 },
      {
        type: 'error',
        id: 5,
        error: { message: 'No model is loaded', where: { stage: 'predict' } }
      }
    ]);
  });

  it('stops a predict at the next chunk when cancelled', async () => {
    const { handle, posted } = handler();
    await handle({ type: 'load', id: 1, files: FILES });
    posted.length = 0;
    const running = handle({
      type: 'predict',
      id: 2,
      sequences: sequences(640)
    });
    // Delivered while the predict runs, as a message event would be.
    setImmediate(() => void handle({ type: 'cancel', id: 2 }));
    await running;
    expect(posted[posted.length - 1]).toEqual({ type: 'cancelled', id: 2 });
    expect(posted.filter(r => r.type === 'progress').length).toBeLessThan(20);
  });

  it('refuses explain without explanation methods, naming the stage', async () => {
    const { handle, posted } = handler();
    await handle({ type: 'load', id: 1, files: FILES });
    posted.length = 0;
    await handle({
      type: 'explain',
      id: 2,
      task: {
        kind: 'whole',
        sequences: sequences(1),
        options: { method: 'occlusion' }
      }
    });
    expect(posted).toEqual([
      {
        type: 'error',
        id: 2,
        error: {
          message: 'This worker cannot compute explanations',
          where: { stage: 'explain' }
        }
      }
    ]);
  });

  it('predictLines: texts to their JSONL lines and numbered notices; refused without the module', async () => {
    const posted: WorkerResponse[] = [];
    const handle = createRequestHandler(
      { engine: async () => loadModel, lines: async () => predictionLines },
      response => posted.push(response)
    );
    await handle({ type: 'load', id: 1, files: FILES });
    const info = (posted.find(r => r.type === 'loaded') as { info: IModelInfo })
      .info;
    const tokenizer: ICharTokenizer = {
      wordIndex: new Map('abcdefg'.split('').map((c, i) => [c, i + 1])),
      lower: false,
      oovToken: null,
      oovIndex: null,
      numWords: null,
      source: 'map'
    };
    const source = { kind: 'tokenizer' as const, tokenizer, name: 'map' };
    const job = {
      pipeline: { source, choices: {} },
      meta: { model: 'm' }
    };
    const texts = ['abc', 'gfedcbaabcdefg', '', 'axb'];
    posted.length = 0;
    await handle({ type: 'predictLines', id: 2, texts, first: 40, job });
    const last = posted[posted.length - 1] as {
      type: string;
      result: { lines: string; notices: string[] };
    };
    expect(last.type).toBe('predictedLines');
    // The main thread's samples of the same texts, written as lines.
    const pipeline = createTextPipeline(info, source, {});
    const { items, notices } = pipeline.encode(texts, 40);
    const model = await loadModel(FILES);
    const result = await model.predict(items.map(item => item.padded));
    const samples = predictionSamples(
      info.attentionLayer,
      items,
      result,
      job.meta
    );
    expect(last.result.lines).toBe(payloadLines(samples));
    expect(last.result.lines.split('\n')).toHaveLength(5);
    expect(last.result.notices).toEqual(notices);
    expect(notices.map(n => n.split(':')[0])).toEqual([
      'text 42',
      'text 43',
      'text 44'
    ]);

    const bare = handler();
    await bare.handle({ type: 'load', id: 1, files: FILES });
    bare.posted.length = 0;
    await bare.handle({ type: 'predictLines', id: 2, texts, first: 0, job });
    expect(bare.posted).toEqual([
      {
        type: 'error',
        id: 2,
        error: {
          message: 'This worker cannot write prediction lines',
          where: { stage: 'predict' }
        }
      }
    ]);
  });

  it('answers an unknown request with a protocol error', async () => {
    const { handle, posted } = handler();
    await handle({ type: 'explode', id: 9 } as unknown as WorkerRequest);
    await handle(null as unknown as WorkerRequest);
    expect(posted).toEqual([
      {
        type: 'error',
        id: 9,
        error: {
          message: 'Unknown request type "explode"',
          where: { stage: 'protocol' }
        }
      },
      {
        type: 'error',
        id: -1,
        error: {
          message: 'A request needs a numeric id',
          where: { stage: 'protocol' }
        }
      }
    ]);
  });
});
