/**
 * Version 1 B-trees: the index of an old-style group (type 0: leaves point
 * at symbol table nodes) and of a dataset's chunks (type 1: keys hold each
 * chunk's stored size, filter mask and position). Walked iteratively; each
 * node is visited once, a node reached twice is an error. Pure.
 */
import { formatCount } from '../../limits';
import { ByteView, H5Error } from './bytes';
import { ReadBudget } from './read-budget';

/** Deeper than a B-tree over any file (fan-out >= 2 per level). */
const MAX_LEVEL = 48;
const NODE_HEADER = 24;

/** Calls `leaf(keyAt, child)` for every entry of every leaf, in order. */
function walk(
  view: ByteView,
  budget: ReadBudget,
  root: number,
  type: number,
  keySize: number,
  leaf: (keyAt: number, child: number) => void
): void {
  const what = type === 0 ? 'a group B-tree node' : 'a chunk B-tree node';
  const stack: Array<{ address: number; level: number | null }> = [
    { address: root, level: null }
  ];
  while (stack.length) {
    const { address, level } = stack.pop()!;
    budget.visit('btree-v1', address, what);
    view.signature(address, 'TREE', what);
    const nodeType = view.u8(address + 4, what);
    const nodeLevel = view.u8(address + 5, what);
    const used = view.u16(address + 6, what);
    if (
      nodeType !== type ||
      nodeLevel > MAX_LEVEL ||
      (level !== null && nodeLevel !== level)
    ) {
      throw new H5Error(
        `${what} at byte ${formatCount(address)} has type ${nodeType} and level ${nodeLevel}` +
          `${level === null ? '' : ` where level ${level} belongs`}: the file is damaged`
      );
    }
    view.need(address, NODE_HEADER + used * (keySize + 8) + keySize, what);
    const children: number[] = [];
    for (let i = 0; i < used; i++) {
      const keyAt = address + NODE_HEADER + i * (keySize + 8);
      const child = view.u64(keyAt + keySize, what);
      if (nodeLevel === 0) {
        leaf(keyAt, child);
      } else {
        children.push(child);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ address: children[i], level: nodeLevel - 1 });
    }
  }
}

/** The symbol table nodes (`SNOD`) of an old-style group, in name order. */
export function groupNodes(
  view: ByteView,
  budget: ReadBudget,
  root: number
): number[] {
  const out: number[] = [];
  // Keys are 8-byte offsets into the group's local heap.
  walk(view, budget, root, 0, 8, (_, child) => out.push(child));
  return out;
}

/** One stored chunk of a dataset. */
export interface IChunkEntry {
  /** Position of its first element, per dimension. */
  offsets: number[];
  /** Stored (filtered) size in bytes. */
  size: number;
  /** Bit i set: filter i of the pipeline was not applied. */
  filterMask: number;
  address: number;
}

/** The chunks of a dataset of `rank` dimensions. */
export function chunkEntries(
  view: ByteView,
  budget: ReadBudget,
  root: number,
  rank: number
): IChunkEntry[] {
  const out: IChunkEntry[] = [];
  const keySize = 8 + (rank + 1) * 8;
  walk(view, budget, root, 1, keySize, (keyAt, address) => {
    const what = 'a chunk B-tree key';
    const offsets: number[] = [];
    for (let d = 0; d < rank; d++) {
      offsets.push(view.u64(keyAt + 8 + d * 8, what));
    }
    out.push({
      offsets,
      size: view.u32(keyAt, what),
      filterMask: view.u32(keyAt + 4, what),
      address
    });
  });
  return out;
}
