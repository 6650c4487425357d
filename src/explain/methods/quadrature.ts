/**
 * The quadrature rules of integrated gradients over alpha in [0, 1], as
 * weighted points of the path (pure). The Python helper
 * (`jupyterlab_char_attention/explain.py`) uses the same points and weights.
 *
 * - Riemann midpoint with N steps (fixed steps): alpha_i = (i + 1/2) / N,
 *   weight 1/N, i = 0..N-1.
 * - Nested trapezoid (adaptive steps): N intervals use the N + 1 points
 *   i / N with weights 1/(2N) at both ends and 1/N inside. Doubling N keeps
 *   every point and adds the N midpoints (2j + 1) / (2N), so
 *   T(2N) = T(N) / 2 + (1 / (2N)) * sum over the new points: no gradient is
 *   computed twice. The ends give f(baseline) and f(x) at no extra cost.
 */
import type { IPathPoint } from '../path-gradients';

export function midpointPoints(steps: number): IPathPoint[] {
  return Array.from({ length: steps }, (_, i) => ({
    alpha: (i + 0.5) / steps,
    weight: 1 / steps
  }));
}

/** Every point of the trapezoid rule with `intervals` intervals. */
export function trapezoidPoints(intervals: number): IPathPoint[] {
  return Array.from({ length: intervals + 1 }, (_, i) => ({
    alpha: i / intervals,
    weight: (i === 0 || i === intervals ? 0.5 : 1) / intervals
  }));
}

/**
 * The points `intervals` intervals add to the rule of `intervals / 2`,
 * weighted for `refineTrapezoid`.
 */
export function trapezoidRefinement(intervals: number): IPathPoint[] {
  return Array.from({ length: intervals / 2 }, (_, j) => ({
    alpha: (2 * j + 1) / intervals,
    weight: 1 / intervals
  }));
}

/** T(2N) per position from T(N) and the weighted sum over the new points. */
export function refineTrapezoid(previous: number[], added: number[]): number[] {
  return previous.map((v, t) => v / 2 + added[t]);
}
