/**
 * The three HDF5 heaps: the local heap of an old-style group (link names),
 * global heap collections (variable-length strings) and fractal heaps (dense
 * links and attributes). Each heap, collection and heap block is parsed
 * once; a block reached twice is an error. Pure.
 */
import { formatCount } from '../../limits';
import { ByteView, H5Error } from './bytes';
import { ReadBudget } from './read-budget';

/** Longer than any name HDF5 writes. */
const MAX_NAME_BYTES = 1 << 16;

/** A group's local heap: names are NUL-terminated strings in its data segment. */
export class LocalHeap {
  constructor(
    private readonly _view: ByteView,
    address: number
  ) {
    const what = 'a local heap';
    _view.signature(address, 'HEAP', what);
    const size = _view.u64(address + 8, what);
    this._at = _view.u64(address + 24, what);
    _view.need(this._at, size, what);
    this._end = this._at + size;
  }

  /** The NUL-terminated string at `offset` in the heap. */
  name(offset: number): string {
    if (offset >= this._end - this._at) {
      throw new H5Error(
        `a link name at offset ${formatCount(offset)} lies outside its local heap: the file is damaged`
      );
    }
    return this._view.cString(
      this._at + offset,
      this._end,
      MAX_NAME_BYTES,
      'a link name'
    );
  }

  private _at: number;
  private _end: number;
}

/** Global heap collections, each parsed once, by address. */
export class GlobalHeaps {
  constructor(
    private readonly _view: ByteView,
    private readonly _budget: ReadBudget
  ) {}

  /** The bytes of object `index` of the collection at `address`. */
  object(address: number, index: number): Uint8Array {
    let objects = this._collections.get(address);
    if (!objects) {
      objects = this._read(address);
      this._collections.set(address, objects);
    }
    const found = objects.get(index);
    if (!found) {
      throw new H5Error(
        `a variable-length value points at object ${index} of the global heap at byte ` +
          `${formatCount(address)}, which has no such object: the file is damaged`
      );
    }
    return found;
  }

  private _read(address: number): Map<number, Uint8Array> {
    const what = 'a global heap collection';
    this._budget.visit('global-heap', address, what);
    const view = this._view;
    view.signature(address, 'GCOL', what);
    const size = view.u64(address + 8, what);
    view.need(address, size, what);
    const end = address + size;
    const objects = new Map<number, Uint8Array>();
    let p = address + 16;
    while (p + 16 <= end) {
      const index = view.u16(p, what);
      if (index === 0) {
        break; // free space up to the end
      }
      const length = view.u64(p + 8, what);
      if (p + 16 + length > end) {
        throw new H5Error(
          `object ${index} of the global heap at byte ${formatCount(address)} runs past its collection: the file is damaged`
        );
      }
      objects.set(index, view.slice(p + 16, length, what));
      p += 16 + Math.ceil(length / 8) * 8;
    }
    return objects;
  }

  private _collections = new Map<number, Map<number, Uint8Array>>();
}

/** A direct block of a fractal heap: heap offsets [start, start + size) at `address`. */
interface IDirectBlock {
  start: number;
  size: number;
  address: number;
}

/**
 * A fractal heap's managed objects. The doubling table of direct and
 * indirect blocks is walked once, each block visited once.
 */
export class FractalHeap {
  constructor(
    private readonly _view: ByteView,
    private readonly _budget: ReadBudget,
    address: number
  ) {
    const what = 'a fractal heap';
    const view = _view;
    _budget.visit('fractal-heap', address, what);
    view.signature(address, 'FRHP', what);
    this._idLength = view.u16(address + 5, what);
    const filterLength = view.u16(address + 7, what);
    const maxManaged = view.u32(address + 10, what);
    this._width = view.u16(address + 110, what);
    this._start = view.u64(address + 112, what);
    const maxDirect = view.u64(address + 120, what);
    const heapBits = view.u16(address + 128, what);
    const root = view.address(address + 132, what);
    const rows = view.u16(address + 140, what);
    const pow2 = (n: number) =>
      n > 0 && Number.isSafeInteger(n) && (n & (n - 1)) === 0;
    if (
      filterLength > 0 ||
      !pow2(this._width) ||
      !pow2(this._start) ||
      !pow2(maxDirect) ||
      maxDirect < this._start ||
      heapBits < 1 ||
      heapBits > 64
    ) {
      throw new H5Error(
        filterLength > 0
          ? 'a fractal heap is compressed, which this reader does not support'
          : `the fractal heap at byte ${formatCount(address)} declares an impossible layout: the file is damaged`,
        filterLength > 0 ? 'unsupported' : 'damaged'
      );
    }
    this._offsetBytes = Math.ceil(heapBits / 8);
    // As the HDF5 library sizes a managed object's length in its heap IDs.
    this._lengthBytes = Math.min(
      Math.ceil(Math.log2(maxDirect) / 8),
      Math.floor(Math.log2(Math.max(maxManaged, 1)) / 8) + 1
    );
    this._maxDirectRows = Math.log2(maxDirect) - Math.log2(this._start) + 2;
    if (rows > heapBits) {
      throw new H5Error(
        `the fractal heap at byte ${formatCount(address)} declares ${rows} rows for a ${heapBits}-bit heap: the file is damaged`
      );
    }
    if (root !== null) {
      if (rows === 0) {
        this._direct(root, 0, this._start);
      } else {
        this._indirect(root, 0, rows);
      }
    }
    this._blocks.sort((a, b) => a.start - b.start);
  }

