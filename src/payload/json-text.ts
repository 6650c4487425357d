/**
 * JSON text parsed with a nesting limit. V8's `JSON.parse` recurses once per
 * level and fails with "Maximum call stack size exceeded" (no file, no
 * limit named) on hostile text tens of thousands of levels deep; the depth
 * is measured first, in one pass, so such text gets a named error. No real
 * payload, tokenizer or model config comes near the limit. Pure.
 */

/** Deeper than any file the product reads (a Keras config nests about 6 levels per nested model). */
export const MAX_JSON_DEPTH = 1000;

/** JSON nested deeper than the limit. */
export class JsonDepthError extends Error {
  constructor(
    readonly limit: number,
    readonly at: number
  ) {
    super(
      `the JSON is nested more than ${limit.toLocaleString('en-US')} levels deep ` +
        `(at character ${at.toLocaleString('en-US')}); at most ${limit.toLocaleString('en-US')} levels are read`
    );
    this.name = 'JsonDepthError';
  }
}

/** Where `text` first nests deeper than `limit` (outside strings), or -1. */
export function tooDeepAt(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i++; // the escaped character
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > limit) {
        return i;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/** `JSON.parse(text)`, refusing text nested deeper than `limit` with a JsonDepthError. */
export function parseJsonText(text: string, limit = MAX_JSON_DEPTH): unknown {
  const at = tooDeepAt(text, limit);
  if (at >= 0) {
    throw new JsonDepthError(limit, at);
  }
  return JSON.parse(text);
}
