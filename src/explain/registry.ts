/**
 * The explanation methods, in the order users are offered them, and the
 * only place that dispatches on a method id. Everything else (explainer,
 * worker pool, viewer, CLI) asks here: the method's label, options and
 * cost, and the pure `planRound` / `combineRound` of the round driver.
 *
 * Adding a method: its module in `methods/`, one entry in `IMethodTypeMap`
 * and one in `METHODS` (that order is the users' order).
 *
 * Units, partials and round states travel between workers in envelopes
 * that name their method, so that each reaches its own method with its own
 * types (a correlated union: no casts).
 */
import type { IModelInfo } from '../model/types';
import { ModelError } from '../model/types';
import type { IExplainMethod, IRunContext } from './method';
import { attention, IAttentionTypes } from './methods/attention';
import { gradXInput, IGradXInputTypes } from './methods/grad-x-input';
import {
  IIntegratedGradientsTypes,
  integratedGradients
} from './methods/integrated-gradients';
import { IOcclusionTypes, occlusion } from './methods/occlusion';
import type { IExplainOptions, IExplanation, IMethodOption } from './types';

/** Each method's data types, by id. */
interface IMethodTypeMap {
  attention: IAttentionTypes;
  occlusion: IOcclusionTypes;
  'grad-x-input': IGradXInputTypes;
  'integrated-gradients': IIntegratedGradientsTypes;
}

export type ExplainMethod = keyof IMethodTypeMap;

/** The methods by id, in user order. */
const METHODS: { [K in ExplainMethod]: IExplainMethod<IMethodTypeMap[K]> } = {
  attention,
  occlusion,
  'grad-x-input': gradXInput,
  'integrated-gradients': integratedGradients
};

export function isExplainMethod(id: unknown): id is ExplainMethod {
  return (
    typeof id === 'string' && Object.prototype.hasOwnProperty.call(METHODS, id)
  );
}

/** Method ids in the order users are offered them. */
export const EXPLAIN_METHODS: readonly ExplainMethod[] =
  Object.keys(METHODS).filter(isExplainMethod);

/** What the UI and the CLI show of a method. */
export interface IMethodDescription {
  id: ExplainMethod;
  label: string;
  description: string;
  /** Its options, `target` included when it applies. */
  options: readonly IMethodOption[];
  explainsTarget: boolean;
  workNoun: string;
}

export function describeMethod(id: ExplainMethod): IMethodDescription {
  const m = METHODS[id];
  return {
    id,
    label: m.label,
    description: m.description,
    options: m.options,
    explainsTarget: m.explainsTarget,
    workNoun: m.workNoun
  };
}

/** Every method, in user order. */
export function methodDescriptions(): IMethodDescription[] {
  return EXPLAIN_METHODS.map(describeMethod);
}

/**
 * Every method's options once by name (`target` is shared), in the order
 * the methods declare them: one form field or command-line flag each.
 */
export function allMethodOptions(): IMethodOption[] {
  const seen = new Map<string, IMethodOption>();
  for (const id of EXPLAIN_METHODS) {
    for (const option of METHODS[id].options) {
      if (!seen.has(option.name)) {
        seen.set(option.name, option);
      }
    }
  }
  return [...seen.values()];
}

/** The method of a request, or a ModelError listing the methods. */
export function methodOf(options: IExplainOptions): ExplainMethod {
  if (!isExplainMethod(options.method)) {
    throw new ModelError(
      `Unknown explanation method '${options.method}' (methods: ${EXPLAIN_METHODS.join(', ')})`
    );
  }
  return options.method;
}

/** Checks a request's options (unknown method, out-of-range option) and returns its method. */
export function checkExplainOptions(options: IExplainOptions): ExplainMethod {
  const id = methodOf(options);
  METHODS[id].resolve(options);
  return id;
}

/** Why `id` cannot explain this model (in words), or null. */
export function methodUnavailable(
  id: ExplainMethod,
  info: IModelInfo
): string | null {
  return METHODS[id].unavailable(info);
}

/** The methods this model can be explained with, in user order. */
export function availableMethods(info: IModelInfo): ExplainMethod[] {
  return EXPLAIN_METHODS.filter(id => METHODS[id].unavailable(info) === null);
}

/**
 * The method a model opens with when the user has not chosen: the first
 * method (the model's own attention) when the model has what it needs,
 * else `fallback` (the user's setting).
 */
export function preferredMethod(
  info: IModelInfo,
  fallback: ExplainMethod
): ExplainMethod {
  const [first] = EXPLAIN_METHODS;
  return METHODS[first].unavailable(info) === null ? first : fallback;
}

/** Forward passes (a backward pass counts two) of one sequence's first round. */
export function explainCost(options: IExplainOptions, length: number): number {
  const id = methodOf(options);
  return Private.cost(METHODS[id], options, length);
}

/** A unit of work in its envelope: plain data for any worker. */
export type IExplainUnit<K extends ExplainMethod = ExplainMethod> = {
  [P in K]: {
    method: P;
    /** Position in its round's plan. */
    index: number;
    /** Units in that plan (combine checks that none is missing). */
    units: number;
    /** Work items, for progress. */
    size: number;
    /** The sequence the model sees (encoded, padded). */
    sequence: number[];
    work: IMethodTypeMap[P]['unit'];
  };
}[K];

