/**
 * Chunked (and compressed) datasets. Each chunk is inflated no further than
 * the size its declared chunk dimensions give; the bytes read and inflated
 * for one dataset are counted against a budget derived from its declared
 * shape; every chunk's position is checked (inside the dataset, aligned, not
 * twice). Filters: deflate, shuffle, Fletcher-32 (h5py's). Pure.
 */
import { formatBytes, formatCount } from '../../limits';
import { inflateBounded } from '../inflate';
import { ByteView, datasetError } from './bytes';
import { chunkEntries, IChunkEntry } from './btree-v1';
import { IFilter, Layout } from './messages';
import { decodeNumbers, INumeric } from './numbers';
import { ReadBudget } from './read-budget';

const DEFLATE = 1;
const SHUFFLE = 2;
const FLETCHER32 = 3;
const FILTER_NAMES: { [id: number]: string } = {
  4: 'szip',
  5: 'n-bit',
  6: 'scale-offset',
  32000: 'LZF',
  32001: 'Blosc',
  32004: 'LZ4',
  32008: 'bitshuffle',
  32015: 'Zstandard'
};

export interface IChunkedRead {
  view: ByteView;
  budget: ReadBudget;
  layout: Extract<Layout, { kind: 'chunked' }>;
  shape: number[];
  type: INumeric;
  filters: IFilter[];
  /** Bytes this dataset may read and inflate in total. */
  limit: number;
  /** The dataset's declared size in bytes (for messages). */
  declared: number;
}

/** The dataset's values, assembled from its chunks. */
export function readChunked(read: IChunkedRead): Float32Array {
  const { view, layout, shape, type, limit } = read;
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (layout.chunk.length !== shape.length) {
    throw datasetError(
      `has chunks of ${layout.chunk.length} dimensions for its ${shape.length}: the file is damaged`
    );
  }
  const chunkBytes = layout.chunk.reduce((a, b) => a * b, 1) * type.size;
  if (chunkBytes > limit) {
    throw datasetError(
      `has chunks of [${layout.chunk.join(', ')}] values (${formatBytes(chunkBytes)} each), more than the ` +
        `${formatBytes(limit)} a dataset of ${formatBytes(read.declared)} may read: the file is damaged or hostile`,
      'limit'
    );
  }
  for (const f of read.filters) {
    if (![DEFLATE, SHUFFLE, FLETCHER32].includes(f.id)) {
      throw datasetError(
        `is compressed with the ${FILTER_NAMES[f.id] ?? `HDF5 filter ${f.id}`} filter; only gzip (deflate), ` +
          'shuffle and Fletcher-32 are supported',
        'unsupported'
      );
    }
  }
  if (layout.address === null) {
    return out; // nothing written: every value is the fill value
  }
  const entries: IChunkEntry[] =
    layout.index === 'single'
      ? [
          {
            offsets: shape.map(() => 0),
            size: layout.single?.size ?? chunkBytes,
            filterMask: layout.single?.mask ?? 0,
            address: layout.address
          }
        ]
      : chunkEntries(view, read.budget, layout.address, shape.length);
  const seen = new Set<string>();
  let spent = 0;
  const spend = (bytes: number) => {
    spent += bytes;
    if (spent > limit) {
      throw datasetError(
        `reads and inflates more than ${formatBytes(limit)} from its chunks (twice its declared ` +
          `${formatBytes(read.declared)} plus 1 MB, the most a dataset may read): the file is damaged or hostile`,
        'limit'
      );
    }
  };
  for (const entry of entries) {
    Private.checkPosition(entry, layout.chunk, shape, seen);
    spend(entry.size);
    const stored = view.slice(entry.address, entry.size, 'a chunk');
    const bytes = Private.unfilter(
      stored,
      read.filters,
      entry,
      chunkBytes,
      type.size
    );
    spend(bytes.length);
    Private.place(bytes, entry.offsets, layout.chunk, shape, type, out);
  }
  return out;
}

