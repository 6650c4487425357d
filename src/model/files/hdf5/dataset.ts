/**
 * A dataset's values as float32 with its shape: contiguous, compact or
 * chunked storage, numeric element types. What the dataset declares is
 * checked against the file before anything is allocated. Pure.
 */
import { FILE_LIMITS, formatBytes, formatCount } from '../../limits';
import { ByteView, datasetError } from './bytes';
import { readChunked } from './chunks';
import {
  Datatype,
  IFilter,
  Layout,
  readDataspace,
  readDatatype,
  readFilters,
  readLayout
} from './messages';
import { decodeNumbers, numericType } from './numbers';
import { IMessage, MSG, SHARED_FLAG } from './object-header';
import { ReadBudget } from './read-budget';

export interface IDatasetValues {
  shape: number[];
  data: Float32Array;
}

/** What one read may spend of the file's declared-data budget. */
export interface IDataBudget {
  /** Bytes the file's datasets may still declare. */
  left: number;
  /** What was allowed in total (for messages). */
  limit: number;
  fileLength: number;
}

/**
 * The values of the dataset whose header holds `messages`; problems are
 * H5Errors whose text follows "dataset 'path' ".
 */
export function readDataset(
  view: ByteView,
  budget: ReadBudget,
  messages: IMessage[],
  data: IDataBudget
): IDatasetValues {
  const find = (type: number) => {
    const m = messages.find(x => x.type === type);
    if (m && m.flags & SHARED_FLAG) {
      throw datasetError(
        'uses a shared (committed) type or shape, which this reader does not support',
        'unsupported'
      );
    }
    return m;
  };
  const spaceMsg = find(MSG.DATASPACE);
  const typeMsg = find(MSG.DATATYPE);
  const layoutMsg = find(MSG.LAYOUT);
  if (!spaceMsg || !typeMsg || !layoutMsg) {
    throw datasetError('lacks its shape, type or layout: the file is damaged');
  }
  if (messages.some(m => m.type === MSG.EXTERNAL_FILES)) {
    throw datasetError(
      'keeps its data in external files, which are not read',
      'unsupported'
    );
  }
  const space = readDataspace(view, spaceMsg.at);
  const shape = space.dims;
  const type = readDatatype(view, typeMsg.at);
  const numeric = numericType(type);
  if (!numeric) {
    throw datasetError(
      `holds ${Private.describe(type)}, not numbers`,
      'unsupported'
    );
  }
  const size = space.empty ? 0 : shape.reduce((a, b) => a * b, 1);
  const declared = size * numeric.size;
  Private.charge(declared, size, data);
  const layout = readLayout(view, layoutMsg.at, layoutMsg.size);
  if (layout.kind === 'chunked') {
    const filterMsg = find(MSG.FILTERS);
    const filters: IFilter[] = filterMsg ? readFilters(view, filterMsg.at) : [];
    return {
      shape,
      data: readChunked({
        view,
        budget,
        layout,
        shape,
        type: numeric,
        filters,
        declared,
        limit:
          declared * FILE_LIMITS.HDF5_READ_MARGIN + FILE_LIMITS.HDF5_SLACK_BYTES
      })
    };
  }
  const out = new Float32Array(size);
  const at = Private.start(layout, size, declared, view);
  if (at !== null) {
    decodeNumbers(view.bytes, at, size, numeric, out);
  }
  return { shape, data: out };
}

namespace Private {
  export function describe(type: Datatype): string {
    switch (type.kind) {
      case 'string':
        return 'strings';
      case 'vlen-string':
        return 'variable-length strings';
      case 'other':
        return type.description;
      default:
        return `'${type.kind}' data`;
    }
  }

  /** Counts a dataset's declared bytes against the file's budget. */
  export function charge(
    declared: number,
    size: number,
    data: IDataBudget
  ): void {
    if (!Number.isSafeInteger(declared) || declared > data.left) {
      const absolute = data.limit >= FILE_LIMITS.HDF5_DATA_BYTES;
      throw datasetError(
        `declares ${formatCount(size)} values (${formatBytes(declared)}) ` +
          `but the file is ${formatBytes(data.fileLength)}: the file is damaged or hostile ` +
          (absolute
            ? `(the datasets of a file may declare at most ${formatBytes(FILE_LIMITS.HDF5_DATA_BYTES)} in total)`
            : `(the datasets of a file may declare at most ${FILE_LIMITS.HDF5_EXPANSION} times its size)`),
        'limit'
      );
    }
    data.left -= declared;
  }

  /** Where contiguous or compact data starts (null: nothing stored, size 0). */
  export function start(
    layout: Exclude<Layout, { kind: 'chunked' }>,
    size: number,
    declared: number,
    view: ByteView
  ): number | null {
    if (layout.kind === 'compact') {
      if (layout.size < declared) {
        throw datasetError(
          `declares ${formatCount(size)} values but stores ${formatCount(layout.size)} bytes: the file is damaged`
        );
      }
      return layout.at;
    }
    if (layout.address === null) {
      if (size === 0) {
        return null;
      }
      throw datasetError(
        `declares ${formatCount(size)} values but stores none: the file is damaged`
      );
    }
    const end = layout.address + declared;
    if (end > view.length) {
      throw datasetError(
        `declares ${formatCount(size)} values (${formatBytes(declared)}) ending at byte ` +
          `${formatCount(end)}, past the end of the ${formatBytes(view.length)} file: ` +
          'the file is truncated or damaged'
      );
    }
    return layout.address;
  }
}
