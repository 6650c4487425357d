/** @jest-environment jsdom */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { Widget } from '@lumino/widgets';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPE } from '../../src/payload/types';
import { charAttentionSettings } from '../../src/render/settings';
import {
  RenderedCharAttention,
  VIRTUAL_THRESHOLD_CELLS
} from '../../src/render/widget';
import { glyphFor } from '../../src/table/model';
import extension, { rendererFactory } from '../../src/mime';

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

const widgets: RenderedCharAttention[] = [];

async function render(data: unknown): Promise<RenderedCharAttention> {
  const widget = new RenderedCharAttention({
    mimeType: MIME_TYPE
  } as IRenderMime.IRendererOptions);
  widgets.push(widget);
  Widget.attach(widget, document.body);
  await widget.renderModel(mimeModel(data));
  await widget.rendered;
  return widget;
}

const cells = (widget: Widget) =>
  Array.from(
    widget.node.querySelectorAll<HTMLElement>('td.jp-CharAttention-cell')
  );

function key(target: HTMLElement, name: string, init: KeyboardEventInit = {}) {
  target.dispatchEvent(
    new KeyboardEvent('keydown', { key: name, bubbles: true, ...init })
  );
}

afterEach(() => {
  while (widgets.length) {
    const widget = widgets.pop()!;
    if (widget.isAttached) {
      Widget.detach(widget);
    }
    widget.dispose();
  }
  charAttentionSettings.update({});
});

describe('mime extension', () => {
  it('registers a safe renderer ranked below 50 for the payload MIME type', () => {
    expect(extension.id).toBe('jupyterlab-char-attention:mime');
    expect(extension.dataType).toBe('json');
    expect(rendererFactory.safe).toBe(true);
    expect(rendererFactory.mimeTypes).toEqual([MIME_TYPE]);
    expect(rendererFactory.defaultRank).toBeLessThan(50);
  });
});

