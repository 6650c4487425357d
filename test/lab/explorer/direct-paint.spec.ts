/**
 * @jest-environment jsdom
 */
/**
 * The explorer grid's direct cell painting (jsdom, with a recording 2D
 * context). The oracle is Lumino's own painting of the same grid: direct
 * painting must draw the same texts with the same fonts, colours and
 * alignment, each cut to the rectangle Lumino copies from its off-screen
 * buffer, and copy nothing. The installed @lumino/datagrid must still have
 * the private shape this relies on (these tests fail if it does not), and
 * a grid of another shape keeps Lumino's painting.
 */
// First: the canvas contexts Lumino makes when it loads record too.
import './recording-canvas';
import { DataGrid, DataModel } from '@lumino/datagrid';
import { MessageLoop } from '@lumino/messaging';
import { evaluatedRow } from './evaluated-row';
import {
  directPaintMismatch,
  installDirectPaint,
  IPaintRegion,
  isPaintRegion
} from '../../../src/lab/explorer/direct-paint';
import { createResultsGrid } from '../../../src/lab/explorer/grid';
import { ResultsGridModel } from '../../../src/lab/explorer/grid-model';
import type { RecordingContext } from './recording-canvas';
import {
  COLUMNS,
  NO_FILTER,
  ResultsTable
} from '../../../src/lab/explorer/results';

/** Private DataGrid members the tests look at. */
interface IInternals {
  _drawCells(rgn: IPaintRegion): void;
  _canvasGC: RecordingContext;
  _bufferGC: RecordingContext;
  _buffer: HTMLCanvasElement;
  _canvas: HTMLCanvasElement;
  paintContent(rx: number, ry: number, rw: number, rh: number): void;
}

const internals = (grid: DataGrid) => grid as unknown as IInternals;

const LONG = 'a review far longer than its column is wide, '.repeat(6);

/** The explorer's grid over 40 rows (every fourth one wrong, some long). */
function explorerGrid(): DataGrid {
  const table = new ResultsTable();
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const label = i % 2;
    const wrong = i % 4 === 3;
    const p = (label === 1) !== wrong ? 0.9 : 0.2;
    rows.push(
      evaluatedRow(i, i % 3 === 0 ? `${i}: ${LONG}` : `text ${i}`, label, p)
    );
  }
  table.append(rows);
  const titles = Object.fromEntries(COLUMNS.map(c => [c, c])) as {
    [column in (typeof COLUMNS)[number]]: string;
  };
  const model = new ResultsGridModel(table, titles, i => ['neg', 'pos'][i]);
  model.setView(table.view(NO_FILTER), null);
  const grid = createResultsGrid(model, () => undefined, 'results');
  // The column widths (posted messages, handled on the next frame).
  MessageLoop.flush();
  return grid;
}

/** Paints a 900 x 500 area (header and about 20 rows) after scrolling by `dy`. */
function paint(grid: DataGrid, dy = 0): IInternals {
  const g = internals(grid);
  grid.scrollTo(0, dy);
  g.paintContent(0, 0, 900, 500);
  return g;
}

describe('the installed @lumino/datagrid', () => {
  it('has the private shape direct painting relies on', () => {
    const grid = new DataGrid();
    const proto = DataGrid.prototype as unknown as IInternals;
    expect(typeof proto._drawCells).toBe('function');
    expect(proto._drawCells.length).toBe(1);
    expect(internals(grid)._canvasGC.canvas).toBe(internals(grid)._canvas);
    expect(directPaintMismatch(grid)).toBeNull();
  });

  it('paints cells into its buffer and copies them over, with regions of the expected shape', () => {
    const grid = explorerGrid();
    // Lumino's own painting for this grid.
    delete (grid as unknown as Record<string, unknown>)._drawCells;
    const regions: unknown[] = [];
    const g = internals(grid);
    const stock = g._drawCells;
    g._drawCells = rgn => {
      regions.push(rgn);
      stock.call(grid, rgn);
    };
    paint(grid);
    expect(regions.map(r => (r as IPaintRegion).region).sort()).toEqual([
      'body',
      'column-header'
    ]);
    expect(regions.every(isPaintRegion)).toBe(true);
    expect(g._bufferGC.texts.length).toBeGreaterThan(100);
    expect(g._canvasGC.texts).toEqual([]);
    expect(g._canvasGC.images.length).toBeGreaterThan(100);
    expect(g._canvasGC.images.every(i => i.source === g._buffer)).toBe(true);
  });
});

