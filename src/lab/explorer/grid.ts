/**
 * The explorer's Lumino DataGrid (the grid of JupyterLab's CSV viewer):
 * colours from the theme's `--jp-*` variables (re-read on theme change),
 * whole-row selection with mouse and keyboard, a click on a column header
 * sorts by it, wrong predictions marked in the `correct` column.
 */
import {
  BasicKeyHandler,
  BasicMouseHandler,
  BasicSelectionModel,
  DataGrid,
  TextRenderer
} from '@lumino/datagrid';
import { Layout } from '@lumino/widgets';
import { installDirectPaint } from './direct-paint';
import type { ResultsGridModel } from './grid-model';
import { COLUMNS, ColumnKey } from './results';

/** Room for the vertical scroll bar and the border, in pixels. */
const SCROLLBAR_ROOM = 24;

/** Column widths in pixels. */
const WIDTHS: { [column in ColumnKey]: number } = {
  row: 64,
  text: 420,
  label: 80,
  prediction: 96,
  predicted: 90,
  correct: 70,
  loss: 80
};

/** Clicks on a column header sort by it; everything else as usual. */
class SortingMouseHandler extends BasicMouseHandler {
  constructor(private _onHeaderClick: (column: ColumnKey) => void) {
    super();
  }

  onMouseDown(grid: DataGrid, event: MouseEvent): void {
    const hit = grid.hitTest(event.clientX, event.clientY);
    // Not on the resize handle at the column's right edge.
    if (
      hit.region === 'column-header' &&
      hit.column >= 0 &&
      hit.x > 4 &&
      hit.x < hit.width - 6
    ) {
      this._onHeaderClick(COLUMNS[hit.column]);
      return;
    }
    super.onMouseDown(grid, event);
  }
}

/** A theme colour from its CSS variable, or the fallback. */
function themeColor(node: HTMLElement, name: string, fallback: string): string {
  const value = getComputedStyle(node).getPropertyValue(name).trim();
  return value || fallback;
}

/** Applies the current theme's colours and fonts to the grid. */
export function applyTheme(grid: DataGrid): void {
  const node = document.body;
  const color = (name: string, fallback: string) =>
    themeColor(node, name, fallback);
  const background = color('--jp-layout-color0', '#ffffff');
  const stripe = color('--jp-layout-color1', '#f7f7f7');
  grid.style = {
    ...DataGrid.defaultStyle,
    voidColor: background,
    backgroundColor: background,
    rowBackgroundColor: i => (i % 2 === 0 ? background : stripe),
    gridLineColor: color('--jp-border-color3', '#eeeeee'),
    headerBackgroundColor: color('--jp-layout-color2', '#eeeeee'),
    headerGridLineColor: color('--jp-border-color2', '#e0e0e0'),
    selectionFillColor: color('--jp-brand-color2', '#64b5f6') + '55',
    selectionBorderColor: color('--jp-brand-color1', '#1976d2'),
    cursorBorderColor: color('--jp-brand-color1', '#1976d2'),
    headerSelectionFillColor: color('--jp-layout-color3', '#bdbdbd') + '55'
  };
  const fontFamily = color('--jp-ui-font-family', 'system-ui, sans-serif');
  const textColor = color('--jp-ui-font-color1', '#212121');
  const errorColor = color('--jp-error-color1', '#d32f2f');
  const successColor = color('--jp-success-color1', '#388e3c');
  const body = new TextRenderer({
    font: `12px ${fontFamily}`,
    textColor: config => {
      if (COLUMNS[config.column] !== 'correct') {
        return textColor;
      }
      return config.value === '✗' ? errorColor : successColor;
    },
    horizontalAlignment: config =>
      COLUMNS[config.column] === 'text' ? 'left' : 'right'
  });
  const header = new TextRenderer({
    font: `bold 12px ${fontFamily}`,
    textColor,
    horizontalAlignment: 'center'
  });
  grid.cellRenderers.update({ body, 'column-header': header });
}

/** The grid over `model`, its selection model, keyboard and mouse handling. */
export function createResultsGrid(
  model: ResultsGridModel,
  onHeaderClick: (column: ColumnKey) => void,
  label: string
): DataGrid {
  const grid = new DataGrid({
    defaultSizes: {
      rowHeight: 22,
      columnWidth: 90,
      rowHeaderWidth: 0,
      columnHeaderHeight: 26
    },
    headerVisibility: 'column',
    stretchLastColumn: false
  });
  grid.addClass('jp-CharAttention-explorerGrid');
  // Each cell drawn onto the visible canvas rather than copied from an
  // off-screen one (when this DataGrid allows it): scrolling stays smooth
  // in a browser that draws canvases without a GPU.
  installDirectPaint(grid);
  grid.dataModel = model;
  grid.selectionModel = new BasicSelectionModel({
    dataModel: model,
    selectionMode: 'row'
  });
  grid.keyHandler = new BasicKeyHandler();
  grid.mouseHandler = new SortingMouseHandler(onHeaderClick);
  COLUMNS.forEach((column, index) =>
    grid.resizeColumn('body', index, WIDTHS[column])
  );
  // No wider than its columns (and scroll bar): no empty canvas to the
  // right, and the canvas (redrawn on each scroll) stays small.
  const width = COLUMNS.reduce((sum, column) => sum + WIDTHS[column], 0);
  grid.node.style.maxWidth = `${width + SCROLLBAR_ROOM}px`;
  Layout.setHorizontalAlignment(grid, 'left');
  // Keyboard users reach the grid with Tab: its viewport (where the grid
  // listens for keys) takes focus and selects the first row, so that the
  // arrow keys (with Shift to extend) have a cursor to move.
  const viewport = grid.viewport.node;
  viewport.classList.add('jp-CharAttention-explorerGridViewport');
  viewport.tabIndex = 0;
  viewport.setAttribute('role', 'grid');
  viewport.setAttribute('aria-label', label);
  viewport.addEventListener('focus', () => {
    // Keyboard focus only: a click selects (or sorts) by itself.
    if (!Private.keyboardFocus(viewport)) {
      return;
    }
    const selection = grid.selectionModel;
    if (selection?.isEmpty && model.rowCount('body') > 0) {
      selection.select({
        r1: 0,
        c1: 0,
        r2: 0,
        c2: 0,
        cursorRow: 0,
        cursorColumn: 0,
        clear: 'all'
      });
    }
  });
  applyTheme(grid);
  return grid;
}

/** Table rows of the grid's selected rows (grid order, distinct). */
export function selectedGridRows(grid: DataGrid): number[] {
  const selection = grid.selectionModel;
  if (!selection) {
    return [];
  }
  const rows = new Set<number>();
  for (const range of selection.selections()) {
    const lo = Math.min(range.r1, range.r2);
    const hi = Math.max(range.r1, range.r2);
    for (let r = Math.max(0, lo); r <= hi; r++) {
      rows.add(r);
      if (rows.size > 10000) {
        break;
      }
    }
  }
  return Array.from(rows).sort((a, b) => a - b);
}

namespace Private {
  /** Whether `node` has focus from the keyboard (`:focus-visible`). */
  export function keyboardFocus(node: HTMLElement): boolean {
    try {
      return node.matches(':focus-visible');
    } catch {
      // An engine without :focus-visible: treat every focus as the keyboard's.
      return true;
    }
  }
}
