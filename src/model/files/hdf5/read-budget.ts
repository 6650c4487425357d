/**
 * What one HDF5 file may cost to read. Every structure that links to others
 * (B-tree nodes, heap blocks, object header blocks, global heap collections)
 * is visited at most once: a second visit means a loop or a shared (DAG)
 * structure, which the HDF5 library never writes and which turns a few
 * kilobytes into hours of work. Decoded attribute values (strings pointing
 * into heaps may repeat one large string) are counted against a budget that
 * grows with the file's size. Pure.
 */
import { FILE_LIMITS, formatBytes, formatCount } from '../../limits';
import { H5Error } from './bytes';

export class ReadBudget {
  constructor(readonly fileLength: number) {
    this._metadataLeft =
      fileLength * FILE_LIMITS.HDF5_EXPANSION +
      FILE_LIMITS.HDF5_ATTRIBUTE_BYTES;
  }

  /** Records a visit of the structure `what` at `address`; a second visit is an error. */
  visit(kind: string, address: number, what: string): void {
    let seen = this._visited.get(kind);
    if (!seen) {
      seen = new Set();
      this._visited.set(kind, seen);
    }
    if (seen.has(address)) {
      throw new H5Error(
        `${what} at byte ${formatCount(address)} is reached a second time: the file's structure ` +
          'loops or is shared, which no HDF5 writer does (the file is damaged or hostile)'
      );
    }
    seen.add(address);
  }

  /** Counts `bytes` of decoded attribute values (or other metadata) against the file's budget. */
  spendMetadata(bytes: number, what: string): void {
    this._metadataLeft -= bytes;
    if (this._metadataLeft < 0) {
      const limit =
        this.fileLength * FILE_LIMITS.HDF5_EXPANSION +
        FILE_LIMITS.HDF5_ATTRIBUTE_BYTES;
      throw new H5Error(
        `${what}: the attributes read from this ${formatBytes(this.fileLength)} file would decode to more ` +
          `than ${formatBytes(limit)} (at most ${FILE_LIMITS.HDF5_EXPANSION} times the file's size plus ` +
          `${formatBytes(FILE_LIMITS.HDF5_ATTRIBUTE_BYTES)}): the file is damaged or hostile`,
        'limit'
      );
    }
  }

  private _visited = new Map<string, Set<number>>();
  private _metadataLeft: number;
}
