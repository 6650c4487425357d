/**
 * Explaining one loaded model: attention, occlusion, gradient x input and
 * integrated gradients, one value per model input position.
 *
 * For a worker pool:
 * - `plan(sequence, options, parts)` is pure and cheap; it validates the
 *   options (unknown method, window < 1, steps < 1, bad target, wrong
 *   length all throw a ModelError) and returns 1..parts units. Occlusion
 *   splits its window starts, integrated gradients its steps; attention and
 *   grad-x-input are always one unit.
 * - `run(unit)` may run in any worker that loaded the same model files with
 *   the same options (Lambda mappings, attention layer). Units and partials
 *   are plain JSON-able data. Occlusion runs native forward passes only;
 *   the gradient methods import TensorFlow.js on their first unit (a few MB,
 *   once per worker) and keep its copy of the weights until `dispose`.
 * - `combine(sequence, options, partials)` needs every partial of the plan
 *   (any order; it sorts by `index`) and is pure.
 * - Every unit computes the prediction itself, so the target (the predicted
 *   class when not given) is the same in every unit. Every unit carries
 *   `part.units` (the plan's size) and its partial `data.units`, so combine
 *   rejects a missing partial.
 * - Units are sized by work: occlusion skips windows over padding only;
 *   the integrated-gradients steps of a unit run in batches of 32.
 * - The first gradient unit in a worker replaces the TensorFlow.js CPU
 *   backend's BatchMatMul kernel with the engine's WebAssembly SIMD gemm
 *   (`tfjs-matmul.ts`): harmless elsewhere in that worker, but global to it.
 * - `dispose()` frees the TensorFlow.js weights (call it before disposing
 *   the model); the explainer is not usable afterwards for gradient units
 *   until it rebuilds them (it does so lazily).
 * - Errors are ModelErrors with messages for the user: the attention method
 *   on a model without attention points to the other methods; the gradient
 *   methods on a model without one Embedding layer, or with a layer that has
 *   no tf forward pass, name the reason or the layer and say that occlusion
 *   still works.
 */
import { ILoadedModel, noAttentionMessage } from '../model/engine';
import { ModelError } from '../model/types';
import { changesInput, occluded, spreadDrops } from './occlusion';
import { createPathGradients, IPathGradients } from './path-gradients';
import {
  EXPLAIN_METHODS,
  ExplainMethod,
  IExplainer,
  IExplainOptions,
  IExplainPartial,
  IExplainUnit,
  IExplanation
} from './types';

export * from './types';

/** Integrated gradients' steps when not given. */
export const DEFAULT_STEPS = 32;
/** Most steps accepted (each is a forward and a backward pass). */
export const MAX_STEPS = 4096;
/** The quadrature rule of integrated gradients, as named in `meta`. */
export const IG_RULE = 'riemann-midpoint';
/** A completeness gap over this fraction of |f(x) - f(baseline)| gets a notice. */
export const GAP_NOTICE = 0.05;

/** Options after validation and defaults. */
export interface IResolvedExplainOptions {
  method: ExplainMethod;
  window: number;
  steps: number;
  target: number | null;
}

/** Checks options and fills defaults; throws a ModelError naming the field. */
export function resolveExplainOptions(
  options: IExplainOptions
): IResolvedExplainOptions {
  const method = options.method as string;
  if (!(EXPLAIN_METHODS as ReadonlyArray<string>).includes(method)) {
    throw new ModelError(
      `Unknown explanation method '${method}' (methods: ${EXPLAIN_METHODS.join(', ')})`
    );
  }
  const integer = (
    value: unknown,
    name: string,
    min: number,
    max: number,
    what: string
  ) => {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < min ||
      value > max
    ) {
      throw new ModelError(
        `${name} must be an integer from ${min} to ${max} (${what}), got ${JSON.stringify(value)}`
      );
    }
    return value;
  };
  const window = integer(
    options.window ?? 1,
    'window',
    1,
    1e6,
    'occlusion: positions occluded together'
  );
  const steps = integer(
    options.steps ?? DEFAULT_STEPS,
    'steps',
    1,
    MAX_STEPS,
    'integrated gradients: points of the path'
  );
  const target =
    options.target === undefined || options.target === null
      ? null
      : integer(options.target, 'target', 0, 1e6, 'output unit explained');
  return { method: method as ExplainMethod, window, steps, target };
}

/** The explained unit: the given one, else 0 for one output, else the largest. */
export function chooseTarget(
  prediction: number[],
  given: number | null
): number {
  if (given !== null) {
    if (given >= prediction.length) {
      throw new ModelError(
        `target ${given} is out of range: the model has ${prediction.length} output unit(s) (0..${prediction.length - 1})`
      );
    }
    return given;
  }
  let best = 0;
  for (let i = 1; i < prediction.length; i++) {
    if (prediction[i] > prediction[best]) {
      best = i;
    }
  }
  return best;
}

