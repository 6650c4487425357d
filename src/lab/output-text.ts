/**
 * The text(s) a notebook output shows, to run the model on.
 *
 * Pure: takes an output's MIME bundle (as `IOutputModel.data` holds it) and
 * returns plain strings, or the reason there is no text. No DOM, no
 * JupyterLab imports (the reasons go through the `ITranslate` given).
 */
import { ENGLISH, ITranslate } from '../table/translate';

/** A MIME bundle: MIME type → value. */
export interface IMimeBundle {
  [mimeType: string]: unknown;
}

/** Where the texts came from. */
export type TextSource =
  'selection' | 'application/json' | 'text/markdown' | 'text/plain' | 'stream';

/** The texts found in an output (one sample each). */
export interface ITextsFound {
  ok: true;
  texts: string[];
  source: TextSource;
}

/** No usable text: `reason` says why, for a notification. */
export interface INoText {
  ok: false;
  reason: string;
}

export type OutputTextResult = ITextsFound | INoText;

/** MIME types of stream outputs in JupyterLab's output models. */
export const STDOUT_MIME = 'application/vnd.jupyter.stdout';
export const STDERR_MIME = 'application/vnd.jupyter.stderr';
export const ERROR_MIME = 'application/vnd.jupyter.error';

/**
 * The texts of an output.
 *
 * Order of preference: the user's selection inside the output; a JSON value
 * (`application/json`: a string, a list of strings, or an object with a
 * `text` field holding either); `text/markdown`; printed text (stdout);
 * `text/plain`, where a JSON or Python literal of a string or a list of
 * strings (what a cell's last expression shows) is unwrapped.
 *
 * Printed text, plain text and a selection give one text per non-blank line
 * (a cell that prints several texts prints one per line); a JSON value or a
 * literal keeps its strings as they are.
 */
export function textsFromOutput(
  data: IMimeBundle,
  selection?: string | null,
  trans: ITranslate = ENGLISH
): OutputTextResult {
  if (selection !== undefined && selection !== null) {
    const lines = Private.lines(selection);
    if (lines.length > 0) {
      return { ok: true, texts: lines, source: 'selection' };
    }
  }
  if (data === null || typeof data !== 'object') {
    return { ok: false, reason: trans.__('The output has no data.') };
  }

  if ('application/json' in data) {
    const fromJson = Private.textsFromValue(data['application/json']);
    if (fromJson) {
      return Private.found(fromJson, 'application/json', trans);
    }
  }
  const markdown = Private.asText(data['text/markdown']);
  if (markdown !== null && markdown.trim() !== '') {
    return Private.found(
      [Private.trimFinalNewline(markdown)],
      'text/markdown',
      trans
    );
  }
  const stdout = Private.asText(data[STDOUT_MIME]);
  if (stdout !== null && stdout.trim() !== '') {
    return Private.found(
      Private.lines(Private.stripAnsi(stdout)),
      'stream',
      trans
    );
  }
  const plain = Private.asText(data['text/plain']);
  if (plain !== null && plain.trim() !== '') {
    const clean = Private.stripAnsi(plain);
    const literal =
      Private.textsFromValue(Private.parseJson(clean.trim())) ??
      Private.parsePythonStrings(clean.trim());
    if (literal) {
      return Private.found(literal, 'text/plain', trans);
    }
    return Private.found(Private.lines(clean), 'text/plain', trans);
  }

  if (ERROR_MIME in data) {
    return {
      ok: false,
      reason: trans.__('This output is an error traceback, not text.')
    };
  }
  if (STDERR_MIME in data) {
    return {
      ok: false,
      reason: trans.__(
        'This output is an error stream (stderr), not a text to visualize.'
      )
    };
  }
  const kinds = Object.keys(data);
  return {
    ok: false,
    reason:
      kinds.length === 0
        ? trans.__('The output is empty.')
        : trans.__(
            'The output has no text to visualize (it holds %1).',
            kinds.join(', ')
          )
  };
}

namespace Private {
  export function found(
    texts: string[],
    source: TextSource,
    trans: ITranslate
  ): OutputTextResult {
    const nonEmpty = texts.filter(text => text.length > 0);
    if (nonEmpty.length === 0) {
      return { ok: false, reason: trans.__('The output text is empty.') };
    }
    return { ok: true, texts: nonEmpty, source };
  }

