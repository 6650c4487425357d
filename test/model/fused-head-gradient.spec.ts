/**
 * The attention head's fused gradients (`src/model/graph/fuse.ts`): the
 * classic char model's `Multiply([states, Permute((2, 1))(RepeatVector(
 * units)(scores))])`, alone or read by a GlobalAveragePooling1D, runs in the
 * reverse pass without its [batch, T, units] copies. On the real-Keras
 * fixtures with that head (pooled, with and without a mask; and summed by
 * a Lambda), f and df/dE at every point equal those of the layers run one
 * by one (`fuse: false`) bit for bit, and the fused gradient did run. The
 * gradient oracles themselves (`gradients-keras.spec.ts`) cover the pooled
 * cases against TensorFlow.
 */
import { loadModel } from '../../src/model/engine';
import { graphGradients } from '../../src/model/graph/backward';
import * as fuse from '../../src/model/graph/fuse';
import { fixture, fixtureJson } from './helpers';

/** Fixture, whether the pooling does the product, ids of one sample. */
const HEADS: Array<[string, string, boolean]> = [
  ['gradients', 'attention_head.keras', true],
  ['gradients', 'attention_head.h5', true],
  ['gradients', 'attention_head_masked.keras', true],
  ['gradients', 'attention_head_masked.h5', true],
  ['explain', 'seed_attention.keras', false],
  ['explain_reference', 'attention.keras', false]
];

const ALPHAS = [0, 0.125, 0.5, 0.875, 1];

function samples(folder: string, file: string): number[][] {
  if (folder === 'gradients') {
    const name = file.replace(/\.(keras|h5)$/, '.json');
    return fixtureJson('keras', folder, name).samples.map(
      (s: { input: number[] }) => s.input
    );
  }
  // Any ids of the vocabulary (1..30), front-padded as Keras pads.
  return [
    [0, 0, 0, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2],
    [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2, 3, 5, 3]
  ];
}

describe.each(HEADS)(
  'the fused attention head of %s/%s',
  (folder, file, pooled) => {
    it('gives the gradients of the layers run one by one, bit for bit', async () => {
      const model = await loadModel({ [file]: fixture('keras', folder, file) });
      const fusedSpy = jest.spyOn(
        fuse,
        pooled ? 'scaleRowsAndAverageForGradient' : 'scaleRowsForGradient'
      );
      try {
        const T = model.info.inputLength!;
        const fused = graphGradients(model.graph);
        const plain = graphGradients(model.graph, { fuse: false });
        for (const ids of samples(folder, file)) {
          const input = ids.length === T ? ids : ids.slice(ids.length - T);
          fusedSpy.mockClear();
          const a = fused.run(input, ALPHAS, 0);
          expect(fusedSpy).toHaveBeenCalledTimes(1);
          fusedSpy.mockClear();
          const b = plain.run(input, ALPHAS, 0);
          expect(fusedSpy).not.toHaveBeenCalled();
          expect(Array.from(a.f)).toEqual(Array.from(b.f));
          expect(a.gradient.length).toBe(b.gradient.length);
          expect(
            Buffer.from(a.gradient.buffer).equals(
              Buffer.from(b.gradient.buffer)
            )
          ).toBe(true);
          expect(a.gradient.some(v => v !== 0)).toBe(true);
        }
      } finally {
        fusedSpy.mockRestore();
        model.dispose();
      }
    });
  }
);
