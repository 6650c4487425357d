/**
 * Vocabulary tables (`src/model/layers/vocabulary-tables.ts`): layers
 * reading an Embedding fold its table into their input weights. On every
 * real-Keras fixture with an Embedding (test/fixtures/keras/explain and
 * gradients), the folded engine against the unfolded one (`foldTables:
 * false`) within the stated tolerance: predictions within 1e-6, occlusion
 * (windows 1 and 3), gradient x input and integrated gradients within 1e-5
 * of max |value| (occlusion plus 1e-7, the rounding of a prediction); predictions within 1e-5 of Keras's and gradient x input
 * within 1e-4 of TensorFlow's. Recurrent layers on token ids fold
 * exactly: their predictions equal the unfolded ones bit for bit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ILoadedModel, loadModel } from '../../src/model/engine';
import { createExplainer } from '../../src/explain';
import { ModelError } from '../../src/model/types';
import { KERAS_DISAGREEMENTS } from './keras-disagreements';

const ROOT = path.join(__dirname, '..', 'fixtures', 'keras');

interface ISample {
  input: number[];
  prediction: number[];
  target: number;
  gradXInput?: number[];
}

function cases(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const dir of ['explain', 'gradients']) {
    for (const file of fs.readdirSync(path.join(ROOT, dir)).sort()) {
      const json = path.join(ROOT, dir, file.replace(/\.keras$/, '.json'));
      if (file.endsWith('.keras') && fs.existsSync(json)) {
        out.push([dir, file.replace(/\.keras$/, '')]);
      }
    }
  }
  return out;
}

function relative(actual: number[], expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  let worst = 0;
  actual.forEach(
    (v, i) => (worst = Math.max(worst, Math.abs(v - expected[i])))
  );
  return scale > 0 ? worst / scale : worst;
}

async function explainAll(model: ILoadedModel, sample: ISample) {
  const explainer = createExplainer(model);
  const target = { target: sample.target };
  const values: { [method: string]: number[] } = {};
  try {
    for (const window of [1, 3]) {
      const [e] = await explainer.explain([sample.input], {
        method: 'occlusion',
        window,
        ...target
      });
      values[`occlusion ${window}`] = e.values;
    }
    try {
      const [gxi] = await explainer.explain([sample.input], {
        method: 'grad-x-input',
        ...target
      });
      values['grad-x-input'] = gxi.values;
      const [ig] = await explainer.explain([sample.input], {
        method: 'integrated-gradients',
        steps: 32,
        ...target
      });
      values['integrated-gradients'] = ig.values;
    } catch (error) {
      // A model without gradients (two Embeddings, ...) says why; occlusion still ran.
      expect(error).toBeInstanceOf(ModelError);
    }
  } finally {
    explainer.dispose();
  }
  return values;
}

describe('vocabulary tables against the unfolded products', () => {
  it.each(cases())(
    '%s/%s: within the stated tolerance, on predictions, occlusion and gradients',
    async (dir, name) => {
      const oracle = JSON.parse(
        fs.readFileSync(path.join(ROOT, dir, `${name}.json`), 'utf8')
      );
      const files = {
        [`${name}.keras`]: new Uint8Array(
          fs.readFileSync(path.join(ROOT, dir, `${name}.keras`))
        )
      };
      const lambdas = oracle.lambdas ?? {};
      const folded = await loadModel(files, { lambdas });
      const plain = await loadModel(files, { lambdas, foldTables: false });
      try {
        for (const sample of (oracle.samples as ISample[]).slice(0, 2)) {
          const [a] = await folded.forward([sample.input]);
          const [b] = await plain.forward([sample.input]);
          // Folded or not, as Keras (but for the models the engine is known
          // to run differently from Keras, keras-disagreements.ts).
          const keras = !KERAS_DISAGREEMENTS[name];
          a.forEach((v, i) => {
            expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-6);
            if (keras) {
              expect(Math.abs(v - sample.prediction[i])).toBeLessThanOrEqual(
                1e-5
              );
            }
          });
          const got = await explainAll(folded, sample);
          const reference = await explainAll(plain, sample);
          expect(Object.keys(got)).toEqual(Object.keys(reference));
          for (const method of Object.keys(got)) {
            // A drop is the difference of two predictions, each within
            // 1e-7: occlusion also gets that much in absolute terms.
            const scale = Math.max(...reference[method].map(Math.abs));
            const slack = method.startsWith('occlusion') ? 1e-7 / scale : 0;
            const error = relative(got[method], reference[method]);
            expect({ method, within: error <= 1e-5 + slack }).toEqual({
              method,
              within: true
            });
          }
          if (keras && sample.gradXInput && got['grad-x-input']) {
            expect(
              relative(got['grad-x-input'], sample.gradXInput)
            ).toBeLessThanOrEqual(1e-4);
          }
        }
      } finally {
        folded.dispose();
        plain.dispose();
      }
    }
  );

  it('folds recurrent layers on token ids exactly: the same predictions bit for bit', async () => {
    const dir = path.join(ROOT, 'explain');
    for (const name of ['seed_attention', 'gru_softmax', 'rnn_pool']) {
      const oracle = JSON.parse(
        fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')
      );
      const files = {
        [`${name}.keras`]: new Uint8Array(
          fs.readFileSync(path.join(dir, `${name}.keras`))
        )
      };
      const lambdas = oracle.lambdas ?? {};
      const folded = await loadModel(files, { lambdas });
      const plain = await loadModel(files, { lambdas, foldTables: false });
      const inputs = (oracle.samples as ISample[]).map(s => s.input);
      expect(await folded.forward(inputs)).toEqual(await plain.forward(inputs));
      folded.dispose();
      plain.dispose();
    }
  });
});
