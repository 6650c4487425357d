/**
 * How many characters fit in a table row: the renderer measures, this
 * decides. Pure.
 */

/** Fewest characters per row when wrapping to a narrow width. */
export const MIN_FITTED_CHARS = 8;
/** Most characters per row (the settings' maximum). */
export const MAX_CHARS_PER_ROW = 1000;

export interface IFitInput {
  /** Width available to the table (px). */
  available: number;
  /** Width of the row header cell(s) (px). */
  headerWidth: number;
  /** Width of the widest character cell (px). */
  cellWidth: number;
  /** Characters of the longest sample: no point in wider rows. */
  tokens?: number;
  /** Room kept free (px): a vertical scrollbar, borders. */
  reserve?: number;
}

/**
 * Characters per row that fit in `available` px, between `MIN_FITTED_CHARS`
 * and `MAX_CHARS_PER_ROW`; null when nothing was measured (no layout).
 */
export function fitCharsPerRow(input: IFitInput): number | null {
  const { available, headerWidth, cellWidth } = input;
  if (!(available > 0) || !(cellWidth > 0) || !(headerWidth >= 0)) {
    return null;
  }
  const reserve = input.reserve ?? 20;
  const fit = Math.floor((available - headerWidth - reserve) / cellWidth);
  let result = Math.max(MIN_FITTED_CHARS, Math.min(MAX_CHARS_PER_ROW, fit));
  if (input.tokens !== undefined && input.tokens > 0) {
    result = Math.max(
      Math.min(result, input.tokens),
      Math.min(MIN_FITTED_CHARS, input.tokens)
    );
  }
  return result;
}
