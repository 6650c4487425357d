/**
 * Hostile HDF5 files, built at test time from the real fixtures by
 * scripts/hostile-files.js: each is refused (or read, when it only carries
 * junk the loader never needs) by the built CLI in a child process within
 * 5 s of CPU and 500 MB of peak memory, the message naming the file, what is
 * wrong and the limit.
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
const DAMAGED =
  "the file's structure loops or is shared, which no HDF5 writer does (the file is damaged or hostile)";

let dir: string;
beforeAll(() => {
  dir = tmpDir('hdf5-');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function predict(model: string) {
  return runMeasured(
    ['predict', '--model', model, '--tokenizer', TOKENIZER, 'hello'],
    { dir }
  );
}

/** The prediction the untouched tiny.h5 gives for 'hello'. */
let reference: number;
beforeAll(() => {
  const m = predict(fixturePath('tiny.h5'));
  expect(m.code).toBe(0);
  reference = JSON.parse(m.stdout).samples[0].prediction;
});

function refused(
  m: ReturnType<typeof predict>,
  message: string | RegExp
): void {
  expectWithinBudget(m);
  expect(m.code).toBe(1);
  if (typeof message === 'string') {
    expect(m.stderr).toContain(message);
  } else {
    expect(m.stderr).toMatch(message);
  }
  expect(m.stderr).not.toMatch(RAW_ERROR);
}

describe('hostile HDF5 files', () => {
  it('a gzip bomb in the one chunk of an honest (16, 4) dataset (1 MB .h5, 1 GB inflated)', () => {
    const file = attackFile(dir, 'chunk-bomb.h5');
    expect(fs.statSync(file).size).toBeLessThan(1.2e6);
    refused(
      predict(file),
      "chunk-bomb.h5: dataset 'model_weights/embed/embed/embeddings' has a chunk at [0, 0] that " +
        'inflates past the 256 bytes its chunk dimensions declare: the file is damaged or a compression bomb'
    );
  });

  it('the same bomb inside a .keras archive (a few KB)', () => {
    const file = attackFile(dir, 'chunk-bomb.keras');
    expect(fs.statSync(file).size).toBeLessThan(20e3);
    refused(
      predict(file),
      "chunk-bomb.keras/model.weights.h5: dataset 'layers/embedding/vars/0' has a chunk at [0, 0] that " +
        'inflates past the 256 bytes its chunk dimensions declare: the file is damaged or a compression bomb'
    );
  });

  it('a chunk B-tree turned into a DAG (2^22 paths to one chunk)', () => {
    refused(
      predict(attackFile(dir, 'chunk-dag.h5')),
      new RegExp(
        "chunk-dag\\.h5: dataset 'model_weights/embed/embed/embeddings': a chunk B-tree node at byte " +
          `[\\d,]+ is reached a second time: ${DAMAGED.replace(/[()]/g, '\\$&')}`
      )
    );
  });

  it("the root group's B-tree turned into a DAG (2^24 paths)", () => {
    refused(
      predict(attackFile(dir, 'root-dag.h5')),
      new RegExp(
        `root-dag\\.h5: a group B-tree node at byte [\\d,]+ is reached a second time: ${DAMAGED.replace(/[()]/g, '\\$&')}`
      )
    );
  });

  it('3,000 variable-length strings pointing at one 8 MB string, in an attribute never needed: read, bounded', () => {
    const m = predict(attackFile(dir, 'vlen-unused.h5'));
    expectWithinBudget(m);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).samples[0].prediction).toBe(reference);
  });

  it('layer_names as 7 variable-length strings of 16 MB each', () => {
    refused(
      predict(attackFile(dir, 'vlen-names.h5')),
      "vlen-names.h5: while reading 'model_weights': attribute 'layer_names' of 'model_weights' holds " +
        'strings of more than 67.1 MB (the most an attribute may hold): the file is damaged or hostile'
    );
  });

  it('a dataset declaring 2^62 rows', () => {
    refused(
      predict(attackFile(dir, 'dims-2e62.h5')),
      "dims-2e62.h5: dataset 'model_weights/embed/embed/embeddings': a dataspace message declares a dimension " +
        'of 4,611,686,018,427,387,904, more than any file can hold: the file is damaged or hostile'
    );
  });
});

describe('HDF5 features named for what they are', () => {
  it('dense attribute and link storage (libver="latest") is read, giving the same prediction', () => {
    const m = predict(fixturePath('tiny-latest.h5'));
    expectWithinBudget(m);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).samples[0].prediction).toBe(reference);
  });

  it('gzip-chunked weights are read, giving the same prediction', () => {
    const m = predict(fixturePath('tiny-gzip.h5'));
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).samples[0].prediction).toBe(reference);
  });

  it('an external link is named as one, not followed', () => {
    refused(
      predict(fixturePath('tiny-external.h5')),
      "tiny-external.h5: 'model_weights/score' is an external link to '/score' in another file " +
        "('weights-elsewhere.h5'): links to other files are not followed"
    );
  });

  it('a compound (record) dataset is named as such', () => {
    refused(
      predict(fixturePath('tiny-compound.h5')),
      "tiny-compound.h5: dataset 'model_weights/out/out/bias' holds compound data (records of 2 fields), not numbers"
    );
  });

  it('NaN and infinite weights are refused naming the layer and the weight', () => {
    refused(
      predict(fixturePath('tiny-nan.h5')),
      "tiny-nan.h5: layer 'embed' weight 'embed/embeddings' holds 1 NaN value (the first at index 13 of " +
        'shape [16, 4]): every prediction would be NaN; the file is damaged or was saved from a training ' +
        'run that diverged'
    );
  });
});