namespace Private {
  export function checkPosition(
    entry: IChunkEntry,
    chunk: number[],
    shape: number[],
    seen: Set<string>
  ): void {
    const at = `[${entry.offsets.join(', ')}]`;
    entry.offsets.forEach((o, d) => {
      if (o % chunk[d] !== 0 || o >= shape[d]) {
        throw datasetError(
          `has a chunk at ${at}, outside its shape [${shape.join(', ')}] or off its ` +
            `[${chunk.join(', ')}] grid: the file is damaged`
        );
      }
    });
    if (seen.has(at)) {
      throw datasetError(
        `has two chunks at ${at}: the file is damaged or hostile`
      );
    }
    seen.add(at);
  }

  /** Undoes the filters (last applied first), each output checked against the chunk's size. */
  export function unfilter(
    stored: Uint8Array,
    filters: IFilter[],
    entry: IChunkEntry,
    chunkBytes: number,
    itemSize: number
  ): Uint8Array {
    let bytes = stored;
    const at = `[${entry.offsets.join(', ')}]`;
    const hasFletcher = filters.some(f => f.id === FLETCHER32);
    for (let i = filters.length - 1; i >= 0; i--) {
      if (entry.filterMask & (1 << i)) {
        continue;
      }
      const id = filters[i].id;
      if (id === FLETCHER32) {
        if (bytes.length < 4) {
          throw datasetError(
            `has a chunk at ${at} too short for its checksum: the file is damaged`
          );
        }
        bytes = bytes.subarray(0, bytes.length - 4);
      } else if (id === DEFLATE) {
        // A chunk inflates to its declared size (plus a checksum filtered after it).
        const cap = chunkBytes + (hasFletcher ? 4 : 0);
        const result = inflateBounded(bytes, cap, 'zlib');
        if (!result.ok) {
          throw datasetError(
            result.reason === 'over'
              ? `has a chunk at ${at} that inflates past the ${formatBytes(cap)} its chunk dimensions declare: ` +
                  'the file is damaged or a compression bomb'
              : `has a chunk at ${at} that cannot be inflated: the file is damaged`
          );
        }
        bytes = result.bytes;
      } else {
        bytes = unshuffle(bytes, itemSize);
      }
    }
    if (bytes.length !== chunkBytes) {
      throw datasetError(
        `has a chunk at ${at} of ${formatCount(bytes.length)} bytes where its dimensions need ${formatCount(chunkBytes)}: ` +
          'the file is damaged'
      );
    }
    return bytes;
  }

  export function unshuffle(bytes: Uint8Array, itemSize: number): Uint8Array {
    if (itemSize <= 1) {
      return bytes;
    }
    const count = Math.floor(bytes.length / itemSize);
    const out = bytes.slice();
    for (let b = 0; b < itemSize; b++) {
      for (let i = 0; i < count; i++) {
        out[i * itemSize + b] = bytes[b * count + i];
      }
    }
    return out;
  }

  /** Copies the part of a chunk inside the dataset, one run of the last dimension at a time. */
  export function place(
    bytes: Uint8Array,
    offsets: number[],
    chunk: number[],
    shape: number[],
    type: INumeric,
    out: Float32Array
  ): void {
    const rank = shape.length;
    const last = rank - 1;
    const run = Math.min(chunk[last], shape[last] - offsets[last]);
    const index = new Array<number>(rank).fill(0);
    for (;;) {
      let src = 0;
      let dst = 0;
      for (let d = 0; d < rank; d++) {
        src = src * chunk[d] + index[d];
        dst = dst * shape[d] + offsets[d] + index[d];
      }
      decodeNumbers(bytes, src * type.size, run, type, out, dst);
      let d = last - 1;
      while (d >= 0) {
        index[d]++;
        if (index[d] < chunk[d] && offsets[d] + index[d] < shape[d]) {
          break;
        }
        index[d] = 0;
        d--;
      }
      if (d < 0) {
        return;
      }
    }
  }
}
