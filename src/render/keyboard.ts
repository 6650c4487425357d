/**
 * Keyboard navigation between cells, as pure logic: where a key moves the
 * focus in a sample's grid of cells (rows of `perRow` characters, one row per
 * series in each row group). The DOM side is `roving-focus.ts`.
 */

/** A cell of a sample: its series (row in a group) and character position. */
export interface ICellPosition {
  series: number;
  pos: number;
}

/** The shape of a sample's grid. */
export interface IGridShape {
  /** Characters in the sample. */
  count: number;
  /** Characters per row. */
  perRow: number;
  /** Value rows per row group (1 without named series). */
  seriesCount: number;
}

/** Rows jumped by PageUp / PageDown. */
export const PAGE_ROWS = 10;

/**
 * The cell a key moves to, or null when the key is not a navigation key.
 * Arrows move by one cell (down and up go through the series of a row group
 * before the next group), Home / End to the ends of the row (with Ctrl: of
 * the sample), PageUp / PageDown by `PAGE_ROWS` rows. Never leaves the grid.
 */
export function nextCell(
  key: string,
  ctrlKey: boolean,
  at: ICellPosition,
  shape: IGridShape
): ICellPosition | null {
  const { count, perRow, seriesCount } = shape;
  let { series, pos } = at;
  const rowStart = pos - (pos % perRow);
  switch (key) {
    case 'ArrowRight':
      pos = Math.min(count - 1, pos + 1);
      break;
    case 'ArrowLeft':
      pos = Math.max(0, pos - 1);
      break;
    case 'ArrowDown':
      if (series < seriesCount - 1) {
        series++;
      } else if (rowStart + perRow < count) {
        series = 0;
        pos = Math.min(count - 1, pos + perRow);
      }
      break;
    case 'ArrowUp':
      if (series > 0) {
        series--;
      } else if (pos - perRow >= 0) {
        series = seriesCount - 1;
        pos -= perRow;
      }
      break;
    case 'Home':
      pos = ctrlKey ? 0 : rowStart;
      series = ctrlKey ? 0 : series;
      break;
    case 'End':
      pos = ctrlKey ? count - 1 : Math.min(count - 1, rowStart + perRow - 1);
      series = ctrlKey ? seriesCount - 1 : series;
      break;
    case 'PageDown':
      pos = Math.min(count - 1, pos + perRow * PAGE_ROWS);
      break;
    case 'PageUp':
      pos = Math.max(0, pos - perRow * PAGE_ROWS);
      break;
    default:
      return null;
  }
  return { series, pos };
}
