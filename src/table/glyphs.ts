/**
 * What a reader sees of a string from a payload: a cell's glyph (whitespace
 * and invisible characters drawn as symbols) and header text with its
 * bidirectional controls shown as `<U+202E>` markers, so no payload string
 * can reverse or hide what is shown next to it. Pure.
 */
import { codePointName } from './format';

export interface IGlyph {
  glyph: string;
  /** Whitespace or control character drawn as a dimmed glyph. */
  whitespace: boolean;
}

/** Visible glyph of a token: whitespace and controls become symbols. */
export function glyphFor(token: string, showWhitespace = true): IGlyph {
  const cache = showWhitespace ? glyphCache : plainGlyphCache;
  let hit = cache.get(token);
  if (!hit) {
    hit = computeGlyph(token, showWhitespace);
    if (cache.size < CACHE_SIZE) {
      cache.set(token, hit);
    }
  }
  return hit;
}

/**
 * Characters that change the direction of the text around them (embeddings,
 * overrides, isolates, marks), C0 and C1 controls, and lone surrogates.
 */
const HIDDEN_CONTROLS =
  // eslint-disable-next-line no-control-regex -- matching controls is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A payload string as header text: bidirectional controls and other
 * control characters become visible `<U+202E>` markers (a lone surrogate
 * `<U+D800>`); tabs and line breaks become spaces. Everything else is kept
 * (joiners, combining marks and right-to-left letters are text).
 */
export function visibleControls(text: string): string {
  return text.replace(HIDDEN_CONTROLS, char =>
    char === '\t' || char === '\n' || char === '\r'
      ? ' '
      : `<${codePointName(char.charCodeAt(0))}>`
  );
}

const CACHE_SIZE = 100000;
const glyphCache = new Map<string, IGlyph>();
const plainGlyphCache = new Map<string, IGlyph>();

const NAMED: { [char: string]: string } = {
  ' ': '␣',
  '\n': '↵',
  '\t': '⇥',
  '\r': '␍',
  '\u00a0': '⍽',
  '\u007f': '␡'
};

/** Invisible format characters (zero-width spaces, joiners, marks, selectors). */
function isInvisible(code: number): boolean {
  return (
    code === 0x00ad ||
    code === 0x034f ||
    code === 0x061c ||
    code === 0x115f ||
    code === 0x1160 ||
    code === 0x17b4 ||
    code === 0x17b5 ||
    (code >= 0x180b && code <= 0x180f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0xfeff
  );
}
const SPACE = /^\s$/u;
const COMBINING = /^\p{M}/u;

function pointGlyph(point: string): { glyph: string; special: boolean } {
  if (NAMED[point]) {
    return { glyph: NAMED[point], special: true };
  }
  const code = point.codePointAt(0)!;
  if (code < 0x20) {
    return { glyph: String.fromCharCode(0x2400 + code), special: true };
  }
  if (code >= 0x80 && code < 0xa0) {
    return { glyph: '·', special: true };
  }
  if (SPACE.test(point)) {
    return { glyph: '␣', special: true };
  }
  if (isInvisible(code)) {
    return { glyph: '·', special: true };
  }
  if (code >= 0xd800 && code <= 0xdfff) {
    // A lone surrogate cannot be shown.
    return { glyph: '\ufffd', special: true };
  }
  return { glyph: point, special: false };
}

function computeGlyph(token: string, showWhitespace: boolean): IGlyph {
  if (token === '') {
    return { glyph: '', whitespace: false };
  }
  let allSpecial = true;
  let glyph = '';
  for (const point of Array.from(token)) {
    const shown = pointGlyph(point);
    allSpecial = allSpecial && shown.special;
    if (shown.special && !showWhitespace && SPACE.test(point)) {
      glyph += '\u00a0';
    } else {
      glyph += shown.glyph;
    }
  }
  if (COMBINING.test(glyph)) {
    // A lone combining mark would attach to the cell border: give it a base.
    glyph = '◌' + glyph;
  }
  return { glyph, whitespace: allSpecial };
}
