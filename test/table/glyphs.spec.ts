import { glyphFor, visibleControls } from '../../src/table/glyphs';

describe('visibleControls', () => {
  it.each([
    ['\u202eevitagen', '<U+202E>evitagen'],
    ['a\u202ab\u202bc\u202cd\u202de', 'a<U+202A>b<U+202B>c<U+202C>d<U+202D>e'],
    ['\u2066x\u2067y\u2068z\u2069', '<U+2066>x<U+2067>y<U+2068>z<U+2069>'],
    ['\u200eLRM\u200fRLM\u061cALM', '<U+200E>LRM<U+200F>RLM<U+061C>ALM'],
    [
      'bell\u0007 esc\u001b[31m del\u007f csi\u009b',
      'bell<U+0007> esc<U+001B>[31m del<U+007F> csi<U+009B>'
    ],
    ['tab\there\nline\r', 'tab here line '],
    ['lone \ud800 and \udc00', 'lone <U+D800> and <U+DC00>']
  ])('%j -> %j', (input, shown) => {
    expect(visibleControls(input)).toBe(shown);
  });

  it('keeps text: right-to-left letters, joiners, emoji and combining marks', () => {
    for (const text of [
      'שלום עולם',
      'مرحبا',
      '👨\u200d👩\u200d👧',
      'e\u0301',
      'zero\u200bwidth'
    ]) {
      expect(visibleControls(text)).toBe(text);
    }
  });
});

describe('glyphFor', () => {
  it('draws bidirectional controls in cells as a dot, never as themselves', () => {
    for (const control of ['\u202e', '\u2066', '\u200f', '\u061c']) {
      expect(glyphFor(control)).toEqual({ glyph: '·', whitespace: true });
    }
  });
});
