/**
 * The round driver: explains a batch of sequences through as many rounds as
 * their method needs (one for most; adaptive integrated gradients doubles
 * its steps round after round), with the units of each round run by the
 * caller: one after another in a worker, or spread over a worker pool.
 * Pure: plan and combine need the model's info only.
 */
import type { IModelInfo } from '../model/types';
import {
  combineRound,
  describeMethod,
  IExplainPartial,
  IExplainUnit,
  IRoundState,
  methodOf,
  planRound
} from './registry';
import type { IExplainOptions, IExplainProgress, IExplanation } from './types';

export interface IRoundHooks {
  /**
   * Runs the units of a round (on any workers); resolves with their
   * partials in the order of `units`. `onDone(items)` reports the work
   * items finished so far among these units.
   */
  runUnits(
    units: IExplainUnit[],
    onDone: (items: number) => void
  ): Promise<IExplainPartial[]>;
  /** Units per sequence and round, at most (default 1). */
  parts?: number;
  onProgress?: (progress: IExplainProgress) => void;
  /** Called between rounds; throws to stop (cancel). */
  checkpoint?: () => Promise<void> | void;
}

/** One explanation per sequence, in input order. */
export async function explainInRounds(
  info: IModelInfo,
  sequences: number[][],
  options: IExplainOptions,
  hooks: IRoundHooks
): Promise<IExplanation[]> {
  const method = describeMethod(methodOf(options));
  const texts = sequences.length > 1 ? ` of ${sequences.length} texts` : '';
  const results: Array<IExplanation | null> = sequences.map(() => null);
  const states: Array<IRoundState | null> = sequences.map(() => null);
  let pending = sequences.map((_, i) => i);
  let doneBefore = 0;
  let status = '';
  while (pending.length > 0) {
    await hooks.checkpoint?.();
    const owners: number[] = [];
    const units: IExplainUnit[] = [];
    for (const i of pending) {
      for (const unit of planRound(
        info,
        sequences[i],
        options,
        hooks.parts ?? 1,
        states[i]
      )) {
        owners.push(i);
        units.push(unit);
      }
    }
    const total = doneBefore + units.reduce((n, u) => n + u.size, 0);
    const report = (done: number) =>
      hooks.onProgress?.({
        done,
        total,
        message:
          `${method.label}${texts}: ${Math.round(done)} of ${total} ${method.workNoun}` +
          (status ? ` (${status})` : '')
      });
    report(doneBefore);
    const partials = await hooks.runUnits(units, items =>
      report(doneBefore + items)
    );
    doneBefore = total;
    const next: number[] = [];
    status = '';
    for (const i of pending) {
      const own = partials.filter((_, k) => owners[k] === i);
      const outcome = combineRound(info, sequences[i], options, own, states[i]);
      if (outcome.kind === 'done') {
        results[i] = outcome.explanation;
      } else {
        states[i] = outcome.state;
        next.push(i);
        // The first text still going says where it stands.
        status ||=
          sequences.length > 1
            ? `text ${i + 1}: ${outcome.status}`
            : outcome.status;
      }
    }
    pending = next;
  }
  return results.map(r => r!);
}