describe('direct painting of the explorer grid', () => {
  it('draws what Lumino draws, cut to the rectangles Lumino copies, copying nothing', () => {
    for (const dy of [0, 22 * 7 + 5]) {
      const stock = explorerGrid();
      delete (stock as unknown as Record<string, unknown>)._drawCells;
      const direct = explorerGrid();
      expect(direct.node.dataset.cellPainting).toBe('direct');
      const s = paint(stock, dy);
      const d = paint(direct, dy);
      // Same texts at the same places in the same font, colour, alignment.
      const drawn = (c: RecordingContext) =>
        c.texts.map(({ clip, ...text }) => text);
      expect(drawn(d._canvasGC)).toEqual(drawn(s._bufferGC));
      expect(d._canvasGC.texts.length).toBeGreaterThan(100);
      // Each cell clipped to the rectangle Lumino copies for it (dpi 1).
      expect(d._canvasGC.clips).toEqual(s._canvasGC.images.map(i => i.to));
      for (const text of d._canvasGC.texts) {
        expect(text.clip).not.toBeNull();
      }
      // Nothing from the buffer.
      expect(d._canvasGC.images).toEqual([]);
      expect(d._bufferGC.texts).toEqual([]);
    }
  });

  it('draws wrong predictions in the error colour, right ones in the success colour', () => {
    const g = paint(explorerGrid());
    const marks = g._canvasGC.texts.filter(t => ['✓', '✗'].includes(t.text));
    expect(marks.length).toBeGreaterThan(10);
    for (const mark of marks) {
      // jsdom has no theme: the fallbacks of --jp-error-color1 / --jp-success-color1.
      expect(mark.fillStyle).toBe(mark.text === '✗' ? '#d32f2f' : '#388e3c');
    }
    const header = g._canvasGC.texts.find(t => t.text === 'text');
    expect(header?.font).toMatch(/^bold 12px/);
    expect(header?.textAlign).toBe('center');
  });

  it('cuts a long text at its cell', () => {
    const g = paint(explorerGrid());
    const long = g._canvasGC.texts.find(t => t.text.startsWith('3: a review'));
    const textColumn = COLUMNS.indexOf('text');
    expect(long?.clip).toEqual({
      x: 64 * textColumn,
      y: 26 + 3 * 22,
      width: 420,
      height: 22
    });
  });
});

describe('a grid of another shape keeps Lumino painting', () => {
  it('a grid that paints its cells its own way', () => {
    class OwnPainting extends DataGrid {}
    const grid = new OwnPainting();
    const own = () => undefined;
    (grid as unknown as Record<string, unknown>)._drawCells = own;
    expect(installDirectPaint(grid)).toBe(
      'stock: the grid paints its cells its own way'
    );
    expect(internals(grid)._drawCells).toBe(own);
    expect(grid.node.dataset.cellPainting).toBe('stock');
  });

  it('a grid without a 2D context on its visible canvas', () => {
    const grid = new DataGrid();
    (grid as unknown as Record<string, unknown>)._canvasGC = null;
    expect(installDirectPaint(grid)).toBe(
      'stock: the grid has no 2D context _canvasGC'
    );
    const other = new DataGrid();
    internals(other)._canvas.remove();
    expect(directPaintMismatch(other)).toBe(
      "_canvasGC does not draw on the viewport's canvas"
    );
  });

  it('a DataGrid without _drawCells(rgn)', () => {
    const proto = DataGrid.prototype as unknown as Record<string, unknown>;
    const saved = proto._drawCells;
    try {
      delete proto._drawCells;
      expect(directPaintMismatch(new DataGrid())).toBe(
        'DataGrid.prototype._drawCells(rgn) is missing'
      );
    } finally {
      proto._drawCells = saved;
    }
  });

  it('regions of another shape and merged cells go to Lumino', () => {
    // Lumino's painting stood in for by a recorder.
    const proto = DataGrid.prototype as unknown as IInternals;
    const original = proto._drawCells;
    const toLumino: unknown[] = [];
    proto._drawCells = function (rgn: IPaintRegion) {
      toLumino.push(rgn);
    };
    try {
      const grid = explorerGrid();
      expect(grid.node.dataset.cellPainting).toBe('direct');
      const g = internals(grid);
      const odd = { region: 'body', x: 0, y: 0 };
      expect(isPaintRegion(odd)).toBe(false);
      g._drawCells(odd as unknown as IPaintRegion);
      expect(toLumino).toEqual([odd]);
      const region: IPaintRegion = {
        region: 'body',
        xMin: 0,
        yMin: 26,
        xMax: 63,
        yMax: 47,
        x: 0,
        y: 26,
        row: 0,
        column: 0,
        rowSizes: [22],
        columnSizes: [64]
      };
      g._drawCells(region);
      expect(toLumino.length).toBe(1);
      expect(g._canvasGC.texts.map(t => t.text)).toEqual(['1']);
      // A model with merged cells.
      jest.spyOn(grid.dataModel as DataModel, 'groupCount').mockReturnValue(1);
      g._drawCells(region);
      expect(toLumino).toEqual([odd, region]);
      expect(g._canvasGC.texts.length).toBe(1);
    } finally {
      proto._drawCells = original;
    }
  });
});