  /** MIME values are a string or (in notebook JSON) a list of lines. */
  export function asText(value: unknown): string | null {
    if (typeof value === 'string') {
      return value;
    }
    if (Array.isArray(value) && value.every(line => typeof line === 'string')) {
      return value.join('');
    }
    return null;
  }

  /** A string, a list of strings, or `{text: string | string[]}`. */
  export function textsFromValue(value: unknown): string[] | null {
    if (typeof value === 'string') {
      return [value];
    }
    if (
      Array.isArray(value) &&
      value.length > 0 &&
      value.every(item => typeof item === 'string')
    ) {
      return value as string[];
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const text = (value as { text?: unknown }).text;
      if (typeof text === 'string') {
        return [text];
      }
      if (
        Array.isArray(text) &&
        text.length > 0 &&
        text.every(item => typeof item === 'string')
      ) {
        return text as string[];
      }
    }
    return null;
  }

  export function parseJson(text: string): unknown {
    if (!/^["[{]/.test(text)) {
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  // eslint-disable-next-line no-control-regex
  const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

  export function stripAnsi(text: string): string {
    return text.replace(ANSI, '');
  }

  /** The non-blank lines of a text (`\r\n`, `\n` or `\r` ends a line). */
  export function lines(text: string): string[] {
    return text.split(/\r\n|\n|\r/).filter(line => line.trim() !== '');
  }

  export function trimFinalNewline(text: string): string {
    return text.replace(/\r?\n$/, '');
  }

  /**
   * A Python `repr` of a str or of a list/tuple of str, as IPython shows a
   * cell's last expression: `'it\'s'`, `"a"`, `['a', "b"]`. Anything else
   * (numbers, nested structures, prefixes other than none) gives null.
   */
  export function parsePythonStrings(text: string): string[] | null {
    const reader = new PythonLiteralReader(text);
    const result = reader.readTop();
    return result !== null && reader.atEnd() ? result : null;
  }

  class PythonLiteralReader {
    constructor(private readonly source: string) {}

    atEnd(): boolean {
      this.skipSpace();
      return this.pos >= this.source.length;
    }

    readTop(): string[] | null {
      this.skipSpace();
      const open = this.source[this.pos];
      if (open === '[' || open === '(') {
        const close = open === '[' ? ']' : ')';
        this.pos++;
        const items: string[] = [];
        for (;;) {
          this.skipSpace();
          if (this.source[this.pos] === close) {
            this.pos++;
            return items.length > 0 ? items : null;
          }
          const item = this.readString();
          if (item === null) {
            return null;
          }
          items.push(item);
          this.skipSpace();
          if (this.source[this.pos] === ',') {
            this.pos++;
          } else if (this.source[this.pos] !== close) {
            return null;
          }
        }
      }
      const single = this.readString();
      return single === null ? null : [single];
    }

    private skipSpace(): void {
      while (
        this.pos < this.source.length &&
        /\s/.test(this.source[this.pos])
      ) {
        this.pos++;
      }
    }

    private readString(): string | null {
      const quote = this.source[this.pos];
      if (quote !== "'" && quote !== '"') {
        return null;
      }
      this.pos++;
      let out = '';
      while (this.pos < this.source.length) {
        const ch = this.source[this.pos++];
        if (ch === quote) {
          return out;
        }
        if (ch === '\n') {
          return null;
        }
        if (ch !== '\\') {
          out += ch;
          continue;
        }
        const escaped = this.readEscape();
        if (escaped === null) {
          return null;
        }
        out += escaped;
      }
      return null;
    }

    private readEscape(): string | null {
      const ch = this.source[this.pos++];
      switch (ch) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case '0':
          return '\0';
        case '\\':
        case "'":
        case '"':
          return ch;
        case 'x':
          return this.readCodePoint(2);
        case 'u':
          return this.readCodePoint(4);
        case 'U':
          return this.readCodePoint(8);
        default:
          return ch === undefined ? null : '\\' + ch;
      }
    }

    private readCodePoint(digits: number): string | null {
      const hex = this.source.slice(this.pos, this.pos + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
        return null;
      }
      this.pos += digits;
      const code = parseInt(hex, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : null;
    }

    private pos = 0;
  }
}
