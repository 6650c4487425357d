/** @jest-environment jsdom */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import {
  bucketClassName,
  exportPayloadHtml,
  renderProblemsHtml
} from '../../src/table/html';
import { glyphFor } from '../../src/table/model';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

function parse(html: string): Document {
  return new DOMParser().parseFromString(html, 'text/html');
}

/** No script, no event handler, no external resource. */
function expectInert(doc: Document): void {
  expect(
    doc.querySelectorAll('script, iframe, object, embed, link, img').length
  ).toBe(0);
  for (const element of Array.from(doc.querySelectorAll('*'))) {
    for (const attribute of Array.from(element.attributes)) {
      expect(attribute.name.startsWith('on')).toBe(false);
      expect(attribute.value).not.toMatch(/javascript:/i);
    }
  }
}

function cellTexts(doc: Document): string[] {
  return Array.from(doc.querySelectorAll('td')).map(td => td.textContent ?? '');
}

describe('HTML export', () => {
  it('writes a standalone document with legend, header and one cell per character', () => {
    const payload = read('examples/review-250.json');
    const result = exportPayloadHtml(payload);
    expect(result.ok).toBe(true);
    expect(result.html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(result.html).not.toMatch(/https?:|url\(/);
    expect(result.html).toContain('prefers-color-scheme:dark');
    expect(result.html).toContain('@media print');
    const doc = parse(result.html);
    expectInert(doc);
    expect(doc.title).toBe(payload.title);
    expect(doc.querySelectorAll('td')).toHaveLength(250);
    // 250 characters in rows of 50: five row groups with offsets as row headers.
    expect(
      Array.from(doc.querySelectorAll('tbody th')).map(th => th.textContent)
    ).toEqual(['0', '50', '100', '150', '200']);
    expect(doc.querySelectorAll('thead th')).toHaveLength(51);
    const masked = doc.querySelectorAll('td.M');
    expect(masked).toHaveLength(payload.mask.filter((m: boolean) => !m).length);
    const header = doc.querySelector('.c-h')!.textContent!;
    expect(header).toContain(payload.title);
    expect(header).toContain('prediction 0.0731');
    expect(header).toContain('label negative');
    expect(doc.querySelector('.c-l')!.textContent).toContain('Reds');
    // Every value is kept in the cell title (4 significant digits).
    const cells = Array.from(doc.querySelectorAll('td'));
    cells.forEach((td, i) => {
      const title = td.getAttribute('title')!;
      expect(Number(title.split(' ')[0])).toBeCloseTo(payload.attention[i], 4);
    });
    // No per-cell style: colours are classes defined once.
    expect(doc.querySelectorAll('td[style]')).toHaveLength(0);
  });

  it('stays under 32 bytes per character for long texts', () => {
    const tokens: string[] = [];
    const attention: number[] = [];
    const text = 'The quick brown fox jumps over the lazy dog. ';
    for (let i = 0; i < 10000; i++) {
      tokens.push(text[i % text.length]);
      attention.push(Math.abs(Math.sin(i * 0.37)) / 10000);
    }
    const { html } = exportPayloadHtml({ version: 1, tokens, attention });
    expect(Buffer.byteLength(html) / tokens.length).toBeLessThanOrEqual(32);
  });

  it('shows XSS-looking tokens literally and escapes every string', () => {
    const payload = read('test/table/fixtures/xss.json');
    for (const fragment of [false, true]) {
      const { html, ok } = exportPayloadHtml(payload, { fragment });
      expect(ok).toBe(true);
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('onmouseover="alert');
      const doc = parse(html);
      expectInert(doc);
      expect(cellTexts(doc)).toEqual(
        payload.tokens.map((token: string) => glyphFor(token).glyph)
      );
      expect(doc.body.textContent).toContain('<b>label</b>');
      // The meta is in the header's tooltip, as text.
      expect(doc.querySelector('.c-h')!.getAttribute('title')).toBe(
        'prediction: 0.5\n<key>: </style><script>alert(3)</script>'
      );
      expect(doc.querySelectorAll('table')).toHaveLength(1);
    }
  });

  it('isolates every header field and shows bidirectional controls as markers', () => {
    const rlo = '\u202e';
    const payload = {
      version: 1,
      title: `${rlo}batch`,
      samples: [
        {
          text: 'ab',
          attention: [0.1, 0.2],
          title: `${rlo}evitagen`,
          label: `${rlo}evitagen`,
          series: undefined,
          meta: { notice: `${rlo}cut`, target: `\u2066t\u2069` }
        },
        {
          text: 'c',
          series: [{ name: `${rlo}head`, values: [1] }]
        }
      ]
    };
    delete (payload.samples[0] as { series?: unknown }).series;
    for (const fragment of [false, true]) {
      const { html, ok } = exportPayloadHtml(payload, { fragment });
      expect(ok).toBe(true);
      expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      const doc = parse(html);
      const header = doc.querySelector('.c-h')!;
      const values = Array.from(header.querySelectorAll('bdi')).map(
        bdi => bdi.textContent
      );
      expect(values).toEqual([
        '<U+202E>evitagen',
        'attention',
        '<U+202E>evitagen',
        '<U+2066>t<U+2069>',
        '2 characters'
      ]);
      // Every visible header field is inside a <bdi>.
      for (const part of Array.from(header.children)) {
        expect(part.querySelector('bdi')).not.toBeNull();
      }
      expect(doc.querySelector('.c-m bdi')!.textContent).toBe('<U+202E>cut');
      expect(doc.querySelector('.c-t bdi')!.textContent).toBe('<U+202E>batch');
      expect(doc.querySelector('th.c-r bdi')!.textContent).toBe('<U+202E>head');
    }
    expect(parse(exportPayloadHtml(payload).html).title).toBe('<U+202E>batch');
  });

  it('numbers samples from 1 and draws a sample without values as plain text with a note', () => {
    const { html } = exportPayloadHtml({
      version: 1,
      samples: [
        { text: 'ab', attention: [0.1, 0.2] },
        { text: 'cd', attention: [null, null], prediction: 0.75 }
      ]
    });
    const doc = parse(html);
    const headers = Array.from(doc.querySelectorAll('.c-h')).map(
      header => header.textContent
    );
    expect(headers).toEqual([
      'Sample 1attention2 characters',
      'Sample 2prediction 0.752 characters'
    ]);
    const plain = doc.querySelectorAll('.c-s')[1];
    expect(plain.querySelector('.c-l')).toBeNull();
    expect(plain.querySelector('.c-m')!.textContent).toBe(
      'No per-character values: only the prediction is shown.'
    );
    expect(
      Array.from(plain.querySelectorAll('td')).map(td => td.className)
    ).toEqual(['P', 'P']);
  });

  it('renders series with offsets and names as row headers', () => {
    const payload = read('examples/multi-series.json');
    const doc = parse(exportPayloadHtml(payload).html);
    const chars = Array.from(payload.text as string).length;
    expect(doc.querySelectorAll('td')).toHaveLength(
      chars * payload.series.length
    );
    const names = Array.from(doc.querySelectorAll('tbody tr')).map(
      tr => Array.from(tr.querySelectorAll('th')).pop()!.textContent
    );
    expect(names.slice(0, 4)).toEqual(
      payload.series.map((s: { name: string }) => s.name)
    );
    expect(doc.querySelector('tbody th[rowspan]')!.textContent).toBe('0');
  });

  it('renders an error box for invalid payloads', () => {
    const result = exportPayloadHtml({
      version: 1,
      tokens: ['<a>'],
      attention: [1, 2]
    });
    expect(result.ok).toBe(false);
    expect(result.problems[0].message).toBe(
      'attention has 2 values, tokens has 1'
    );
    const doc = parse(result.html);
    expect(doc.querySelectorAll('.c-e li')).toHaveLength(1);
    expect(
      parse(
        renderProblemsHtml([{ path: '', message: '<script>x</script>' }])
      ).querySelector('script')
    ).toBeNull();
  });

  it('gives short unique class names to colour levels', () => {
    const names = new Set<string>();
    for (let i = 0; i < 256; i++) {
      const name = bucketClassName(i);
      expect(name).toMatch(/^[a-zA-Z]{1,2}$/);
      expect(name).not.toMatch(/^[MNP]$/);
      names.add(name);
    }
    expect(names.size).toBe(256);
  });

  it('property: any valid payload exports to a parsable document with every token escaped', () => {
    const sample = fc
      .array(fc.string({ unit: 'binary', maxLength: 4 }), {
        minLength: 1,
        maxLength: 60
      })
      .chain(tokens =>
        fc.record({
          tokens: fc.constant(tokens),
          attention: fc.array(
            fc.oneof(
              fc.double({ min: 0, max: 1e6, noNaN: true }),
              fc.constant(null)
            ),
            { minLength: tokens.length, maxLength: tokens.length }
          ),
          mask: fc.array(fc.boolean(), {
            minLength: tokens.length,
            maxLength: tokens.length
          }),
          title: fc.string({ unit: 'binary', maxLength: 20 })
        })
      );
    fc.assert(
      fc.property(sample, fc.boolean(), (s, fragment) => {
        const result = exportPayloadHtml({ version: 1, ...s }, { fragment });
        expect(result.ok).toBe(true);
        const doc = parse(result.html);
        expectInert(doc);
        expect(cellTexts(doc)).toEqual(
          s.tokens.map(token => glyphFor(token).glyph)
        );
      }),
      { numRuns: 150 }
    );
  });

  it('property: malformed payloads give an error box and never throw', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, maxDepth: 4 }),
        junk => {
          const result = exportPayloadHtml(junk);
          expect(result.ok).toBe(false);
          expect(
            parse(result.html).querySelectorAll('.c-e li').length
          ).toBeGreaterThan(0);
        }
      ),
      { numRuns: 200 }
    );
  });
});
