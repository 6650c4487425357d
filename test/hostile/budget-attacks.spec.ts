/**
 * Inputs whose size or nesting used to cost seconds and gigabytes, or blow
 * the stack: tokenizers, TextVectorization vocabularies, payloads and
 * attention files. Over the limit they are refused naming the file and the
 * limit; just under it they are read within the same 5 s / 500 MB budget.
 */
import * as fs from 'fs';
import {
  attackFile,
  expectWithinBudget,
  fixturePath,
  RAW_ERROR,
  runMeasured,
  tmpDir
} from './support';

let dir: string;
beforeAll(() => {
  dir = tmpDir('budget-');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  return runMeasured(args, { dir });
}

describe('sizes', () => {
  it('a 44 MB tokenizer is refused before it is read', () => {
    const file = attackFile(dir, 'tokenizer-40mb.json');
    const m = run(['encode', '--tokenizer', file, 'hello']);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(
      `char-attention encode: cannot read tokenizer file '${file}': it is 44.0 MB; at most 8.39 MB are read`
    );
  });

  it('an 8 MB tokenizer (440,000 entries) is read within budget', () => {
    const m = run([
      'encode',
      '--tokenizer',
      attackFile(dir, 'tokenizer-8mb.json'),
      'hello'
    ]);
    expectWithinBudget(m);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout)).toEqual([[1, 2, 3, 3, 4]]);
  });

  it('a TextVectorization vocabulary of 199,990 entries is read within budget', () => {
    const m = run([
      'predict',
      '--model',
      attackFile(dir, 'tv-vocabulary-199k.keras'),
      'hello'
    ]);
    expectWithinBudget(m);
    // Read whole (its last index is known), then refused: the model's
    // Embedding takes 23 ids.
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(
      "the TextVectorization layer 'tv' does not match the model: it gives indices up to 199989, but the model's Embedding accepts 0–22 (input_dim 23)"
    );
  });
});

describe('nesting', () => {
  const depth = 'the JSON is nested more than 1,000 levels deep';

  it('a double-encoded tokenizer 100,000 levels deep gets a named error, not a stack overflow', () => {
    const file = attackFile(dir, 'tokenizer-deep.json');
    const m = run(['encode', '--tokenizer', file, 'hello']);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(
      `char-attention encode: ${file}: tokenizer: ${depth} (at character 5,000); at most 1,000 levels are read`
    );
    expect(m.stderr).not.toMatch(RAW_ERROR);
  });

  it('align --attention nested 10^6 deep gets a named error', () => {
    const file = attackFile(dir, 'attention-deep.json');
    const m = run([
      'align',
      '--tokenizer',
      fixturePath('tokenizer.json'),
      '--attention',
      file,
      'hello'
    ]);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(
      `char-attention align: attention file '${file}' is refused: ${depth} (at character 1,000); at most 1,000 levels are read`
    );
  });

  it('render of a payload 100,000 levels deep gets a named error', () => {
    const file = attackFile(dir, 'payload-deep.json');
    const m = run(['render', file, '-o', `${dir}/deep.html`]);
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(
      `char-attention render: ${file} is refused: ${depth}`
    );
    expect(fs.existsSync(`${dir}/deep.html`)).toBe(false);
  });
});
