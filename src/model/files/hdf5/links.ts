/**
 * The links of a group: an old-style symbol table (version 1 B-tree, symbol
 * table nodes, names in a local heap: h5py's default), link messages in the
 * object header (compact), or a fractal heap indexed by a version 2 B-tree
 * (dense, `libver="latest"`). Pure.
 */
import { ByteView, H5Error } from './bytes';
import { groupNodes } from './btree-v1';
import { btreeRecords } from './btree-v2';
import { FractalHeap, LocalHeap } from './heaps';
import {
  LinkTarget,
  readDenseInfo,
  readLink,
  readSymbolTable
} from './messages';
import { IMessage, MSG } from './object-header';
import { ReadBudget } from './read-budget';

/** Link name index records (version 2 B-tree type 5). */
const LINK_NAME_INDEX = 5;
const SYMBOL_ENTRY = 40;

/** The links of the group whose header holds `messages`, by name. */
export function readLinks(
  view: ByteView,
  budget: ReadBudget,
  messages: IMessage[]
): Map<string, LinkTarget> {
  const links = new Map<string, LinkTarget>();
  const add = (name: string, target: LinkTarget) => {
    if (links.has(name)) {
      throw new H5Error(
        `a group has two links named '${name}': the file is damaged`
      );
    }
    links.set(name, target);
  };
  for (const m of messages) {
    if (m.type === MSG.SYMBOL_TABLE) {
      Private.symbolTable(view, budget, m.at, add);
    } else if (m.type === MSG.LINK) {
      const link = readLink(view, m.at, m.size);
      add(link.name, link.target);
    } else if (m.type === MSG.LINK_INFO) {
      const info = readDenseInfo(view, m.at, 8);
      if (info.heap !== null && info.nameIndex !== null) {
        Private.dense(view, budget, info.heap, info.nameIndex, add);
      }
    }
  }
  return links;
}

namespace Private {
  export function symbolTable(
    view: ByteView,
    budget: ReadBudget,
    at: number,
    add: (name: string, target: LinkTarget) => void
  ): void {
    const table = readSymbolTable(view, at);
    budget.visit('local-heap', table.heap, 'a local heap');
    const heap = new LocalHeap(view, table.heap);
    for (const node of groupNodes(view, budget, table.btree)) {
      const what = 'a symbol table node';
      budget.visit('snod', node, what);
      view.signature(node, 'SNOD', what);
      const count = view.u16(node + 6, what);
      view.need(node + 8, count * SYMBOL_ENTRY, what);
      for (let i = 0; i < count; i++) {
        const entry = node + 8 + i * SYMBOL_ENTRY;
        const name = heap.name(view.u64(entry, 'a symbol table entry'));
        const cache = view.u32(entry + 16, 'a symbol table entry');
        if (cache === 2) {
          // A soft link: the scratch pad holds the offset of its value.
          add(name, {
            kind: 'soft',
            path: heap.name(view.u32(entry + 24, 'a symbol table entry'))
          });
        } else {
          add(name, {
            kind: 'hard',
            address: view.u64(entry + 8, 'a symbol table entry')
          });
        }
      }
    }
  }

  export function dense(
    view: ByteView,
    budget: ReadBudget,
    heapAddress: number,
    index: number,
    add: (name: string, target: LinkTarget) => void
  ): void {
    const heap = new FractalHeap(view, budget, heapAddress);
    for (const record of btreeRecords(view, budget, index, LINK_NAME_INDEX)) {
      // A record is the name's hash (4 bytes) then the heap ID.
      const object = heap.object(record.subarray(4, 4 + heap.idLength));
      const link = readLink(new ByteView(object), 0, object.length);
      add(link.name, link.target);
    }
  }
}
