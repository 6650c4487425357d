/**
 * The contract of one explanation method (`explain/methods/<method>.ts`):
 * everything about a method lives in its module, and the explainer, the
 * worker pool, the viewer and the CLI reach it only through this interface
 * and the registry (`explain/registry.ts`).
 *
 * A method's work is planned as units that any worker holding the same
 * model can run (map), combined into the result (reduce). A method may need
 * several rounds (adaptive integrated gradients doubles its steps until the
 * completeness gap is small): `combine` then returns the state of the next
 * round instead of the explanation, and `plan` plans that round. Units,
 * partial results and round states are plain data of the method's own
 * types; they cross worker boundaries unchanged.
 */
import type { ILoadedModel } from '../model/engine';
import type { IModelInfo } from '../model/types';
import { ModelError } from '../model/types';
import type { IPathGradients } from './path-gradients';
import type { IExplainOptions, IExplanation, IMethodOption } from './types';

/** The data types of one method. */
export interface IMethodTypes {
  /** Options after validation and defaults. */
  options: unknown;
  /** One unit of work (plain data). */
  unit: unknown;
  /** The result of one unit (plain data). */
  partial: unknown;
  /** What a round hands to the next one (plain data; methods of one round: null). */
  state: unknown;
}

/** What running a unit may use: the loaded model and its path gradients. */
export interface IRunContext {
  model: ILoadedModel;
  /** The model's gradients along the path alpha * E (made once, on first use). */
  gradients(): IPathGradients;
}

/** A planned unit and its size in the method's work items (for progress). */
export interface IPlannedUnit<U> {
  work: U;
  size: number;
}

/** The end of a round: the explanation, or the state of the next round. */
export type IRoundOutcome<S> =
  | { kind: 'done'; explanation: IExplanation }
  | {
      kind: 'next';
      state: S;
      /** Where the method stands, in user words, e.g. `64 steps, gap 2.1%`. */
      status: string;
    };

export interface IExplainMethod<T extends IMethodTypes> {
  /** The id used in options, the CLI and the payload, e.g. `integrated-gradients`. */
  readonly id: string;
  /** User words, e.g. `integrated gradients`. */
  readonly label: string;
  /** One sentence for the method picker and `--help`. */
  readonly description: string;
  /** The method's own options (besides `target`). */
  readonly options: readonly IMethodOption[];
  /** Whether the method explains one output unit (`target` applies). */
  readonly explainsTarget: boolean;
  /** What progress counts, e.g. `forward passes`. */
  readonly workNoun: string;
  /** Why this model cannot be explained this way, or null when it can. */
  unavailable(info: IModelInfo): string | null;
  /** Validates and completes the options; throws a ModelError naming the field. */
  resolve(raw: IExplainOptions): T['options'];
  /** Forward passes (a backward pass counts two) of one sequence's first round. */
  cost(options: T['options'], length: number): number;
  /** The units of one round, at most `parts` (>= 1); `state` is null for the first. */
  plan(
    sequence: number[],
    options: T['options'],
    parts: number,
    state: T['state'] | null
  ): IPlannedUnit<T['unit']>[];
  /** Runs one unit in a worker that holds the model. */
  run(
    context: IRunContext,
    sequence: number[],
    unit: T['unit']
  ): Promise<T['partial']>;
  /** Every partial of the round, in plan order: the explanation or the next round. */
  combine(
    info: IModelInfo,
    sequence: number[],
    options: T['options'],
    partials: T['partial'][],
    state: T['state'] | null
  ): IRoundOutcome<T['state']>;
}

/** Largest ids accepted for integer options without a natural bound. */
export const OPTION_LIMIT = 1e6;

/** The `target` option, common to the methods that explain one output unit. */
export const TARGET_OPTION: IMethodOption = {
  name: 'target',
  label: 'Target output',
  help: 'Output unit explained (empty: unit 0 for a single output, the predicted class for softmax)',
  kind: 'integer',
  min: 0,
  max: OPTION_LIMIT,
  defaultValue: null,
  placeholder: 'predicted'
};

/**
 * The value of an option: the given one (checked against the spec) or the
 * default. Throws a ModelError naming the option, its range and meaning.
 */
export function readOption(
  raw: IExplainOptions,
  spec: IMethodOption,
  owner: string
): number | null {
  const value = raw[spec.name];
  if (value === undefined || value === null) {
    return spec.defaultValue;
  }
  const integer = spec.kind === 'integer';
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < spec.min ||
    value > spec.max
  ) {
    throw new ModelError(
      `${spec.name} must be ${integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max} ` +
        `(${owner}: ${spec.help.charAt(0).toLowerCase()}${spec.help.slice(1)}), got ${JSON.stringify(value)}`
    );
  }
  return value;
}

/** An option that always has a value (its spec has a default). */
export function readRequired(
  raw: IExplainOptions,
  spec: IMethodOption,
  owner: string
): number {
  const value = readOption(raw, spec, owner);
  if (value === null) {
    throw new ModelError(`${spec.name} is required (${owner})`);
  }
  return value;
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

/** Splits `items` into at most `parts` contiguous, nearly equal, non-empty chunks. */
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

/** The name of the model's Embedding layer, or null (the gradient methods need one). */
export function embeddingLayerOf(info: IModelInfo): string | null {
  return info.layers.find(l => l.className === 'Embedding')?.name ?? null;
}

/** Why the gradient methods cannot run this model, or null. */
export function gradientsUnavailable(info: IModelInfo): string | null {
  return embeddingLayerOf(info) === null
    ? 'the model has no Embedding layer (gradients are taken at its output)'
    : null;
}
