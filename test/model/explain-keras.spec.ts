/**
 * The explanation methods against real Keras 3 / TensorFlow: four small
 * character models (made by scripts/keras_fixtures/explain.py) saved as
 * .keras and legacy .h5, with Keras's predictions, occlusion, gradient x
 * input (tf.GradientTape on the Embedding output) and integrated gradients
 * (Riemann midpoint, 32 steps) computed by TensorFlow; the engine's own
 * reverse pass computes ours.
 */
import { ILoadedModel, loadModel } from '../../src/model/engine';
import { createExplainer, explainInRounds } from '../../src/explain';
import { IExplainOptions, IExplanation } from '../../src/explain/types';
import { fixture, fixtureJson } from './helpers';

interface IOracleSample {
  text: string;
  input: number[];
  prediction: number[];
  target: number;
  occlusion: { [window: string]: number[] };
  gradXInput: number[];
  integratedGradients: {
    steps: number;
    rule: string;
    values: number[];
    fInput: number;
    fBaseline: number;
  };
}

interface IOracle {
  model: string;
  inputLength: number;
  keras: string;
  lambdas: { [name: string]: string };
  samples: IOracleSample[];
}

const MODELS = ['seed_attention', 'conv_bilstm', 'gru_softmax', 'rnn_pool'];

function oracle(name: string): IOracle {
  return fixtureJson('keras', 'explain', `${name}.json`);
}

