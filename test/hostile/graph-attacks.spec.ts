/**
 * Model configs that multiply, nest or list layers out of order, and
 * TextVectorization layers that declare too much: refused within 5 s of CPU
 * and 500 MB by the built CLI, the message naming the file, the limit and
 * the setting that changes it; the large but legitimate ones run within the
 * same budget (linear-time graph building) and give the tiny model's
 * prediction, since their extra layers compute the identity.
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

const TOKENIZER = fixturePath('tokenizer.json');

let dir: string;
let reference: number;
beforeAll(() => {
  dir = tmpDir('graph-');
  const m = predict(fixturePath('tiny.keras'));
  expect(m.code).toBe(0);
  reference = JSON.parse(m.stdout).samples[0].prediction;
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function predict(model: string, extra: string[] = [], tokenizer = true) {
  return runMeasured(
    [
      'predict',
      '--model',
      model,
      ...(tokenizer ? ['--tokenizer', TOKENIZER] : []),
      ...extra,
      'hello'
    ],
    { dir }
  );
}

function refused(m: ReturnType<typeof predict>, message: string): void {
  expectWithinBudget(m);
  expect(m.code).toBe(1);
  expect(m.stderr).toContain(message);
  expect(m.stderr).not.toMatch(RAW_ERROR);
}

describe('graphs that multiply', () => {
  it('a nested model called 8 times at each of 8 levels (16.7 million calls once inlined)', () => {
    const file = attackFile(dir, 'nested-8x8.keras');
    expect(fs.statSync(file).size).toBeLessThan(50e3);
    refused(
      predict(file),
      'nested-8x8.keras: nested models expand to more than 50,000 layer calls once inlined (a nested ' +
        'model repeats its layers for each of its calls); at most 50,000 are allowed (the maxLayers ' +
        'setting / --max-layers)'
    );
  });

  it('models nested 40 deep', () => {
    refused(
      predict(attackFile(dir, 'nested-40.keras')),
      'nested-40.keras/config.json: models are nested more than 32 levels deep; at most 32 are allowed ' +
        '(the maxNestingDepth setting / --max-nesting)'
    );
  });

  it('models nested 1,000 deep: a config too deeply nested to parse', () => {
    refused(
      predict(attackFile(dir, 'nested-deep.keras')),
      'nested-deep.keras: config.json: the JSON is nested more than 1,000 levels deep'
    );
  });

  it('100,000 layers', () => {
    refused(
      predict(attackFile(dir, 'layers-1e5')),
      'model.json: the model has more than 50,000 layers (counting those of nested models); at most ' +
        '50,000 are allowed (the maxLayers setting / --max-layers)'
    );
  });

  it('1,000,000 layers (a 37 MB model.json): refused by size before parsing', () => {
    const m = predict(attackFile(dir, 'layers-1e6'));
    expectWithinBudget(m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /cannot read model '.*layers-1e6\/model\.json': it is 37\.0 MB; at most 33\.6 MB are read/
    );
  });

  it('1,000 nested models one after the other run within budget', () => {
    const m = predict(attackFile(dir, 'nested-1000.keras'));
    expectWithinBudget(m);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).samples[0].prediction).toBe(reference);
  });

  it('20,000 layers listed in reverse order build in linear time', () => {
    const m = predict(attackFile(dir, 'reversed-20000.keras'));
    expectWithinBudget(m);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).samples[0].prediction).toBe(reference);
  });

  it('the layer limit is a setting: --max-layers lowers it', () => {
    refused(
      predict(attackFile(dir, 'reversed-20000.keras'), [
        '--max-layers',
        '1000'
      ]),
      'reversed-20000.keras/config.json: the model has more than 1,000 layers (counting those of nested ' +
        'models); at most 1,000 are allowed (the maxLayers setting / --max-layers)'
    );
  });
});

describe('TextVectorization that declares too much', () => {
  it('output_sequence_length 10^9 is refused under the input-length limit (it aborted Node)', () => {
    refused(
      predict(attackFile(dir, 'tv-length.keras'), [], false),
      "tv-length.keras: layer 'tv' (TextVectorization): output_sequence_length is 1,000,000,000; at most " +
        '100,000 input steps are allowed (the maxInputLength setting / --max-length)'
    );
  });

  it('a vocabulary of 3,000,000 entries', () => {
    refused(
      predict(attackFile(dir, 'tv-vocabulary.keras'), [], false),
      "tv-vocabulary.keras: layer 'tv' (TextVectorization): its vocabulary has more than 200,000 entries; " +
        'at most 200,000 are read (more than Unicode has characters: a character vocabulary cannot be this large)'
    );
  });
});