  /** The bytes of the managed object a heap ID names. */
  object(id: Uint8Array): Uint8Array {
    const type = (id[0] >> 4) & 3;
    if (type !== 0) {
      throw new H5Error(
        `a fractal heap object is stored as a ${type === 1 ? 'huge' : 'tiny'} object, which this reader does not support`,
        'unsupported'
      );
    }
    if (id.length < 1 + this._offsetBytes + this._lengthBytes) {
      throw new H5Error('a fractal heap ID is too short: the file is damaged');
    }
    const idView = new ByteView(id);
    const offset = idView.uint(1, this._offsetBytes, 'a fractal heap ID');
    const length = idView.uint(
      1 + this._offsetBytes,
      this._lengthBytes,
      'a fractal heap ID'
    );
    const block = this._find(offset);
    if (!block || offset + length > block.start + block.size) {
      throw new H5Error(
        `a fractal heap object at heap offset ${formatCount(offset)} (${formatCount(length)} bytes) ` +
          "lies outside the heap's blocks: the file is damaged"
      );
    }
    return this._view.slice(
      block.address + (offset - block.start),
      length,
      'a fractal heap object'
    );
  }

  /** Heap ID length in bytes (records of dense indexes hold one). */
  get idLength(): number {
    return this._idLength;
  }

  private _find(offset: number): IDirectBlock | null {
    let lo = 0;
    let hi = this._blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this._blocks[mid];
      if (offset < b.start) {
        hi = mid - 1;
      } else if (offset >= b.start + b.size) {
        lo = mid + 1;
      } else {
        return b;
      }
    }
    return null;
  }

  /** Block size of row `row` of the doubling table. */
  private _rowSize(row: number): number {
    return this._start * 2 ** Math.max(row - 1, 0);
  }

  private _direct(address: number, start: number, size: number): void {
    const what = 'a fractal heap direct block';
    this._budget.visit('heap-block', address, what);
    this._view.signature(address, 'FHDB', what);
    this._view.need(address, size, what);
    this._blocks.push({ start, size, address });
  }

  private _indirect(address: number, start: number, rows: number): void {
    const what = 'a fractal heap indirect block';
    const stack = [{ address, start, rows }];
    while (stack.length) {
      const block = stack.pop()!;
      this._budget.visit('heap-block', block.address, what);
      this._view.signature(block.address, 'FHIB', what);
      let p = block.address + 5 + 8 + this._offsetBytes;
      let offset = block.start;
      for (let row = 0; row < block.rows; row++) {
        const size = this._rowSize(row);
        for (let col = 0; col < this._width; col++) {
          const child = this._view.address(p, what);
          p += 8;
          if (child !== null) {
            if (row < this._maxDirectRows) {
              this._direct(child, offset, size);
            } else {
              const rows =
                Math.log2(size) - Math.log2(this._start * this._width) + 1;
              if (!(rows >= 1 && rows < block.rows)) {
                throw new H5Error(
                  `${what} at byte ${formatCount(block.address)} is inconsistent: the file is damaged`
                );
              }
              stack.push({ address: child, start: offset, rows });
            }
          }
          offset += size;
        }
      }
    }
  }

  private _idLength: number;
  private _width: number;
  private _start: number;
  private _offsetBytes: number;
  private _lengthBytes: number;
  private _maxDirectRows: number;
  private _blocks: IDirectBlock[] = [];
}
