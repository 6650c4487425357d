import {
  computeScale,
  normalizePayload,
  resolveOptions,
  splitCodePoints
} from '../../src/payload/normalize';
import { Payload } from '../../src/payload/types';

describe('normalizePayload', () => {
  it('splits text into code points like a char-level Keras Tokenizer', () => {
    // Surrogate pairs (emoji) are one token; a combining accent is its own token.
    expect(splitCodePoints('a😀e\u0301')).toEqual(['a', '😀', 'e', '\u0301']);
    const result = normalizePayload({
      version: 1,
      text: 'h😀!',
      attention: [0.5, 0.25, null]
    });
    const sample = result.samples[0];
    expect(sample.tokens).toEqual(['h', '😀', '!']);
    expect(Array.from(sample.rows[0].values)).toEqual([0.5, 0.25, NaN]);
    expect(Array.from(sample.mask)).toEqual([1, 1, 1]);
    expect(result.isBatch).toBe(false);
  });

  it('keeps series as named rows and counts masked positions', () => {
    const result = normalizePayload({
      version: 1,
      tokens: ['a', 'b'],
      series: [
        { name: 'L1', values: [1, 2] },
        { name: 'L2', values: [3, 4] }
      ],
      mask: [false, true]
    });
    const sample = result.samples[0];
    expect(sample.rows.map(row => row.name)).toEqual(['L1', 'L2']);
    expect(sample.hasSeries).toBe(true);
    expect(sample.maskedCount).toBe(1);
  });

  it('merges options as defaults < settings < payload options', () => {
    expect(resolveOptions(undefined, {})).toEqual({
      colormap: 'Reds',
      normalize: 'none',
      shareScale: true,
      charsPerRow: 50,
      precision: 4,
      showWhitespace: true
    });
    const merged = resolveOptions(
      { colormap: 'Blues', vmax: 2 },
      { colormap: 'viridis', charsPerRow: 30, showWhitespace: false }
    );
    expect(merged.colormap).toBe('Blues');
    expect(merged.charsPerRow).toBe(30);
    expect(merged.showWhitespace).toBe(false);
    expect(merged.vmax).toBe(2);
  });

  const scaleOf = (payload: Payload, settings = {}) =>
    normalizePayload(payload, settings).samples.map(s => s.scale);

  it('uses [0, max] for sequential maps so that 0 is the lightest colour', () => {
    expect(
      scaleOf({
        version: 1,
        tokens: ['a', 'b', 'c'],
        attention: [0.1, 0.6, 0.3]
      })
    ).toEqual([{ lo: 0, hi: 0.6, diverging: false }]);
  });

  it('ignores masked and missing values in the scale', () => {
    expect(
      scaleOf({
        version: 1,
        tokens: ['a', 'b', 'c'],
        attention: [5, 0.5, null],
        mask: [false, true, true]
      })
    ).toEqual([{ lo: 0, hi: 0.5, diverging: false }]);
  });

  it('centres RdBu on 0 for signed values', () => {
    expect(
      scaleOf({
        version: 1,
        tokens: ['a', 'b'],
        attention: [-0.2, 0.8],
        options: { colormap: 'RdBu' }
      })
    ).toEqual([{ lo: -0.8, hi: 0.8, diverging: true }]);
  });

  it('draws signed values with RdBu centred on 0 when the payload names no colour map', () => {
    const signed: Payload = {
      version: 1,
      samples: [
        { text: 'ab', attention: [0.1, 0.3] },
        { text: 'cd', series: [{ name: 'occlusion', values: [0.5, -2] }] }
      ]
    };
    // A user setting is for unsigned data: a sequential map cannot show sign.
    const result = normalizePayload(signed, { colormap: 'Greens' });
    expect(result.options.colormap).toBe('RdBu');
    expect(result.samples[0].scale).toEqual({ lo: -2, hi: 2, diverging: true });
    // Unsigned data keep the setting; a colour map in the payload wins.
    expect(
      normalizePayload(
        { version: 1, text: 'a', attention: [1] },
        { colormap: 'Greens' }
      ).options.colormap
    ).toBe('Greens');
    expect(
      normalizePayload({
        ...signed,
        options: { colormap: 'viridis', vmin: -2 }
      }).options.colormap
    ).toBe('viridis');
    // A masked negative value does not count.
    expect(
      normalizePayload({
        version: 1,
        text: 'ab',
        attention: [-1, 1],
        mask: [false, true]
      }).options.colormap
    ).toBe('Reds');
  });

  it('applies minmax, max, vmin/vmax', () => {
    const base = {
      version: 1 as const,
      tokens: ['a', 'b'],
      attention: [0.2, 0.8]
    };
    expect(
      scaleOf({ ...base, options: { normalize: 'minmax' } })[0]
    ).toMatchObject({
      lo: 0.2,
      hi: 0.8
    });
    expect(
      scaleOf({
        ...base,
        attention: [-0.5, 0.25],
        options: { normalize: 'max' }
      })[0]
    ).toMatchObject({ lo: -0.5, hi: 0.5 });
    expect(
      scaleOf({ ...base, options: { vmin: 0.1, vmax: 1 } })[0]
    ).toMatchObject({
      lo: 0.1,
      hi: 1
    });
  });

  it('shares one scale across a batch unless shareScale is false', () => {
    const batch: Payload = {
      version: 1,
      samples: [
        { text: 'ab', attention: [0.1, 0.2] },
        { text: 'cd', attention: [1, 2] }
      ]
    };
    expect(scaleOf(batch).map(s => s.hi)).toEqual([2, 2]);
    expect(
      scaleOf({ ...batch, options: { shareScale: false } }).map(s => s.hi)
    ).toEqual([0.2, 2]);
  });

  it('never gives a zero-width scale', () => {
    const flat = normalizePayload({
      version: 1,
      tokens: ['a', 'b'],
      attention: [0, 0]
    });
    expect(flat.samples[0].scale).toEqual({ lo: 0, hi: 1, diverging: false });
    const constant = computeScale(
      normalizePayload({ version: 1, tokens: ['a'], attention: [0.3] }).samples,
      resolveOptions({ normalize: 'minmax' }),
      false
    );
    expect(constant.hi).toBeGreaterThan(constant.lo);
  });
});
