/**
 * Mutated and truncated real Keras files (fast-check): every failure is a
 * ModelError whose message names the file and says what is wrong in plain
 * words, never a raw reader message; every case ends quickly.
 */
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { loadGraph } from '../../src/model/engine';
import { ModelError } from '../../src/model/types';
import { HOSTILE } from './support';

const RAW =
  /DataView|undefined|Cannot read propert|is not a function|is not iterable|RangeError|TypeError|InvalidHDF5File|Maximum call stack|\[object /;
/** Per case: a damaged file must fail (or load) this fast. */
const CASE_MS = 2000;

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'fill'; at: number; length: number; value: number };

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = bytes.slice();
  for (const m of mutations) {
    const at = Math.floor(m.at * out.length);
    if (m.kind === 'truncate') {
      out = out.slice(0, at);
    } else if (m.kind === 'flip') {
      out[at] = m.value;
    } else {
      out.fill(m.value, at, Math.min(out.length, at + m.length));
    }
  }
  return out;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 0.9999, noNaN: true }),
    value: fc.integer({ min: 0, max: 255 })
  }),
  fc.record({
    kind: fc.constant('truncate' as const),
    at: fc.double({ min: 0, max: 0.9999, noNaN: true })
  }),
  fc.record({
    kind: fc.constant('fill' as const),
    at: fc.double({ min: 0, max: 0.9999, noNaN: true }),
    length: fc.integer({ min: 1, max: 64 }),
    value: fc.constantFrom(0, 0xff, 0x7f, 0x41)
  })
);

function check(name: string, bytes: Uint8Array): void {
  const start = Date.now();
  try {
    const loaded = loadGraph({ [name]: bytes });
    loaded.graph.kernels.dispose();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toMatch(RAW);
  }
  expect(Date.now() - start).toBeLessThan(CASE_MS);
}

describe.each([
  ['tiny.h5', 'mutated.h5'],
  ['tiny.keras', 'mutated.keras'],
  // Chunked gzip data, and the libver="latest" structures (fractal heaps, version 2 B-trees).
  ['tiny-gzip.h5', 'mutated.h5'],
  ['tiny-latest.h5', 'mutated.h5']
])('%s, mutated', (fixture, name) => {
  const original = new Uint8Array(fs.readFileSync(path.join(HOSTILE, fixture)));

  it('loads unmutated', () => {
    const loaded = loadGraph({ [name]: original });
    expect(loaded.graph.spec.layers.length).toBeGreaterThan(3);
    loaded.graph.kernels.dispose();
  });

  it('fails with a clear ModelError (or loads) for every mutation', () => {
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        mutations => check(name, mutate(original, mutations))
      ),
      { numRuns: 500, seed: 20261127 }
    );
  });
});

describe('a damaged model.weights.h5 inside a .keras', () => {
  it('says the weights file is damaged, not that it has 0 weight arrays', () => {
    const { unzipSync, zipSync } = jest.requireActual('fflate');
    const entries = unzipSync(
      new Uint8Array(fs.readFileSync(path.join(HOSTILE, 'tiny.keras')))
    ) as { [k: string]: Uint8Array };
    const weights = entries['model.weights.h5'];
    // Zero the middle of the weights file (its object headers and data).
    const damaged = weights.slice();
    damaged.fill(0, 800, weights.length - 2000);
    const archive = zipSync({ ...entries, 'model.weights.h5': damaged });
    let message = '';
    try {
      loadGraph({ 'damaged.keras': archive });
    } catch (error) {
      expect(error).toBeInstanceOf(ModelError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^damaged\.keras\/model\.weights\.h5: /);
    expect(message).toMatch(/damaged/);
    expect(message).not.toMatch(/0 weight arrays/);
    expect(message).not.toMatch(RAW);
  });
});
