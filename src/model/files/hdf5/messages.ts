/**
 * The header messages a Keras file uses, decoded from their bodies:
 * dataspace (shape), datatype, data layout, filter pipeline, links, link and
 * attribute info, symbol table, and the attribute message's parts. What
 * cannot be read is named in plain words (a compound type, an external link,
 * a chunk index of HDF5 1.10, ...). Pure.
 */
import { formatCount } from '../../limits';
import { ByteView, H5Error, padTo } from './bytes';

/** Deeper than any dataset Keras writes; dimensions beyond are refused. */
const MAX_RANK = 32;

export interface IDataspace {
  /** Dimensions; [] for a scalar. */
  dims: number[];
  /** The null dataspace: no elements at all. */
  empty: boolean;
}

export function readDataspace(view: ByteView, at: number): IDataspace {
  const what = 'a dataspace message';
  const version = view.u8(at, what);
  const rank = view.u8(at + 1, what);
  if (version !== 1 && version !== 2) {
    throw new H5Error(`${what} has version ${version}: the file is damaged`);
  }
  if (rank > MAX_RANK) {
    throw new H5Error(
      `${what} declares ${rank} dimensions (at most ${MAX_RANK}): the file is damaged`
    );
  }
  const empty = version === 2 && view.u8(at + 3, what) === 2;
  const first = at + (version === 1 ? 8 : 4);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = first + i * 8;
    view.need(d, 8, what);
    if (view.u32(d + 4, what) >= 0x200000) {
      throw new H5Error(
        `${what} declares a dimension of ${view.bigText(d, 8)}, more than any file can hold: ` +
          'the file is damaged or hostile'
      );
    }
    dims.push(view.u64(d, what));
  }
  return { dims, empty };
}

/** A datatype this reader decodes, or a description of one it does not. */
export type Datatype =
  | { kind: 'int'; size: number; signed: boolean; littleEndian: boolean }
  | { kind: 'float'; size: number; littleEndian: boolean }
  | { kind: 'string'; size: number }
  | { kind: 'vlen-string' }
  | { kind: 'other'; size: number; description: string };

const CLASS_NAMES: { [k: number]: string } = {
  2: 'time values',
  4: 'bit fields',
  5: 'opaque bytes',
  7: 'object references',
  8: 'enumerated values',
  10: 'fixed-size arrays'
};

export function readDatatype(view: ByteView, at: number): Datatype {
  const what = 'a datatype message';
  const head = view.u8(at, what);
  const cls = head & 0x0f;
  const bits0 = view.u8(at + 1, what);
  const bits1 = view.u8(at + 2, what);
  const size = view.u32(at + 4, what);
  const littleEndian = (bits0 & 1) === 0;
  if (cls === 0 && [1, 2, 4, 8].includes(size)) {
    return { kind: 'int', size, signed: (bits0 & 0x08) !== 0, littleEndian };
  }
  if (cls === 1 && [2, 4, 8].includes(size) && !(bits0 & 0x40)) {
    return { kind: 'float', size, littleEndian };
  }
  if (cls === 3) {
    return { kind: 'string', size };
  }
  if (cls === 9) {
    return (bits0 & 0x0f) === 1
      ? { kind: 'vlen-string' }
      : { kind: 'other', size, description: 'variable-length sequences' };
  }
  if (cls === 6) {
    const fields = bits0 | (bits1 << 8);
    return {
      kind: 'other',
      size,
      description: `compound data (records of ${fields} field${fields === 1 ? '' : 's'})`
    };
  }
  if (cls === 0 || cls === 1) {
    return {
      kind: 'other',
      size,
      description: `${size}-byte ${cls === 0 ? 'integers' : 'floating-point numbers'}`
    };
  }
  return {
    kind: 'other',
    size,
    description: CLASS_NAMES[cls] ?? `datatype class ${cls}`
  };
}

/** Bytes per element of a datatype as stored. */
export function elementSize(type: Datatype): number {
  return type.kind === 'vlen-string' ? 16 : type.size;
}

/** How a dataset's data is stored. */
export type Layout =
  | { kind: 'contiguous'; address: number | null }
  | { kind: 'compact'; at: number; size: number }
  | {
      kind: 'chunked';
      /** Chunk index: version 1 B-tree, or one chunk (HDF5 1.10 single-chunk index). */
      index: 'btree' | 'single';
      address: number | null;
      /** Chunk dimensions (without the element size). */
      chunk: number[];
      /** A single filtered chunk's stored size and filter mask. */
      single?: { size: number; mask: number };
    };

