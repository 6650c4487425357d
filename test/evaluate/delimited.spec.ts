/**
 * CSV / TSV records against Python's csv module (the oracle, run from the
 * development venv): hand-picked tricky cases and random data cut into
 * random chunks, fields and line numbers compared.
 */
import * as fc from 'fast-check';
import { DataFormatError, DelimitedParser } from '../../src/evaluate/delimited';
import { runPython } from './support/python';

interface IPythonParse {
  records?: Array<{ fields: string[]; lineNum: number }>;
  error?: string;
  strictError?: string | null;
}

/** Python's csv.reader over each text (newline=''), empty records dropped as DictReader does. */
const PYTHON_CSV = `
import csv, io, json, sys
out = []
for case in json.load(sys.stdin):
    result = {}
    def parse(strict):
        reader = csv.reader(io.StringIO(case["text"], newline=""), delimiter=case["delimiter"], strict=strict)
        records = []
        for fields in reader:
            if fields != []:
                records.append({"fields": fields, "lineNum": reader.line_num})
        return records
    try:
        result["records"] = parse(False)
    except csv.Error as e:
        result["error"] = str(e)
    try:
        parse(True)
        result["strictError"] = None
    except csv.Error as e:
        result["strictError"] = str(e)
    out.append(result)
json.dump(out, sys.stdout)
`;

function python(
  cases: Array<{ text: string; delimiter: string }>
): IPythonParse[] {
  return runPython<IPythonParse[]>(PYTHON_CSV, cases);
}

function ours(
  text: string,
  delimiter: ',' | '\t',
  cuts: number[] = []
): Array<{ fields: string[]; line: number; endLine: number }> {
  const parser = new DelimitedParser(delimiter);
  const records = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    records.push(...parser.push(text.slice(at, cut)));
    at = cut;
  }
  records.push(...parser.push(text.slice(at)));
  records.push(...parser.end());
  return records;
}

const TRICKY: Array<[string, ',' | '\t']> = [
  ['text,label\nhello,1\n', ','],
  ['text,label\r\n"a, b",0\r\n"say ""hi""",1\r\n', ','],
  ['text,label\n"line one\nline two",1\n"cr\r\nlf",0', ','],
  ['text,label\r"old mac\rline",1\r', ','],
  ['text,label\n\n\nafter blank,1\n\n', ','],
  ['text,label\n"ab"cd,1\n', ','],
  ['text,label\nhe said "no",0\n', ','],
  ['text,label\n,1\n"",0\n', ','],
  ['text\tlabel\n"tab\there"\t1\nplain, commas, stay\t0\n', '\t'],
  ['a,b\n"x""\n""y",1\n', ','],
  ['a,b\n  spaced  , 1 \n', ','],
  ['a,b\n😀 é\u0301,1\n', ','],
  ['only header', ','],
  ['a,b\nlast,line', ','],
  ['a,b\nx,"quoted at end"', ',']
];

describe('DelimitedParser = Python csv.reader', () => {
  it.each(TRICKY.map((c, i) => [i, ...c]))('case %i', (_, text, delimiter) => {
    const [expected] = python([{ text, delimiter }]);
    expect(expected.error).toBeUndefined();
    const got = ours(text, delimiter);
    expect(got.map(r => r.fields)).toEqual(
      expected.records!.map(r => r.fields)
    );
    expect(got.map(r => r.endLine)).toEqual(
      expected.records!.map(r => r.lineNum)
    );
  });

  it('random data in random chunks parses as Python parses it', () => {
    const alphabet = fc.constantFrom(
      'a',
      'b',
      ' ',
      ',',
      '\t',
      '"',
      '"',
      '\n',
      '\r',
      '\r\n',
      'é',
      '😀'
    );
    const samples = fc.sample(
      fc.record({
        parts: fc.array(alphabet, { maxLength: 40 }),
        delimiter: fc.constantFrom(',', '\t') as fc.Arbitrary<',' | '\t'>,
        cuts: fc.array(fc.nat(60), { maxLength: 6 })
      }),
      { numRuns: 600, seed: 20 }
    );
    const cases = samples.map(s => ({
      text: s.parts.join(''),
      delimiter: s.delimiter
    }));
    const expected = python(cases);
    let compared = 0;
    let unterminated = 0;
    samples.forEach((sample, i) => {
      const text = cases[i].text;
      const cuts = sample.cuts.filter(c => c <= text.length);
      let got;
      try {
        got = ours(text, sample.delimiter, cuts);
      } catch (error) {
        // Only a quote still open at the end; Python's strict mode refuses it too.
        expect(error).toBeInstanceOf(DataFormatError);
        expect((error as Error).message).toMatch(/never closed/);
        expect(expected[i].strictError).toBeTruthy();
        unterminated++;
        return;
      }
      expect({ text, fields: got.map(r => r.fields) }).toEqual({
        text,
        fields: expected[i].records!.map(r => r.fields)
      });
      expect(got.map(r => r.endLine)).toEqual(
        expected[i].records!.map(r => r.lineNum)
      );
      compared++;
    });
    expect(compared).toBeGreaterThan(300);
    expect(unterminated).toBeGreaterThan(10);
  });
});

describe('DelimitedParser: what Python would accept silently', () => {
  it('drops a byte order mark at the start only', () => {
    expect(ours('\ufefftext,label\nx\ufeff,1\n', ',')[0].fields).toEqual([
      'text',
      'label'
    ]);
    expect(ours('\ufefftext,label\nx\ufeff,1\n', ',')[1].fields).toEqual([
      'x\ufeff',
      '1'
    ]);
  });

  it('names the line where an unclosed quote starts', () => {
    const text = 'text,label\nfine,1\n"open here,0\nmore\nlines\n';
    expect(() => ours(text, ',')).toThrow(
      new DataFormatError(
        'a quoted field starts here and is never closed (a missing " before the end of the file)',
        3
      )
    );
    expect(() => ours(text, ',')).toThrow(/^line 3: /);
  });

  it('reports the start line of a multi-line record', () => {
    const records = ours('a,b\n"1\n2\n3",x\nnext,y\n', ',', [5, 7]);
    expect(records.map(r => [r.line, r.endLine])).toEqual([
      [1, 1],
      [2, 4],
      [5, 5]
    ]);
  });
});
