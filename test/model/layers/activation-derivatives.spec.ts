/**
 * The activation derivatives away from kinks against central differences
 * of the engine's own forward functions in double precision (an oracle
 * independent of the derivative code); their values at kinks are checked
 * against TensorFlow in tie-rules.spec.ts.
 */
import {
  derivative,
  derivativeUsesInput,
  gelu,
  geluDerivative,
  softmaxAxisGradient
} from '../../../src/model/layers/activation-derivatives';
import {
  ACTIVATIONS,
  elementwise,
  softmaxAxis
} from '../../../src/model/layers/activations';

const SPEC = { name: 'a', className: 'Activation', config: {} };
// Away from every kink (0, +-2.5, +-3, 6).
const POINTS = [-4.1, -2.2, -0.7, -0.1, 0.3, 1.1, 2.1, 4.4, 6.9];
const H = 1e-6;

/** The forward activation in double precision (typed as the engine's arrays). */
function forward(name: string, kerasMajor: number): (x: number) => number {
  const fn = elementwise(SPEC, name, kerasMajor);
  return x => {
    const cell = Float64Array.of(x) as unknown as Float32Array;
    fn?.(cell, 0, 1);
    return cell[0];
  };
}

describe('activation derivatives against central differences', () => {
  const names = ACTIVATIONS.filter(n => n !== 'softmax');
  it.each(names.flatMap(n => [2, 3].map(k => [n, k] as [string, number])))(
    '%s (Keras %i)',
    (name, kerasMajor) => {
      const f = forward(name, kerasMajor);
      const d = derivative(SPEC, name, kerasMajor) ?? (() => 1);
      for (const x of POINTS) {
        const numeric = (f(x + H) - f(x - H)) / (2 * H);
        // A derivative that does not read x must not need it.
        const given = derivativeUsesInput(name) ? x : NaN;
        expect(Math.abs(d(given, f(x)) - numeric)).toBeLessThan(1e-6);
      }
    }
  );

  it.each([true, false])('gelu, approximate %s', approximate => {
    const d = geluDerivative(approximate);
    for (const x of POINTS) {
      const numeric =
        (gelu(x + H, approximate) - gelu(x - H, approximate)) / (2 * H);
      expect(Math.abs(d(x, gelu(x, approximate)) - numeric)).toBeLessThan(1e-6);
    }
    // The exact form is the engine's gelu activation.
    expect(gelu(0.7, false)).toBeCloseTo(forward('gelu', 3)(0.7), 12);
  });

  it('softmax along an inner axis: y * (dy - sum(dy * y))', () => {
    const shape = [2, 3, 4];
    const x = Float64Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7));
    const w = Float64Array.from({ length: 24 }, (_, i) => Math.cos(i * 0.9));
    const objective = (v: Float64Array) => {
      const y = new Float64Array(v);
      softmaxAxis(y as unknown as Float32Array, shape, 1);
      return y.reduce((a, yi, i) => a + yi * w[i], 0);
    };
    const y = new Float64Array(x);
    softmaxAxis(y as unknown as Float32Array, shape, 1);
    const g = softmaxAxisGradient(
      y as unknown as Float32Array,
      w as unknown as Float32Array,
      shape,
      1
    );
    for (let i = 0; i < x.length; i++) {
      const up = new Float64Array(x);
      const down = new Float64Array(x);
      up[i] += H;
      down[i] -= H;
      const numeric = (objective(up) - objective(down)) / (2 * H);
      expect(Math.abs(g[i] - numeric)).toBeLessThan(1e-6);
    }
  });
});
