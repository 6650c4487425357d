/**
 * The contract of evaluation: what it asks of a model (the backend, made by
 * `model-adapter.ts` from the worker pool and the text encoder), what it
 * computes per row, and the JSONL field names. Pure types.
 */
import type { ExplainMethod } from '../explain/registry';
import type { IExplainOptions, IExplanationMeta } from '../explain/types';

/**
 * An explanation method and its options by name (checked by the registry);
 * the explained unit is the plan's `target`, whatever the request says.
 */
export interface IMethodRequest extends IExplainOptions {
  method: ExplainMethod;
}

/** One text encoded for the model. */
export interface IEncodedRow {
  /** The padded sequence the model gets. */
  padded: number[];
  /** Per model position, the values aligned to the text's characters (null = not seen). */
  align(values: ArrayLike<number>): Array<number | null>;
  /** Characters of the text (code points), for "characters the model relies on". */
  chars: string[];
}

/** One explanation of one padded sequence, per model position. */
export interface IPositionValues {
  values: number[];
  /** The model's output for the sequence. */
  output: number[];
  /** The output unit the values explain. */
  target: number;
  /** The method's facts (steps, gapRelative, window, ...), as in a payload's meta. */
  meta: IExplanationMeta;
  /** What the user must be told (e.g. integrated gradients that did not converge). */
  notices: string[];
}

/**
 * What evaluation needs from a loaded model. Every call keeps input order;
 * `signal` stops the work (the promise then rejects).
 */
export interface IEvaluationBackend {
  /**
   * Texts encoded as the model's input, and notices about what the model
   * does not see ("text 3: ..." numbered from 1 within `texts`).
   */
  encode(texts: string[]): { rows: IEncodedRow[]; notices: string[] };
  /** The model's output for each sequence. */
  predict(sequences: number[][], signal?: AbortSignal): Promise<number[][]>;
  explain(
    sequences: number[][],
    request: IMethodRequest,
    target: number | null,
    signal?: AbortSignal
  ): Promise<IPositionValues[]>;
}

/** What to compute. */
export interface IEvaluationPlan {
  /** Methods in the order given (`agreement` pairs follow it). */
  methods: IMethodRequest[];
  /** Class names (labels may use them), or null. */
  classes: string[] | null;
  /** The output unit explained and reported as `prediction`; null: the default. */
  target: number | null;
}

/** One method's result for one row. */
export interface IMethodResult {
  /** One per character of the text, null where the model did not see it. */
  values: Array<number | null>;
  comprehensiveness: number | null;
  sufficiency: number | null;
  /** The method's facts for this row (e.g. `steps`, `gapRelative` of integrated gradients). */
  meta: IExplanationMeta;
}

/** One evaluated row: the fields of a `--json` line, in this order. */
export interface IEvaluationRow {
  index: number;
  text: string;
  /** Class index, or null without a label. */
  label: number | null;
  /** The explained output f. */
  prediction: number;
  predictedClass: number;
  correct: boolean | null;
  loss: number | null;
  explanations: { [method: string]: IMethodResult };
  /** Kendall tau-b per pair `a~b` (order of the methods), null where undefined. */
  agreement: { [pair: string]: number | null };
}

/** Row facts kept beside the JSON fields (not written to JSONL). */
export interface IRowExtras {
  /** The line of the file where the row starts. */
  line: number;
  /** The model's whole output. */
  output: number[];
  /** Characters of the text, for the character statistics. */
  chars: string[];
}

/** The name of a pair of methods in `agreement`. */
export function pairName(a: string, b: string): string {
  return `${a}~${b}`;
}
