/**
 * Bounds-checked little-endian reads over an HDF5 file's bytes, and the
 * errors of the HDF5 reader. Every read names the structure it belongs to,
 * so a damaged file fails with a plain-words reason, never a raw
 * RangeError. Pure.
 */
import { formatCount } from '../../limits';

/** Why a read failed: the file is damaged, uses an unsupported feature, or exceeds a limit. */
export type H5ErrorKind = 'damaged' | 'unsupported' | 'limit';

/**
 * A failure of the HDF5 reader, in plain words, without the file name (the
 * file object adds it with the path being read).
 */
export class H5Error extends Error {
  constructor(
    message: string,
    readonly kind: H5ErrorKind = 'damaged',
    /** The message continues the object's name ("dataset 'x' declares ..."). */
    readonly followsName = false
  ) {
    super(message);
    this.name = 'H5Error';
  }
}

/** An error whose text follows a dataset's name ("dataset 'x' declares ..."). */
export function datasetError(
  message: string,
  kind: H5ErrorKind = 'damaged'
): H5Error {
  return new H5Error(message, kind, true);
}

/** The "undefined address" of HDF5 (all bits set). */
const UNDEFINED_HIGH = 0xffffffff;

/** The bytes of one file (or of one heap object), read with bounds checks. */
export class ByteView {
  constructor(readonly bytes: Uint8Array) {
    this._view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws unless `size` bytes from `at` lie inside the view. */
  need(at: number, size: number, what: string): void {
    if (
      !Number.isSafeInteger(at) ||
      !Number.isSafeInteger(size) ||
      at < 0 ||
      size < 0 ||
      at + size > this.bytes.length
    ) {
      throw new H5Error(
        `${what} at byte ${formatCount(at)} (${formatCount(size)} bytes) lies past the end of the ` +
          `${formatCount(this.bytes.length)}-byte file: the file is truncated or damaged`
      );
    }
  }

  u8(at: number, what: string): number {
    this.need(at, 1, what);
    return this.bytes[at];
  }

  u16(at: number, what: string): number {
    this.need(at, 2, what);
    return this._view.getUint16(at, true);
  }

  u32(at: number, what: string): number {
    this.need(at, 4, what);
    return this._view.getUint32(at, true);
  }

  /** An unsigned integer of `size` (1..8) bytes; one above 2^53 is refused. */
  uint(at: number, size: number, what: string): number {
    this.need(at, size, what);
    let value = 0;
    for (let i = size - 1; i >= 0; i--) {
      value = value * 256 + this.bytes[at + i];
    }
    if (!Number.isSafeInteger(value)) {
      throw new H5Error(
        `${what} holds ${this.bigText(at, size)}, more than any file can hold: the file is damaged or hostile`
      );
    }
    return value;
  }

  u64(at: number, what: string): number {
    return this.uint(at, 8, what);
  }

  /** An 8-byte address, or null for the undefined address. */
  address(at: number, what: string): number | null {
    this.need(at, 8, what);
    if (
      this._view.getUint32(at, true) === UNDEFINED_HIGH &&
      this._view.getUint32(at + 4, true) === UNDEFINED_HIGH
    ) {
      return null;
    }
    return this.u64(at, what);
  }

  /** `size` bytes from `at` (no copy). */
  slice(at: number, size: number, what: string): Uint8Array {
    this.need(at, size, what);
    return this.bytes.subarray(at, at + size);
  }

  /** Whether the 4-byte signature `sig` is at `at`. */
  hasSignature(at: number, sig: string): boolean {
    if (at < 0 || at + 4 > this.bytes.length) {
      return false;
    }
    for (let i = 0; i < 4; i++) {
      if (this.bytes[at + i] !== sig.charCodeAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Throws unless the 4-byte signature `sig` is at `at`. */
  signature(at: number, sig: string, what: string): void {
    this.need(at, 4, what);
    if (!this.hasSignature(at, sig)) {
      throw new H5Error(
        `${what} at byte ${formatCount(at)} lacks its '${sig}' signature: the file is damaged`
      );
    }
  }

  /** A NUL-terminated string of at most `max` bytes from `at`, within `end`. */
  cString(at: number, end: number, max: number, what: string): string {
    const stop = Math.min(end, this.bytes.length, at + max);
    let i = at;
    while (i < stop && this.bytes[i] !== 0) {
      i++;
    }
    if (i >= stop) {
      throw new H5Error(
        `${what} at byte ${formatCount(at)} has no end within ${formatCount(stop - at)} bytes: the file is damaged`
      );
    }
    return utf8(this.bytes.subarray(at, i));
  }

  /** The unsigned integer at `at` in decimal with separators (any size). */
  bigText(at: number, size: number): string {
    let value = BigInt(0);
    for (let i = size - 1; i >= 0; i--) {
      value = value * BigInt(256) + BigInt(this.bytes[at + i]);
    }
    return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  private _view: DataView;
}

const DECODER = new TextDecoder();

/** UTF-8 text (invalid bytes become U+FFFD). */
export function utf8(bytes: Uint8Array): string {
  return DECODER.decode(bytes);
}

/** `value` rounded up to a multiple of `unit`. */
export function padTo(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}
