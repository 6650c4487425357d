/**
 * The format comes from the file's signature, not its name: real Keras
 * files (test/fixtures/keras/hostile, made by scripts/keras_fixtures/hostile.py)
 * under their own and misleading names give Keras's own predictions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../src/model/engine';
import { sniffFile } from '../../src/model/files/format';
import { encodeTexts, parseTokenizer } from '../../src/text/tokenizer';
import { HOSTILE } from './support';

const expected = JSON.parse(
  fs.readFileSync(path.join(HOSTILE, 'expected.json'), 'utf8')
) as {
  texts: string[];
  maxlen: number;
  sequences: number[][];
  predictions: number[][];
};

function bytes(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(HOSTILE, name)));
}

describe('format by signature', () => {
  it('sniffs HDF5, zip and JSON whatever the name', () => {
    expect(sniffFile(bytes('tf2-named.keras'))).toBe('hdf5');
    expect(sniffFile(bytes('tiny-userblock.h5'))).toBe('hdf5');
    expect(sniffFile(bytes('tiny.keras'))).toBe('zip');
    expect(sniffFile(bytes('tokenizer.json'))).toBe('json');
    expect(sniffFile(new TextEncoder().encode('hello'))).toBe('other');
  });

  it.each([
    ['tiny.h5', 'tiny.h5', 'keras-h5'],
    ['tf2-named.keras', 'tf2-named.keras', 'keras-h5'],
    ['tiny-userblock.h5', 'tiny-userblock.h5', 'keras-h5'],
    ['tiny.keras', 'tiny.keras', 'keras-v3'],
    // A Keras 3 archive renamed .h5 is still read as an archive.
    ['tiny.keras', 'renamed.h5', 'keras-v3']
  ])(
    '%s named %s gives the Keras predictions',
    async (fixture, name, format) => {
      const model = await loadModel({ [name]: bytes(fixture) });
      try {
        expect(model.info.format).toBe(format);
        const result = await model.predict(expected.sequences);
        result.predictions.forEach((row, i) =>
          expect(row[0]).toBeCloseTo(expected.predictions[i][0], 5)
        );
        // Notes on the file only (the attention layer found is another inference).
        const note = (model.info.inferences ?? [])
          .filter(i => !i.startsWith('Attention layer'))
          .join(' ');
        if (name !== fixture || name === 'tf2-named.keras') {
          expect(note).toMatch(new RegExp(`^${name.replace('.', '\\.')} is `));
        } else {
          expect(note).toBe('');
        }
        if (name === 'tf2-named.keras') {
          expect(note).toContain(
            'TensorFlow 2.0-2.11 saved HDF5 under the .keras name'
          );
        }
      } finally {
        model.dispose();
      }
    }
  );
});

describe('tokenizer JSON written with json.dumps(tokenizer.to_json())', () => {
  it('reads the double-encoded file like the plain one', () => {
    const plain = parseTokenizer(
      fs.readFileSync(path.join(HOSTILE, 'tokenizer.json'), 'utf8')
    );
    const double = parseTokenizer(
      fs.readFileSync(path.join(HOSTILE, 'tokenizer-double.json'), 'utf8')
    );
    expect(double).toEqual(plain);
    const { items } = encodeTexts(double, expected.texts, {
      maxlen: expected.maxlen
    });
    expect(items.map(i => i.padded)).toEqual(expected.sequences);
  });

  it('a double-encoded string that is not JSON inside says so', () => {
    expect(() => parseTokenizer(JSON.stringify('{"class_name": '))).toThrow(
      /double-encoded/
    );
  });
});
