/**
 * Attributes, decoded only when asked for: the names of an object's
 * attributes are read first (from its header, or from dense storage: a
 * fractal heap indexed by a version 2 B-tree), and only the one asked for is
 * decoded, within a size cap; variable-length strings are counted against
 * the file's budget as they are read. Pure.
 */
import { FILE_LIMITS, formatBytes } from '../../limits';
import { ByteView, H5Error, utf8 } from './bytes';
import { btreeRecords } from './btree-v2';
import { FractalHeap, GlobalHeaps } from './heaps';
import {
  countOf,
  Datatype,
  elementSize,
  readAttributeParts,
  readDataspace,
  readDatatype,
  readDenseInfo
} from './messages';
import { decodeNumbers, numericType } from './numbers';
import { IMessage, MSG } from './object-header';
import { ReadBudget } from './read-budget';

/** Attribute name index records (version 2 B-tree type 8). */
const ATTRIBUTE_NAME_INDEX = 8;

/** Where one attribute message is (in the file, or in a heap object). */
export interface IAttributeRef {
  name: string;
  view: ByteView;
  at: number;
  size: number;
}

/** The attributes of an object (names read, values not decoded). */
export function attributeRefs(
  view: ByteView,
  budget: ReadBudget,
  messages: IMessage[]
): IAttributeRef[] {
  const out: IAttributeRef[] = [];
  for (const m of messages) {
    if (m.type === MSG.ATTRIBUTE) {
      const parts = readAttributeParts(view, m.at, m.size);
      out.push({ name: parts.name, view, at: m.at, size: m.size });
    } else if (m.type === MSG.ATTRIBUTE_INFO) {
      const info = readDenseInfo(view, m.at, 2);
      if (info.heap === null || info.nameIndex === null) {
        continue;
      }
      const heap = new FractalHeap(view, budget, info.heap);
      for (const record of btreeRecords(
        view,
        budget,
        info.nameIndex,
        ATTRIBUTE_NAME_INDEX
      )) {
        const object = heap.object(record.subarray(0, heap.idLength));
        const own = new ByteView(object);
        const parts = readAttributeParts(own, 0, object.length);
        out.push({ name: parts.name, view: own, at: 0, size: object.length });
      }
    }
  }
  return out;
}

/** An attribute's value: a number or string (scalar), or a list of them. */
export type AttributeValue = number | string | Array<number | string>;

/** Decodes one attribute (numbers, fixed or variable-length strings). */
export function decodeAttribute(
  ref: IAttributeRef,
  heaps: GlobalHeaps,
  budget: ReadBudget,
  what: string
): AttributeValue {
  const { view } = ref;
  const parts = readAttributeParts(view, ref.at, ref.size);
  const type = readDatatype(view, parts.datatypeAt);
  const space = readDataspace(view, parts.dataspaceAt);
  const cap = FILE_LIMITS.HDF5_ATTRIBUTE_BYTES;
  const count = space.empty ? 0 : countOf(space.dims, cap, what);
  const width = elementSize(type);
  const bytes = count * width;
  if (bytes > cap) {
    throw new H5Error(
      `${what} holds ${formatBytes(bytes)} (an attribute may hold at most ${formatBytes(cap)}): ` +
        'the file is damaged or hostile',
      'limit'
    );
  }
  view.need(parts.dataAt, bytes, what);
  if (parts.dataAt + bytes > parts.end) {
    throw new H5Error(
      `${what} runs past its attribute message: the file is damaged`
    );
  }
  budget.spendMetadata(bytes, what);
  const values = Private.values(
    view,
    parts.dataAt,
    count,
    type,
    heaps,
    budget,
    what
  );
  return space.dims.length === 0 && values.length === 1 ? values[0] : values;
}

namespace Private {
  export function values(
    view: ByteView,
    at: number,
    count: number,
    type: Datatype,
    heaps: GlobalHeaps,
    budget: ReadBudget,
    what: string
  ): Array<number | string> {
    const out: Array<number | string> = [];
    if (type.kind === 'string') {
      for (let i = 0; i < count; i++) {
        out.push(utf8(view.slice(at + i * type.size, type.size, what)));
      }
      return out;
    }
    if (type.kind === 'vlen-string') {
      let decoded = 0;
      for (let i = 0; i < count; i++) {
        const p = at + i * 16;
        const length = view.u32(p, what);
        const collection = view.u64(p + 4, what);
        const index = view.u32(p + 12, what);
        if (length === 0 && collection === 0) {
          out.push('');
          continue;
        }
        const object = heaps.object(collection, index);
        decoded += object.length;
        if (decoded > FILE_LIMITS.HDF5_ATTRIBUTE_BYTES) {
          throw new H5Error(
            `${what} holds strings of more than ${formatBytes(FILE_LIMITS.HDF5_ATTRIBUTE_BYTES)} ` +
              '(the most an attribute may hold): the file is damaged or hostile',
            'limit'
          );
        }
        budget.spendMetadata(object.length, what);
        out.push(utf8(object));
      }
      return out;
    }
    const numeric = numericType(type);
    if (!numeric) {
      throw new H5Error(
        `${what} holds ${type.kind === 'other' ? type.description : type.kind}, not numbers or strings`,
        'unsupported'
      );
    }
    const numbers = new Float64Array(count);
    decodeNumbers(view.bytes, at, count, numeric, numbers);
    return Array.from(numbers);
  }
}
