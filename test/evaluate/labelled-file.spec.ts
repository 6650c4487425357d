/**
 * Labelled rows from CSV, TSV, JSONL and plain text: columns by name, rows
 * in input order with their start lines, chunk boundaries anywhere, and a
 * clear error naming the line for every bad row. CSV fields themselves are
 * checked against Python in delimited.spec.ts.
 */
import {
  formatFromName,
  ILabelledRow,
  IReaderOptions,
  LabelledReader,
  readLabelledText
} from '../../src/evaluate/labelled-file';

function chunked(text: string, options: IReaderOptions, size: number) {
  const reader = new LabelledReader(options);
  const rows: ILabelledRow[] = [];
  for (let i = 0; i < text.length; i += size) {
    rows.push(...reader.push(text.slice(i, i + size)));
  }
  rows.push(...reader.end());
  return rows;
}

const CSV =
  '\ufeffid,text,label\r\n1,"Great, really ""great""",pos\r\n2,"two\r\nlines",neg\r\n\r\n3,,\r\n';

describe('LabelledReader', () => {
  it('CSV: the named columns, start lines, empty label = none; same in any chunking', () => {
    const expected = [
      { index: 0, line: 2, text: 'Great, really "great"', label: 'pos' },
      { index: 1, line: 3, text: 'two\r\nlines', label: 'neg' },
      { index: 2, line: 6, text: '', label: null }
    ];
    for (const size of [1, 2, 3, 7, 1000]) {
      expect(chunked(CSV, { format: 'csv' }, size)).toEqual(expected);
    }
    const { columns } = readLabelledText(CSV, { format: 'csv' });
    expect(columns).toEqual({ text: 'text', label: 'label' });
  });

  it('renamed columns; a file without a label column has no labels', () => {
    const text = 'review\tstars\tscore\nnice\t5\t1\n';
    expect(
      readLabelledText(text, {
        format: 'tsv',
        textColumn: 'review',
        labelColumn: 'score'
      }).rows
    ).toEqual([{ index: 0, line: 2, text: 'nice', label: '1' }]);
    const plain = readLabelledText('text\nhello\n', { format: 'csv' });
    expect(plain.rows[0].label).toBeNull();
    expect(plain.columns).toEqual({ text: 'text', label: null });
  });

  it('JSONL: text and label keys, numbers and strings, blank lines skipped', () => {
    const text =
      '{"text": "a\\nb", "label": 1}\n\n{"text": "c", "label": "pos", "x": [1]}\r\n{"text": "d"}';
    for (const size of [1, 5, 100]) {
      expect(chunked(text, { format: 'jsonl' }, size)).toEqual([
        { index: 0, line: 1, text: 'a\nb', label: 1 },
        { index: 1, line: 3, text: 'c', label: 'pos' },
        { index: 2, line: 4, text: 'd', label: null }
      ]);
    }
  });

  it('plain text: one text per line, empty lines are texts, no final empty text', () => {
    expect(
      readLabelledText('one\r\n\nthree\n', { format: 'text' }).rows.map(r => [
        r.line,
        r.text
      ])
    ).toEqual([
      [1, 'one'],
      [2, ''],
      [3, 'three']
    ]);
  });

  it.each([
    [
      'csv',
      'text,label\nok,1\nnot, quoted,0\n',
      'line 3: 3 fields, but the header has 2 ("text", "label"); a field holding the delimiter, a quote or a line end must be quoted'
    ],
    [
      'csv',
      'text,label\n"a\nb",1,extra\n',
      /^line 2: 3 fields, .* \(the record spans lines 2-3\)/
    ],
    [
      'csv',
      'review,label\nx,1\n',
      'line 1: the header has no column \'text\' (its columns: "review", "label"); name the text column with --text-column'
    ],
    [
      'csv',
      'text,text\nx,y\n',
      "line 1: the header names the column 'text' twice"
    ],
    ['csv', '', /^line 1: the file is empty: a CSV file needs a header row/],
    [
      'csv',
      'text,label\n"open,1\n',
      /^line 2: a quoted field starts here and is never closed/
    ],
    ['jsonl', '{"text": "a"}\n{"text": "b",}\n', /^line 2: not valid JSON \(/],
    ['jsonl', '["a", 1]\n', /^line 1: expected a JSON object .*got an array/],
    [
      'jsonl',
      '{"review": "a"}\n',
      "line 1: the object has no key 'text' (its keys: review); name the text key with --text-column"
    ],
    ['jsonl', '{"text": 5}\n', "line 1: 'text' must be a string, got number"],
    [
      'jsonl',
      '{"text": "x", "label": [1]}\n',
      "line 1: 'label' must be a number or a string, got an array"
    ]
  ] as Array<[IReaderOptions['format'], string, string | RegExp]>)(
    '%s error: %s',
    (format, text, message) => {
      expect(() => readLabelledText(text, { format })).toThrow(message);
    }
  );

  it('a label column given by name must exist', () => {
    expect(() =>
      readLabelledText('text,y\na,1\n', { format: 'csv', labelColumn: 'label' })
    ).toThrow(/^line 1: the header has no column 'label'/);
  });

  it('formats from file names', () => {
    expect(formatFromName('a/b/Test.CSV')).toBe('csv');
    expect(formatFromName('x.tsv')).toBe('tsv');
    expect(formatFromName('x.ndjson')).toBe('jsonl');
    expect(formatFromName('x.txt')).toBe('text');
    expect(formatFromName('x.parquet')).toBeNull();
  });
});
