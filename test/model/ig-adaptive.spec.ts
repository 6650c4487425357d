/**
 * Adaptive integrated gradients: the nested trapezoid rule (against closed
 * forms), reuse of every evaluation across rounds, and the acceptance on
 * real models: the demo model and the real-Keras fixtures of
 * test/fixtures/keras/explain_reference reach a completeness gap within
 * 1% of |f(x) - f(baseline)| with the default settings (f(x) checked
 * against Keras's own prediction where the fixture has it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../src/model/engine';
import { createExplainer, explainInRounds } from '../../src/explain';
import {
  midpointPoints,
  refineTrapezoid,
  trapezoidPoints,
  trapezoidRefinement
} from '../../src/explain/methods/quadrature';
import { ADAPTIVE_MAX_STEPS } from '../../src/explain/methods/integrated-gradients';
import { encodeTexts, parseTokenizer } from '../../src/text/tokenizer';
import { fixture, fixtureJson } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

/** sum of weight * g(alpha) over the points. */
function integrate(
  points: Array<{ alpha: number; weight: number }>,
  g: (x: number) => number
): number {
  return points.reduce((a, p) => a + p.weight * g(p.alpha), 0);
}

describe('quadrature rules', () => {
  it('midpoint and trapezoid integrate polynomials as their error terms say', () => {
    // Exact for linear functions; for x^2 the errors are -1/(24 N^2) and +1/(12 N^2).
    for (const n of [1, 4, 32]) {
      expect(integrate(midpointPoints(n), x => 3 * x + 1)).toBeCloseTo(2.5, 12);
      expect(integrate(trapezoidPoints(n), x => 3 * x + 1)).toBeCloseTo(
        2.5,
        12
      );
      expect(integrate(midpointPoints(n), x => x * x)).toBeCloseTo(
        1 / 3 - 1 / (12 * n * n),
        12
      );
      expect(integrate(trapezoidPoints(n), x => x * x)).toBeCloseTo(
        1 / 3 + 1 / (6 * n * n),
        12
      );
    }
  });

  it('doubling reuses every point: T(2N) = T(N)/2 + the new midpoints, no point twice', () => {
    const g = (x: number) => Math.exp(-3 * x) * Math.sin(5 * x);
    let values = [integrate(trapezoidPoints(32), g)];
    const seen = new Set(trapezoidPoints(32).map(p => p.alpha));
    for (let n = 64; n <= 1024; n *= 2) {
      const added = trapezoidRefinement(n);
      expect(added).toHaveLength(n / 2);
      for (const p of added) {
        expect(seen.has(p.alpha)).toBe(false);
        seen.add(p.alpha);
      }
      values = refineTrapezoid(values, [integrate(added, g)]);
      expect(values[0]).toBeCloseTo(integrate(trapezoidPoints(n), g), 12);
    }
    expect(seen.size).toBe(1025);
    // The closed form of the integral.
    const exact = (5 - Math.exp(-3) * (3 * Math.sin(5) + 5 * Math.cos(5))) / 34;
    expect(Math.abs(values[0] - exact)).toBeLessThan(1e-5);
  });
});

