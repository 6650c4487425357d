/**
 * A minimal occlusion explainer (value at p = f(x) - f(x with position p set
 * to 0)) used to exercise the plan / units / combine round trips of the
 * worker protocol and the pool. Split into `parts` ranges of positions.
 */
import type {
  IExplainer,
  IExplainPartial,
  IExplainUnit
} from '../../../src/explain/types';
import type { IAttentionModel } from '../../../src/model/types';

export function occlusionTestExplainer(model: IAttentionModel): IExplainer {
  return {
    plan(sequence, options, parts = 1) {
      const count = Math.max(1, Math.min(parts, sequence.length));
      const size = Math.ceil(sequence.length / count);
      const units: IExplainUnit[] = [];
      for (let from = 0; from < sequence.length; from += size) {
        units.push({
          index: units.length,
          method: options.method,
          sequence,
          part: { from, to: Math.min(sequence.length, from + size) }
        });
      }
      return units;
    },
    async run(unit): Promise<IExplainPartial> {
      const from = unit.part.from as number;
      const to = unit.part.to as number;
      const variants = [unit.sequence];
      for (let p = from; p < to; p++) {
        const copy = unit.sequence.slice();
        copy[p] = 0;
        variants.push(copy);
      }
      const { predictions } = await model.predict(variants);
      return {
        index: unit.index,
        data: {
          from,
          base: predictions[0][0],
          f: predictions.slice(1).map(p => p[0])
        }
      };
    },
    combine(sequence, options, partials) {
      const values = new Array(sequence.length).fill(0);
      let base = 0;
      partials.forEach(({ data }) => {
        base = data.base as number;
        (data.f as number[]).forEach((f, k) => {
          values[(data.from as number) + k] = base - f;
        });
      });
      return {
        method: options.method,
        values,
        prediction: [base],
        target: 0,
        meta: { parts: partials.length },
        notices: []
      };
    }
  };
}
