/**
 * Occlusion: how much the explained output drops when a window of
 * positions is set to the padding id 0. Native forward passes only.
 *
 * Window start s = 0..T-1 covers positions s..min(s + k, T) - 1; its drop
 * d_s = f(x) - f(occluded) is spread evenly over the positions it covers
 * and a position sums the shares it receives (`../occlusion.ts`). Windows
 * over padding only change nothing and are not run. A variant shares its
 * recurrent steps with the sequence up to its window, so every unit runs
 * the sequence first (its run is computed once per worker and kept, see
 * `model/layers/recurrent-first-row.ts`). Units take every `parts`-th window
 * start: a variant's cost falls with its start (it computes the steps after
 * it), so interleaved units cost the same, and each batch still runs every
 * step from its first variant's start at its full width.
 */
import {
  chooseTarget,
  chunks,
  IExplainMethod,
  OPTION_LIMIT,
  readOption,
  readRequired,
  TARGET_OPTION
} from '../method';
import { changesInput, occluded, spreadDrops } from '../occlusion';
import type { IMethodOption } from '../types';

export interface IOcclusionOptions {
  window: number;
  target: number | null;
}

export interface IOcclusionTypes {
  options: IOcclusionOptions;
  unit: { window: number; target: number | null; starts: number[] };
  partial: {
    prediction: number[];
    target: number;
    starts: number[];
    drops: number[];
  };
  state: null;
}

const WINDOW: IMethodOption = {
  name: 'window',
  label: 'Window',
  help: 'Consecutive characters hidden together',
  kind: 'integer',
  min: 1,
  max: OPTION_LIMIT,
  defaultValue: 1
};

/** How occlusion spreads its drops, as written into `meta.occlusionRule`. */
export const OCCLUSION_RULE =
  'window s..s+k-1 (s = 0..T-1, clipped) set to id 0; drop f(x) - f(occluded) spread evenly over it; shares summed';

export const occlusion: IExplainMethod<IOcclusionTypes> = {
  id: 'occlusion',
  label: 'occlusion',
  description:
    'how much the output drops when characters are hidden (set to padding)',
  options: [WINDOW, TARGET_OPTION],
  explainsTarget: true,
  workNoun: 'forward passes',

  unavailable: () => null,

  resolve: raw => ({
    window: readRequired(raw, WINDOW, 'occlusion'),
    target: readOption(raw, TARGET_OPTION, 'occlusion')
  }),

  cost: (options, length) => length + 1,

  plan(sequence, options, parts) {
    const starts = sequence
      .map((_, s) => s)
      .filter(s => changesInput(sequence, s, options.window));
    return interleaved(starts, parts).map(list => ({
      work: { window: options.window, target: options.target, starts: list },
      size: list.length + 1
    }));
  },

  async run(context, sequence, unit) {
    const rows = [
      sequence,
      ...unit.starts.map(s => occluded(sequence, s, unit.window))
    ];
    // With the sequence in every forward pass, recurrent layers start the
    // variants from its states where they part from it.
    const outputs = await context.model.forward(rows, {
      firstInEveryChunk: true
    });
    const target = chooseTarget(outputs[0], unit.target);
    const base = outputs[0][target];
    return {
      prediction: outputs[0],
      target,
      starts: unit.starts,
      drops: unit.starts.map((_, i) => base - outputs[i + 1][target])
    };
  },

  combine(info, sequence, options, partials) {
    const drops = new Array<number>(sequence.length).fill(0);
    let passes = 0;
    for (const partial of partials) {
      partial.starts.forEach((s, i) => (drops[s] = partial.drops[i]));
      passes += partial.starts.length + 1;
    }
    const [first] = partials;
    return {
      kind: 'done',
      explanation: {
        method: 'occlusion',
        label:
          options.window > 1
            ? `occlusion (window ${options.window})`
            : 'occlusion',
        values: spreadDrops(drops, options.window),
        prediction: first.prediction,
        target: first.target,
        meta: {
          window: options.window,
          baseline: 'id 0',
          occlusionRule: OCCLUSION_RULE,
          passes,
          target: first.target
        },
        notices: []
      }
    };
  }
};

/** `items` dealt into at most `parts` non-empty lists: list i takes items i, i + n, i + 2n, ... */
export function interleaved<T>(items: T[], parts: number): T[][] {
  const n = chunks(items, parts).length;
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => out[i % n].push(item));
  return out;
}