/** An explainer that also frees its TensorFlow.js weights. */
export interface IDisposableExplainer extends IExplainer {
  dispose(): void;
}

/** The explainer of a loaded model (see the module comment for pools). */
export function createExplainer(model: ILoadedModel): IDisposableExplainer {
  return new Private.Explainer(model);
}

namespace Private {
  /** Splits `items` into at most `parts` contiguous, nearly equal chunks. */
  export function chunks<T>(items: T[], parts: number): T[][] {
    const n = Math.max(1, Math.min(Math.floor(parts) || 1, items.length || 1));
    const out: T[][] = [];
    for (let i = 0; i < n; i++) {
      out.push(
        items.slice(
          Math.floor((i * items.length) / n),
          Math.floor(((i + 1) * items.length) / n)
        )
      );
    }
    return out;
  }

  const numbers = (value: unknown): number[] =>
    Array.isArray(value) ? (value as number[]) : [];

  export class Explainer implements IDisposableExplainer {
    constructor(private _model: ILoadedModel) {}

    plan(
      sequence: number[],
      options: IExplainOptions,
      parts = 1
    ): IExplainUnit[] {
      // Every unit knows the plan's size, so combine can tell one is missing.
      const units = this._plan(sequence, options, parts);
      units.forEach(u => (u.part.units = units.length));
      return units;
    }

    async run(unit: IExplainUnit): Promise<IExplainPartial> {
      const partial = await this._run(unit);
      partial.data.units =
        typeof unit.part.units === 'number' ? unit.part.units : 1;
      return partial;
    }

    private _plan(
      sequence: number[],
      options: IExplainOptions,
      parts: number
    ): IExplainUnit[] {
      const o = resolveExplainOptions(options);
      this._checkSequence(sequence);
      const common = { target: o.target };
      const unit = (
        index: number,
        part: IExplainUnit['part']
      ): IExplainUnit => ({
        index,
        method: o.method,
        sequence: [...sequence],
        part: { ...common, ...part }
      });
      switch (o.method) {
        case 'occlusion': {
          // Contiguous units, most work first: a variant computes its
          // recurrent steps from its window on (the rest it shares with the
          // sequence), and pools hand out units in order.
          const starts = sequence
            .map((_, s) => s)
            .filter(s => changesInput(sequence, s, o.window));
          return chunks(starts, parts).map((list, i) =>
            unit(i, { window: o.window, starts: list })
          );
        }
        case 'integrated-gradients': {
          const steps = [...Array(o.steps).keys()];
          return chunks(steps, parts).map((list, i) =>
            unit(i, { steps: o.steps, indices: list })
          );
        }
        default:
          return [unit(0, {})];
      }
    }

    private async _run(unit: IExplainUnit): Promise<IExplainPartial> {
      const sequence = unit.sequence;
      this._checkSequence(sequence);
      const given =
        typeof unit.part.target === 'number' ? unit.part.target : null;
      if (unit.method === 'attention') {
        const result = await this._model.predict([sequence]);
        return {
          index: unit.index,
          data: {
            prediction: result.predictions[0],
            values: result.attention[0]
          }
        };
      }
      if (unit.method === 'occlusion') {
        const window = unit.part.window as number;
        const starts = numbers(unit.part.starts);
        const rows = [
          sequence,
          ...starts.map(s => occluded(sequence, s, window))
        ];
        // Each variant equals the sequence up to its window: with the
        // sequence in every forward pass, recurrent layers start variants
        // from its states there.
        const outputs = await this._model.forward(rows, {
          firstInEveryChunk: true
        });
        const target = chooseTarget(outputs[0], given);
        const base = outputs[0][target];
        return {
          index: unit.index,
          data: {
            prediction: outputs[0],
            target,
            starts,
            drops: starts.map((_, i) => base - outputs[i + 1][target])
          }
        };
      }
      const [prediction] = await this._model.forward([sequence]);
      const target = chooseTarget(prediction, given);
      const gradients = this._gradients();
      if (unit.method === 'grad-x-input') {
        const { terms } = await gradients.at(
          sequence,
          [{ alpha: 1, weight: 1 }],
          target
        );
        return {
          index: unit.index,
          data: { prediction, target, values: terms }
        };
      }
      if (unit.method === 'integrated-gradients') {
        const indices = numbers(unit.part.indices);
        const total = unit.part.steps as number;
        const { terms } = await gradients.at(
          sequence,
          indices.map(i => ({ alpha: (i + 0.5) / total, weight: 1 })),
          target
        );
        const data: IExplainPartial['data'] = { prediction, target, terms };
        if (unit.index === 0) {
          const ends = await gradients.at(
            sequence,
            [
              { alpha: 1, weight: 0 },
              { alpha: 0, weight: 0 }
            ],
            target
          );
          data.fInput = ends.f[0];
          data.fBaseline = ends.f[1];
        }
        return { index: unit.index, data };
      }
      throw new ModelError(
        `Unknown explanation method '${unit.method}' (methods: ${EXPLAIN_METHODS.join(', ')})`
      );
    }