const V4_INDEXES: { [k: number]: string } = {
  2: 'an implicit index',
  3: 'a fixed array index',
  4: 'an extensible array index',
  5: 'a version 2 B-tree index'
};

export function readLayout(view: ByteView, at: number, size: number): Layout {
  const what = 'a data layout message';
  const version = view.u8(at, what);
  if (version === 1 || version === 2) {
    const rank = view.u8(at + 1, what);
    const cls = view.u8(at + 2, what);
    if (cls === 0) {
      const dataAt = at + 8 + rank * 4;
      return { kind: 'compact', at: dataAt + 4, size: view.u32(dataAt, what) };
    }
    const address = view.address(at + 8, what);
    if (cls === 1) {
      return { kind: 'contiguous', address };
    }
    return chunked('btree', address, dims(view, at + 16, rank, 4, what));
  }
  if (version !== 3 && version !== 4) {
    throw new H5Error(`${what} has version ${version}: the file is damaged`);
  }
  const cls = view.u8(at + 1, what);
  if (cls === 0) {
    return { kind: 'compact', at: at + 4, size: view.u16(at + 2, what) };
  }
  if (cls === 1) {
    return { kind: 'contiguous', address: view.address(at + 2, what) };
  }
  if (cls === 3) {
    throw new H5Error(
      'it is a virtual dataset (its data lives in other datasets or files), which is not read',
      'unsupported'
    );
  }
  if (cls !== 2) {
    throw new H5Error(`${what} has layout class ${cls}: the file is damaged`);
  }
  if (version === 3) {
    const rank = view.u8(at + 2, what);
    return chunked(
      'btree',
      view.address(at + 3, what),
      dims(view, at + 11, rank, 4, what)
    );
  }
  const flags = view.u8(at + 2, what);
  const rank = view.u8(at + 3, what);
  const width = view.u8(at + 4, what);
  if (width < 1 || width > 8) {
    throw new H5Error(
      `${what} has ${width}-byte chunk dimensions: the file is damaged`
    );
  }
  const chunk = dims(view, at + 5, rank, width, what);
  const indexAt = at + 5 + rank * width;
  const index = view.u8(indexAt, what);
  if (index !== 1) {
    throw new H5Error(
      `its chunks are found through ${V4_INDEXES[index] ?? `chunk index type ${index}`} (HDF5 1.10 format), ` +
        "which this reader does not support; save the file with h5py's default format",
      'unsupported'
    );
  }
  const filtered = (flags & 0x02) !== 0;
  const addressAt = indexAt + 1 + (filtered ? 12 : 0);
  if (addressAt + 8 > at + size) {
    throw new H5Error(
      `${what} is shorter than its fields: the file is damaged`
    );
  }
  return {
    ...chunked('single', view.address(addressAt, what), chunk),
    ...(filtered
      ? {
          single: {
            size: view.u64(indexAt + 1, what),
            mask: view.u32(indexAt + 9, what)
          }
        }
      : {})
  };
}

function chunked(
  index: 'btree' | 'single',
  address: number | null,
  all: number[]
): Layout {
  if (all.length < 2 || all.some(d => d < 1)) {
    throw new H5Error(
      `a chunked layout declares chunk dimensions [${all.join(', ')}]: the file is damaged`
    );
  }
  // The last dimension is the element size.
  return { kind: 'chunked', index, address, chunk: all.slice(0, -1) };
}

function dims(
  view: ByteView,
  at: number,
  rank: number,
  width: number,
  what: string
): number[] {
  if (rank > MAX_RANK + 1) {
    throw new H5Error(
      `${what} declares ${rank} dimensions: the file is damaged`
    );
  }
  return Array.from({ length: rank }, (_, i) =>
    view.uint(at + i * width, width, what)
  );
}

/** One filter of a dataset's pipeline. */
export interface IFilter {
  id: number;
  /** Optional filters may be skipped when they fail (not used for reading). */
  clientData: number[];
}

export function readFilters(view: ByteView, at: number): IFilter[] {
  const what = 'a filter pipeline message';
  const version = view.u8(at, what);
  const count = view.u8(at + 1, what);
  const filters: IFilter[] = [];
  let p = at + (version === 1 ? 8 : 2);
  for (let i = 0; i < count; i++) {
    const id = view.u16(p, what);
    let nameLength = 0;
    if (version === 1 || id >= 256) {
      nameLength = view.u16(p + 2, what);
      p += 2;
    }
    const values = view.u16(p + 4, what);
    p += 6;
    p += version === 1 ? padTo(nameLength, 8) : nameLength;
    const clientData: number[] = [];
    for (let v = 0; v < values; v++) {
      clientData.push(view.u32(p + v * 4, what));
    }
    p += values * 4 + (version === 1 && values % 2 ? 4 : 0);
    filters.push({ id, clientData });
  }
  return filters;
}

