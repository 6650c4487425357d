/** @jest-environment jsdom */
import * as fs from 'fs';
import * as path from 'path';
import { Widget } from '@lumino/widgets';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPE } from '../../src/payload/types';
import * as slices from '../../src/render/slices';
import { RenderedCharAttention } from '../../src/render/widget';

/** Drawing in slices: the same DOM as drawing at once, cancelled by newer data. */

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

function mimeModel(data: unknown): IRenderMime.IMimeModel {
  return {
    trusted: false,
    data: { [MIME_TYPE]: data } as any,
    metadata: {},
    setData: () => undefined
  };
}

/** A batch of `count` texts titled `<prefix> <i>`, with masked and missing values. */
function batch(count: number, prefix: string, length = 40) {
  return {
    version: 1,
    title: `${prefix} batch`,
    samples: Array.from({ length: count }, (_, i) => {
      const text = `${prefix} ${i}: <b>&"'</b> `.padEnd(
        length + (i % 7),
        'xy '
      );
      const chars = Array.from(text);
      return {
        title: `${prefix} ${i}`,
        text,
        attention: chars.map((_, k) =>
          k % 11 === 5 ? null : ((k * 7 + i) % 13) / 13
        ),
        mask: chars.map((_, k) => k % 9 !== 8),
        prediction: (i % 10) / 10
      };
    })
  };
}

const original = slices.runSliced;
/** Slices wait here until the test runs them (`flush`, `runSlices`). */
let queue: Array<() => void> = [];
let spy: jest.SpyInstance | null = null;

/** Draw with this budget per slice (0: one step per slice; Infinity: at once). */
function sliceWith(budgetMs: number): void {
  spy?.mockRestore();
  spy = jest.spyOn(slices, 'runSliced').mockImplementation((steps, options) =>
    original(steps, {
      ...options,
      budgetMs,
      schedule: next => {
        queue.push(next);
        return () => {
          const at = queue.indexOf(next);
          if (at >= 0) {
            queue.splice(at, 1);
          }
        };
      }
    })
  );
}

function runSlices(count: number): void {
  for (let i = 0; i < count && queue.length; i++) {
    queue.shift()!();
  }
}

function flush(): number {
  let slicesRun = 0;
  while (queue.length) {
    queue.shift()!();
    slicesRun++;
  }
  return slicesRun;
}

const widgets: RenderedCharAttention[] = [];

function createWidget(): RenderedCharAttention {
  const widget = new RenderedCharAttention({
    mimeType: MIME_TYPE
  } as IRenderMime.IRendererOptions);
  widgets.push(widget);
  Widget.attach(widget, document.body);
  return widget;
}

/** The widget's HTML after drawing `data` with `budgetMs` per slice. */
async function drawn(data: unknown, budgetMs: number) {
  sliceWith(budgetMs);
  const widget = createWidget();
  const first = widget.renderModel(mimeModel(data));
  const slicesRun = flush();
  await first;
  await widget.rendered;
  return { html: widget.node.innerHTML, slicesRun, widget };
}

const titles = (widget: Widget) =>
  Array.from(
    widget.node.querySelectorAll(
      '.jp-CharAttention-sample .jp-CharAttention-title'
    )
  ).map(node => node.textContent);

afterEach(() => {
  queue = [];
  spy?.mockRestore();
  spy = null;
  while (widgets.length) {
    const widget = widgets.pop()!;
    if (widget.isAttached) {
      Widget.detach(widget);
    }
    widget.dispose();
  }
});

