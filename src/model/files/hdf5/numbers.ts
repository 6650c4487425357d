/**
 * Numbers of a dataset's element type into a Float32Array (or a
 * Float64Array, for attributes): floats of 2, 4 and 8 bytes and integers of
 * 1 to 8 bytes, either byte order. Pure.
 */
import { Datatype } from './messages';

export interface INumeric {
  kind: 'int' | 'float';
  size: number;
  signed: boolean;
  littleEndian: boolean;
}

/** The numeric reading of a datatype, or null when it holds no numbers. */
export function numericType(type: Datatype): INumeric | null {
  if (type.kind === 'float') {
    return {
      kind: 'float',
      size: type.size,
      signed: true,
      littleEndian: type.littleEndian
    };
  }
  if (type.kind === 'int') {
    return { ...type, kind: 'int' };
  }
  return null;
}

/** IEEE 754 half precision bits as a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) {
    return sign * 2 ** -14 * (fraction / 1024);
  }
  if (exponent === 31) {
    return fraction ? NaN : sign * Infinity;
  }
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Decodes `count` elements of `type` from `bytes` (starting at `at`, one
 * every `type.size` bytes) into `out` from `outAt`.
 */
export function decodeNumbers(
  bytes: Uint8Array,
  at: number,
  count: number,
  type: INumeric,
  out: Float32Array | Float64Array,
  outAt = 0
): void {
  const { kind, size, signed, littleEndian: le } = type;
  if (
    kind === 'float' &&
    size === 4 &&
    le &&
    (bytes.byteOffset + at) % 4 === 0
  ) {
    out.set(
      new Float32Array(bytes.buffer, bytes.byteOffset + at, count),
      outAt
    );
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * size);
  const read = reader(kind, size, signed);
  for (let i = 0; i < count; i++) {
    out[outAt + i] = read(view, i * size, le);
  }
}

type Read = (view: DataView, at: number, le: boolean) => number;

function reader(kind: 'int' | 'float', size: number, signed: boolean): Read {
  if (kind === 'float') {
    return size === 8
      ? (v, a, le) => v.getFloat64(a, le)
      : size === 4
        ? (v, a, le) => v.getFloat32(a, le)
        : (v, a, le) => halfToFloat(v.getUint16(a, le));
  }
  switch (size) {
    case 1:
      return signed ? (v, a) => v.getInt8(a) : (v, a) => v.getUint8(a);
    case 2:
      return signed
        ? (v, a, le) => v.getInt16(a, le)
        : (v, a, le) => v.getUint16(a, le);
    case 4:
      return signed
        ? (v, a, le) => v.getInt32(a, le)
        : (v, a, le) => v.getUint32(a, le);
    default:
      return signed
        ? (v, a, le) => Number(v.getBigInt64(a, le))
        : (v, a, le) => Number(v.getBigUint64(a, le));
  }
}
