/**
 * The one way the gradient methods reach the model's gradients: the
 * objective f (one output unit) and sum_e E[t,e] * df/dE[t,e] at scaled
 * copies alpha * E of the Embedding output E, weighted and summed.
 *
 * Gradient x input is the single point alpha = 1, weight 1; integrated
 * gradients is a quadrature rule over alpha in [0, 1]. Every method asks
 * through `IPathGradients`, so how the gradients are computed (which
 * backward pass, how the points are batched) is decided here only: the
 * engine's own reverse pass (`model/graph/backward.ts`), points in batches
 * of bounded size.
 */
import type { ILoadedModel } from '../model/engine';
import { graphGradients, IGraphGradients } from '../model/graph/backward';

/** A point of the path: the Embedding output scaled by `alpha`, its weight in the sum. */
export interface IPathPoint {
  alpha: number;
  weight: number;
}

/** The gradients of one sequence at some points of the path. */
export interface IPathResult {
  /**
   * Per model input position t: sum over the points of
   * weight * sum_e E[t,e] * df/dE[t,e] at alpha * E.
   */
  terms: number[];
  /** f at each point, in the order given. */
  f: number[];
}

/** Gradients of one loaded model; made once per model, freed with `dispose`. */
export interface IPathGradients {
  /** The Embedding layer whose output the gradients are taken at. */
  readonly embeddingLayer: string;
  /** `sequence` is encoded and padded; `target` indexes the flattened output. */
  at(
    sequence: number[],
    points: IPathPoint[],
    target: number
  ): Promise<IPathResult>;
  dispose(): void;
}

/**
 * The gradient source of a model, or a ModelError saying why the gradient
 * methods cannot run it (and that occlusion still can).
 */
export function createPathGradients(model: ILoadedModel): IPathGradients {
  return new Private.NativePathGradients(graphGradients(model.graph));
}

/** Most points of the path in one batch. */
export const MAX_BATCH = 32;
/**
 * Most batch x time steps per batch: the backward pass keeps every step's
 * gates (a GRU of 250 units: about 5 kB per row and step), so long texts
 * take fewer points at a time.
 */
export const MAX_ROW_STEPS = 8192;

namespace Private {
  export class NativePathGradients implements IPathGradients {
    constructor(private _pass: IGraphGradients) {
      this.embeddingLayer = _pass.embeddingLayer;
    }

    readonly embeddingLayer: string;

    async at(
      sequence: number[],
      points: IPathPoint[],
      target: number
    ): Promise<IPathResult> {
      const T = sequence.length;
      const sum = new Float64Array(T);
      const f = new Array<number>(points.length);
      // Points of weight 0 (integrated gradients' ends, for f) add nothing
      // to the terms: their batch runs forward only.
      const indices = points.map((_, i) => i);
      const valued = indices.filter(i => points[i].weight === 0);
      const graded = indices.filter(i => points[i].weight !== 0);
      const batch = Math.max(
        1,
        Math.min(MAX_BATCH, Math.floor(MAX_ROW_STEPS / Math.max(T, 1)))
      );
      for (let from = 0; from < valued.length; from += batch) {
        const chunk = valued.slice(from, from + batch);
        const alphas = chunk.map(i => points[i].alpha);
        const run = this._pass.run(sequence, alphas, target, true);
        chunk.forEach((i, p) => (f[i] = run.f[p]));
      }
      for (let from = 0; from < graded.length; from += batch) {
        const chunk = graded.slice(from, from + batch);
        const alphas = chunk.map(i => points[i].alpha);
        const run = this._pass.run(sequence, alphas, target);
        const { gradient, embedded } = run;
        const width = embedded.length / Math.max(T, 1);
        chunk.forEach((i, p) => {
          f[i] = run.f[p];
          const base = p * embedded.length;
          for (let t = 0; t < T; t++) {
            let dot = 0;
            for (let e = 0; e < width; e++) {
              const at = t * width + e;
              dot += embedded[at] * gradient[base + at];
            }
            sum[t] += points[i].weight * dot;
          }
        });
      }
      return { terms: Array.from(sum), f };
    }

    dispose(): void {
      // Nothing to free: the pass uses the model's own kernels.
    }
  }
}
