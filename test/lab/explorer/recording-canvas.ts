/**
 * A 2D canvas context for jsdom (which has none) that records what is
 * drawn: each text with its font, colour, alignment and the clip rectangle
 * in force, each clip set, each `drawImage` with its source canvas.
 * Importing this module gives every canvas such a context: import it
 * before @lumino/datagrid, which makes a canvas when it loads.
 */

export interface IRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface IDrawnText {
  text: string;
  x: number;
  y: number;
  font: string;
  fillStyle: string;
  textAlign: string;
  clip: IRect | null;
}

export interface IDrawnImage {
  source: unknown;
  /** Source and destination rectangles (device pixels). */
  from: IRect;
  to: IRect;
}

/** Drawing state saved and restored with `save()` / `restore()`. */
interface IState {
  font: string;
  fillStyle: string;
  strokeStyle: string;
  textAlign: string;
  textBaseline: string;
  lineWidth: number;
  clip: IRect | null;
}

function intersect(a: IRect | null, b: IRect): IRect {
  if (!a) {
    return b;
  }
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - x),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - y)
  };
}

export class RecordingContext {
  constructor(readonly canvas: HTMLCanvasElement) {}

  readonly texts: IDrawnText[] = [];
  readonly images: IDrawnImage[] = [];
  readonly clips: IRect[] = [];

  font = '10px sans-serif';
  fillStyle = '#000000';
  strokeStyle = '#000000';
  textAlign = 'start';
  textBaseline = 'alphabetic';
  lineWidth = 1;
  // Read by Lumino's GraphicsContext when it wraps a context.
  globalAlpha = 1;
  globalCompositeOperation = 'source-over';
  imageSmoothingEnabled = true;
  lineCap = 'butt';
  lineDashOffset = 0;
  lineJoin = 'miter';
  miterLimit = 10;
  shadowBlur = 0;
  shadowColor = 'rgba(0, 0, 0, 0)';
  shadowOffsetX = 0;
  shadowOffsetY = 0;

  save(): void {
    this._stack.push({
      font: this.font,
      fillStyle: this.fillStyle,
      strokeStyle: this.strokeStyle,
      textAlign: this.textAlign,
      textBaseline: this.textBaseline,
      lineWidth: this.lineWidth,
      clip: this._clip
    });
  }

  restore(): void {
    const state = this._stack.pop();
    if (state) {
      const { clip, ...rest } = state;
      Object.assign(this, rest);
      this._clip = clip;
    }
  }

  beginPath(): void {
    this._path = [];
  }

  rect(x: number, y: number, width: number, height: number): void {
    this._path.push({ x, y, width, height });
  }

  clip(): void {
    // Only single-rectangle clips are drawn by the code under test.
    if (this._path.length !== 1) {
      throw new Error(`clip() of ${this._path.length} rectangles`);
    }
    this.clips.push(this._path[0]);
    this._clip = intersect(this._clip, this._path[0]);
  }

  fillText(text: string, x: number, y: number): void {
    this.texts.push({
      text,
      x,
      y,
      font: this.font,
      fillStyle: this.fillStyle,
      textAlign: this.textAlign,
      clip: this._clip
    });
  }

  measureText(text: string): { width: number } {
    return { width: 7 * text.length };
  }

  drawImage(source: unknown, ...args: number[]): void {
    const [sx, sy, sw, sh, dx, dy, dw, dh] = args;
    this.images.push({
      source,
      from: { x: sx, y: sy, width: sw, height: sh },
      to: { x: dx, y: dy, width: dw, height: dh }
    });
  }

  // Drawn but not recorded: backgrounds, grid lines, transforms.
  setTransform(): void {}
  clearRect(): void {}
  fillRect(): void {}
  strokeRect(): void {}
  moveTo(): void {}
  lineTo(): void {}
  closePath(): void {}
  stroke(): void {}
  fill(): void {}
  setLineDash(): void {}

  private _stack: IState[] = [];
  private _path: IRect[] = [];
  private _clip: IRect | null = null;
}

/** Makes every canvas return a `RecordingContext` (the same one on each call). */
function recordCanvases(): void {
  const proto = HTMLCanvasElement.prototype as unknown as {
    getContext: unknown;
  };
  const contexts = new WeakMap<HTMLCanvasElement, RecordingContext>();
  proto.getContext = function (this: HTMLCanvasElement, kind: string) {
    if (kind !== '2d') {
      return null;
    }
    let context = contexts.get(this);
    if (!context) {
      context = new RecordingContext(this);
      contexts.set(this, context);
    }
    return context;
  };
}

recordCanvases();
