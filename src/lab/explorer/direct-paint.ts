/**
 * Cells painted straight onto the DataGrid's visible canvas, each clipped
 * to its cell. Lumino's DataGrid (2.5) paints every cell into an off-screen
 * buffer canvas as large as the grid and copies that cell onto the visible
 * canvas with `drawImage`; in a Chromium without a GPU path each copy first
 * snapshots the whole buffer (about 1.3 ms a cell, 130-390 ms a scroll
 * step). The clip gives the same pixels the copy gave (a cell's text cut
 * at the cell's edges) without the buffer.
 *
 * This replaces the private `_drawCells(rgn)` of one grid, and only when the
 * installed DataGrid has the shape this code was written against (checked
 * at construction, the paint region checked at each call); otherwise, and
 * for merged cells, the grid keeps Lumino's own painting.
 */
import {
  AsyncCellRenderer,
  CellRenderer,
  DataGrid,
  DataModel,
  GraphicsContext
} from '@lumino/datagrid';

/** The region Lumino's `_drawCells` paints (visible coordinates, CSS pixels). */
export interface IPaintRegion {
  region: DataModel.CellRegion;
  /** Bounds of the dirty area, inclusive. */
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  /** Top-left corner of the first cell. */
  x: number;
  y: number;
  /** The first cell's row and column, and the sizes from there on. */
  row: number;
  column: number;
  rowSizes: number[];
  columnSizes: number[];
}

/** The private DataGrid members used. */
export interface IGridPaintInternals {
  _drawCells(rgn: IPaintRegion): void;
  _canvasGC: CanvasRenderingContext2D;
}

/** Whether the grid is painted directly, or by Lumino (and why). */
export type CellPainting = 'direct' | `stock: ${string}`;

const REGIONS = ['body', 'row-header', 'column-header', 'corner-header'];
const CONTEXT_METHODS = ['save', 'restore', 'beginPath', 'rect', 'clip'];

/**
 * Why `grid` cannot be painted directly by this module, or null when the
 * installed DataGrid has the expected shape: a one-argument `_drawCells` on
 * its prototype (not overridden by the grid) and a 2D context `_canvasGC`
 * on the canvas shown in the grid's viewport.
 */
export function directPaintMismatch(grid: DataGrid): string | null {
  const stock = (DataGrid.prototype as unknown as Partial<IGridPaintInternals>)
    ._drawCells;
  if (typeof stock !== 'function' || stock.length !== 1) {
    return 'DataGrid.prototype._drawCells(rgn) is missing';
  }
  const internals = grid as unknown as Partial<IGridPaintInternals>;
  if (internals._drawCells !== stock) {
    return 'the grid paints its cells its own way';
  }
  const gc = internals._canvasGC as unknown as Record<string, unknown>;
  if (!gc || CONTEXT_METHODS.some(name => typeof gc[name] !== 'function')) {
    return 'the grid has no 2D context _canvasGC';
  }
  const canvas = gc.canvas as Node | undefined;
  if (!canvas || canvas.parentNode !== grid.viewport.node) {
    return "_canvasGC does not draw on the viewport's canvas";
  }
  return null;
}

/** Whether `rgn` has the fields this module reads, with sensible values. */
export function isPaintRegion(rgn: unknown): rgn is IPaintRegion {
  const r = rgn as Record<string, unknown> | null;
  const finite = (name: string) => Number.isFinite(r?.[name]);
  const sizes = (name: string) =>
    Array.isArray(r?.[name]) &&
    (r?.[name] as unknown[]).every(size => Number.isFinite(size));
  return (
    !!r &&
    REGIONS.includes(r.region as string) &&
    ['xMin', 'yMin', 'xMax', 'yMax', 'x', 'y', 'row', 'column'].every(finite) &&
    sizes('rowSizes') &&
    sizes('columnSizes')
  );
}

