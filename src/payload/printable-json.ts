/**
 * JSON text safe to print: the same JSON value, with the characters that
 * `JSON.stringify` leaves raw (DEL, C1 controls, bidirectional overrides,
 * invisible separators) written as `\u` escapes, so that a text or a name
 * from a file cannot move a terminal's cursor or reorder what it shows.
 *
 * Pure: no DOM, no Node APIs (the CLI's worker threads write JSON lines too).
 */
export function terminalJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}
