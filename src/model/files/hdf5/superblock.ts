/**
 * The HDF5 signature and superblock: where the file starts (after an
 * optional user block), the end-of-file address it records, and where the
 * root group's object header is. Superblock versions 0 and 1 (h5py's
 * default) and 2 and 3 (`libver="latest"`, h5wasm), 8-byte addresses and
 * lengths. Pure.
 */
import { formatCount } from '../../limits';
import { ByteView, H5Error } from './bytes';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Where the HDF5 signature is (0, 512, 1024, 2048, ... as the format allows
 * a user block before it), or -1.
 */
export function hdf5SignatureOffset(bytes: Uint8Array): number {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) {
      return at;
    }
    if (at > 1 << 20) {
      break;
    }
  }
  return -1;
}

/** Whether the bytes carry the HDF5 signature (at 0, 512, 1024, ...). */
export function isHdf5(bytes: Uint8Array): boolean {
  return hdf5SignatureOffset(bytes) >= 0;
}

export interface ISuperblock {
  version: number;
  /** Address of the root group's object header. */
  rootAddress: number;
  /** The end-of-file address recorded (the file's length from the signature on), or null. */
  declaredLength: number | null;
}

/** Reads the superblock at the start of `view` (the bytes from the signature on). */
export function readSuperblock(view: ByteView): ISuperblock {
  const version = view.u8(8, 'the superblock');
  if (version > 3) {
    throw new H5Error(
      `its superblock has version ${version}; versions 0 to 3 are supported`,
      'unsupported'
    );
  }
  const legacy = version < 2;
  const offsets = view.u8(legacy ? 13 : 9, 'the superblock');
  const lengths = view.u8(legacy ? 14 : 10, 'the superblock');
  if (offsets !== 8 || lengths !== 8) {
    throw new H5Error(
      `it uses ${offsets}-byte addresses and ${lengths}-byte lengths; only 8-byte ones (what h5py writes) are supported`,
      'unsupported'
    );
  }
  if (legacy) {
    // Base, free-space, end-of-file and driver addresses, then the root
    // group's symbol table entry (link name offset, object header address).
    const addresses = version === 0 ? 24 : 28;
    return {
      version,
      declaredLength: view.address(addresses + 16, 'the superblock'),
      rootAddress: required(
        view.address(addresses + 32 + 8, 'the root group entry'),
        'the root group'
      )
    };
  }
  // Base, superblock extension, end-of-file and root object header addresses.
  return {
    version,
    declaredLength: view.address(12 + 16, 'the superblock'),
    rootAddress: required(
      view.address(12 + 24, 'the superblock'),
      'the root group'
    )
  };
}

function required(address: number | null, what: string): number {
  if (address === null) {
    throw new H5Error(`${what} has no object header: the file is damaged`);
  }
  return address;
}

/** The recorded end of file counts the user block too (as the HDF5 library writes it). */
export function checkDeclaredLength(
  superblock: ISuperblock,
  fileLength: number
): void {
  const declared = superblock.declaredLength;
  if (declared !== null && declared > fileLength) {
    throw new H5Error(
      `the file is truncated: its HDF5 superblock says it is ${formatCount(declared)} bytes long, ` +
        `but only ${formatCount(fileLength)} are there`
    );
  }
}