describe('RenderedCharAttention', () => {
  it('draws the 250-character example: cells, wrapping, masks, legend, header', async () => {
    const payload = read('examples/review-250.json');
    const widget = await render(payload);
    expect(widget.hasClass('jp-RenderedCharAttention')).toBe(true);
    const all = cells(widget);
    expect(all).toHaveLength(250);
    const table = widget.node.querySelector('table.jp-CharAttention-table')!;
    expect(table.querySelectorAll('thead th')).toHaveLength(51);
    expect(
      Array.from(table.querySelectorAll('tbody th')).map(th => th.textContent)
    ).toEqual(['0', '50', '100', '150', '200']);
    expect(
      table.querySelectorAll('tbody tr')[1].querySelectorAll('td')
    ).toHaveLength(50);
    const masked = widget.node.querySelectorAll('td.jp-CharAttention-masked');
    expect(masked).toHaveLength(payload.mask.filter((m: boolean) => !m).length);
    expect((masked[0] as HTMLElement).style.backgroundColor).toBe('');
    const header = widget.node.querySelector('.jp-CharAttention-header')!;
    expect(header.textContent).toContain(payload.title);
    expect(
      header.querySelector('.jp-CharAttention-prediction')!.textContent
    ).toBe('prediction 0.0731');
    expect(header.querySelector('.jp-CharAttention-label')!.textContent).toBe(
      'label negative'
    );
    const legend = widget.node.querySelector('.jp-CharAttention-legend')!;
    expect(
      legend.querySelector('.jp-CharAttention-legendMin')!.textContent
    ).toBe('0');
    expect(
      Number(legend.querySelector('.jp-CharAttention-legendMax')!.textContent)
    ).toBeCloseTo(Math.max(...payload.attention), 4);
    // Exact values, positions and code points on every unmasked cell.
    const first = all[payload.mask.indexOf(true)];
    const pos = Number(first.getAttribute('data-pos'));
    expect(first.getAttribute('data-value')).toBe(
      String(payload.attention[pos])
    );
    expect(first.getAttribute('aria-label')).toContain(`position ${pos}`);
    expect(first.title).toContain('U+004F');
    expect(first.style.backgroundColor).not.toBe('');
    // Whitespace glyphs are dimmed spans.
    const spaces = widget.node.querySelectorAll('span.jp-CharAttention-ws');
    expect(spaces.length).toBe(
      payload.tokens.filter((t: string) => t === ' ').length
    );
    expect(spaces[0].textContent).toBe('␣');
  });

  it('renders missing values and series rows', async () => {
    const widget = await render({
      version: 1,
      text: 'abc',
      series: [
        { name: 'L1', values: [1, null, 0.5] },
        { name: 'L2', values: [0, 1, 1] }
      ]
    });
    expect(cells(widget)).toHaveLength(6);
    expect(
      widget.node.querySelectorAll('td.jp-CharAttention-missing')
    ).toHaveLength(1);
    expect(
      widget.node
        .querySelector('td.jp-CharAttention-missing')!
        .hasAttribute('data-value')
    ).toBe(false);
    expect(
      Array.from(
        widget.node.querySelectorAll('th.jp-CharAttention-seriesHeader')
      ).map(th => th.textContent)
    ).toEqual(['L1', 'L2']);
  });

  it('shows an error box with one item per problem and no table', async () => {
    const widget = await render({
      version: 1,
      samples: [
        { tokens: ['a', 'b'], attention: [1, 2] },
        { tokens: ['a'], attention: [NaN] },
        {
          tokens: Array.from('abcdefghijklm'),
          attention: new Array(12).fill(0.1)
        }
      ]
    });
    const box = widget.node.querySelector('.jp-CharAttention-error')!;
    expect(box).not.toBeNull();
    expect(
      Array.from(box.querySelectorAll('li')).map(li => li.textContent)
    ).toEqual([
      'samples[1].attention[0] is NaN; use null for a missing value',
      'samples[2].attention has 12 values, tokens has 13'
    ]);
    expect(widget.node.querySelector('table')).toBeNull();
  });

  it.each([
    ['a future version', { version: 2 }, 'newer than this renderer'],
    ['JSON text that does not parse', '{"version": 1,', 'not valid JSON'],
    ['null', null, 'must be a JSON object']
  ])('shows an error box for %s', async (_, data, message) => {
    const widget = await render(data);
    expect(
      widget.node.querySelector('.jp-CharAttention-error li')!.textContent
    ).toContain(message);
  });

  it('shows XSS-looking tokens and strings literally', async () => {
    const payload = read('test/table/fixtures/xss.json');
    const widget = await render(payload);
    expect(widget.node.querySelector('script, img')).toBeNull();
    expect(cells(widget).map(td => td.textContent)).toEqual(
      payload.tokens.map((t: string) => glyphFor(t).glyph)
    );
    for (const element of Array.from(widget.node.querySelectorAll('*'))) {
      for (const attribute of Array.from(element.attributes)) {
        expect(attribute.name.startsWith('on')).toBe(false);
      }
    }
    expect(
      widget.node.querySelector('.jp-CharAttention-title')!.textContent
    ).toBe(payload.title);
    expect(widget.node.querySelectorAll('table')).toHaveLength(1);
  });

  it('moves a roving focus with the keyboard and reports the cell in the status line', async () => {
    const widget = await render({
      version: 1,
      text: 'abcdefghij',
      attention: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      options: { charsPerRow: 4 }
    });
    const focusable = () => widget.node.querySelectorAll('td[tabindex="0"]');
    expect(focusable()).toHaveLength(1);
    const start = focusable()[0] as HTMLElement;
    expect(start.getAttribute('data-pos')).toBe('0');
    start.focus();
    const status = widget.node.querySelector('.jp-CharAttention-status')!;
    expect(status.textContent).toBe("'a' U+0061 · position 0 · value 0.1");
    key(start, 'ArrowRight');
    expect(document.activeElement!.getAttribute('data-pos')).toBe('1');
    key(document.activeElement as HTMLElement, 'ArrowDown');
    expect(document.activeElement!.getAttribute('data-pos')).toBe('5');
    expect(status.textContent).toContain('position 5');
    key(document.activeElement as HTMLElement, 'End');
    expect(document.activeElement!.getAttribute('data-pos')).toBe('7');
    key(document.activeElement as HTMLElement, 'Home');
    expect(document.activeElement!.getAttribute('data-pos')).toBe('4');
    key(document.activeElement as HTMLElement, 'End', { ctrlKey: true });
    expect(document.activeElement!.getAttribute('data-pos')).toBe('9');
    key(document.activeElement as HTMLElement, 'ArrowUp');
    expect(document.activeElement!.getAttribute('data-pos')).toBe('5');
    expect(focusable()).toHaveLength(1);
    expect(focusable()[0]).toBe(document.activeElement);
  });

  it('writes hovered cells into the status line', async () => {
    const widget = await render({
      version: 1,
      text: 'hi',
      attention: [0.25, 0.75]
    });
    const cell = cells(widget)[1];
    cell.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(
      widget.node.querySelector('.jp-CharAttention-status')!.textContent
    ).toBe("'i' U+0069 · position 1 · value 0.75");
  });

  it('re-renders when settings change; payload options still win', async () => {
    const widget = await render({
      version: 1,
      text: 'x'.repeat(30),
      attention: new Array(30).fill(0.5),
      options: { colormap: 'Blues' }
    });
    expect(widget.node.querySelectorAll('tbody th')).toHaveLength(1);
    charAttentionSettings.update({
      charsPerRow: 10,
      colormap: 'Reds',
      showWhitespace: false
    });
    await widget.rendered;
    expect(widget.node.querySelectorAll('tbody th')).toHaveLength(3);
    expect(
      widget.node.querySelector('.jp-CharAttention-legendName')!.textContent
    ).toBe('Blues');
  });

  it('windows large samples: only rows in view are in the DOM, focus follows the keyboard', async () => {
    const n = 100000;
    const widget = await render({
      version: 1,
      text: 'abcdefghij'.repeat(n / 10),
      attention: Array.from({ length: n }, (_, i) => (i % 97) / 97)
    });
    expect(n).toBeGreaterThan(VIRTUAL_THRESHOLD_CELLS);
    const rendered = cells(widget);
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(5000);
    expect(
      widget.node.querySelector('.jp-CharAttention-scroll.jp-mod-virtual')
    ).not.toBeNull();
    expect(
      widget.node
        .querySelector('table.jp-CharAttention-table')!
        .getAttribute('aria-rowcount')
    ).toBe(String(n / 50 + 1));
    rendered[0].focus();
    key(rendered[0], 'End', { ctrlKey: true });
    expect(document.activeElement!.getAttribute('data-pos')).toBe(
      String(n - 1)
    );
    expect(widget.node.querySelectorAll('td[tabindex="0"]')).toHaveLength(1);
  });

  it('renders batches sample by sample', async () => {
    const widget = await render(read('examples/batch.json'));
    expect(
      widget.node.querySelectorAll('.jp-CharAttention-sample')
    ).toHaveLength(3);
    expect(
      widget.node.querySelector('.jp-CharAttention-batchTitle')!.textContent
    ).toBe('Three reviews (char-level GRU attention)');
  });

  it('property: random and malformed payloads never throw and give a table or an error box', async () => {
    const valueArb = fc.oneof(
      fc.double(),
      fc.constant(null),
      fc.string({ maxLength: 3 }),
      fc.boolean()
    );
    const payloadArb = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record(
        {
          version: fc.oneof(fc.constant(1), fc.anything({ maxDepth: 1 })),
          tokens: fc.array(fc.string({ unit: 'binary', maxLength: 3 }), {
            maxLength: 30
          }),
          text: fc.string({ unit: 'binary', maxLength: 30 }),
          attention: fc.array(valueArb, { maxLength: 30 }),
          mask: fc.array(fc.boolean(), { maxLength: 30 }),
          options: fc.record(
            {
              colormap: fc.constantFrom('Reds', 'RdBu', 'viridis', 'nope'),
              charsPerRow: fc.integer({ min: -2, max: 60 })
            },
            { requiredKeys: [] }
          )
        },
        { requiredKeys: [] }
      )
    );
    await fc.assert(
      fc.asyncProperty(payloadArb, async payload => {
        const widget = await render(payload);
        const table = widget.node.querySelector('table.jp-CharAttention-table');
        const error = widget.node.querySelector('.jp-CharAttention-error');
        expect(Boolean(table) !== Boolean(error)).toBe(true);
        widgets.pop();
        Widget.detach(widget);
        widget.dispose();
      }),
      { numRuns: 150 }
    );
  });

  it('translates its user strings with the rendermime translator', async () => {
    const seen: string[] = [];
    const translator = {
      languageCode: 'xx',
      load: (domain: string) => {
        seen.push(domain);
        const bundle = {
          __: (text: string, ...args: unknown[]) =>
            '«' + text.replace(/%(\d)/g, (_, i) => String(args[i - 1])) + '»',
          _n: (one: string, many: string, n: number) =>
            '«' + (n === 1 ? one : many).replace('%1', String(n)) + '»'
        };
        return bundle as any;
      }
    };
    const widget = new RenderedCharAttention({
      mimeType: MIME_TYPE,
      translator
    } as unknown as IRenderMime.IRendererOptions);
    widgets.push(widget);
    Widget.attach(widget, document.body);
    await widget.renderModel(
      mimeModel({
        version: 1,
        text: 'hi',
        attention: [0.25, 0.75],
        prediction: 0.5
      })
    );
    await widget.rendered;
    expect(seen).toEqual(['jupyterlab_char_attention']);
    expect(cells(widget)[0].title).toBe(
      "'h', U+0068, «position 0», «value 0.25»"
    );
    expect(
      widget.node.querySelector('.jp-CharAttention-summary')!.textContent
    ).toBe('«%1 characters»'.replace('%1', '2'));
    const hint = widget.node.querySelector('.jp-CharAttention-hint')!;
    expect(hint.textContent).toMatch(/^«Hover or focus a character/);
    expect(
      widget.node.querySelector('.jp-CharAttention-prediction')!.textContent
    ).toBe('«prediction» 0.5');
    cells(widget)[1].dispatchEvent(
      new MouseEvent('mouseover', { bubbles: true })
    );
    expect(
      widget.node.querySelector('.jp-CharAttention-status')!.textContent
    ).toBe("'i' U+0069 · «position 1» · «value 0.75»");
    await widget.renderModel(mimeModel({ version: 2 }));
    expect(
      widget.node.querySelector('.jp-CharAttention-errorTitle')!.textContent
    ).toMatch(/^«Invalid char-attention payload \(\d+ problems?\)»$/);
  });

  it('names the method in the header, with its facts and the full meta as a tooltip', async () => {
    const widget = await render({
      version: 1,
      samples: [{ text: 'ab', attention: [0.1, 0.2] }],
      meta: { method: 'occlusion', window: 2, passes: 3 }
    });
    const header = widget.node.querySelector('.jp-CharAttention-header')!;
    expect(
      widget.node.querySelector('.jp-CharAttention-method')!.textContent
    ).toBe('occlusion');
    expect(
      Array.from(header.querySelectorAll('.jp-CharAttention-fact')).map(
        fact => [fact.getAttribute('data-key'), fact.textContent]
      )
    ).toEqual([['window', 'window 2']]);
    expect(header.getAttribute('title')).toBe(
      'method: occlusion\nwindow: 2\npasses: 3'
    );
    expect(widget.node.querySelector('table')!.getAttribute('aria-label')).toBe(
      'occlusion per character: Sample 1'
    );
    expect(
      widget.node.querySelector('.jp-CharAttention-summary')!.textContent
    ).toBe('2 characters');
    expect(cells(widget)[0].title).toBe("'a', U+0061, position 0, value 0.1");
    const masked = await render({
      version: 1,
      text: 'abc',
      attention: [null, 0.5, 0.5],
      mask: [false, true, true]
    });
    expect(
      masked.node.querySelector('.jp-CharAttention-summary')!.textContent
    ).toBe('3 characters, 1 masked');
    expect(cells(masked)[0].title).toBe(
      "'a', U+0061, position 0, no value, masked"
    );
  });

  it('isolates header fields in <bdi> and shows bidirectional controls as markers', async () => {
    const rlo = '\u202e';
    const widget = await render({
      version: 1,
      title: `${rlo}batch`,
      samples: [
        {
          text: 'ab',
          attention: [0.1, 0.2],
          title: `${rlo}evitagen`,
          label: `${rlo}evitagen`,
          meta: { notice: `${rlo}cut`, target: `\u2066t\u2069`, x: `${rlo}y` }
        }
      ]
    });
    const header = widget.node.querySelector('.jp-CharAttention-header')!;
    expect(
      Array.from(header.querySelectorAll('bdi')).map(bdi => bdi.textContent)
    ).toEqual([
      '<U+202E>evitagen',
      'attention',
      '<U+202E>evitagen',
      '<U+2066>t<U+2069>',
      '2 characters'
    ]);
    expect(
      widget.node.querySelector('.jp-CharAttention-batchTitle bdi')!.textContent
    ).toBe('<U+202E>batch');
    expect(
      widget.node.querySelector('.jp-CharAttention-note bdi')!.textContent
    ).toBe('<U+202E>cut');
    expect(header.getAttribute('title')).toContain('x: <U+202E>y');
    expect(widget.node.innerHTML).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('states the colour convention of signed values in the legend', async () => {
    const widget = await render({
      version: 1,
      text: 'ab',
      attention: [0.988, -0.5]
    });
    const meaning = widget.node.querySelector(
      '.jp-CharAttention-legendMeaning'
    ) as HTMLElement;
    expect(meaning.textContent).toBe('− lowers · raises +');
    expect(meaning.title).toBe(
      'Signed values: blue (−) lowers the explained output, red (+) raises it, white is 0.'
    );
    const [raises, lowers] = cells(widget).map(td => td.style.backgroundColor);
    expect(raises).toBe('rgb(103, 0, 31)');
    expect(lowers).toMatch(/^rgb\((\d+), (\d+), (\d+)\)$/);
    const [r, , b] = lowers.match(/\d+/g)!.map(Number);
    expect(b).toBeGreaterThan(r);
    const unsigned = await render({ version: 1, text: 'a', attention: [1] });
    expect(
      unsigned.node.querySelector('.jp-CharAttention-legendMeaning')
    ).toBeNull();
  });

  it('shows a sample without values as plain text with its prediction and a note', async () => {
    const widget = await render({
      version: 1,
      samples: [
        { text: 'ab', attention: [null, null], prediction: 0.9878 },
        { text: 'cd', attention: [0.1, 0.2] }
      ]
    });
    const [plain, coloured] = Array.from(
      widget.node.querySelectorAll('.jp-CharAttention-sample')
    );
    expect(plain.querySelector('.jp-CharAttention-error')).toBeNull();
    expect(plain.querySelector('.jp-CharAttention-legend')).toBeNull();
    expect(
      plain.querySelector('.jp-CharAttention-prediction')!.textContent
    ).toBe('prediction 0.988');
    expect(plain.querySelector('.jp-CharAttention-note')!.textContent).toBe(
      'No per-character values: only the prediction is shown.'
    );
    const plainCells = Array.from(plain.querySelectorAll('td'));
    expect(plainCells.map(td => td.textContent)).toEqual(['a', 'b']);
    for (const td of plainCells) {
      expect(td.classList.contains('jp-CharAttention-plain')).toBe(true);
      expect(td.classList.contains('jp-CharAttention-missing')).toBe(false);
      expect(td.style.backgroundColor).toBe('');
    }
    expect(coloured.querySelector('.jp-CharAttention-legend')).not.toBeNull();
  });
});
