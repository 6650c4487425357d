/**
 * CSV / TSV records read exactly as Python's `csv.reader` reads them (the
 * default `excel` dialect, or `excel-tab`), from a file opened with
 * `newline=''`, fed in chunks of any size:
 *
 * - a line ends at `\r\n`, `\r` or `\n` (Python's universal newlines; the
 *   line numbers of messages count them so);
 * - a field starting with `"` is quoted: delimiters and line ends inside it
 *   are kept as they are, `""` is one `"`; text after the closing quote is
 *   appended to the field (`"ab"c` is `abc`, as Python's non-strict reader);
 * - a `"` inside an unquoted field is an ordinary character;
 * - an empty line is no record (as `csv.DictReader` skips it);
 * - a byte order mark at the start of the data is dropped (`utf-8-sig`).
 *
 * Two things Python accepts silently are errors here, naming the line: a
 * quoted field still open at the end of the data (Python would swallow the
 * rest of the file into it), and a record longer than `MAX_RECORD_CHARS`.
 *
 * Pure: strings in, records out.
 */

/** One record (row) with the lines it spans (1-based, as Python's `line_num`). */
export interface IDelimitedRecord {
  fields: string[];
  /** Line where the record starts. */
  line: number;
  /** Line where it ends (more than `line` when a quoted field holds a line end). */
  endLine: number;
}

/** A problem in the data, with the line it is on. */
export class DataFormatError extends Error {
  constructor(
    message: string,
    readonly line: number
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'DataFormatError';
  }
}

/** The longest record accepted (characters); a longer one is an error, not an allocation. */
export const MAX_RECORD_CHARS = 4_000_000;

const enum State {
  StartRecord,
  StartField,
  InField,
  InQuoted,
  QuoteInQuoted,
  EatLineEnd
}

const QUOTE = 34; // "
const CR = 13;
const LF = 10;
const BOM = 0xfeff;

/** Incremental parser: `push` chunks, then `end`; each returns the records completed. */
export class DelimitedParser {
  constructor(delimiter: ',' | '\t') {
    this._delimiter = delimiter.charCodeAt(0);
  }

  /** Line of the last line end seen (lines completed so far). */
  get linesRead(): number {
    return this._line - 1;
  }

  push(chunk: string): IDelimitedRecord[] {
    const out: IDelimitedRecord[] = [];
    let start = 0;
    if (this._atStart && chunk.length > 0) {
      this._atStart = false;
      if (chunk.charCodeAt(0) === BOM) {
        start = 1;
      }
    }
    if (this._pendingCr) {
      // A '\r' ended the previous chunk: '\n' now belongs to the same line end.
      this._pendingCr = false;
      if (chunk.length > start && chunk.charCodeAt(start) === LF) {
        this._char(LF);
        start++;
      }
      this._endOfLine(out);
    }
    this._scan(chunk, start, out);
    return out;
  }

  /** The end of the data: the last record, or an error for a quote left open. */
  end(): IDelimitedRecord[] {
    const out: IDelimitedRecord[] = [];
    if (this._pendingCr) {
      this._pendingCr = false;
      this._endOfLine(out);
    }
    if (this._state === State.InQuoted) {
      throw new DataFormatError(
        'a quoted field starts here and is never closed (a missing " before the end of the file)',
        this._quoteLine
      );
    }
    if (this._state !== State.StartRecord && this._state !== State.EatLineEnd) {
      // The last line had no line end.
      this._saveField();
      this._saveRecord(out);
    }
    return out;
  }

