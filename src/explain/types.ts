/**
 * What a caller of the explanation methods gives and gets back. Pure types;
 * the methods themselves are `explain/methods/*.ts`, listed by
 * `explain/registry.ts`, with the contract of `explain/method.ts`.
 *
 * Values are per model input position (length T of the sequence the model
 * sees); aligning them to the characters of the text is the caller's job,
 * through the same alignment as attention (`text/align.ts`).
 */

/**
 * A request as the user gives it (CLI flags, viewer fields, settings): the
 * method id and the method's options by name (each method declares and
 * checks its own, see `IMethodOption`). `target` is common to the methods
 * that explain one output unit.
 */
export interface IExplainOptions {
  method: string;
  /**
   * The output unit explained: for a sigmoid output its probability (unit
   * 0 unless given); for softmax the predicted class unless given.
   */
  target?: number | null;
  /** The method's own options, e.g. `window`, `steps`, `tolerance`. */
  [option: string]: string | number | null | undefined;
}

/** Plain metadata of an explanation (written into the payload's `meta`). */
export interface IExplanationMeta {
  [key: string]: string | number | boolean | null;
}

/** One explained sequence. */
export interface IExplanation {
  method: string;
  /** The method as named in a table header, e.g. `occlusion (window 3)`. */
  label: string;
  /** One value per model input position (length T). */
  values: number[];
  /** The model's output for the sequence (flattened). */
  prediction: number[];
  /** The output unit explained (`f` = prediction[target]). */
  target: number;
  /** Method details for the payload's `meta` (steps, window, rule, gap, ...). */
  meta: IExplanationMeta;
  /** Messages the user must see (e.g. integrated gradients that did not converge). */
  notices: string[];
}

/** An option of a method, as a form field or a command-line flag shows it. */
export interface IMethodOption {
  /** Key in `IExplainOptions`, e.g. `steps`. */
  name: string;
  /** Short label in user words, e.g. `Steps`. */
  label: string;
  /** One sentence of help (tooltip, `--help`). */
  help: string;
  kind: 'integer' | 'number';
  min: number;
  max: number;
  /** Value when not given; null = chosen by the method (e.g. adaptive steps). */
  defaultValue: number | null;
  /** What an empty field means, e.g. `automatic`. */
  placeholder?: string;
}

/** Progress of a long explanation, in the method's own work items. */
export interface IExplainProgress {
  /** Work items done so far (all rounds). */
  done: number;
  /** Work items known so far (grows when a method starts another round). */
  total: number;
  /** User words, e.g. `integrated gradients: 40 of 65 gradient passes (32 steps, gap 2.1%)`. */
  message: string;
}
