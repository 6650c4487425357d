import {
  escapeTsvField,
  payloadToTsv,
  payloadToTsvLines
} from '../../src/lab/tsv';
import type { Payload } from '../../src/payload/types';

describe('payloadToTsv', () => {
  it('writes one line per character with position and exact value', () => {
    const payload: Payload = {
      version: 1,
      text: 'ab',
      attention: [0.123456789, 0.25]
    };
    expect(payloadToTsv(payload)).toBe(
      'character\tposition\tvalue\na\t0\t0.123456789\nb\t1\t0.25\n'
    );
  });

  it('escapes tabs, newlines and backslashes in characters', () => {
    const payload: Payload = {
      version: 1,
      tokens: ['\t', '\n', '\\', '\r', ' '],
      attention: [1, 2, 3, 4, 5]
    };
    const lines = payloadToTsvLines(payload, { header: false });
    expect(lines).toEqual([
      '\\t\t0\t1',
      '\\n\t1\t2',
      '\\\\\t2\t3',
      '\\r\t3\t4',
      ' \t4\t5'
    ]);
    for (const line of lines) {
      expect(line.split('\t')).toHaveLength(3);
    }
  });

  it('splits text by code points (an emoji is one character)', () => {
    const payload: Payload = { version: 1, text: 'a😀', attention: [0.5, 0.5] };
    expect(payloadToTsvLines(payload, { header: false })).toEqual([
      'a\t0\t0.5',
      '😀\t1\t0.5'
    ]);
  });

  it('leaves missing and masked values empty', () => {
    const payload: Payload = {
      version: 1,
      text: 'abc',
      attention: [null, 0.5, 0.7],
      mask: [true, true, false]
    };
    expect(payloadToTsvLines(payload, { header: false })).toEqual([
      'a\t0\t',
      'b\t1\t0.5',
      'c\t2\t'
    ]);
  });

  it('adds sample and series columns when needed', () => {
    const payload: Payload = {
      version: 1,
      samples: [
        { text: 'x', attention: [1] },
        {
          text: 'y',
          series: [
            { name: 'L\t1', values: [2] },
            { name: 'L2', values: [3] }
          ]
        }
      ]
    };
    expect(payloadToTsvLines(payload)).toEqual([
      'sample\tseries\tcharacter\tposition\tvalue',
      '0\t\tx\t0\t1',
      '1\tL\\t1\ty\t0\t2',
      '1\tL2\ty\t0\t3'
    ]);
  });

  it('escapeTsvField is reversible for the escaped characters', () => {
    const original = 'a\\t\tb\nc\r';
    const escaped = escapeTsvField(original);
    expect(escaped).not.toMatch(/[\t\n\r]/);
    const restored = escaped.replace(/\\([\\tnr])/g, (_m, c: string) =>
      c === '\\' ? '\\' : c === 't' ? '\t' : c === 'n' ? '\n' : '\r'
    );
    expect(restored).toBe(original);
  });
});
