/**
 * Explaining one loaded model with the methods of the registry
 * (`registry.ts`; each method is one module of `methods/`).
 *
 * - `run(unit)` runs one unit of a plan (`planRound` in the registry) in
 *   any worker that loaded the same model files with the same options.
 *   The gradient methods reach gradients through `path-gradients.ts` only,
 *   made on their first unit and kept until `dispose`.
 * - `explain(sequences, options)` runs every round of the explanations in
 *   this thread (a worker handling a whole request, tests).
 * - Errors are ModelErrors with messages for the user (an unknown method, a
 *   bad option, a method this model cannot run, a wrong sequence length).
 */
import type { ILoadedModel } from '../model/engine';
import type { IModelInfo } from '../model/types';
import type { IRunContext } from './method';
import { createPathGradients, IPathGradients } from './path-gradients';
import { IExplainPartial, IExplainUnit, runUnit } from './registry';
import { explainInRounds, IRoundHooks } from './rounds';
import type { IExplainOptions, IExplanation } from './types';

export * from './types';
export * from './registry';
export { chooseTarget } from './method';
export { explainInRounds } from './rounds';
export type { IRoundHooks } from './rounds';

/** Explains sequences with one loaded model. */
export interface IExplainer {
  readonly info: IModelInfo;
  /** Runs one unit of a round's plan. */
  run(unit: IExplainUnit): Promise<IExplainPartial>;
  /** Every round of each sequence's explanation, in this thread. */
  explain(
    sequences: number[][],
    options: IExplainOptions,
    hooks?: Omit<IRoundHooks, 'runUnits'>
  ): Promise<IExplanation[]>;
  /** Frees what the gradient methods hold (usable again afterwards: rebuilt lazily). */
  dispose(): void;
}

/** The explainer of a loaded model. */
export function createExplainer(model: ILoadedModel): IExplainer {
  return new Private.Explainer(model);
}

namespace Private {
  export class Explainer implements IExplainer, IRunContext {
    constructor(readonly model: ILoadedModel) {}

    get info(): IModelInfo {
      return this.model.info;
    }

    run(unit: IExplainUnit): Promise<IExplainPartial> {
      return runUnit(this, unit);
    }

    explain(
      sequences: number[][],
      options: IExplainOptions,
      hooks: Omit<IRoundHooks, 'runUnits'> = {}
    ): Promise<IExplanation[]> {
      return explainInRounds(this.info, sequences, options, {
        ...hooks,
        runUnits: async (units, onDone) => {
          const partials: IExplainPartial[] = [];
          let items = 0;
          for (const unit of units) {
            await hooks.checkpoint?.();
            partials.push(await this.run(unit));
            items += unit.size;
            onDone(items);
          }
          return partials;
        }
      });
    }

    gradients(): IPathGradients {
      if (!this._paths) {
        this._paths = createPathGradients(this.model);
      }
      return this._paths;
    }

    dispose(): void {
      this._paths?.dispose();
      this._paths = null;
    }

    private _paths: IPathGradients | null = null;
  }
}
