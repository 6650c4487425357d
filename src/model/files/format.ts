/**
 * Which kind of model file some bytes are, by their signature rather than
 * their name: TensorFlow 2.0-2.11 wrote HDF5 files named `.keras`, and a
 * renamed file should still open. Pure.
 */
import { hdf5SignatureOffset } from './hdf5/superblock';
import { isZip } from './zip';

export type FileKind = 'hdf5' | 'zip' | 'json' | 'other';

/** The kind of a model file from its first bytes. */
export function sniffFile(bytes: Uint8Array): FileKind {
  if (isZip(bytes)) {
    return 'zip';
  }
  if (hdf5SignatureOffset(bytes) >= 0) {
    return 'hdf5';
  }
  return Private.looksLikeJson(bytes) ? 'json' : 'other';
}

/** What a file's name says it is (for telling the user about a mismatch). */
export function kindFromName(name: string): FileKind {
  const lower = name.toLowerCase();
  if (lower.endsWith('.keras')) {
    return 'zip';
  }
  if (/\.(h5|hdf5|he5)$/.test(lower)) {
    return 'hdf5';
  }
  if (lower.endsWith('.json')) {
    return 'json';
  }
  return 'other';
}

/** Describes a kind for messages. */
export function describeKind(kind: FileKind): string {
  switch (kind) {
    case 'hdf5':
      return 'an HDF5 file';
    case 'zip':
      return 'a zip archive (Keras 3 .keras)';
    case 'json':
      return 'JSON';
    default:
      return 'neither HDF5, zip nor JSON';
  }
}

namespace Private {
  export function isSpace(c: number): boolean {
    return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  }

  /** A JSON object or string: `{` then `"` or `}`, or a leading `"` (double-encoded). */
  export function looksLikeJson(bytes: Uint8Array): boolean {
    let i = 0;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      i = 3;
    }
    while (i < bytes.length && isSpace(bytes[i])) {
      i++;
    }
    if (bytes[i] === 0x22) {
      return true;
    }
    if (bytes[i] !== 0x7b) {
      return false;
    }
    i++;
    while (i < bytes.length && isSpace(bytes[i])) {
      i++;
    }
    return bytes[i] === 0x22 || bytes[i] === 0x7d;
  }
}
