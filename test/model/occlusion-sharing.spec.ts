/**
 * Occlusion puts the original sequence at the head of every forward pass so
 * its variants start from its states: the drops must equal those of
 * computing every step, whatever the chunk size and the split into units.
 */
import { loadModel } from '../../src/model/engine';
import { createExplainer } from '../../src/explain';
import { occluded } from '../../src/explain/occlusion';
import { referenceModel, toTfjs } from './support/reference-model';

const STEPS = 30;
const FILES = toTfjs(
  referenceModel({ steps: STEPS, vocab: 9, embed: 4, units: 6 }, 5)
);

function text(length: number): number[] {
  return Array.from({ length: STEPS }, (_, t) =>
    t < STEPS - length ? 0 : 1 + ((t * 7 + 3) % 8)
  );
}

describe('occlusion sharing steps with the original sequence', () => {
  it('forward with the first sequence in every chunk returns the same outputs', async () => {
    const reference = await loadModel(FILES, { shareSteps: false });
    const sequence = text(22);
    const rows = [
      sequence,
      ...[...Array(STEPS).keys()].map(s => occluded(sequence, s, 3))
    ];
    const expected = await reference.forward(rows);
    for (const chunkSize of [1, 2, 5, 32]) {
      const model = await loadModel(FILES, { chunkSize });
      expect(await model.forward(rows, { firstInEveryChunk: true })).toEqual(
        expected
      );
      expect(await model.forward(rows)).toEqual(expected);
      expect(
        await model.forward(rows.slice(0, 1), { firstInEveryChunk: true })
      ).toEqual(expected.slice(0, 1));
    }
  });

  it('gives the same explanation with 1 or several units and chunk sizes', async () => {
    const reference = createExplainer(
      await loadModel(FILES, { shareSteps: false })
    );
    for (const length of [STEPS, 17]) {
      const sequence = text(length);
      for (const window of [1, 4]) {
        const options = { method: 'occlusion', window };
        const [expected] = await reference.explain([sequence], options);
        for (const chunkSize of [3, 32]) {
          const explainer = createExplainer(
            await loadModel(FILES, { chunkSize })
          );
          for (const parts of [1, 3]) {
            const [got] = await explainer.explain([sequence], options, {
              parts
            });
            expect(got.values).toEqual(expected.values);
            expect(got.prediction).toEqual(expected.prediction);
          }
        }
      }
    }
  });
});
