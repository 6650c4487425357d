import { fitCharsPerRow, MIN_FITTED_CHARS } from '../../src/table/layout';

describe('fitCharsPerRow', () => {
  it('fits as many cells as the width allows after the row header', () => {
    // 1000 px, a 40 px row header, 20 px kept free, 19 px cells: 49 cells.
    expect(
      fitCharsPerRow({ available: 1000, headerWidth: 40, cellWidth: 19 })
    ).toBe(49);
    expect(
      fitCharsPerRow({
        available: 1000,
        headerWidth: 40,
        cellWidth: 19,
        reserve: 0
      })
    ).toBe(50);
  });

  it('never goes below a few characters, nor beyond the longest text', () => {
    expect(
      fitCharsPerRow({ available: 100, headerWidth: 40, cellWidth: 19 })
    ).toBe(MIN_FITTED_CHARS);
    expect(
      fitCharsPerRow({
        available: 2000,
        headerWidth: 40,
        cellWidth: 19,
        tokens: 30
      })
    ).toBe(30);
    expect(
      fitCharsPerRow({
        available: 100,
        headerWidth: 40,
        cellWidth: 19,
        tokens: 3
      })
    ).toBe(3);
  });

  it('gives null without a layout (nothing measured)', () => {
    expect(
      fitCharsPerRow({ available: 0, headerWidth: 0, cellWidth: 19 })
    ).toBeNull();
    expect(
      fitCharsPerRow({ available: 800, headerWidth: 40, cellWidth: 0 })
    ).toBeNull();
  });
});