describe('adaptive integrated gradients on real models', () => {
  it('the demo model: gap within 1% on every text, steps doubled from 32, f(x) = the prediction', async () => {
    const model = await loadModel({
      'demo.h5': fixtureFile('examples/models/demo/demo.h5')
    });
    const tokenizer = parseTokenizer(
      fs.readFileSync(
        path.join(ROOT, 'examples/models/demo/tokenizer.json'),
        'utf8'
      )
    );
    const texts = [
      'My kettle arrived broken!',
      'The refurbished blender works fine.',
      'The screen arrived BROKEN, I want a refund.',
      'the screen arrived broken, I want a refund',
      'Great kettle, boils fast and looks lovely.',
      'this is terrible'
    ];
    const { items } = encodeTexts(tokenizer, texts, { maxlen: 80 });
    const sequences = items.map(i => i.padded);
    const explainer = createExplainer(model);
    const results = await explainer.explain(
      sequences,
      { method: 'integrated-gradients' },
      { parts: 2 }
    );
    const predictions = await model.forward(sequences);
    results.forEach((r, i) => {
      const meta = r.meta;
      expect(meta.converged).toBe(true);
      expect(meta.gapRelative as number).toBeLessThanOrEqual(0.01);
      expect(
        Math.abs((meta.fInput as number) - predictions[i][0])
      ).toBeLessThan(1e-5);
      const sum = r.values.reduce((a, v) => a + v, 0);
      expect(
        Math.abs(sum - ((meta.fInput as number) - (meta.fBaseline as number)))
      ).toBeCloseTo(meta.gap as number, 9);
    });
    // The hard texts need more than the first round (32 steps gave a 28.9% gap).
    expect(
      Math.max(...results.map(r => r.meta.steps as number))
    ).toBeGreaterThan(32);
    explainer.dispose();
    model.dispose();
  });

  it.each(['attention', 'softmax3'])(
    'explain_reference/%s.keras: gap within 1% on every text, f(x) = Keras prediction',
    async name => {
      const reference = fixtureJson(
        'keras',
        'explain_reference',
        'expected.json'
      );
      const model = await loadModel(
        {
          [`${name}.keras`]: fixture(
            'keras',
            'explain_reference',
            `${name}.keras`
          )
        },
        { lambdas: { lambda: 'sum(axis=1)' } }
      );
      const explainer = createExplainer(model);
      const entry = reference.models[name];
      const results = await explainer.explain(reference.sequences, {
        method: 'integrated-gradients'
      });
      results.forEach((r, i) => {
        expect(r.meta.converged).toBe(true);
        const delta = (r.meta.fInput as number) - (r.meta.fBaseline as number);
        expect(r.meta.gap as number).toBeLessThanOrEqual(
          Math.max(0.01 * Math.abs(delta), 1e-5)
        );
        expect(
          Math.abs((r.meta.fInput as number) - entry.predictions[i][r.target])
        ).toBeLessThan(1e-5);
      });
      explainer.dispose();
      model.dispose();
    }
  );

  it('stops at the step cap with a notice when the tolerance is not reached', async () => {
    // A path with kinks (Conv1D, ReLU): 1024 trapezoid steps leave a gap of about 2e-5.
    const model = await loadModel({
      'conv_bilstm.keras': fixture('keras', 'explain', 'conv_bilstm.keras')
    });
    const sample = fixtureJson('keras', 'explain', 'conv_bilstm.json')
      .samples[0];
    const messages: string[] = [];
    const explainer = createExplainer(model);
    const [result] = await explainInRounds(
      model.info,
      [sample.input],
      { method: 'integrated-gradients', tolerance: 1e-6 },
      {
        parts: 1,
        runUnits: async (units, onDone) => {
          const partials = await Promise.all(units.map(u => explainer.run(u)));
          onDone(units.reduce((n, u) => n + u.size, 0));
          return partials;
        },
        onProgress: p => messages.push(p.message)
      }
    );
    expect(result.meta.steps).toBe(ADAPTIVE_MAX_STEPS);
    expect(result.meta.passes).toBe(ADAPTIVE_MAX_STEPS + 1);
    expect(result.meta.converged).toBe(false);
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toMatch(
      /^integrated gradients: completeness gap \d+\.\d% of \|f\(x\) - f\(baseline\)\| = \S+ after 1024 steps, over the tolerance of 0\.0001%: the values are approximate$/
    );
    // Progress counts the real gradient passes of every round.
    expect(messages[0]).toBe('integrated gradients: 0 of 33 gradient passes');
    expect(messages[messages.length - 1]).toMatch(
      /^integrated gradients: 1025 of 1025 gradient passes \(512 steps, gap /
    );
    explainer.dispose();
    model.dispose();
  });
});

function fixtureFile(relative: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(ROOT, relative)));
}
