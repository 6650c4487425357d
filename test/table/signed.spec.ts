/**
 * Signed values: one colour convention (red raises the explained output, blue
 * lowers it) and a colour scale that holds at the ends of the double range.
 */
import { normalizePayload } from '../../src/payload/normalize';
import { Payload } from '../../src/payload/types';
import {
  SIGNED_MEANING,
  SIGNED_MEANING_DETAIL
} from '../../src/table/colormaps';
import { parseHex } from '../../src/table/contrast';
import { exportPayloadHtml } from '../../src/table/html';
import { buildTableModel, getCell } from '../../src/table/model';
import { ENGLISH } from '../../src/table/translate';
import {
  signedMeaning,
  signedMeaningDetail
} from '../../src/render/header-dom';

const model = (payload: unknown) =>
  buildTableModel(normalizePayload(payload as Payload));

/** [red, green, blue] of each cell of the first sample. */
function cellColours(payload: unknown): Array<[number, number, number]> {
  const table = model(payload);
  const sample = table.samples[0];
  return sample.tokens.map((_, pos) => {
    const background = getCell(table, sample, 0, pos).background;
    expect(background).not.toBeNull();
    return parseHex(background!)!;
  });
}

describe('signed values', () => {
  it('draws a value that raises the output red and one that lowers it blue', () => {
    const [raises, lowers, zero] = cellColours({
      version: 1,
      text: 'abc',
      attention: [0.988, -0.5, 0]
    });
    expect(raises[0]).toBeGreaterThan(raises[2] + 50);
    expect(lowers[2]).toBeGreaterThan(lowers[0] + 50);
    // 0 is the near-white middle.
    expect(Math.min(...zero)).toBeGreaterThan(230);
  });

  it('keeps the same convention when the payload names RdBu', () => {
    const [raises, lowers] = cellColours({
      version: 1,
      text: 'ab',
      attention: [0.3, -0.3],
      options: { colormap: 'RdBu' }
    });
    expect(raises[0]).toBeGreaterThan(raises[2]);
    expect(lowers[2]).toBeGreaterThan(lowers[0]);
  });

  it('states the convention in the legend, and only for signed values', () => {
    const signed = exportPayloadHtml({
      version: 1,
      text: 'ab',
      attention: [0.3, -0.3]
    }).html;
    expect(signed).toContain(SIGNED_MEANING);
    expect(signed).toContain(SIGNED_MEANING_DETAIL);
    const unsigned = exportPayloadHtml({
      version: 1,
      text: 'ab',
      attention: [0.3, 0.1]
    }).html;
    expect(unsigned).not.toContain(SIGNED_MEANING);
    // The renderer's translatable strings are the same words.
    expect(signedMeaning(ENGLISH)).toBe(SIGNED_MEANING);
    expect(signedMeaningDetail(ENGLISH)).toBe(SIGNED_MEANING_DETAIL);
  });

  it.each([
    ['the automatic diverging map', {}],
    ['RdBu named', { colormap: 'RdBu' }],
    ['minmax', { normalize: 'minmax' }],
    ['max', { normalize: 'max' }]
  ])('gives -1e308, 0 and 1e308 three different colours (%s)', (_, options) => {
    const colours = cellColours({
      version: 1,
      text: 'abc',
      attention: [-1e308, 0, 1e308],
      options
    }).map(rgb => rgb.join(','));
    expect(new Set(colours).size).toBe(3);
  });

  it('puts ±1.7e308 at the two ends of the scale and prints them in the legend', () => {
    const table = model({
      version: 1,
      text: 'ab',
      attention: [1.7e308, -1.7e308]
    });
    const sample = table.samples[0];
    expect(Array.from(sample.series[0].levels)).toEqual([255, 0]);
    expect(sample.legend.loText).toBe('-1.7e308');
    expect(sample.legend.hiText).toBe('1.7e308');
  });
});