/** Where a link leads. */
export type LinkTarget =
  | { kind: 'hard'; address: number }
  | { kind: 'soft'; path: string }
  | { kind: 'external'; file: string; path: string }
  | { kind: 'other'; type: number };

/** A link message (body at `at`, `size` bytes): its name and target. */
export function readLink(
  view: ByteView,
  at: number,
  size: number
): { name: string; target: LinkTarget } {
  const what = 'a link message';
  const end = at + size;
  const flags = view.u8(at + 1, what);
  let p = at + 2;
  let type = 0;
  if (flags & 0x08) {
    type = view.u8(p++, what);
  }
  if (flags & 0x04) {
    p += 8; // creation order
  }
  if (flags & 0x10) {
    p += 1; // character set
  }
  const lengthBytes = 1 << (flags & 3);
  const nameLength = view.uint(p, lengthBytes, what);
  p += lengthBytes;
  const name = new TextDecoder().decode(view.slice(p, nameLength, what));
  p += nameLength;
  if (p > end) {
    throw new H5Error(`${what} runs past its end: the file is damaged`);
  }
  if (type === 0) {
    return { name, target: { kind: 'hard', address: view.u64(p, what) } };
  }
  if (type === 1 || type === 64) {
    const length = view.u16(p, what);
    const value = view.slice(p + 2, length, what);
    if (type === 1) {
      return { name, target: { kind: 'soft', path: text(value) } };
    }
    // External: a version/flags byte, then the file name and the path, NUL-terminated.
    const parts = text(value.subarray(1)).split('\u0000');
    return {
      name,
      target: { kind: 'external', file: parts[0] ?? '', path: parts[1] ?? '' }
    };
  }
  return { name, target: { kind: 'other', type } };
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Link info / attribute info: where a dense collection is (fractal heap + name index). */
export function readDenseInfo(
  view: ByteView,
  at: number,
  orderBytes: number
): { heap: number | null; nameIndex: number | null } {
  const what = 'a link or attribute info message';
  const flags = view.u8(at + 1, what);
  const p = at + 2 + (flags & 1 ? orderBytes : 0);
  return {
    heap: view.address(p, what),
    nameIndex: view.address(p + 8, what)
  };
}

/** An old-style group's B-tree and local heap. */
export function readSymbolTable(
  view: ByteView,
  at: number
): { btree: number; heap: number } {
  const what = 'a symbol table message';
  return { btree: view.u64(at, what), heap: view.u64(at + 8, what) };
}

/** The parts of an attribute message: its name and where its type, shape and value are. */
export interface IAttributeParts {
  name: string;
  datatypeAt: number;
  dataspaceAt: number;
  dataAt: number;
  end: number;
}

export function readAttributeParts(
  view: ByteView,
  at: number,
  size: number
): IAttributeParts {
  const what = 'an attribute message';
  const version = view.u8(at, what);
  if (version < 1 || version > 3) {
    throw new H5Error(`${what} has version ${version}: the file is damaged`);
  }
  const flags = view.u8(at + 1, what);
  if (version > 1 && flags & 0x03) {
    throw new H5Error(
      'an attribute uses a shared (committed) datatype or dataspace, which this reader does not support',
      'unsupported'
    );
  }
  const nameSize = view.u16(at + 2, what);
  const typeSize = view.u16(at + 4, what);
  const spaceSize = view.u16(at + 6, what);
  const pad = (n: number) => (version === 1 ? padTo(n, 8) : n);
  const nameAt = at + (version === 3 ? 9 : 8);
  const datatypeAt = nameAt + pad(nameSize);
  const dataspaceAt = datatypeAt + pad(typeSize);
  const dataAt = dataspaceAt + pad(spaceSize);
  const end = at + size;
  if (dataAt > end) {
    throw new H5Error(`${what} is shorter than its parts: the file is damaged`);
  }
  return {
    name: view.cString(nameAt, end, nameSize || 1, what),
    datatypeAt,
    dataspaceAt,
    dataAt,
    end
  };
}

/** The element count of a shape (checked against `limit`). */
export function countOf(dims: number[], limit: number, what: string): number {
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > limit) {
      throw new H5Error(
        `${what} declares ${dims.map(formatCount).join(' x ')} values, more than ${formatCount(limit)}: ` +
          'the file is damaged or hostile',
        'limit'
      );
    }
  }
  return n;
}
