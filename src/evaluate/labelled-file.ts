/**
 * Labelled rows from a file: CSV or TSV with a header row (Python `csv`
 * semantics, see `delimited.ts`), JSONL (one JSON object per line), or plain
 * text (one text per line, no labels). Fed in chunks, so a file of any
 * length is read with bounded memory; every problem names its line.
 *
 * Pure: strings in, rows out.
 */
import {
  DataFormatError,
  DelimitedParser,
  IDelimitedRecord
} from './delimited';

export { DataFormatError };

export type LabelledFormat = 'csv' | 'tsv' | 'jsonl' | 'text';

export const LABELLED_FORMATS: ReadonlyArray<LabelledFormat> = [
  'csv',
  'tsv',
  'jsonl',
  'text'
];

/** A label as written in the file: a JSON number, or the text of a field. */
export type RawLabel = string | number | null;

/** One data row in input order. */
export interface ILabelledRow {
  /** 0-based position among the data rows. */
  index: number;
  /** Line of the file where the row starts (1-based). */
  line: number;
  text: string;
  /** null: no label column, or an empty label. */
  label: RawLabel;
}

export interface IReaderOptions {
  format: LabelledFormat;
  /** Column (CSV/TSV) or key (JSONL) of the text (default `text`). */
  textColumn?: string;
  /** Column or key of the label (default `label`; optional unless given). */
  labelColumn?: string;
}

/** The format a file name implies, or null. */
export function formatFromName(name: string): LabelledFormat | null {
  const match = /\.([a-z0-9]+)$/i.exec(name);
  switch (match ? match[1].toLowerCase() : '') {
    case 'csv':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'txt':
    case 'text':
      return 'text';
    default:
      return null;
  }
}

/** What the reader found in the header: which columns it uses. */
export interface IColumns {
  text: string;
  /** null when the file has no label column. */
  label: string | null;
}

/** Incremental reader: `push` chunks, then `end`; each returns the rows completed. */
export class LabelledReader {
  constructor(options: IReaderOptions) {
    this._format = options.format;
    this._textColumn = options.textColumn ?? 'text';
    this._labelColumn = options.labelColumn ?? 'label';
    this._labelRequired = options.labelColumn !== undefined;
    if (this._format === 'csv' || this._format === 'tsv') {
      this._delimited = new DelimitedParser(
        this._format === 'csv' ? ',' : '\t'
      );
    }
  }

  /** The columns in use, once the header (CSV/TSV) or first row (JSONL) is read. */
  get columns(): IColumns | null {
    return this._columns;
  }

  /** Data rows so far. */
  get count(): number {
    return this._index;
  }

  push(chunk: string): ILabelledRow[] {
    if (this._delimited) {
      return this._fromRecords(this._delimited.push(chunk));
    }
    return this._fromLines(chunk, false);
  }

  end(): ILabelledRow[] {
    if (this._delimited) {
      const rows = this._fromRecords(this._delimited.end());
      if (!this._header) {
        throw new DataFormatError(
          `the file is empty: a ${this._format.toUpperCase()} file needs a header row naming its columns (e.g. ${this._textColumn}${this._format === 'csv' ? ',' : '<tab>'}${this._labelColumn})`,
          1
        );
      }
      return rows;
    }
    return this._fromLines('', true);
  }

  // ---- CSV / TSV ----

  private _fromRecords(records: IDelimitedRecord[]): ILabelledRow[] {
    const rows: ILabelledRow[] = [];
    for (const record of records) {
      if (!this._header) {
        this._readHeader(record);
        continue;
      }
      const { fields, line } = record;
      if (fields.length !== this._header.length) {
        const lines =
          record.endLine > line ? `lines ${line}-${record.endLine}` : '';
        throw new DataFormatError(
          `${fields.length} field${fields.length === 1 ? '' : 's'}, but the header has ${this._header.length} ` +
            `(${this._header.map(h => JSON.stringify(h)).join(', ')})` +
            (lines ? ` (the record spans ${lines})` : '') +
            '; a field holding the delimiter, a quote or a line end must be quoted',
          line
        );
      }
      rows.push({
        index: this._index++,
        line,
        text: fields[this._textIndex],
        label:
          this._labelIndex < 0 ? null : emptyToNull(fields[this._labelIndex])
      });
    }
    return rows;
  }

