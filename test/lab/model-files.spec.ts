import {
  decodeBase64,
  folderEntryNames,
  isModelPath,
  readModelFiles,
  weightShardPaths
} from '../../src/lab/model-files';
import type { IContentsLike } from '../../src/lab/model-files';

describe('model files', () => {
  it('recognises model files by name', () => {
    for (const path of [
      'a/weights.best.hdf5',
      'm.H5',
      'x/model.keras',
      'tfjs/model.json',
      'demo.model.json'
    ]) {
      expect([path, isModelPath(path)]).toEqual([path, true]);
    }
    for (const path of [
      'tokenizer.json',
      'notes.txt',
      'h5',
      'model.json.bak'
    ]) {
      expect([path, isModelPath(path)]).toEqual([path, false]);
    }
  });

  it('lists the weight shards of a tfjs model.json once each', () => {
    expect(
      weightShardPaths({
        weightsManifest: [
          { paths: ['g1-1.bin', 'g1-2.bin'] },
          { paths: ['g2.bin', 'g1-1.bin'] }
        ]
      })
    ).toEqual(['g1-1.bin', 'g1-2.bin', 'g2.bin']);
    expect(weightShardPaths({})).toEqual([]);
    expect(weightShardPaths(null)).toEqual([]);
  });

  it('decodes base64 like Node does, with line breaks', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256);
    const base64 = Buffer.from(bytes)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n');
    expect(Array.from(decodeBase64(base64))).toEqual(Array.from(bytes));
  });

  it('decodes base64 without atob', () => {
    const saved = (globalThis as any).atob;
    (globalThis as any).atob = undefined;
    try {
      for (const length of [0, 1, 2, 3, 4, 100]) {
        const bytes = Uint8Array.from({ length }, (_, i) => (i * 91 + 7) % 256);
        const base64 = Buffer.from(bytes).toString('base64');
        expect(Array.from(decodeBase64(base64))).toEqual(Array.from(bytes));
      }
      expect(() => decodeBase64('ab$d')).toThrow('invalid base64 data');
    } finally {
      (globalThis as any).atob = saved;
    }
  });

  it('lists a folder once (no probing) and survives a missing folder', async () => {
    const contents: IContentsLike = {
      async get(path) {
        if (path !== 'models') {
          throw new Error('Not Found');
        }
        return {
          type: 'directory',
          content: [{ name: 'demo.h5' }, { name: 'tokenizer.json' }]
        };
      }
    };
    expect(await folderEntryNames(contents, 'models')).toEqual(
      new Set(['demo.h5', 'tokenizer.json'])
    );
    expect(await folderEntryNames(contents, 'nope')).toEqual(new Set());
  });

  it('names a model.json that is not JSON', async () => {
    const contents: IContentsLike = {
      async get() {
        return { type: 'file', content: '{oops' };
      }
    };
    await expect(readModelFiles(contents, 'tfjs/model.json')).rejects.toThrow(
      /^tfjs\/model\.json is not valid JSON/
    );
  });
});
