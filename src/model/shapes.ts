/**
 * Shapes in messages, printed as Keras prints them: an unknown dimension is
 * `None`. Pure.
 */

/** One dimension: a number, or `None` when unknown. */
export function formatDim(d: number | null | undefined): string {
  return d === null || d === undefined || Number.isNaN(d) ? 'None' : String(d);
}

/** Dimensions joined for a message: `None, 41`. */
export function formatDims(
  shape: ReadonlyArray<number | null | undefined>
): string {
  return shape.map(formatDim).join(', ');
}
