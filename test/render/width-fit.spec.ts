/** @jest-environment jsdom */
import {
  hasFixedWidth,
  measureRow,
  refit,
  WidthFitter
} from '../../src/render/width-fit';

/** A row of one header cell and `cells` cells with the given widths. */
function row(header: number, cells: number[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const widths = [header, ...cells];
  widths.forEach((width, i) => {
    const cell = document.createElement(i === 0 ? 'th' : 'td');
    cell.getBoundingClientRect = () => ({ width }) as DOMRect;
    tr.appendChild(cell);
  });
  return tr;
}

describe('width fitting', () => {
  it('measures the row header and the widest cell', () => {
    expect(measureRow(row(40, [18, 19, 17]))).toEqual({
      headerWidth: 40,
      cellWidth: 19
    });
  });

  it('refits only when another number of characters fits', () => {
    const measure = { headerWidth: 40, cellWidth: 19 };
    expect(refit(1000, measure, 500, 50)).toBe(49);
    expect(refit(1000, measure, 500, 49)).toBeNull();
    expect(refit(0, measure, 500, 50)).toBeNull();
    // Never wider than the longest text.
    expect(refit(1000, measure, 30, 50)).toBe(30);
  });

  it('knows when the payload or the user fixed the row width', () => {
    expect(hasFixedWidth({ options: { charsPerRow: 20 } }, undefined)).toBe(
      true
    );
    expect(hasFixedWidth({}, 30)).toBe(true);
    expect(hasFixedWidth({}, 0)).toBe(false);
    expect(hasFixedWidth({ options: { charsPerRow: 0 } }, undefined)).toBe(
      false
    );
    expect(hasFixedWidth(null, undefined)).toBe(false);
  });

  it('calls back once per frame and fits once per width', () => {
    const frames: Array<() => void> = [];
    const raf = jest
      .spyOn(window, 'requestAnimationFrame')
      .mockImplementation(callback => {
        frames.push(() => callback(0));
        return frames.length;
      });
    const node = document.createElement('div');
    let width = 1000;
    Object.defineProperty(node, 'clientWidth', { get: () => width });
    let calls = 0;
    const fitter = new WidthFitter(node, () => calls++);
    fitter.schedule();
    fitter.schedule();
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(calls).toBe(1);
    const tr = row(40, [19, 19]);
    expect(fitter.measure(tr, 500, 50)).toBe(49);
    expect(fitter.fit).toBe(49);
    // The same width again: a re-wrapped table does not re-wrap itself.
    expect(fitter.measure(tr, 500, 49)).toBeNull();
    width = 500;
    expect(fitter.measure(tr, 500, 49)).toBe(23);
    fitter.reset();
    expect(fitter.measure(tr, 500, 23)).toBeNull();
    fitter.dispose();
    fitter.schedule();
    expect(frames).toHaveLength(0);
    raf.mockRestore();
  });
});
