/**
 * A bounded reader for the few entries of a `.keras` zip archive: each entry
 * is inflated only on request, with its uncompressed size capped twice: by
 * what the central directory declares, and by a running count while
 * inflating (so a header that lies cannot bypass the cap). Pure: no DOM, no
 * Node APIs.
 */
import { formatBytes } from '../limits';
import { ModelError } from '../types';
import { inflateBounded } from './inflate';

/** One entry of the central directory. */
export interface IZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The zip local file header signature `PK\x03\x04`. */
export const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

/** Whether the bytes start like a zip archive (local header or empty archive). */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 0x03 && bytes[3] === 0x04) ||
      (bytes[2] === 0x05 && bytes[3] === 0x06))
  );
}

/** How much an entry may inflate to. */
export interface IEntryCap {
  /** Absolute cap in bytes. */
  maxBytes: number;
  /** At most this many times the compressed size (plus `slack`). */
  maxRatio: number;
  slack: number;
}

/** A zip archive's directory, read without inflating anything. */
export class ZipArchive {
  readonly entries: Map<string, IZipEntry>;

  constructor(
    private readonly _bytes: Uint8Array,
    readonly fileName: string
  ) {
    this.entries = Private.readDirectory(_bytes, fileName);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The uncompressed bytes of `name`, within `cap`; a ModelError otherwise. */
  read(name: string, cap: IEntryCap): Uint8Array {
    const entry = this.entries.get(name);
    const where = `${this.fileName}: zip entry '${name}'`;
    if (!entry) {
      throw new ModelError(`${this.fileName}: the archive has no ${name}`, {
        file: this.fileName
      });
    }
    if (entry.flags & 1) {
      throw new ModelError(`${where} is encrypted`, { file: this.fileName });
    }
    const limit = Math.min(
      cap.maxBytes,
      entry.compressedSize * cap.maxRatio + cap.slack
    );
    const why =
      limit === cap.maxBytes
        ? `at most ${formatBytes(cap.maxBytes)}`
        : `at most ${cap.maxRatio} times its ${formatBytes(entry.compressedSize)} compressed size`;
    if (entry.size > limit) {
      throw new ModelError(
        `${where} declares ${formatBytes(entry.size)} uncompressed (${why}): ` +
          'the archive is damaged or a zip bomb',
        { file: this.fileName }
      );
    }
    const data = Private.entryData(this._bytes, entry, where, this.fileName);
    let out: Uint8Array;
    if (entry.method === 0) {
      out = data;
    } else if (entry.method === 8) {
      // Inflate no further than the declared size (itself within the cap).
      out = Private.inflateEntry(data, entry.size, where, this.fileName);
    } else {
      throw new ModelError(
        `${where} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`,
        { file: this.fileName }
      );
    }
    if (out.length !== entry.size) {
      throw new ModelError(
        `${where} holds ${formatBytes(out.length)} but the archive's directory says ` +
          `${formatBytes(entry.size)}: the archive is truncated or damaged`,
        { file: this.fileName }
      );
    }
    return out;
  }
}

namespace Private {
  const EOCD = 0x06054b50;
  const CENTRAL = 0x02014b50;
  const LOCAL = 0x04034b50;

  export function u16(b: Uint8Array, at: number): number {
    return b[at] | (b[at + 1] << 8);
  }

  export function u32(b: Uint8Array, at: number): number {
    return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 2 ** 24;
  }

  export function damaged(file: string, what: string): ModelError {
    return new ModelError(
      `${file}: not a readable zip archive (${what}): the file is truncated or damaged`,
      { file }
    );
  }

  export function readDirectory(
    b: Uint8Array,
    file: string
  ): Map<string, IZipEntry> {
    let eocd = -1;
    const lowest = Math.max(0, b.length - 22 - 0xffff);
    for (let at = b.length - 22; at >= lowest; at--) {
      if (u32(b, at) === EOCD) {
        eocd = at;
        break;
      }
    }
    if (eocd < 0) {
      throw damaged(file, 'no end-of-directory record');
    }
    const count = u16(b, eocd + 10);
    const size = u32(b, eocd + 12);
    const offset = u32(b, eocd + 16);
    if (count === 0xffff || offset === 0xffffffff) {
      throw new ModelError(
        `${file}: zip64 archives are not supported (the archive is over 4 GB or holds over 65,535 entries)`,
        { file }
      );
    }
    if (offset + size > eocd) {
      throw damaged(file, 'the directory lies past the end of the file');
    }
    const entries = new Map<string, IZipEntry>();
    let at = offset;
    for (let i = 0; i < count; i++) {
      if (at + 46 > eocd || u32(b, at) !== CENTRAL) {
        throw damaged(file, `directory entry ${i + 1} of ${count} is invalid`);
      }
      const nameLength = u16(b, at + 28);
      const extraLength = u16(b, at + 30);
      const commentLength = u16(b, at + 32);
      if (at + 46 + nameLength > eocd) {
        throw damaged(file, `directory entry ${i + 1} runs past the directory`);
      }
      const name = new TextDecoder().decode(
        b.subarray(at + 46, at + 46 + nameLength)
      );
      const entry: IZipEntry = {
        name,
        flags: u16(b, at + 8),
        method: u16(b, at + 10),
        compressedSize: u32(b, at + 20),
        size: u32(b, at + 24),
        localOffset: u32(b, at + 42)
      };
      if (
        entry.compressedSize === 0xffffffff ||
        entry.size === 0xffffffff ||
        entry.localOffset === 0xffffffff
      ) {
        throw new ModelError(
          `${file}: zip entry '${name}' uses zip64 sizes (over 4 GB), which are not supported`,
          { file }
        );
      }
      // Readers disagree on a repeated name (Python's zipfile, which Keras
      // uses, takes the last entry; others the first): which model the
      // archive holds would depend on the reader.
      if (entries.has(name)) {
        throw new ModelError(
          `${file}: the archive has two entries named '${name}' (Keras reads the last, other zip ` +
            'readers the first): the archive is damaged or was made to show two different models',
          { file }
        );
      }
      entries.set(name, entry);
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  }

  export function entryData(
    b: Uint8Array,
    entry: IZipEntry,
    where: string,
    file: string
  ): Uint8Array {
    const at = entry.localOffset;
    if (at + 30 > b.length || u32(b, at) !== LOCAL) {
      throw new ModelError(
        `${where}: its local header is missing: the archive is truncated or damaged`,
        { file }
      );
    }
    const start = at + 30 + u16(b, at + 26) + u16(b, at + 28);
    const end = start + entry.compressedSize;
    if (end > b.length) {
      throw new ModelError(
        `${where} ends at byte ${end}, past the end of the ${formatBytes(b.length)} archive: ` +
          'the archive is truncated or damaged',
        { file }
      );
    }
    return b.subarray(start, end);
  }

  export function inflateEntry(
    data: Uint8Array,
    limit: number,
    where: string,
    file: string
  ): Uint8Array {
    const result = inflateBounded(data, limit, 'raw');
    if (result.ok) {
      return result.bytes;
    }
    if (result.reason === 'invalid') {
      throw new ModelError(
        `${where} cannot be inflated (${result.detail}): the archive is damaged`,
        { file }
      );
    }
    throw new ModelError(
      result.reason === 'over'
        ? `${where} inflates past the ${formatBytes(limit)} its directory declares: ` +
            'the archive is damaged or a zip bomb'
        : `${where} ends before its compressed data does: the archive is truncated or damaged`,
      { file }
    );
  }
}
