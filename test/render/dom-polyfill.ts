/** jsdom lacks DragEvent, which @lumino/widgets references at import time. */
if (typeof (globalThis as any).DragEvent === 'undefined') {
  (globalThis as any).DragEvent = class DragEvent extends MouseEvent {};
}
export {};
