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
import { itAgreesWithKeras, KERAS_DISAGREEMENTS } from '../keras-disagreements';

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
  ],
  [
    'attention_masks',
    'Attention and AdditiveAttention with Embedding masks, causal and masked, explicit [query, value] masks, returned scores feeding the model'
  ],
  [
    'attention_mask_merged',
    'Attention with mask=[query_mask, value_mask] whose output mask Concatenate merges'
  ],
  [
    'attention_partial_mask',
    'Attention and AdditiveAttention with an explicit mask list holding None (mask=[None, value_mask], mask=[query_mask, None])'
  ],
  [
    'mha_config',
    'MultiHeadAttention with value_dim, output_shape, use_bias=False, a key input, attention_mask from the ids, queries that see no key, returned scores'
  ],
  [
    'norm_axes',
    'BatchNormalization(axis=1), LayerNormalization over axes [1, 2] and over axis 1'
  ],
  [
    'softmax_activation',
    'Softmax with and without a mask, over time and features; Activation softmax, tanh, gelu'
  ],
  [
    'lambdas',
    'Lambda sum, mean (keepdims), softmax, expand_dims, squeeze, square, scale'
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
  const known = KERAS_DISAGREEMENTS[name];

  itAgreesWithKeras(name).each(files)(
    `%s: gradient x input within 1e-4 of max |value|, 256-step integrated gradients complete within 1% and as Keras within 1e-4${known ? ' (known to disagree with Keras: see keras-disagreements.ts)' : ''}`,
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

// jest refuses `.each` of an empty table: the block exists while a model is listed.
const DISAGREEING = Object.keys(KERAS_DISAGREEMENTS);
if (DISAGREEING.length) {
  describe.each(DISAGREEING)(
    '%s, known to disagree with Keras in its forward pass',
    name => {
      it('loads, and its gradients are complete (256-step integrated gradients within 1% of f(input) - f(baseline) on every text)', async () => {
        const info = oracle(name);
        const model = await loadModel(
          {
            [info.files.keras]: fixture('keras', 'gradients', info.files.keras)
          },
          { lambdas: info.lambdas }
        );
        const paths = createPathGradients(model);
        try {
          const steps = info.integratedGradients.steps;
          const points = Array.from({ length: steps }, (_, i) => ({
            alpha: (i + 0.5) / steps,
            weight: 1 / steps
          }));
          for (const s of info.samples) {
            const ig = await paths.at(s.input, points, s.target);
            const ends = await paths.at(
              s.input,
              [
                { alpha: 1, weight: 0 },
                { alpha: 0, weight: 0 }
              ],
              s.target
            );
            const delta = ends.f[0] - ends.f[1];
            const sum = ig.terms.reduce((a, v) => a + v, 0);
            expect({
              text: s.text,
              complete: Math.abs(sum - delta) <= 0.01 * Math.abs(delta)
            }).toEqual({ text: s.text, complete: true });
          }
        } finally {
          paths.dispose();
          model.dispose();
        }
      });
    }
  );
}

describe('Lambda reductions of the lambdas model', () => {
  it('are read from their stored code (no mapping); the other forms come from the mapping', async () => {
    const info = oracle('lambdas');
    expect(Object.keys(info.lambdas).sort()).toEqual([
      'lambda_expand_dims',
      'lambda_scale',
      'lambda_softmax',
      'lambda_square',
      'lambda_squeeze'
    ]);
    const model = await loadModel(
      { [info.files.keras]: fixture('keras', 'gradients', info.files.keras) },
      { lambdas: info.lambdas }
    );
    try {
      const read = (model.info.inferences ?? []).filter(i =>
        i.startsWith('Lambda ')
      );
      expect(read).toEqual([
        "Lambda 'lambda_sum' read as sum over axis 1 from its code `keras.ops.sum(x, axis=1)`",
        "Lambda 'lambda_mean' read as mean over axis 1 (keeping the axis) from its code `keras.ops.mean(x, axis=1, keepdims=True)`",
        "Lambda 'lambda_weighted_sum' read as sum over axis 1 from its code `keras.ops.sum(x, axis=1)`"
      ]);
    } finally {
      model.dispose();
    }
  });
});