  private _scan(chunk: string, from: number, out: IDelimitedRecord[]): void {
    const length = chunk.length;
    let i = from;
    while (i < length) {
      const state = this._state;
      if (state === State.InField || state === State.InQuoted) {
        // Copy runs of ordinary characters in one slice.
        let j = i;
        while (j < length && !this._special(chunk.charCodeAt(j), state)) {
          j++;
        }
        if (j > i) {
          this._append(chunk.slice(i, j));
          i = j;
          continue;
        }
      }
      const c = chunk.charCodeAt(i);
      if (c === CR) {
        if (i + 1 === length) {
          this._char(CR);
          this._pendingCr = true;
          return;
        }
        this._char(CR);
        if (chunk.charCodeAt(i + 1) === LF) {
          this._char(LF);
          i++;
        }
        this._endOfLine(out);
      } else if (c === LF) {
        this._char(LF);
        this._endOfLine(out);
      } else {
        this._char(c);
      }
      i++;
    }
  }

  private _special(c: number, state: State): boolean {
    if (c === QUOTE || c === CR || c === LF) {
      return true;
    }
    return state === State.InField && c === this._delimiter;
  }

  /** One character, as Python's `parse_process_char`. */
  private _char(c: number): void {
    switch (this._state) {
      case State.StartRecord:
        if (c === LF || c === CR) {
          this._state = State.EatLineEnd;
          return;
        }
        this._recordLine = this._line;
        this._state = State.StartField;
      // falls through
      case State.StartField:
        if (c === LF || c === CR) {
          this._saveField();
          this._state = State.EatLineEnd;
        } else if (c === QUOTE) {
          this._quoteLine = this._line;
          this._state = State.InQuoted;
        } else if (c === this._delimiter) {
          this._saveField();
        } else {
          this._append(String.fromCharCode(c));
          this._state = State.InField;
        }
        return;
      case State.InField:
        if (c === LF || c === CR) {
          this._saveField();
          this._state = State.EatLineEnd;
        } else if (c === this._delimiter) {
          this._saveField();
          this._state = State.StartField;
        } else {
          this._append(String.fromCharCode(c));
        }
        return;
      case State.InQuoted:
        if (c === QUOTE) {
          this._state = State.QuoteInQuoted;
        } else {
          this._append(String.fromCharCode(c));
        }
        return;
      case State.QuoteInQuoted:
        if (c === QUOTE) {
          this._append('"');
          this._state = State.InQuoted;
        } else if (c === this._delimiter) {
          this._saveField();
          this._state = State.StartField;
        } else if (c === LF || c === CR) {
          this._saveField();
          this._state = State.EatLineEnd;
        } else {
          this._append(String.fromCharCode(c));
          this._state = State.InField;
        }
        return;
      case State.EatLineEnd:
        // Only line-end characters reach here (a line ends after them).
        return;
    }
  }

  /** The end of a physical line (Python's EOL after each line). */
  private _endOfLine(out: IDelimitedRecord[]): void {
    // A line-end character has moved every state but InQuoted to EatLineEnd.
    switch (this._state) {
      case State.EatLineEnd:
        if (this._fields.length > 0) {
          this._saveRecord(out);
        }
        this._state = State.StartRecord;
        break;
      default:
        // InQuoted: the line end is part of the field.
        break;
    }
    this._line++;
  }

  private _append(text: string): void {
    this._size += text.length;
    if (this._size > MAX_RECORD_CHARS) {
      throw new DataFormatError(
        `the record is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters` +
          (this._state === State.InQuoted
            ? ` (a quoted field opened on line ${this._quoteLine} may be missing its closing ")`
            : ''),
        this._recordLine
      );
    }
    this._field += text;
  }

  private _saveField(): void {
    this._fields.push(this._field);
    this._field = '';
  }

  private _saveRecord(out: IDelimitedRecord[]): void {
    out.push({
      fields: this._fields,
      line: this._recordLine,
      endLine: this._line
    });
    this._fields = [];
    this._size = 0;
    this._state = State.StartRecord;
  }

  private _delimiter: number;
  private _state: State = State.StartRecord;
  private _fields: string[] = [];
  private _field = '';
  private _size = 0;
  private _line = 1;
  private _recordLine = 1;
  private _quoteLine = 1;
  private _pendingCr = false;
  private _atStart = true;
}