/**
 * Makes `grid` paint its cells straight onto its visible canvas when it
 * can (see `directPaintMismatch`); says which painting it uses, also as the
 * node's `data-cell-painting` attribute.
 */
export function installDirectPaint(grid: DataGrid): CellPainting {
  const mismatch = directPaintMismatch(grid);
  const painting: CellPainting = mismatch ? `stock: ${mismatch}` : 'direct';
  grid.node.dataset.cellPainting = mismatch ? 'stock' : 'direct';
  if (mismatch) {
    return painting;
  }
  const internals = grid as unknown as IGridPaintInternals;
  const stock = internals._drawCells;
  internals._drawCells = (rgn: IPaintRegion) => {
    const model = grid.dataModel;
    // Merged cells, or a region of another shape: Lumino's own painting.
    if (model && (!isPaintRegion(rgn) || model.groupCount(rgn.region) > 0)) {
      stock.call(grid, rgn);
      return;
    }
    if (model) {
      drawCells(grid, model, internals._canvasGC, rgn);
    }
  };
  return painting;
}

/** Paints the cells of `rgn` onto `canvasGC`, each clipped to its cell. */
function drawCells(
  grid: DataGrid,
  model: DataModel,
  canvasGC: CanvasRenderingContext2D,
  rgn: IPaintRegion
): void {
  canvasGC.save();
  const gc = new GraphicsContext(canvasGC);
  try {
    let x = rgn.x;
    rgn.columnSizes.forEach((width, i) => {
      let y = rgn.y;
      for (let j = 0; j < rgn.rowSizes.length && width > 0; j++) {
        const height = rgn.rowSizes[j];
        if (height > 0) {
          const cell = { x, y, width, height };
          drawCell(grid, model, gc, rgn, rgn.row + j, rgn.column + i, cell);
        }
        y += height;
      }
      x += width;
    });
  } finally {
    gc.dispose();
    canvasGC.restore();
  }
}

/** One cell: clipped to where it meets the dirty area, painted by its renderer. */
function drawCell(
  grid: DataGrid,
  model: DataModel,
  gc: GraphicsContext,
  rgn: IPaintRegion,
  row: number,
  column: number,
  cell: { x: number; y: number; width: number; height: number }
): void {
  const x1 = Math.max(rgn.xMin, cell.x);
  const x2 = Math.min(cell.x + cell.width - 1, rgn.xMax);
  const y1 = Math.max(rgn.yMin, cell.y);
  const y2 = Math.min(cell.y + cell.height - 1, rgn.yMax);
  if (x2 < x1 || y2 < y1) {
    return;
  }
  const region = rgn.region;
  const config: CellRenderer.CellConfig = {
    ...cell,
    region,
    row,
    column,
    value: attempt(() => model.data(region, row, column), null),
    metadata: attempt(
      () => model.metadata(region, row, column),
      DataModel.emptyMetadata
    )
  };
  const renderer = grid.cellRenderers.get(config);
  gc.save();
  gc.beginPath();
  gc.rect(x1, y1, x2 - x1 + 1, y2 - y1 + 1);
  gc.clip();
  attempt(() => {
    if (renderer instanceof AsyncCellRenderer && !renderer.isReady(config)) {
      renderer.paintPlaceholder(gc, config);
      void renderer.load(config).then(() => {
        const repaint = (grid as unknown as IRepaint).repaintRegion;
        repaint.call(grid, region, row, column, row + 1, column + 1);
      });
    } else {
      renderer.paint(gc, config);
    }
  }, undefined);
  gc.restore();
}

/** `repaintRegion` is protected in the DataGrid's typings. */
interface IRepaint {
  repaintRegion(
    region: DataModel.CellRegion,
    r1: number,
    c1: number,
    r2: number,
    c2: number
  ): void;
}

/** `action()`, or `fallback` after logging what it threw (as Lumino does for a cell). */
function attempt<T>(action: () => T, fallback: T): T {
  try {
    return action();
  } catch (error) {
    console.error(error);
    return fallback;
  }
}
