/**
 * The contract of the explanation methods: what a caller asks for, what it
 * gets back, and how the work splits into units that any number of workers
 * can run (map) and that combine into the result (reduce). Pure types.
 *
 * Values are per model input position (length T of the padded sequence);
 * aligning them to the characters of the text is the caller's job, through
 * the same Keras Tokenizer + pad_sequences alignment as attention.
 */

/** The methods, in the order they are offered to users. */
export const EXPLAIN_METHODS = [
  'attention',
  'occlusion',
  'grad-x-input',
  'integrated-gradients'
] as const;

export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];

/** What to explain and how. */
export interface IExplainOptions {
  method: ExplainMethod;
  /**
   * Occlusion: consecutive positions occluded together (default 1). Fixed
   * rule, shared with the Python helper: window start s covers positions
   * s..s+k-1 (clipped to the sequence); its drop f(x) - f(x with those ids
   * set to 0) is spread evenly over the positions it covers, and a
   * position's value is the sum of the shares it receives.
   */
  window?: number;
  /**
   * Integrated gradients: number of steps N (default 32). Fixed rule, shared
   * with the Python helper: Riemann midpoint, alpha_i = (i + 0.5) / N for
   * i = 0..N-1; IG = E * mean_i df/dE(alpha_i * E), baseline E = 0.
   */
  steps?: number;
  /**
   * The output unit explained: for a sigmoid output its probability (unit
   * 0 unless given); for softmax the predicted class unless given.
   */
  target?: number;
}

/** One explained sequence. */
export interface IExplanation {
  method: ExplainMethod;
  /** One value per model input position (length T). */
  values: number[];
  /** The model's output for the sequence (flattened). */
  prediction: number[];
  /** The output unit explained (`f` = prediction[target]). */
  target: number;
  /** Method details for the payload's `meta` (steps, window, rule, gap). */
  meta: { [key: string]: string | number | boolean | null };
  /** Messages the user must see (e.g. an IG completeness gap over 5%). */
  notices: string[];
}

/**
 * A unit of work: a slice of the forward or gradient passes of one request.
 * Units are plain data so that they cross a worker boundary unchanged.
 */
export interface IExplainUnit {
  /** Index of the unit in its plan (results are combined in this order). */
  index: number;
  method: ExplainMethod;
  /** The encoded, padded sequence explained (length T). */
  sequence: number[];
  /** Method-specific slice: occlusion variants, IG step indices, ... */
  part: { [key: string]: number | number[] | string | null };
}

/** The partial result of one unit, plain data. */
export interface IExplainPartial {
  index: number;
  data: { [key: string]: number | number[] | null };
}

/** Progress of a long explanation: units done out of all units. */
export type ExplainProgress = (done: number, total: number) => void;

/**
 * Explains sequences with one loaded model. Made by `createExplainer(model)`
 * in `explain/index.ts`. `plan` is cheap and pure; `run` does the passes of
 * one unit (gradient units load TensorFlow.js lazily); `combine` reduces the
 * partials of one plan, in `index` order, to the explanation. A worker pool
 * sends units to any worker that has the same model loaded.
 */
export interface IExplainer {
  /** Splits one sequence's explanation into at most `parts` units (>= 1). */
  plan(
    sequence: number[],
    options: IExplainOptions,
    parts?: number
  ): IExplainUnit[];
  run(unit: IExplainUnit): Promise<IExplainPartial>;
  combine(
    sequence: number[],
    options: IExplainOptions,
    partials: IExplainPartial[]
  ): IExplanation;
}
