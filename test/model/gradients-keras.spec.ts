/**
 * The engine's gradients against real Keras 3.15 / TensorFlow 2.21
 * (test/fixtures/keras/gradients, made by scripts/keras_fixtures/
 * gradients.py; test/fixtures/keras/variable_length): on every fixture
 * model, from each file Keras wrote, gradient x input (tf.GradientTape on
 * the Embedding output) within 1e-4 of max |value|, integrated gradients
 * (256 midpoint steps) within 1e-4 of Keras's values with a completeness
 * gap within 1%, f at the input and at the baseline within 1e-5. The
 * models put ties (GlobalMaxPooling1D over padding and repeated trigrams,
 * MaxPooling1D windows, Maximum / Minimum, Lambda max / min), kinks (relu
 * at 0, clip bounds), normalisations, attention layers, CuDNN layers,
 * nested models and recurrent wrappers on the gradient path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ILoadedModel, loadModel } from '../../src/model/engine';
import {
  createPathGradients,
  IPathGradients
} from '../../src/explain/path-gradients';
import { FIXTURES, fixture, fixtureJson } from './helpers';
import { itAgreesWithKeras, KERAS_DISAGREEMENTS } from './keras-disagreements';

interface IKerasSample {
  text: string;
  input: number[];
  prediction: number[];
  target: number;
  gradXInput: number[];
  integratedGradients: {
    values: number[];
    fInput: number;
    fBaseline: number;
  };
}

const STEPS = 256;
const DIR = path.join(FIXTURES, 'keras', 'gradients');
const CASES = fs
  .readdirSync(DIR)
  .filter(
    f =>
      f.endsWith('.json') && !['tie-rules.json', 'tokenizer.json'].includes(f)
  )
  .map(f => f.replace(/\.json$/, ''))
  .sort();

/** Largest |a - b| relative to max |expected|. */
function relativeError(actual: number[], expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  let worst = 0;
  actual.forEach(
    (v, i) => (worst = Math.max(worst, Math.abs(v - expected[i])))
  );
  return scale > 0 ? worst / scale : worst;
}

/** The midpoint rule's points over alpha in [0, 1] (weights 1 / steps). */
const MIDPOINTS = Array.from({ length: STEPS }, (_, i) => ({
  alpha: (i + 0.5) / STEPS,
  weight: 1 / STEPS
}));

/** Checks one sample against Keras; returns its completeness gap (relative). */
async function expectLikeKeras(
  model: ILoadedModel,
  paths: IPathGradients,
  s: IKerasSample
): Promise<void> {
  const [out] = await model.forward([s.input]);
  s.prediction.forEach((p, k) =>
    expect(Math.abs(out[k] - p)).toBeLessThanOrEqual(1e-5)
  );
  const gxi = await paths.at(s.input, [{ alpha: 1, weight: 1 }], s.target);
  expect(relativeError(gxi.terms, s.gradXInput)).toBeLessThanOrEqual(1e-4);
  const ig = s.integratedGradients;
  const ends = await paths.at(
    s.input,
    [
      { alpha: 1, weight: 0 },
      { alpha: 0, weight: 0 }
    ],
    s.target
  );
  expect(Math.abs(ends.f[0] - ig.fInput)).toBeLessThanOrEqual(1e-5);
  expect(Math.abs(ends.f[1] - ig.fBaseline)).toBeLessThanOrEqual(1e-5);
  const ours = await paths.at(s.input, MIDPOINTS, s.target);
  expect(relativeError(ours.terms, ig.values)).toBeLessThanOrEqual(1e-4);
  const delta = ig.fInput - ig.fBaseline;
  const sum = ours.terms.reduce((a, v) => a + v, 0);
  expect(Math.abs(sum - delta)).toBeLessThanOrEqual(0.01 * Math.abs(delta));
}

describe.each(CASES)('gradients of %s against Keras', name => {
  const info = fixtureJson('keras', 'gradients', `${name}.json`);
  const files = Object.values(info.files as { [kind: string]: string });

  it('was made by real Keras 3 with 256-step integrated gradients', () => {
    expect(info.keras).toMatch(/^3\./);
    expect(info.integratedGradients.steps).toBe(STEPS);
    expect(info.integratedGradients.rule).toBe('riemann-midpoint');
    expect(info.samples.length).toBeGreaterThan(0);
  });

  const known = KERAS_DISAGREEMENTS[name];

  itAgreesWithKeras(name).each(files)(
    `from %s: predictions, gradient x input, integrated gradients and completeness as Keras${known ? ' (known to disagree with Keras: see keras-disagreements.ts)' : ''}`,
    async file => {
      const model = await loadModel(
        { [file]: fixture('keras', 'gradients', file) },
        { lambdas: info.lambdas }
      );
      const paths = createPathGradients(model);
      try {
        for (const s of info.samples as IKerasSample[]) {
          await expectLikeKeras(model, paths, s);
        }
      } finally {
        paths.dispose();
        model.dispose();
      }
    }
  );
});

describe('gradients of a variable-length GRU against Keras, each text at its own length', () => {
  const info = fixtureJson('keras', 'variable_length', 'gru_variable.json');

  it.each(Object.values(info.files as { [kind: string]: string }))(
    'from %s',
    async file => {
      const model = await loadModel({
        [file]: fixture('keras', 'variable_length', file)
      });
      const paths = createPathGradients(model);
      try {
        expect(info.alone.length).toBe(5);
        for (const s of info.alone as IKerasSample[]) {
          await expectLikeKeras(model, paths, s);
        }
      } finally {
        paths.dispose();
        model.dispose();
      }
    }
  );
});

describe('the tie cases hit ties', () => {
  it('char_cnn: GlobalMaxPooling1D maxima tie over padding and over repeated trigrams', () => {
    const info = fixtureJson('keras', 'gradients', 'char_cnn.json');
    const tied = info.samples.flatMap((s: any) =>
      (s.ties.tiedCounts as number[]).filter(n => n > 1)
    );
    expect(tied.length).toBeGreaterThan(0);
    expect(
      info.samples.some((s: any) =>
        (s.ties.tiedAtPadding as number[]).some(n => n > 1)
      )
    ).toBe(true);
    expect(
      info.samples.some((s: any) =>
        (s.ties.tiedInText as number[]).some(n => n > 1)
      )
    ).toBe(true);
  });
});