async function load(
  name: string,
  ext: '.keras' | '.h5'
): Promise<ILoadedModel> {
  const file = `${name}${ext}`;
  return loadModel(
    { [file]: fixture('keras', 'explain', file) },
    { lambdas: oracle(name).lambdas }
  );
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

/** Every round's units run at once, their partials handed back in reverse order. */
async function explain(
  model: ILoadedModel,
  sequence: number[],
  options: IExplainOptions,
  parts = 1
): Promise<IExplanation> {
  const explainer = createExplainer(model);
  try {
    const [result] = await explainInRounds(model.info, [sequence], options, {
      parts,
      runUnits: async units =>
        (await Promise.all(units.map(u => explainer.run(u)))).reverse()
    });
    return result;
  } finally {
    explainer.dispose();
  }
}

describe.each(MODELS)('explanations of %s against Keras', name => {
  const info = oracle(name);
  let model: ILoadedModel;

  beforeAll(async () => {
    model = await load(name, '.keras');
  });
  afterAll(() => model.dispose());

  it('was made by real Keras 3 and has a text longer than maxlen', () => {
    expect(info.keras).toMatch(/^3\./);
    expect(info.samples.some(s => s.text.length > info.inputLength)).toBe(true);
  });

  it.each(['.keras', '.h5'] as const)(
    'predicts as Keras within 1e-5 from %s',
    async ext => {
      const m = ext === '.keras' ? model : await load(name, ext);
      const outputs = await m.forward(info.samples.map(s => s.input));
      info.samples.forEach((s, i) => {
        s.prediction.forEach((p, k) =>
          expect(Math.abs(outputs[i][k] - p)).toBeLessThanOrEqual(1e-5)
        );
      });
      if (m !== model) {
        m.dispose();
      }
    }
  );

  it.each([1, 3])(
    'matches Keras occlusion with window %i within 1e-4 of max |value|',
    async window => {
      for (const s of info.samples) {
        const result = await explain(
          model,
          s.input,
          { method: 'occlusion', window },
          3
        );
        expect(result.target).toBe(s.target);
        expect(
          relativeError(result.values, s.occlusion[String(window)])
        ).toBeLessThanOrEqual(1e-4);
      }
    }
  );

  it('matches Keras gradient x input within 1e-4 of max |value|', async () => {
    for (const s of info.samples) {
      const result = await explain(model, s.input, { method: 'grad-x-input' });
      expect(result.target).toBe(s.target);
      expect(relativeError(result.values, s.gradXInput)).toBeLessThanOrEqual(
        1e-4
      );
    }
  });

  it('matches Keras integrated gradients (32 midpoint steps) within 1e-4', async () => {
    for (const s of info.samples) {
      const ig = s.integratedGradients;
      expect(ig.rule).toBe('riemann-midpoint');
      const result = await explain(
        model,
        s.input,
        { method: 'integrated-gradients', steps: ig.steps },
        3
      );
      expect(result.meta.rule).toBe('riemann-midpoint');
      expect(result.meta.steps).toBe(ig.steps);
      expect(relativeError(result.values, ig.values)).toBeLessThanOrEqual(1e-4);
      expect(
        Math.abs((result.meta.fInput as number) - ig.fInput)
      ).toBeLessThanOrEqual(1e-5);
      expect(
        Math.abs((result.meta.fBaseline as number) - ig.fBaseline)
      ).toBeLessThanOrEqual(1e-5);
      // The gap in meta is the one of these values.
      const sum = result.values.reduce((a, v) => a + v, 0);
      const gap = Math.abs(
        sum -
          ((result.meta.fInput as number) - (result.meta.fBaseline as number))
      );
      expect(Math.abs((result.meta.gap as number) - gap)).toBeLessThanOrEqual(
        1e-6
      );
    }
  });

  it('is complete within 1% (sum of IG = f(x) - f(baseline), Keras endpoints) with 256 steps', async () => {
    for (const s of info.samples) {
      const ig = s.integratedGradients;
      const result = await explain(
        model,
        s.input,
        { method: 'integrated-gradients', steps: 256 },
        2
      );
      const delta = ig.fInput - ig.fBaseline;
      const sum = result.values.reduce((a, v) => a + v, 0);
      expect(Math.abs(sum - delta)).toBeLessThanOrEqual(0.01 * Math.abs(delta));
      expect(result.notices).toEqual([]);
    }
  });

  it('adaptive steps (the default) reach a completeness gap within 1% of |f(x) - f(baseline)| on every text, f from Keras', async () => {
    for (const s of info.samples) {
      const ig = s.integratedGradients;
      const result = await explain(
        model,
        s.input,
        { method: 'integrated-gradients' },
        3
      );
      const meta = result.meta;
      expect(meta.rule).toBe('trapezoid');
      expect(meta.converged).toBe(true);
      expect(meta.tolerance).toBe(0.01);
      expect(result.notices).toEqual([]);
      // The end points of the path are Keras's f(x) and f(baseline).
      expect(Math.abs((meta.fInput as number) - ig.fInput)).toBeLessThan(1e-5);
      expect(Math.abs((meta.fBaseline as number) - ig.fBaseline)).toBeLessThan(
        1e-5
      );
      const delta = ig.fInput - ig.fBaseline;
      const sum = result.values.reduce((a, v) => a + v, 0);
      expect(Math.abs(sum - delta)).toBeLessThanOrEqual(
        Math.max(0.01 * Math.abs(delta), 1e-5)
      );
      const steps = meta.steps as number;
      expect([32, 64, 128, 256, 512, 1024]).toContain(steps);
      expect(meta.passes).toBe(steps + 1);
      expect(result.label).toBe(`integrated gradients (${steps} steps)`);
    }
  });
});

describe('explainer resources', () => {
  it('takes no more kernel memory after 100 explanations than after the first', async () => {
    const model = await load('gru_softmax', '.keras');
    const explainer = createExplainer(model);
    const sequence = oracle('gru_softmax').samples[0].input;
    const once = async (method: string) =>
      explainer.explain([sequence], { method, steps: 4 }, { parts: 2 });
    await once('grad-x-input');
    await once('integrated-gradients');
    const warm = model.graph.kernels.memoryBytes;
    for (let i = 0; i < 50; i++) {
      await once('grad-x-input');
      await once('integrated-gradients');
    }
    expect(model.graph.kernels.memoryBytes).toBe(warm);
    explainer.dispose();
    model.dispose();
  });
});
