/**
 * Files that are not what they claim: devices, symlinks leaving a model's
 * folder, a shard listed 50,000 times, an archive holding two models, an
 * output that would overwrite an input. Each is refused by the built CLI in
 * a child process within 5 s and 500 MB, naming the file and why.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  attackFile,
  expectWithinBudget,
  fixturePath,
  RAW_ERROR,
  ROOT,
  runMeasured,
  tmpDir
} from './support';

const TOKENIZER = fixturePath('tokenizer.json');
const DEMO_TOKENIZER = path.join(
  ROOT,
  'examples',
  'models',
  'demo',
  'tokenizer.json'
);

let dir: string;
beforeAll(() => {
  dir = tmpDir('files-');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  return runMeasured(args, { dir });
}

function refused(
  m: ReturnType<typeof run>,
  message: string | RegExp,
  code = 1
): void {
  expectWithinBudget(m);
  expect(m.code).toBe(code);
  if (typeof message === 'string') {
    expect(m.stderr).toContain(message);
  } else {
    expect(m.stderr).toMatch(message);
  }
  expect(m.stderr).not.toMatch(RAW_ERROR);
}

describe('TensorFlow.js shards', () => {
  it('a shard symlinked to /dev/zero is refused before anything is read', () => {
    const model = attackFile(dir, 'tfjs-zero');
    refused(
      run([
        'predict',
        '--model',
        model,
        '--tokenizer',
        DEMO_TOKENIZER,
        'hello'
      ]),
      "model.json: weight shard 'zero.bin' is a link to '/dev/zero', outside the model's folder: refused"
    );
  });

  it('a shard symlinked to a readable file outside the folder is refused', () => {
    const model = attackFile(dir, 'tfjs-outside');
    refused(
      run([
        'predict',
        '--model',
        model,
        '--tokenizer',
        DEMO_TOKENIZER,
        'hello'
      ]),
      /model\.json: weight shard 'linked\.bin' is a link to '[^']*outside-secret\.bin', outside the model's folder: refused/
    );
  });

  it('one shard listed 50,000 times is refused (it would be read 50,000 times)', () => {
    const model = attackFile(dir, 'tfjs-repeated');
    refused(
      run([
        'predict',
        '--model',
        model,
        '--tokenizer',
        DEMO_TOKENIZER,
        'hello'
      ]),
      "model.json: weight shard 'group1-shard1of1.bin' is listed twice in the manifest: the file is damaged or hostile"
    );
  });

  it('a shard linked to a file inside the folder is read', () => {
    const model = attackFile(dir, 'tfjs-inside-link');
    const m = run([
      'predict',
      '--model',
      model,
      '--tokenizer',
      DEMO_TOKENIZER,
      'hello'
    ]);
    expectWithinBudget(m);
    expect(m.code).toBe(0);
  });
});

describe('devices and outputs', () => {
  it('--model /dev/zero is refused before reading', () => {
    refused(
      run([
        'predict',
        '--model',
        '/dev/zero',
        '--tokenizer',
        TOKENIZER,
        'hello'
      ]),
      "char-attention predict: cannot read model '/dev/zero': it is not a regular file"
    );
  });

  it('--tokenizer /dev/zero is refused before reading', () => {
    refused(
      run(['encode', '--tokenizer', '/dev/zero', 'hello']),
      "char-attention encode: cannot read tokenizer file '/dev/zero': it is not a regular file"
    );
  });

  it('render p.json -o p.json is refused and leaves the payload as it was', () => {
    const payload = attackFile(dir, 'payload.json');
    const before = fs.readFileSync(payload, 'utf8');
    refused(
      run(['render', payload, '-o', payload]),
      `char-attention render: the output '${payload}' is also the payload: writing it would destroy the input; choose another output file`,
      2
    );
    expect(fs.readFileSync(payload, 'utf8')).toBe(before);
  });

  it('predict -o onto its own tokenizer is refused and leaves the tokenizer as it was', () => {
    const tokenizer = path.join(dir, 'tokenizer-copy.json');
    fs.copyFileSync(TOKENIZER, tokenizer);
    const before = fs.readFileSync(tokenizer, 'utf8');
    refused(
      run([
        'predict',
        '--model',
        fixturePath('tiny.h5'),
        '--tokenizer',
        tokenizer,
        '-o',
        tokenizer,
        'hello'
      ]),
      `the output '${tokenizer}' is also the tokenizer (--tokenizer): writing it would destroy the input`,
      2
    );
    expect(fs.readFileSync(tokenizer, 'utf8')).toBe(before);
  });
});

describe('one model, as Keras reads it', () => {
  it('a .keras archive with two config.json entries is refused (Keras reads the last, we read the first)', () => {
    refused(
      run([
        'predict',
        '--model',
        attackFile(dir, 'two-configs.keras'),
        '--tokenizer',
        TOKENIZER,
        'hello'
      ]),
      "two-configs.keras: the archive has two entries named 'config.json' (Keras reads the last, other " +
        'zip readers the first): the archive is damaged or was made to show two different models'
    );
  });
});
