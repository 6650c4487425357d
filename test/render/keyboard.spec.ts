import { IGridShape, nextCell, PAGE_ROWS } from '../../src/render/keyboard';

/** 10 characters in rows of 4 (rows 0-3, 4-7, 8-9), one series. */
const TEXT: IGridShape = { count: 10, perRow: 4, seriesCount: 1 };
/** 6 characters in rows of 3 with two series per row group. */
const SERIES: IGridShape = { count: 6, perRow: 3, seriesCount: 2 };

const at = (pos: number, series = 0) => ({ series, pos });

describe('nextCell', () => {
  it('moves by one cell with the arrows and stops at the ends', () => {
    expect(nextCell('ArrowRight', false, at(0), TEXT)).toEqual(at(1));
    expect(nextCell('ArrowRight', false, at(9), TEXT)).toEqual(at(9));
    expect(nextCell('ArrowLeft', false, at(0), TEXT)).toEqual(at(0));
    expect(nextCell('ArrowLeft', false, at(4), TEXT)).toEqual(at(3));
  });

  it('moves a row down and up, to the last character of a short last row', () => {
    expect(nextCell('ArrowDown', false, at(1), TEXT)).toEqual(at(5));
    expect(nextCell('ArrowDown', false, at(7), TEXT)).toEqual(at(9));
    expect(nextCell('ArrowDown', false, at(9), TEXT)).toEqual(at(9));
    expect(nextCell('ArrowUp', false, at(5), TEXT)).toEqual(at(1));
    expect(nextCell('ArrowUp', false, at(2), TEXT)).toEqual(at(2));
  });

  it('goes through the series of a row group before the next group', () => {
    expect(nextCell('ArrowDown', false, at(1, 0), SERIES)).toEqual(at(1, 1));
    expect(nextCell('ArrowDown', false, at(1, 1), SERIES)).toEqual(at(4, 0));
    expect(nextCell('ArrowUp', false, at(4, 0), SERIES)).toEqual(at(1, 1));
    expect(nextCell('ArrowUp', false, at(1, 1), SERIES)).toEqual(at(1, 0));
    expect(nextCell('ArrowDown', false, at(4, 1), SERIES)).toEqual(at(4, 1));
  });

  it('Home / End go to the ends of the row, with Ctrl to the ends of the sample', () => {
    expect(nextCell('Home', false, at(6), TEXT)).toEqual(at(4));
    expect(nextCell('End', false, at(5), TEXT)).toEqual(at(7));
    expect(nextCell('End', false, at(8), TEXT)).toEqual(at(9));
    expect(nextCell('Home', true, at(4, 1), SERIES)).toEqual(at(0, 0));
    expect(nextCell('End', true, at(0, 0), SERIES)).toEqual(at(5, 1));
  });

  it('PageDown / PageUp jump ten rows, clamped', () => {
    const long: IGridShape = { count: 1000, perRow: 10, seriesCount: 1 };
    expect(nextCell('PageDown', false, at(3), long)).toEqual(
      at(3 + 10 * PAGE_ROWS)
    );
    expect(nextCell('PageDown', false, at(950), long)).toEqual(at(999));
    expect(nextCell('PageUp', false, at(50), long)).toEqual(at(0));
  });

  it('ignores other keys', () => {
    for (const key of ['a', 'Enter', 'Tab', ' ', 'Escape']) {
      expect(nextCell(key, false, at(3), TEXT)).toBeNull();
    }
  });
});
