/**
 * Browser entry of the render benchmark (bundled by bench/render.js with
 * esbuild): renders a payload with the real `RenderedCharAttention` and
 * reports the time to the first painted rows and the longest main-thread block.
 */
import { Widget } from '@lumino/widgets';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPE } from '../src/payload/types';
import { RenderedCharAttention } from '../src/render/widget';

interface IRenderTiming {
  firstRowsMs: number;
  syncMs: number;
  renderBlockMs: number;
  completeMs: number;
  wheelBlockMs: number;
  jumpBlockMs: number;
  longTasks: number;
  cellsInDom: number;
  firstCellVisible: boolean;
}

function nextPaint(): Promise<void> {
  return new Promise(resolve =>
    requestAnimationFrame(() => setTimeout(resolve, 0))
  );
}

async function renderPayload(payload: unknown): Promise<IRenderTiming> {
  // Heartbeat: the longest gap between timer ticks is the longest block.
  let longestBlockMs = 0;
  let last = performance.now();
  const heartbeat = setInterval(() => {
    const now = performance.now();
    longestBlockMs = Math.max(longestBlockMs, now - last);
    last = now;
  }, 5);
  let longTasks = 0;
  let start = Infinity;
  let observer: PerformanceObserver | null = null;
  try {
    observer = new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        if (entry.startTime < start) {
          continue;
        }
        longTasks++;
        longestBlockMs = Math.max(longestBlockMs, entry.duration);
      }
    });
    observer.observe({ entryTypes: ['longtask'] });
  } catch {
    observer = null;
  }
  await nextPaint();
  last = performance.now();
  start = performance.now();
  const widget = new RenderedCharAttention({
    mimeType: MIME_TYPE
  } as IRenderMime.IRendererOptions);
  Widget.attach(widget, document.getElementById('host')!);
  const model = {
    trusted: false,
    data: { [MIME_TYPE]: payload },
    metadata: {},
    setData: () => undefined
  } as unknown as IRenderMime.IMimeModel;
  const done = widget.renderModel(model);
  const syncMs = performance.now() - start;
  // Resolves when the first sample is in the DOM; then it is painted.
  await done;
  await nextPaint();
  const firstRowsMs = performance.now() - start;
  const firstCell = widget.node.querySelector('td.jp-CharAttention-cell');
  const rect = firstCell ? firstCell.getBoundingClientRect() : null;
  const firstCellVisible =
    !!rect && rect.width > 0 && rect.top < window.innerHeight;
  await widget.rendered;
  const completeMs = performance.now() - start;
  await new Promise(resolve => setTimeout(resolve, 50));
  const renderBlockMs = longestBlockMs;
  // Scroll a windowed table: wheel-like steps, then scrollbar jumps.
  const scroller = widget.node.querySelector(
    '.jp-CharAttention-scroll'
  ) as HTMLElement | null;
  let wheelBlockMs = 0;
  let jumpBlockMs = 0;
  if (scroller) {
    longestBlockMs = 0;
    for (let i = 1; i <= 40; i++) {
      scroller.scrollTop += 120;
      await nextPaint();
    }
    await new Promise(resolve => setTimeout(resolve, 50));
    wheelBlockMs = longestBlockMs;
    longestBlockMs = 0;
    for (let i = 1; i <= 10; i++) {
      scroller.scrollTop = (scroller.scrollHeight * i) / 10;
      await nextPaint();
    }
    await new Promise(resolve => setTimeout(resolve, 50));
    jumpBlockMs = longestBlockMs;
  }
  await new Promise(resolve => setTimeout(resolve, 100));
  clearInterval(heartbeat);
  observer?.disconnect();
  const timing: IRenderTiming = {
    firstRowsMs,
    syncMs,
    renderBlockMs,
    completeMs,
    wheelBlockMs,
    jumpBlockMs,
    longTasks,
    cellsInDom: widget.node.querySelectorAll('td.jp-CharAttention-cell').length,
    firstCellVisible
  };
  Widget.detach(widget);
  widget.dispose();
  return timing;
}

(window as any).renderPayload = renderPayload;
