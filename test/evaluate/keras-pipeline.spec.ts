/**
 * Evaluation through the model's text pipeline, against real Keras:
 * - a variable-length model (test/fixtures/keras/variable_length): each row
 *   runs at its own length, so its prediction, gradient × input and
 *   integrated gradients (256 fixed steps, the fixture's midpoint rule) are
 *   Keras's on that text alone, aligned to the row's own characters; with a
 *   maxlen, Keras's `pad_sequences(maxlen=12)` predictions;
 * - a `.keras` model with its own TextVectorization layer
 *   (test/fixtures/keras/layers/text_vectorization): no tokenizer file, the
 *   predictions Keras gave for the raw strings.
 */
import { evaluateRows } from '../../src/evaluate/evaluate-rows';
import type { ILabelledRow } from '../../src/evaluate/labelled-file';
import { poolBackend } from '../../src/evaluate/model-adapter';
import { createExplainer } from '../../src/explain';
import { loadModel } from '../../src/model/engine';
import { createTextPipeline, TextSource } from '../../src/text/pipeline';
import { parseTokenizer } from '../../src/text/tokenizer';
import { WorkerPool } from '../../src/workers/pool';
import { channelWorkers } from '../lab/support/channel-worker';
import { fixture, fixtureJson } from '../model/helpers';

interface IAlone {
  text: string;
  input: number[];
  prediction: number[];
  gradXInput: number[];
  integratedGradients: { values: number[] };
}

interface IVariableOracle {
  texts: string[];
  alone: IAlone[];
  maxlen: { maxlen: number; predictions: number[] };
}

function rowsOf(texts: string[]): ILabelledRow[] {
  return texts.map((text, index) => ({
    index,
    line: index + 2,
    text,
    label: null
  }));
}

async function withPool<T>(
  folder: string,
  file: string,
  run: (
    pool: WorkerPool,
    info: Awaited<ReturnType<WorkerPool['load']>>
  ) => Promise<T>
): Promise<T> {
  const factory = channelWorkers({
    engine: async () => loadModel,
    explainer: async () => createExplainer
  });
  const pool = new WorkerPool({ spawn: factory.spawn, size: 2, idleMs: 0 });
  try {
    const info = await pool.load({ [file]: fixture('keras', folder, file) });
    return await run(pool, info);
  } finally {
    pool.dispose();
  }
}

function tokenizerSource(folder: string): TextSource {
  return {
    kind: 'tokenizer',
    tokenizer: parseTokenizer(
      Buffer.from(fixture('keras', folder, 'tokenizer.json')).toString('utf8')
    ),
    name: 'tokenizer.json'
  };
}

function expectClose(
  ours: Array<number | null>,
  keras: number[],
  tolerance: number
): void {
  expect(ours).toHaveLength(keras.length);
  ours.forEach((v, i) => {
    expect(v).not.toBeNull();
    expect(Math.abs((v as number) - keras[i])).toBeLessThanOrEqual(tolerance);
  });
}

describe('a variable-length model: each row at its own length', () => {
  const oracle: IVariableOracle = fixtureJson(
    'keras',
    'variable_length',
    'gru_variable.json'
  );

  it.each(['gru_variable.keras', 'gru_variable.h5'])(
    '%s: predictions, gradient × input and integrated gradients (256 steps) of each text alone, per character',
    async file => {
      await withPool('variable_length', file, async (pool, info) => {
        expect(info.inputLength).toBeNull();
        const pipeline = createTextPipeline(
          info,
          tokenizerSource('variable_length')
        );
        expect(pipeline.lengths).toBe('own');
        const backend = poolBackend(pool, pipeline);
        const { rows } = await evaluateRows(rowsOf(oracle.texts), backend, {
          methods: [
            { method: 'grad-x-input' },
            { method: 'integrated-gradients', steps: 256 }
          ],
          classes: null,
          target: null
        });
        rows.forEach(({ row }, i) => {
          const alone = oracle.alone[i];
          // Every character of these texts is in the vocabulary: one value each.
          expect(Array.from(row.text)).toHaveLength(alone.input.length);
          expect(
            Math.abs(row.prediction - alone.prediction[0])
          ).toBeLessThanOrEqual(1e-5);
          expectClose(
            row.explanations['grad-x-input'].values,
            alone.gradXInput,
            1e-5
          );
          expectClose(
            row.explanations['integrated-gradients'].values,
            alone.integratedGradients.values,
            1e-5
          );
          expect(row.explanations['integrated-gradients'].meta).toMatchObject({
            rule: 'riemann-midpoint',
            steps: 256
          });
          // The deletion variants ran at the row's own length too.
          expect(
            row.explanations['grad-x-input'].comprehensiveness
          ).not.toBeNull();
        });
      });
    }
  );

  it('with a maxlen: every row padded and truncated as pad_sequences(maxlen=12)', async () => {
    await withPool(
      'variable_length',
      'gru_variable.keras',
      async (pool, info) => {
        const pipeline = createTextPipeline(
          info,
          tokenizerSource('variable_length'),
          { maxlen: oracle.maxlen.maxlen }
        );
        expect(pipeline.lengths).toBe('maxlen');
        const { rows, notices } = await evaluateRows(
          rowsOf(oracle.texts),
          poolBackend(pool, pipeline),
          { methods: [], classes: null, target: null }
        );
        rows.forEach(({ row }, i) =>
          expect(
            Math.abs(row.prediction - oracle.maxlen.predictions[i])
          ).toBeLessThanOrEqual(1e-5)
        );
        // Truncation is said per row, with its line.
        expect(notices.some(n => n.startsWith('row 4 (line 5): '))).toBe(true);
      }
    );
  });
});

describe('a .keras model with its own TextVectorization layer', () => {
  const oracle: { texts: string[]; outputs: number[][][] } = fixtureJson(
    'keras',
    'layers',
    'text_vectorization.json'
  );

  it('needs no tokenizer file: the predictions Keras gave for the raw strings', async () => {
    await withPool('layers', 'text_vectorization.keras', async (pool, info) => {
      const pipeline = createTextPipeline(info, null);
      expect(pipeline.source.kind).toBe('text-vectorization');
      const { rows } = await evaluateRows(
        rowsOf(oracle.texts),
        poolBackend(pool, pipeline),
        { methods: [{ method: 'occlusion' }], classes: null, target: null }
      );
      rows.forEach(({ row }, i) => {
        expect(
          Math.abs(row.prediction - oracle.outputs[0][i][0])
        ).toBeLessThanOrEqual(1e-5);
        expect(row.explanations.occlusion.values).toHaveLength(
          Array.from(row.text).length
        );
      });
    });
  });
});
