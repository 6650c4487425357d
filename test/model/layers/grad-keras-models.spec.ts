/**
 * Whole models holding the normalization, activation, attention and Lambda
 * layers, against real Keras 3 / TensorFlow (`test/fixtures/keras/gradients/`,
 * made by `scripts/keras_fixtures/gradients.py`): Keras's prediction,
 * gradient x input from tf.GradientTape on the Embedding output, and
 * 256-step midpoint integrated gradients. Reached through the one seam the
 * gradient methods use, `createPathGradients`.
 */
import { ILoadedModel, loadModel } from '../../../src/model/engine';
import { createPathGradients } from '../../../src/explain/path-gradients';
import { fixture, fixtureJson } from '../helpers';

interface IGradientSample {
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

interface IGradientOracle {
  description: string;
  files: { [kind: string]: string };
  lambdas: { [name: string]: string };
  integratedGradients: { steps: number; rule: string };
  samples: IGradientSample[];
}

/** The fixture models whose gradient path crosses a layer of these modules. */
const MODELS: Array<[string, string]> = [
  [
    'norm_act',
    'BatchNormalization, ReLU, LayerNormalization (rms, plain, neither center nor scale), LeakyReLU, PReLU, ELU'
  ],
  [
    'attention',
    'Attention (dot, concat, causal), AdditiveAttention (scale on and off)'
  ],
  ['mha', 'MultiHeadAttention (self-attention, causal)'],
  ['mha_masked', 'MultiHeadAttention with query and key masks'],
  [
    'kinks',
    'ReLU at 0, ReLU(max_value) at its bound, Lambda max / min with ties'
  ]
];

function oracle(name: string): IGradientOracle {
  return fixtureJson('keras', 'gradients', `${name}.json`);
}

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

describe.each(MODELS)('%s against Keras (%s)', name => {
  const info = oracle(name);
  const files = Object.values(info.files);

  it.each(files)(
    '%s: gradient x input within 1e-4 of max |value|, 256-step integrated gradients complete within 1% and as Keras within 1e-4',
    async file => {
      const model: ILoadedModel = await loadModel(
        { [file]: fixture('keras', 'gradients', file) },
        { lambdas: info.lambdas }
      );
      const paths = createPathGradients(model);
      try {
        const predictions = await model.forward(info.samples.map(s => s.input));
        const steps = info.integratedGradients.steps;
        expect(steps).toBe(256);
        expect(info.integratedGradients.rule).toBe('riemann-midpoint');
        const midpoints = Array.from({ length: steps }, (_, i) => ({
          alpha: (i + 0.5) / steps,
          weight: 1 / steps
        }));
        for (const [k, s] of info.samples.entries()) {
          s.prediction.forEach((p, j) =>
            expect(Math.abs(predictions[k][j] - p)).toBeLessThanOrEqual(1e-5)
          );
          const gx = await paths.at(
            s.input,
            [{ alpha: 1, weight: 1 }],
            s.target
          );
          expect({
            text: s.text,
            ok: relativeError(gx.terms, s.gradXInput) <= 1e-4
          }).toEqual({
            text: s.text,
            ok: true
          });
          const ig = await paths.at(s.input, midpoints, s.target);
          const ends = await paths.at(
            s.input,
            [
              { alpha: 1, weight: 0 },
              { alpha: 0, weight: 0 }
            ],
            s.target
          );
          const [fInput, fBaseline] = ends.f;
          expect(
            Math.abs(fInput - s.integratedGradients.fInput)
          ).toBeLessThanOrEqual(1e-5);
          expect(
            Math.abs(fBaseline - s.integratedGradients.fBaseline)
          ).toBeLessThanOrEqual(1e-5);
          const sum = ig.terms.reduce((a, v) => a + v, 0);
          const gap = Math.abs(sum - (fInput - fBaseline));
          expect({
            text: s.text,
            complete: gap <= 0.01 * Math.abs(fInput - fBaseline)
          }).toEqual({
            text: s.text,
            complete: true
          });
          expect({
            text: s.text,
            ok: relativeError(ig.terms, s.integratedGradients.values) <= 1e-4
          }).toEqual({ text: s.text, ok: true });
        }
      } finally {
        paths.dispose();
        model.dispose();
      }
    }
  );
});