  private _readHeader(record: IDelimitedRecord): void {
    const header = record.fields;
    const find = (name: string) => {
      const first = header.indexOf(name);
      if (first >= 0 && header.indexOf(name, first + 1) >= 0) {
        throw new DataFormatError(
          `the header names the column '${name}' twice`,
          record.line
        );
      }
      return first;
    };
    const listed = header.map(h => JSON.stringify(h)).join(', ');
    this._textIndex = find(this._textColumn);
    if (this._textIndex < 0) {
      throw new DataFormatError(
        `the header has no column '${this._textColumn}' (its columns: ${listed}); name the text column with --text-column`,
        record.line
      );
    }
    this._labelIndex = find(this._labelColumn);
    if (this._labelIndex < 0 && this._labelRequired) {
      throw new DataFormatError(
        `the header has no column '${this._labelColumn}' (its columns: ${listed})`,
        record.line
      );
    }
    this._header = header;
    this._columns = {
      text: this._textColumn,
      label: this._labelIndex < 0 ? null : this._labelColumn
    };
  }

  // ---- JSONL and plain text ----

  private _fromLines(chunk: string, last: boolean): ILabelledRow[] {
    if (this._atStart && chunk.length > 0) {
      this._atStart = false;
      if (chunk.charCodeAt(0) === 0xfeff) {
        chunk = chunk.slice(1);
      }
    }
    this._carry += chunk;
    const lines = this._carry.split('\n');
    this._carry = lines.pop() ?? '';
    if (last && this._carry !== '') {
      lines.push(this._carry);
      this._carry = '';
    }
    if (this._carry.length > 4_000_000) {
      throw new DataFormatError(
        'the line is longer than 4,000,000 characters',
        this._line
      );
    }
    const rows: ILabelledRow[] = [];
    for (const raw of lines) {
      const line = this._line++;
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (this._format === 'text') {
        rows.push({ index: this._index++, line, text, label: null });
        this._columns ??= { text: 'line', label: null };
      } else if (text.trim() !== '') {
        rows.push(this._jsonRow(text, line));
      }
    }
    return rows;
  }

  private _jsonRow(text: string, line: number): ILabelledRow {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new DataFormatError(
        `not valid JSON (${(error as Error).message})`,
        line
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DataFormatError(
        `expected a JSON object such as {"${this._textColumn}": "...", "${this._labelColumn}": 1}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
        line
      );
    }
    const object = value as { [key: string]: unknown };
    const body = object[this._textColumn];
    if (typeof body !== 'string') {
      throw new DataFormatError(
        body === undefined
          ? `the object has no key '${this._textColumn}' (its keys: ${Object.keys(object).join(', ') || 'none'}); name the text key with --text-column`
          : `'${this._textColumn}' must be a string, got ${typeOf(body)}`,
        line
      );
    }
    const label = object[this._labelColumn];
    if (label === undefined && this._labelRequired) {
      throw new DataFormatError(
        `the object has no key '${this._labelColumn}'`,
        line
      );
    }
    if (
      label !== undefined &&
      label !== null &&
      typeof label !== 'string' &&
      typeof label !== 'number'
    ) {
      throw new DataFormatError(
        `'${this._labelColumn}' must be a number or a string, got ${typeOf(label)}`,
        line
      );
    }
    if (
      !this._columns ||
      (this._columns.label === null && label !== undefined)
    ) {
      this._columns = {
        text: this._textColumn,
        label: label === undefined ? null : this._labelColumn
      };
    }
    return {
      index: this._index++,
      line,
      text: body,
      label:
        label === undefined || label === null
          ? null
          : typeof label === 'string'
            ? emptyToNull(label)
            : label
    };
  }

  private _format: LabelledFormat;
  private _textColumn: string;
  private _labelColumn: string;
  private _labelRequired: boolean;
  private _delimited: DelimitedParser | null = null;
  private _header: string[] | null = null;
  private _textIndex = -1;
  private _labelIndex = -1;
  private _columns: IColumns | null = null;
  private _index = 0;
  private _line = 1;
  private _carry = '';
  private _atStart = true;
}

/** Every row of a whole text (the explorer reads its file at once). */
export function readLabelledText(
  text: string,
  options: IReaderOptions
): { rows: ILabelledRow[]; columns: IColumns | null } {
  const reader = new LabelledReader(options);
  const rows = reader.push(text);
  for (const row of reader.end()) {
    rows.push(row);
  }
  return { rows, columns: reader.columns };
}

function emptyToNull(value: string): string | null {
  return value.trim() === '' ? null : value;
}

function typeOf(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value;
}
