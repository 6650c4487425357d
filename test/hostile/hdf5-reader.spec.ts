/**
 * The HDF5 reader against independent writers: random trees of groups,
 * string attributes and float datasets (contiguous and gzip-chunked)
 * written by h5wasm (the HDF5 C library; dense link and attribute storage
 * once a group has more than 8 of them), read back exactly; files h5py wrote
 * with libver="latest" (fractal heaps, version 2 B-trees) give the same
 * attributes and weights as the default-format file.
 */
import * as fs from 'fs';
import fc from 'fast-check';
import { H5File, openHdf5 } from '../../src/model/files/hdf5/file';
import { readKerasH5 } from '../../src/model/files/keras-h5';
import { IH5Spec, writeH5 } from '../model/support/h5-writer';
import { fixturePath } from './support';

interface ITree {
  groups: string[];
  attrs: Array<{ path: string; name: string; value: string | string[] }>;
  datasets: Array<{
    path: string;
    shape: number[];
    data: number[];
    chunks?: number[];
    compression?: number;
  }>;
}

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);

/** A random tree: up to 14 children per group (dense storage from 9 on). */
const tree: fc.Arbitrary<ITree> = fc
  .record({
    groups: fc.uniqueArray(name, { minLength: 1, maxLength: 14 }),
    inner: fc.uniqueArray(name, { minLength: 0, maxLength: 4 }),
    attrs: fc.uniqueArray(
      fc.record({
        name,
        value: fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.array(fc.string({ minLength: 1, maxLength: 12 }), {
            minLength: 1,
            maxLength: 6
          })
        )
      }),
      { selector: a => a.name, maxLength: 12 }
    ),
    shapes: fc.array(
      fc.record({
        shape: fc.array(fc.integer({ min: 1, max: 7 }), {
          minLength: 1,
          maxLength: 3
        }),
        chunked: fc.boolean()
      }),
      { minLength: 1, maxLength: 4 }
    ),
    seed: fc.integer({ min: 1, max: 1000 })
  })
  .map(({ groups, inner, attrs, shapes, seed }) => {
    const top = `g_${groups[0]}`;
    const paths = [top, ...groups.slice(1).map(g => `${top}/${g}`)];
    const deep = inner.map(g => `${paths[paths.length - 1]}/${g}`);
    let x = seed;
    const datasets = shapes.map((s, i) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const data = Array.from({ length: size }, () => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return Math.fround((x / 2147483648) * 20 - 10);
      });
      return {
        path: `${paths[i % paths.length]}/data_${i}`,
        shape: s.shape,
        data,
        ...(s.chunked
          ? {
              chunks: s.shape.map(d => Math.max(1, Math.ceil(d / 2))),
              compression: 4
            }
          : {})
      };
    });
    return {
      groups: [...paths, ...deep],
      attrs: attrs.map(a => ({ path: top, ...a })),
      datasets
    };
  });

/** Every group and dataset path under `path`, read through the reader. */
function walk(file: H5File, path: string, out: string[]): string[] {
  for (const key of file.keys(path)) {
    const child = path ? `${path}/${key}` : key;
    out.push(child);
    if (file.isGroup(child)) {
      walk(file, child, out);
    }
  }
  return out;
}

describe('HDF5 files written by h5wasm (the HDF5 library)', () => {
  it('read back exactly: every group, dataset value and string attribute', () => {
    fc.assert(
      fc.property(tree, t => {
        const bytes = writeH5(t as IH5Spec);
        const file = openHdf5(bytes, 'random.h5');
        const expected = new Set([...t.groups, ...t.datasets.map(d => d.path)]);
        for (const p of t.groups) {
          const parts = p.split('/');
          for (let i = 1; i < parts.length; i++) {
            expected.add(parts.slice(0, i).join('/'));
          }
        }
        expect(new Set(walk(file, '', []))).toEqual(expected);
        for (const d of t.datasets) {
          const read = file.dataset(d.path);
          expect(read.shape).toEqual(d.shape);
          expect(Array.from(read.data)).toEqual(d.data);
        }
        for (const a of t.attrs) {
          const value = file.attribute(a.path, a.name);
          expect(value).toEqual(a.value);
        }
      }),
      { numRuns: 6, seed: 20261205 }
    );
  });
});

describe('the same model written by h5py in its default and its latest format', () => {
  const bytes = (f: string) => new Uint8Array(fs.readFileSync(fixturePath(f)));
  const plain = openHdf5(bytes('tiny.h5'), 'tiny.h5');
  const latest = openHdf5(bytes('tiny-latest.h5'), 'tiny-latest.h5');

  it('dense attributes (more than 8 on a group) read as h5py wrote them', () => {
    for (let i = 0; i < 10; i++) {
      expect(latest.stringAttr('', `extra_${i}`)).toBe(`value ${i}`);
      expect(latest.stringAttr('model_weights', `extra_${i}`)).toBe(
        `value ${i}`
      );
    }
    expect(latest.stringAttr('', 'model_config')).toBe(
      plain.stringAttr('', 'model_config')
    );
    expect(latest.stringListAttr('model_weights', 'layer_names')).toEqual(
      plain.stringListAttr('model_weights', 'layer_names')
    );
  });

  it('dense links (more than 8 in a group) and the same weights', () => {
    expect(new Set(latest.keys('model_weights'))).toEqual(
      new Set([
        ...plain.keys('model_weights'),
        ...Array.from({ length: 10 }, (_, i) => `unused_${i}`)
      ])
    );
    for (const p of walk(plain, '', [])) {
      if (!plain.isGroup(p)) {
        expect(Array.from(latest.dataset(p).data)).toEqual(
          Array.from(plain.dataset(p).data)
        );
      }
    }
  });

  it('gzip-chunked datasets read as the contiguous ones', () => {
    const gzip = openHdf5(bytes('tiny-gzip.h5'), 'tiny-gzip.h5');
    for (const p of walk(plain, '', [])) {
      if (!plain.isGroup(p)) {
        expect(Array.from(gzip.dataset(p).data)).toEqual(
          Array.from(plain.dataset(p).data)
        );
      }
    }
  });
});

describe('Keras attributes split in parts', () => {
  it('layer_names over 64 KB, saved as layer_names0, layer_names1, ... (as Keras does), are joined', () => {
    const bytes = writeH5({
      groups: ['a/a', 'b'],
      attrs: [
        { path: '', name: 'layer_names0', value: ['a'] },
        { path: '', name: 'layer_names1', value: ['b'] },
        { path: 'a', name: 'weight_names', value: ['a/w'] },
        { path: 'b', name: 'weight_names', value: [] as string[] }
      ],
      datasets: [{ path: 'a/a/w', shape: [2], data: [1.5, -2] }]
    });
    const read = readKerasH5(bytes, 'split.h5');
    expect(read.layerNames).toEqual(['a', 'b']);
    expect(
      read.weights.get('a')!.map(w => [w.name, Array.from(w.data)])
    ).toEqual([['a/w', [1.5, -2]]]);
    expect(read.weights.get('b')).toEqual([]);
  });
});