    combine(
      sequence: number[],
      options: IExplainOptions,
      partials: IExplainPartial[]
    ): IExplanation {
      const o = resolveExplainOptions(options);
      const sorted = [...partials].sort((a, b) => a.index - b.index);
      const expected = sorted.length ? sorted[0].data.units : 0;
      if (
        !sorted.length ||
        sorted.length !== expected ||
        sorted.some((p, i) => p.index !== i)
      ) {
        throw new ModelError(
          `combine needs every partial of the plan (${expected ?? '?'} units, indices 0..n-1), got [${partials.map(p => p.index).join(', ')}]`
        );
      }
      const first = sorted[0].data;
      const prediction = numbers(first.prediction);
      const T = sequence.length;
      const meta: IExplanation['meta'] = { method: o.method };
      const notices: string[] = [];
      let values: number[];
      let target = typeof first.target === 'number' ? first.target : 0;
      switch (o.method) {
        case 'attention': {
          values = numbers(first.values);
          target = 0;
          meta.layer = this._model.info.attentionLayer;
          break;
        }
        case 'occlusion': {
          const drops = new Array<number>(T).fill(0);
          let passes = 0;
          for (const p of sorted) {
            const starts = numbers(p.data.starts);
            const d = numbers(p.data.drops);
            starts.forEach((s, i) => (drops[s] = d[i]));
            passes += starts.length;
          }
          values = spreadDrops(drops, o.window);
          meta.window = o.window;
          meta.baseline = 'id 0';
          meta.rule =
            'window s..s+k-1 (s = 0..T-1, clipped) set to id 0; drop f(x) - f(occluded) spread evenly over it; shares summed';
          meta.passes = passes + sorted.length;
          break;
        }
        case 'grad-x-input': {
          values = numbers(first.values);
          meta.layer = this._model.graph.spec.layers.find(
            l => l.className === 'Embedding'
          )!.name;
          break;
        }
        default: {
          const sum = new Array<number>(T).fill(0);
          for (const p of sorted) {
            numbers(p.data.terms).forEach((v, t) => (sum[t] += v));
          }
          values = sum.map(v => v / o.steps);
          const fInput = first.fInput as number;
          const fBaseline = first.fBaseline as number;
          const total = values.reduce((a, v) => a + v, 0);
          const delta = fInput - fBaseline;
          const gap = Math.abs(total - delta);
          const relative = Math.abs(delta) > 0 ? gap / Math.abs(delta) : null;
          Object.assign(meta, {
            steps: o.steps,
            rule: IG_RULE,
            baseline: 'zero embedding',
            fInput,
            fBaseline,
            gap,
            gapRelative: relative
          });
          if (relative === null ? gap > 1e-6 : relative > GAP_NOTICE) {
            notices.push(
              `integrated gradients: completeness gap ${gap.toPrecision(3)} is ` +
                (relative === null
                  ? 'not 0 although f(x) = f(baseline)'
                  : `${(100 * relative).toFixed(1)}% of |f(x) - f(baseline)| = ${Math.abs(delta).toPrecision(3)}`) +
                ` (over ${100 * GAP_NOTICE}%): try more steps`
            );
          }
        }
      }
      if (o.method !== 'attention') {
        meta.target = target;
      }
      return { method: o.method, values, prediction, target, meta, notices };
    }

    dispose(): void {
      this._paths?.dispose();
      this._paths = null;
    }

    private _checkSequence(sequence: number[]): void {
      const length = this._model.info.inputLength;
      if (length !== null && sequence.length !== length) {
        throw new ModelError(
          `The sequence has ${sequence.length} positions, the model expects ${length} (pad or truncate it first)`
        );
      }
    }

    /** The model's gradient source, made on the first gradient unit. */
    private _gradients(): IPathGradients {
      if (!this._paths) {
        this._paths = createPathGradients(this._model);
      }
      return this._paths;
    }

    private _paths: IPathGradients | null = null;
  }
}

export { noAttentionMessage };
