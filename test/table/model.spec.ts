import { normalizePayload } from '../../src/payload/normalize';
import { Payload } from '../../src/payload/types';
import * as fs from 'fs';
import * as path from 'path';
import {
  buildSampleTable,
  buildTableModel,
  buildTableShell,
  codePointsOf,
  columnLabels,
  formatValue,
  getCell,
  glyphFor,
  groupRange,
  LEVEL_MASKED,
  LEVEL_MISSING
} from '../../src/table/model';

const build = (payload: Payload, settings = {}) =>
  buildTableModel(normalizePayload(payload, settings));

describe('table model', () => {
  it('builds sample by sample exactly what it builds at once', () => {
    for (const file of ['batch.json', 'multi-series.json', 'explain.json']) {
      const payload = JSON.parse(
        fs.readFileSync(
          path.join(__dirname, '..', '..', 'examples', file),
          'utf8'
        )
      );
      const normalized = normalizePayload(payload);
      const shell = buildTableShell(normalized);
      expect(shell.samples).toEqual([]);
      normalized.samples.forEach((_, index) =>
        shell.samples.push(buildSampleTable(normalized, index))
      );
      expect(shell).toEqual(buildTableModel(normalized));
    }
  });

  it('wraps tokens into row groups of charsPerRow', () => {
    const model = build({
      version: 1,
      text: 'x'.repeat(120),
      attention: new Array(120).fill(0.1)
    });
    const sample = model.samples[0];
    expect(sample.groupCount).toBe(3);
    expect(groupRange(sample, 2)).toEqual([100, 120]);
    expect(columnLabels(sample)).toHaveLength(50);
    const narrow = build(
      { version: 1, text: 'abc', attention: [1, 2, 3] },
      { charsPerRow: 2 }
    ).samples[0];
    expect(narrow.groupCount).toBe(2);
    expect(columnLabels(narrow)).toEqual([0, 1]);
  });

  it('describes each cell: glyph, level, colours, value, code point', () => {
    const model = build({
      version: 1,
      tokens: ['a', ' ', 'b', 'c'],
      attention: [0, 1, null, 0.5],
      mask: [true, true, true, false]
    });
    const sample = model.samples[0];
    const a = getCell(model, sample, 0, 0);
    expect(a).toMatchObject({
      glyph: 'a',
      whitespace: false,
      level: 0,
      background: '#fff5f0',
      foreground: '#000000',
      value: 0,
      codePoints: 'U+0061'
    });
    const space = getCell(model, sample, 0, 1);
    expect(space).toMatchObject({
      glyph: '␣',
      whitespace: true,
      level: 255,
      background: '#67000d',
      foreground: '#ffffff',
      value: 1
    });
    expect(space.valueText).toBe('1');
    expect(getCell(model, sample, 0, 2)).toMatchObject({
      missing: true,
      level: LEVEL_MISSING,
      background: null,
      value: null
    });
    expect(getCell(model, sample, 0, 3)).toMatchObject({
      masked: true,
      level: LEVEL_MASKED,
      value: 0.5
    });
  });

  it('builds the legend and header line', () => {
    const model = build({
      version: 1,
      title: 'Review',
      text: 'ab',
      attention: [0.25, 0.75],
      mask: [false, true],
      prediction: 0.98765,
      label: 'positive'
    });
    const sample = model.samples[0];
    expect(sample.legend).toMatchObject({
      colormap: 'Reds',
      lo: 0,
      hi: 0.75,
      loText: '0',
      hiText: '0.75'
    });
    expect(sample.legend.stops[0]).toBe('#fff5f0');
    expect(sample.legend.stops[sample.legend.stops.length - 1]).toBe('#67000d');
    expect(sample.header.line).toBe(
      'Review · attention · prediction 0.988 · label positive · 2 characters, 1 masked'
    );
  });

  it('names the method in the header, from the sample or batch meta', () => {
    const text = { text: 'ab', attention: [0.1, 0.2] };
    const batch = build({
      version: 1,
      meta: { method: 'occlusion', window: 3, model: 'm.keras' },
      samples: [
        text,
        { ...text, meta: { method: 'integrated-gradients', steps: 32 } }
      ]
    } as Payload);
    expect(batch.samples[0].method).toBe('occlusion');
    expect(batch.samples[0].header.line).toBe(
      'Sample 1 · occlusion · window 3 · 2 characters'
    );
    expect(batch.samples[1].method).toBe('integrated gradients');
    // The sample's meta wins over the batch's; the window is the batch's.
    expect(batch.samples[1].header.line).toBe(
      'Sample 2 · integrated gradients · steps 32 · window 3 · 2 characters'
    );
    expect(batch.samples[1].header.tooltip).toBe(
      'method: integrated-gradients\nwindow: 3\nmodel: m.keras\nsteps: 32'
    );
    expect(build({ version: 1, ...text } as Payload).samples[0].method).toBe(
      'attention'
    );
    const gxi = build({
      version: 1,
      ...text,
      meta: { method: 'grad-x-input' }
    } as Payload);
    expect(gxi.samples[0].header.line).toContain('gradient × input');
  });

  it('names the method in the header and colours signed values with RdBu centred on 0', () => {
    const model = build({
      version: 1,
      samples: [
        {
          text: 'abc',
          attention: [-0.5, 0.25, 0],
          method: 'occlusion (window 1)',
          prediction: 0.5
        }
      ]
    });
    const sample = model.samples[0];
    expect(sample.method).toBe('occlusion (window 1)');
    expect(sample.header.line).toBe(
      'Sample 1 · occlusion (window 1) · prediction 0.5 · 3 characters'
    );
    expect(model.colormap).toBe('RdBu');
    expect(sample.legend).toMatchObject({ lo: -0.5, hi: 0.5, signed: true });
    // 0 is the middle colour, -0.5 the lowest, 0.25 three quarters up.
    expect(Array.from(sample.series[0].levels)).toEqual([0, 191, 128]);
  });

  it('names samples of a batch and keeps series names', () => {
    const model = build({
      version: 1,
      samples: [
        { text: 'a', attention: [1] },
        {
          text: 'b',
          series: [
            { name: 'L1', values: [1] },
            { name: 'L2', values: [0] }
          ]
        }
      ]
    });
    expect(model.samples.map(s => s.title)).toEqual(['Sample 1', 'Sample 2']);
    expect(model.samples[1].named).toBe(true);
    expect(model.samples[1].series.map(s => s.name)).toEqual(['L1', 'L2']);
  });

  it('makes whitespace and control characters visible', () => {
    expect(glyphFor(' ')).toEqual({ glyph: '␣', whitespace: true });
    expect(glyphFor('\n')).toEqual({ glyph: '↵', whitespace: true });
    expect(glyphFor('\t')).toEqual({ glyph: '⇥', whitespace: true });
    expect(glyphFor('\u0000').glyph).toBe('␀');
    expect(glyphFor('\u200b').glyph).toBe('·');
    expect(glyphFor('\u0301').glyph).toBe('◌\u0301');
    expect(glyphFor('😀')).toEqual({ glyph: '😀', whitespace: false });
    expect(glyphFor(' ', false)).toEqual({ glyph: '\u00a0', whitespace: true });
    expect(glyphFor('')).toEqual({ glyph: '', whitespace: false });
  });

  it('formats values compactly with significant digits', () => {
    expect(formatValue(0.0041234, 4)).toBe('0.004123');
    expect(formatValue(0.000012345, 4)).toBe('1.234e-5');
    expect(formatValue(12.5, 4)).toBe('12.5');
    expect(formatValue(0, 4)).toBe('0');
    expect(formatValue(-0.33333, 2)).toBe('-0.33');
    expect(formatValue(1 / 3, 0)).toBe('0.3');
  });

  it('never rounds a value that is not 1 to 1, nor a non-zero value to 0', () => {
    expect(formatValue(0.99995, 4)).toBe('0.99995');
    expect(formatValue(0.9999999, 4)).toBe('0.9999999');
    expect(formatValue(-0.99996, 3)).toBe('-0.99996');
    expect(formatValue(1, 4)).toBe('1');
    expect(formatValue(0.9996, 3)).toBe('0.9996');
    expect(formatValue(1e-12, 4)).toBe('1e-12');
    expect(formatValue(Number.MIN_VALUE, 4)).not.toBe('0');
    expect(formatValue(0.9994, 3)).toBe('0.999');
  });

  it('gives hover labels, legend and prediction the same precision', () => {
    const table = buildTableModel(
      normalizePayload({
        version: 1,
        text: 'ab',
        attention: [0.04985887184739113, 0.0123456789],
        prediction: 0.99995
      } as Payload)
    );
    const sample = table.samples[0];
    const cell = getCell(table, sample, 0, 0);
    expect(sample.legend.hiText).toBe('0.04986');
    expect(cell.valueText).toBe(sample.legend.hiText);
    expect(cell.value).toBe(0.04985887184739113);
    // The header rounds the prediction to 3 digits, never to a certain 1.
    expect(sample.header.line).toContain('prediction 0.99995 ');
    expect(sample.header.tooltip).toBe('prediction: 0.99995');
  });

  it('names code points', () => {
    expect(codePointsOf('😀')).toBe('U+1F600');
    expect(codePointsOf('ab')).toBe('U+0061 U+0062');
    expect(codePointsOf('')).toBe('empty');
  });
});
