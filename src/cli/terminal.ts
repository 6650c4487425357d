/**
 * Text the command line prints to a terminal. Names come from files (layer
 * names, file names, tokens, notices): a control character in one could
 * move the cursor, erase lines or print text that was never written (a fake
 * "model verified"). Every such character is shown as an escape instead:
 * ESC as `\x1b`, a newline inside a name as `\n`, C1 controls as `\x9b`,
 * bidirectional overrides as `\u202e`.
 */

/** C0 and C1 controls, DEL, and the invisible characters that reorder or hide text. */
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
/* eslint-enable no-control-regex */

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of terminal output: every control character shown as an escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** JSON text for a terminal (pure, so that worker threads write it too). */
export { terminalJson } from '../payload/printable-json';