describe('drawing in slices', () => {
  const large = {
    version: 1,
    text: 'a long text, '.repeat(400),
    attention: Array.from({ length: 5200 }, (_, i) => (i % 17) / 17)
  };
  const payloads: Array<[string, () => unknown]> = [
    ['examples/review-250.json', () => read('examples/review-250.json')],
    ['examples/batch.json', () => read('examples/batch.json')],
    ['examples/multi-series.json', () => read('examples/multi-series.json')],
    ['examples/explain.json', () => read('examples/explain.json')],
    [
      'examples/saliency-signed.json',
      () => read('examples/saliency-signed.json')
    ],
    ['XSS-looking tokens', () => read('test/table/fixtures/xss.json')],
    ['a batch of 60 with masks and gaps', () => batch(60, 'review')],
    ['a windowed sample of 5200 characters', () => large],
    ['a payload as a JSON string', () => JSON.stringify(batch(5, 'text'))],
    ['an invalid payload', () => ({ version: 1, text: 'ab', attention: [1] })],
    ['text that is not JSON', () => '{"version": 1, '],
    ['an empty batch', () => ({ version: 1, samples: [] })]
  ];

  it.each(payloads)(
    'gives the same DOM one step per slice as all at once: %s',
    async (_, make) => {
      const atOnce = await drawn(make(), Infinity);
      const sliced = await drawn(make(), 0);
      // Never in the caller's task: one slice after the next frame.
      expect(atOnce.slicesRun).toBe(1);
      expect(sliced.html).toBe(atOnce.html);
      expect(sliced.html.length).toBeGreaterThan(0);
    }
  );

  it('draws a batch in several slices and resolves renderModel after the first sample', async () => {
    sliceWith(0);
    const widget = createWidget();
    let shown = false;
    let complete = false;
    void widget.renderModel(mimeModel(batch(20, 'review'))).then(() => {
      shown = true;
    });
    void widget.rendered.then(() => (complete = true));
    expect(titles(widget)).toEqual([]);
    // Validation, then normalisation, then the first sample.
    runSlices(3);
    await Promise.resolve();
    expect(shown).toBe(true);
    expect(titles(widget)).toEqual(['review 0']);
    expect(widget.tableModel!.samples).toHaveLength(1);
    expect(complete).toBe(false);
    expect(flush()).toBe(19);
    await widget.rendered;
    expect(titles(widget)).toEqual(
      Array.from({ length: 20 }, (_, i) => `review ${i}`)
    );
    expect(widget.tableModel!.samples).toHaveLength(20);
  });

  it('keeps the old table until the new one replaces it, and never appends stale samples', async () => {
    sliceWith(0);
    const widget = createWidget();
    const old = widget.renderModel(mimeModel(batch(50, 'old')));
    runSlices(7);
    await old;
    expect(titles(widget)).toEqual([
      'old 0',
      'old 1',
      'old 2',
      'old 3',
      'old 4'
    ]);
    let settled = false;
    void widget.rendered.then(() => (settled = true));

    const next = widget.renderModel(mimeModel(batch(3, 'new')));
    // The superseded drawing's slices are no longer scheduled, only the first
    // of the new one; `rendered` waits for the new drawing.
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(queue).toHaveLength(1);
    runSlices(1);
    // Validation of the new payload ran: the old samples are still shown.
    expect(titles(widget)).toEqual([
      'old 0',
      'old 1',
      'old 2',
      'old 3',
      'old 4'
    ]);
    runSlices(2);
    await next;
    expect(titles(widget)).toEqual(['new 0']);
    flush();
    await widget.rendered;
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(settled).toBe(true);
    expect(titles(widget)).toEqual(['new 0', 'new 1', 'new 2']);
    expect(
      widget.node.querySelector('.jp-CharAttention-batchTitle')!.textContent
    ).toBe('new batch');
    expect(
      widget.node.querySelectorAll('.jp-CharAttention-status')
    ).toHaveLength(1);
    expect(widget.node.querySelectorAll('td[tabindex="0"]')).toHaveLength(1);
  });

  it('a newer payload before the first slice of an older one shows only the newer', async () => {
    sliceWith(0);
    const widget = createWidget();
    void widget.renderModel(mimeModel(batch(50, 'old')));
    void widget.renderModel(mimeModel(batch(2, 'new')));
    flush();
    await widget.rendered;
    expect(titles(widget)).toEqual(['new 0', 'new 1']);
  });

  it('an invalid payload replaces a table that is still being drawn', async () => {
    sliceWith(0);
    const widget = createWidget();
    void widget.renderModel(mimeModel(batch(50, 'old')));
    runSlices(4);
    const invalid = widget.renderModel(mimeModel({ version: 1, text: 'ab' }));
    flush();
    await invalid;
    await widget.rendered;
    expect(titles(widget)).toEqual([]);
    expect(widget.node.querySelector('.jp-CharAttention-error')).not.toBeNull();
    expect(widget.tableModel).toBeNull();
  });

  it('dispose stops the drawing: nothing is scheduled or appended afterwards', async () => {
    sliceWith(0);
    const widget = createWidget();
    void widget.renderModel(mimeModel(batch(50, 'review')));
    runSlices(4);
    const count = titles(widget).length;
    expect(count).toBeGreaterThan(0);
    expect(queue).toHaveLength(1);
    const node = widget.node;
    Widget.detach(widget);
    widget.dispose();
    expect(queue).toHaveLength(0);
    await widget.rendered;
    expect(node.querySelectorAll('.jp-CharAttention-sample')).toHaveLength(
      count
    );
  });

  it('slices by time: a batch takes more than one slice with the default budget', async () => {
    spy?.mockRestore();
    spy = null;
    const widget = createWidget();
    const payload = batch(120, 'review', 60);
    await widget.renderModel(mimeModel(payload));
    const first = titles(widget).length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(120);
    await widget.rendered;
    expect(titles(widget)).toHaveLength(120);
  });
});
