/**
 * The one way the gradient methods reach the model's gradients: the
 * objective f (one output unit) and sum_e E[t,e] * df/dE[t,e] at scaled
 * copies alpha * E of the Embedding output E, weighted and summed.
 *
 * Gradient x input is the single point alpha = 1, weight 1; integrated
 * gradients is a quadrature rule over alpha in [0, 1]. Every method asks
 * through `IPathGradients`, so how the gradients are computed (which
 * backward pass, how the points are batched) is decided here only.
 */
import type { ILoadedModel } from '../model/engine';
import { ModelError } from '../model/types';
import { endpoints, pathTerms } from './gradients';
import type { ITfForward, TF } from './tfjs-forward';

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
  const embedding = model.graph.spec.layers.find(
    l => l.className === 'Embedding'
  );
  if (!embedding) {
    throw new ModelError(
      'The model has no Embedding layer: grad-x-input and integrated-gradients take gradients ' +
        'at the Embedding output. Occlusion still works (--method occlusion)'
    );
  }
  return new Private.TfPathGradients(model, embedding.name);
}

namespace Private {
  /** Today's backward pass: TensorFlow.js autodiff over the tf forward pass. */
  export class TfPathGradients implements IPathGradients {
    constructor(
      private _model: ILoadedModel,
      readonly embeddingLayer: string
    ) {}

    async at(
      sequence: number[],
      points: IPathPoint[],
      target: number
    ): Promise<IPathResult> {
      const { tf, fwd } = await this._tf();
      const terms = new Array<number>(sequence.length).fill(0);
      const f: number[] = [];
      // Points of equal weight share one batched call.
      const byWeight = new Map<number, number[]>();
      points.forEach(p => {
        const list = byWeight.get(p.weight) ?? [];
        list.push(p.alpha);
        byWeight.set(p.weight, list);
      });
      for (const [weight, alphas] of byWeight) {
        const part = pathTerms(tf, fwd, sequence, target, alphas);
        part.forEach((v, t) => (terms[t] += weight * v));
      }
      for (const p of points) {
        f.push(await this._f(tf, fwd, sequence, target, p.alpha));
      }
      return { terms, f };
    }

    private async _f(
      tf: TF,
      fwd: ITfForward,
      sequence: number[],
      target: number,
      alpha: number
    ): Promise<number> {
      if (alpha === 1 || alpha === 0) {
        const ends = endpoints(tf, fwd, sequence, target);
        return alpha === 1 ? ends.input : ends.baseline;
      }
      const value = tf.tidy(() => {
        const ids = tf.tensor2d(sequence, [1, sequence.length]);
        const e = tf.mul(fwd.embed(ids), alpha);
        return tf.slice(fwd.run(ids, e), [0, target], [1, 1]);
      });
      const [out] = Array.from(value.dataSync());
      value.dispose();
      return out;
    }

    dispose(): void {
      const pending = this._pending;
      this._pending = null;
      void pending?.then(({ fwd }) => fwd.dispose()).catch(() => undefined);
    }

    /** TensorFlow.js and the model's tf forward pass, made once. */
    private _tf(): Promise<{ tf: TF; fwd: ITfForward }> {
      if (!this._pending) {
        const graph = this._model.graph;
        this._pending = Promise.all([
          import('./tfjs-load'),
          import('./tfjs-forward')
        ]).then(async ([load, forward]) => {
          const tf = await load.loadTf();
          return { tf, fwd: forward.buildTfForward(tf, graph) };
        });
        this._pending.catch(() => (this._pending = null));
      }
      return this._pending;
    }

    private _pending: Promise<{ tf: TF; fwd: ITfForward }> | null = null;
  }
}
