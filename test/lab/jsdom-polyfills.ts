/**
 * Browser globals that Lumino reads at import time and jsdom lacks
 * (JupyterLab's own test setup defines the same).
 */
const globals = globalThis as any;
if (
  typeof globals.DragEvent === 'undefined' &&
  typeof globals.MouseEvent !== 'undefined'
) {
  globals.DragEvent = class DragEvent extends globals.MouseEvent {
    readonly dataTransfer = null;
  };
}
if (
  typeof globals.ClipboardEvent === 'undefined' &&
  typeof globals.Event !== 'undefined'
) {
  globals.ClipboardEvent = class ClipboardEvent extends globals.Event {
    readonly clipboardData = null;
  };
}
export {};