/** The result of one unit, in its envelope. */
export type IExplainPartial<K extends ExplainMethod = ExplainMethod> = {
  [P in K]: {
    method: P;
    index: number;
    units: number;
    work: IMethodTypeMap[P]['partial'];
  };
}[K];

/** The state handed from one round of a sequence's explanation to the next. */
export type IRoundState<K extends ExplainMethod = ExplainMethod> = {
  [P in K]: { method: P; round: number; work: IMethodTypeMap[P]['state'] };
}[K];

/** The end of a round. */
export type RoundOutcome<K extends ExplainMethod = ExplainMethod> =
  | { kind: 'done'; explanation: IExplanation }
  | { kind: 'next'; state: IRoundState<K>; status: string };

/**
 * The units of a sequence's next round (at most `parts`): pure and cheap;
 * checks the method, its options, the model and the sequence's length.
 */
export function planRound(
  info: IModelInfo,
  sequence: number[],
  options: IExplainOptions,
  parts: number,
  state: IRoundState | null
): IExplainUnit[] {
  const id = methodOf(options);
  const reason = METHODS[id].unavailable(info);
  if (reason !== null) {
    const others = availableMethods(info);
    throw new ModelError(
      `The method ${id} cannot explain this model: ${reason}` +
        (others.length ? `; use ${others.join(', ')}` : '')
    );
  }
  const length = info.inputLength;
  if (length !== null && sequence.length !== length) {
    throw new ModelError(
      `The sequence has ${sequence.length} positions, the model expects ${length} (pad or truncate it first)`
    );
  }
  if (state !== null && state.method !== id) {
    throw new ModelError(`A round of ${state.method} cannot continue as ${id}`);
  }
  return Private.plan(
    METHODS[id],
    id,
    sequence,
    options,
    Math.max(1, Math.floor(parts) || 1),
    state
  );
}

/** Runs one unit in a worker that holds the model. */
export function runUnit(
  context: IRunContext,
  unit: IExplainUnit
): Promise<IExplainPartial> {
  return Private.run(context, unit);
}

/**
 * Combines every partial of a round (any order): the explanation, or the
 * state of the next round. Pure.
 */
export function combineRound(
  info: IModelInfo,
  sequence: number[],
  options: IExplainOptions,
  partials: IExplainPartial[],
  state: IRoundState | null
): RoundOutcome {
  const id = methodOf(options);
  const sorted = [...partials].sort((a, b) => a.index - b.index);
  const expected = sorted.length ? sorted[0].units : 0;
  if (
    !sorted.length ||
    sorted.length !== expected ||
    sorted.some((p, i) => p.index !== i || p.method !== id)
  ) {
    throw new ModelError(
      `combine needs every partial of the plan (${expected || '?'} units, indices 0..n-1), got [${partials.map(p => p.index).join(', ')}]`
    );
  }
  return Private.combine(
    METHODS[id],
    id,
    info,
    sequence,
    options,
    sorted,
    state
  );
}

namespace Private {
  type Method<K extends ExplainMethod> = IExplainMethod<IMethodTypeMap[K]>;

  export function cost<K extends ExplainMethod>(
    method: Method<K>,
    options: IExplainOptions,
    length: number
  ): number {
    return method.cost(method.resolve(options), length);
  }

  export function plan<K extends ExplainMethod>(
    method: Method<K>,
    id: K,
    sequence: number[],
    options: IExplainOptions,
    parts: number,
    state: IRoundState<K> | null
  ): IExplainUnit<K>[] {
    const planned = method.plan(
      sequence,
      method.resolve(options),
      parts,
      state === null ? null : state.work
    );
    return planned.map((p, index) =>
      envelope(id, index, planned.length, p.size, sequence, p.work)
    );
  }

  export function envelope<K extends ExplainMethod>(
    method: K,
    index: number,
    units: number,
    size: number,
    sequence: number[],
    work: IMethodTypeMap[K]['unit']
  ): IExplainUnit<K> {
    return { method, index, units, size, sequence, work };
  }

  export async function run<K extends ExplainMethod>(
    context: IRunContext,
    unit: IExplainUnit<K>
  ): Promise<IExplainPartial<K>> {
    const method: Method<K> = METHODS[unit.method];
    const work = await method.run(context, unit.sequence, unit.work);
    return {
      method: unit.method,
      index: unit.index,
      units: unit.units,
      work
    };
  }

  export function combine<K extends ExplainMethod>(
    method: Method<K>,
    id: K,
    info: IModelInfo,
    sequence: number[],
    options: IExplainOptions,
    partials: IExplainPartial<K>[],
    state: IRoundState<K> | null
  ): RoundOutcome<K> {
    const outcome = method.combine(
      info,
      sequence,
      method.resolve(options),
      partials.map(p => p.work),
      state === null ? null : state.work
    );
    if (outcome.kind === 'done') {
      return outcome;
    }
    return {
      kind: 'next',
      state: {
        method: id,
        round: (state?.round ?? 0) + 1,
        work: outcome.state
      },
      status: outcome.status
    };
  }
}
