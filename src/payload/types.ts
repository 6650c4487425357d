/**
 * Payload v1 of `application/x-char-attention+json`.
 *
 * Pure types: no DOM, no JupyterLab. The JSON Schema in
 * `src/payload/char-attention.v1.schema.json` describes the same shape; the
 * validator in `validate.ts` enforces it (with JSON paths in its messages)
 * and the Python helper mirrors it rule by rule.
 */

/** The MIME type the renderer handles. */
export const MIME_TYPE = 'application/x-char-attention+json';

/** The only payload version this package reads and writes. */
export const PAYLOAD_VERSION = 1;

/** Colour maps known to the renderer and the HTML export (matplotlib names). */
export const COLORMAP_NAMES = [
  'Reds',
  'Blues',
  'Greens',
  'Greys',
  'Oranges',
  'Purples',
  'viridis',
  'magma',
  'RdBu'
] as const;

export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** How values are mapped onto [0, 1] before colouring. */
export const NORMALIZE_MODES = ['none', 'minmax', 'max'] as const;

export type NormalizeMode = (typeof NORMALIZE_MODES)[number];

/** Display options; every field is optional. */
export interface IPayloadOptions {
  /** Colour map name, default `Reds`. */
  colormap?: ColormapName;
  /** Value drawn with the lowest colour (after normalisation is skipped). */
  vmin?: number;
  /** Value drawn with the highest colour. */
  vmax?: number;
  /** `none` (default): use vmin/vmax or the data range; `minmax`; `max` (divide by max |v|). */
  normalize?: NormalizeMode;
  /** One colour scale for every sample of a batch (default true). */
  shareScale?: boolean;
  /** Characters per table row before wrapping (default 50). */
  charsPerRow?: number;
  /** Decimal digits shown for values in titles, tooltips and exports (default 4). */
  precision?: number;
}

/** One named row of values over the tokens (a layer, a head, ...). */
export interface ISeries {
  name: string;
  values: Array<number | null>;
}

/**
 * One sample: a text (or tokens) and one or more rows of values over it.
 *
 * Exactly one of `text` / `tokens`, and exactly one of `attention` /
 * `series`, must be given; or neither `attention` nor `series` with a
 * `prediction`: a prediction-only sample (a model without attention run by
 * `predict`: its text, `mask` of what the model saw, and the prediction).
 */
export interface ISample {
  /** The text, split into Unicode code points (as Keras's char-level Tokenizer does). */
  text?: string;
  /** Explicit tokens (one table cell each). */
  tokens?: string[];
  /** One value per token (`null` = missing). */
  attention?: Array<number | null>;
  /** Several rows of values per sample. */
  series?: ISeries[];
  /** `false` = the model did not see this position (padding, truncation, out-of-vocabulary). */
  mask?: boolean[];
  /** Model output(s) for this sample. */
  prediction?: number | number[];
  /** Ground-truth or user label. */
  label?: string | number | boolean;
  /** Heading shown above the table. */
  title?: string;
  /**
   * How the values were obtained (e.g. `attention`, `occlusion (window 3)`,
   * `integrated gradients (32 steps)`), named in the table header.
   */
  method?: string;
  /** Free-form metadata (model name, layer used, ...), shown as text only. */
  meta?: { [key: string]: unknown };
}

/** A single sample given as the whole payload. */
export interface ISamplePayload extends ISample {
  version: 1;
  options?: IPayloadOptions;
}

/** Several samples with shared options. */
export interface IBatchPayload {
  version: 1;
  samples: ISample[];
  options?: IPayloadOptions;
  title?: string;
  meta?: { [key: string]: unknown };
}

/** Any valid payload v1. */
export type Payload = ISamplePayload | IBatchPayload;

/** One problem found by the validator. */
export interface IValidationProblem {
  /** JSON path of the offending value, e.g. `samples[2].attention[5]` (`` for the root). */
  path: string;
  /** Human-readable message that names the field and the problem. */
  message: string;
}
