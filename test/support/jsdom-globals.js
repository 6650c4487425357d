/**
 * Browser globals that Lumino and JupyterLab read at import time and jsdom
 * lacks (JupyterLab's own test setup defines the same). Node-environment
 * tests are left untouched.
 */
const globals = globalThis;
if (typeof globals.window !== 'undefined') {
  if (typeof globals.DragEvent === 'undefined') {
    globals.DragEvent = class DragEvent extends globals.MouseEvent {
      constructor(type, init) {
        super(type, init);
        this.dataTransfer = null;
      }
    };
  }
  if (typeof globals.ClipboardEvent === 'undefined') {
    globals.ClipboardEvent = class ClipboardEvent extends globals.Event {
      constructor(type, init) {
        super(type, init);
        this.clipboardData = null;
      }
    };
  }
  if (typeof globals.window.matchMedia !== 'function') {
    globals.window.matchMedia = query => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false
    });
  }
}
