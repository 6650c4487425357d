/**
 * Version 2 B-trees (`BTHD`): the name indexes of dense links (type 5) and
 * dense attributes (type 8) in files written with `libver="latest"`
 * (h5wasm's default). Every record is returned; each node is visited once.
 * Node sizes follow the HDF5 library's own layout computation
 * (`H5B2__hdr_init`). Pure.
 */
import { formatCount } from '../../limits';
import { ByteView, H5Error } from './bytes';
import { ReadBudget } from './read-budget';

/** Signature, version, type and checksum around a node's records. */
const NODE_PREFIX = 10;
/** Deeper than any index over a file this reader accepts. */
const MAX_DEPTH = 8;

interface ILevel {
  maxRecords: number;
  /** Bytes of "number of records in child" for pointers to this level. */
  countBytes: number;
  /** Bytes of "total records in child subtree" for pointers to this level. */
  totalBytes: number;
}

function bytesFor(n: number): number {
  return Math.floor(Math.log2(Math.max(n, 1)) / 8) + 1;
}

/** The records (each `recordSize` bytes) of the version 2 B-tree whose header is at `address`. */
export function btreeRecords(
  view: ByteView,
  budget: ReadBudget,
  address: number,
  type: number
): Uint8Array[] {
  const what = 'a version 2 B-tree';
  budget.visit('btree-v2', address, what);
  view.signature(address, 'BTHD', what);
  if (view.u8(address + 5, what) !== type) {
    throw new H5Error(
      `${what} at byte ${formatCount(address)} has type ${view.u8(address + 5, what)}, expected ${type}: the file is damaged`
    );
  }
  const nodeSize = view.u32(address + 6, what);
  const recordSize = view.u16(address + 10, what);
  const depth = view.u16(address + 12, what);
  const root = view.address(address + 16, what);
  const rootRecords = view.u16(address + 24, what);
  if (depth > MAX_DEPTH || recordSize < 1 || nodeSize <= NODE_PREFIX) {
    throw new H5Error(
      `${what} at byte ${formatCount(address)} declares depth ${depth}, nodes of ${nodeSize} bytes and ` +
        `records of ${recordSize} bytes: the file is damaged`
    );
  }
  const levels = Private.levels(nodeSize, recordSize, depth);
  const out: Uint8Array[] = [];
  if (root === null) {
    return out;
  }
  const stack = [{ at: root, level: depth, records: rootRecords }];
  while (stack.length) {
    const node = stack.pop()!;
    const internal = node.level > 0;
    const kind = internal ? 'BTIN' : 'BTLF';
    budget.visit('btree-v2-node', node.at, 'a version 2 B-tree node');
    view.signature(node.at, kind, 'a version 2 B-tree node');
    if (node.records > levels[node.level].maxRecords) {
      throw new H5Error(
        `a version 2 B-tree node at byte ${formatCount(node.at)} claims ${node.records} records, ` +
          `more than fit: the file is damaged`
      );
    }
    let p = node.at + 6;
    for (let i = 0; i < node.records; i++) {
      out.push(view.slice(p, recordSize, 'a version 2 B-tree record'));
      p += recordSize;
    }
    if (!internal) {
      continue;
    }
    const below = levels[node.level - 1];
    for (let i = 0; i <= node.records; i++) {
      const child = view.u64(p, 'a version 2 B-tree node');
      const records = view.uint(
        p + 8,
        below.countBytes,
        'a version 2 B-tree node'
      );
      p += 8 + below.countBytes + (node.level > 1 ? below.totalBytes : 0);
      stack.push({ at: child, level: node.level - 1, records });
    }
  }
  return out;
}

namespace Private {
  export function levels(
    nodeSize: number,
    recordSize: number,
    depth: number
  ): ILevel[] {
    const leafMax = Math.floor((nodeSize - NODE_PREFIX) / recordSize);
    const out: ILevel[] = [
      { maxRecords: leafMax, countBytes: bytesFor(leafMax), totalBytes: 0 }
    ];
    let cumulative = leafMax;
    for (let level = 1; level <= depth; level++) {
      const below = out[level - 1];
      const pointer = 8 + below.countBytes + (level > 1 ? below.totalBytes : 0);
      const max = Math.floor(
        (nodeSize - (NODE_PREFIX + pointer)) / (recordSize + pointer)
      );
      cumulative = (max + 1) * cumulative + max;
      out.push({
        maxRecords: max,
        countBytes: bytesFor(max),
        totalBytes: bytesFor(cumulative)
      });
    }
    return out;
  }
}
