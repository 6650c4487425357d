/**
 * Reading Keras files: legacy HDF5 (`model.save` / `ModelCheckpoint` full
 * models and `save_weights` files, Keras 2.x and tf.keras) with jsfive, and
 * Keras 3 `.keras` zip archives (config.json + model.weights.h5) via fflate.
 */
// jsfive ships no type declarations; the small surface used here is typed below.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore
import * as jsfive from 'jsfive';
import { IModelSpec } from '../graph/keras-config';
import { IWeight } from '../layers/base';
import { FILE_LIMITS, formatBytes, formatCount } from '../limits';
import { ModelError } from '../types';
import { ZipArchive } from './zip';

/** The part of jsfive's Group / Dataset objects used here. */
export interface IH5Group {
  keys: string[];
  attrs: { [name: string]: unknown };
  get(path: string): IH5Group | IH5Dataset;
}

export interface IH5Dataset {
  shape: number[];
  dtype: unknown;
  value: ArrayLike<number>;
  attrs: { [name: string]: unknown };
}

/** jsfive internals read before a dataset's data is touched (see `Private.layoutOf`). */
interface IJsfiveDataObjects {
  fh: ArrayBuffer;
  find_msg_type(type: number): Array<Map<string, number>>;
  _get_data_message_properties(
    offset: number
  ): [number, number, number, number];
}

/** An opened HDF5 file with error-wrapped, size-checked access. */
export class H5File {
  constructor(
    readonly fileName: string,
    readonly root: IH5Group,
    /** Size of the HDF5 bytes (from the signature on). */
    readonly byteLength: number = 0
  ) {
    this._budget =
      byteLength * FILE_LIMITS.HDF5_EXPANSION + FILE_LIMITS.HDF5_SLACK_BYTES;
  }

  /**
   * The group or dataset at `path`, or null when absent. A damaged file
   * throws a ModelError naming the file and the path.
   */
  find(path: string): IH5Group | IH5Dataset | null {
    return this.guard(path, () => {
      let node: IH5Group | IH5Dataset = this.root;
      for (const part of path.split('/').filter(Boolean)) {
        if (!isGroup(node) || !node.keys.includes(part)) {
          return null;
        }
        node = node.get(part);
        if (!node) {
          return null;
        }
      }
      return node;
    });
  }

  group(path: string): IH5Group | null {
    const node = this.find(path);
    return node && isGroup(node) ? node : null;
  }

  /** A dataset as float32 with its shape; names the file and path on failure. */
  dataset(path: string): { shape: number[]; data: Float32Array } {
    const node = this.find(path);
    if (!node || isGroup(node)) {
      throw new ModelError(`${this.fileName}: dataset '${path}' is missing`, {
        file: this.fileName
      });
    }
    return this.guard(path, () => this._read(path, node));
  }

  /** An attribute as a string (fixed-length padding stripped), or undefined. */
  stringAttr(
    node: IH5Group | IH5Dataset,
    name: string,
    path = ''
  ): string | undefined {
    const raw = this.attrs(node, path)[name];
    if (raw === undefined || raw === null) {
      return undefined;
    }
    return cleanString(Array.isArray(raw) ? raw[0] : raw);
  }

  /** An attribute as a list of strings (`layer_names`, `weight_names`). */
  stringListAttr(
    node: IH5Group | IH5Dataset,
    name: string,
    path = ''
  ): string[] | undefined {
    const attrs = this.attrs(node, path);
    const raw = attrs[name];
    if (raw === null && name in attrs) {
      // jsfive gives null for an attribute it cannot decode.
      throw new ModelError(
        `${this.fileName}: attribute '${name}' of '${path || '/'}' cannot be read: ` +
          'the file is damaged or stores it in an unsupported type',
        { file: this.fileName }
      );
    }
    if (raw === undefined || raw === null) {
      return undefined;
    }
    const list =
      Array.isArray(raw) || ArrayBuffer.isView(raw)
        ? Array.from(raw as ArrayLike<unknown>)
        : [raw];
    return list
      .filter(v => typeof v === 'string' || v instanceof Uint8Array)
      .map(cleanString);
  }

  /** The attributes of a node; a damaged attribute table is an error. */
  attrs(
    node: IH5Group | IH5Dataset,
    path: string
  ): { [name: string]: unknown } {
    return this.guard(path, () => node.attrs ?? {});
  }

  /** The keys of a group; a damaged link table is an error. */
  keysOf(node: IH5Group, path: string): string[] {
    return this.guard(path, () => node.keys);
  }

  /** Runs `read`, turning a reader failure into a plain ModelError. */
  guard<T>(path: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw damagedError(this.fileName, error, path);
    }
  }

  /** Checks the declared size against the file, then reads. */
  private _read(
    path: string,
    node: IH5Dataset
  ): { shape: number[]; data: Float32Array } {
    const where = `${this.fileName}: dataset '${path}'`;
    const shape = Array.from(node.shape ?? []);
    let size = 1;
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new ModelError(
          `${where} has an invalid shape [${shape.join(', ')}]: the file is damaged`,
          { file: this.fileName }
        );
      }
      size *= d;
    }
    const dtype = Private.numericDtype(node.dtype);
    if (!dtype) {
      throw new ModelError(
        `${where} holds ${Private.describeDtype(node.dtype)}, not numbers`,
        { file: this.fileName }
      );
    }
    const declared = size * dtype.size;
    if (!Number.isSafeInteger(declared) || declared > this._budget) {
      throw new ModelError(
        `${where} declares ${formatCount(size)} values (${formatBytes(declared)}) ` +
          `but the file is ${formatBytes(this.byteLength)}: the file is damaged or hostile ` +
          `(the datasets of a file may declare at most ${FILE_LIMITS.HDF5_EXPANSION} times its size)`,
        { file: this.fileName }
      );
    }
    this._budget -= declared;
    const layout = Private.layoutOf(node);
    if (layout.kind === 'contiguous') {
      if (layout.address === null) {
        if (size === 0) {
          return { shape, data: new Float32Array(0) };
        }
        throw new ModelError(
          `${where} declares ${formatCount(size)} values but stores none: the file is damaged`,
          { file: this.fileName }
        );
      }
      const end = layout.address + declared;
      if (end > layout.fileLength) {
        throw new ModelError(
          `${where} declares ${formatCount(size)} values (${formatBytes(declared)}) ending at byte ` +
            `${formatCount(end)}, past the end of the ${formatBytes(layout.fileLength)} file: ` +
            'the file is truncated or damaged',
          { file: this.fileName }
        );
      }
      return {
        shape,
        data: Private.readContiguous(layout.buffer, layout.address, size, dtype)
      };
    }
    // Chunked (possibly compressed) data: jsfive assembles it, within the budget above.
    const value = node.value;
    if (!value || value.length !== size) {
      throw new ModelError(
        `${where} holds ${value ? formatCount(value.length) : 'no'} values for shape ` +
          `[${shape.join(', ')}]: the file is truncated or damaged`,
        { file: this.fileName }
      );
    }
    return { shape, data: Float32Array.from(value) };
  }

  private _budget: number;
}

/**
 * A reader failure as a ModelError that names the file (and the HDF5 path)
 * and says in plain words what is wrong; the raw reader message is kept as
 * `cause` only.
 */
export function damagedError(
  file: string,
  error: unknown,
  path?: string
): ModelError {
  if (error instanceof ModelError) {
    return error;
  }
  const at = path ? ` (while reading '${path}')` : '';
  const result = new ModelError(
    `${file}: the file is truncated or damaged${at}: ${Private.plainReason(error)}`,
    { file }
  );
  (result as { cause?: unknown }).cause = error;
  return result;
}

export function isGroup(node: IH5Group | IH5Dataset): node is IH5Group {
  return Array.isArray((node as IH5Group).keys);
}

/** Strips the NUL padding of fixed-length HDF5 strings (and decodes bytes). */
export function cleanString(value: unknown): string {
  let s: string;
  if (value instanceof Uint8Array) {
    s = new TextDecoder().decode(value);
  } else {
    s = String(value);
  }
  const nul = s.indexOf('\u0000');
  return (nul >= 0 ? s.slice(0, nul) : s).trim();
}

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

/** Opens HDF5 bytes; a clear ModelError when they are not HDF5 or are damaged. */
export function openHdf5(bytes: Uint8Array, fileName: string): H5File {
  const offset = hdf5SignatureOffset(bytes);
  if (offset < 0) {
    throw new ModelError(`${fileName}: not an HDF5 file (no HDF5 signature)`, {
      file: fileName
    });
  }
  // Addresses count from the signature (the base address after a user block).
  const buffer = bytes.buffer.slice(
    bytes.byteOffset + offset,
    bytes.byteOffset + bytes.byteLength
  );
  // The recorded end of file counts the user block too (as the HDF5 library writes it).
  const declared = Private.declaredLength(new Uint8Array(buffer));
  if (declared !== null && declared > bytes.byteLength) {
    throw new ModelError(
      `${fileName}: the file is truncated: its HDF5 superblock says it is ` +
        `${formatCount(declared)} bytes long, but only ${formatCount(bytes.byteLength)} are there`,
      { file: fileName }
    );
  }
  try {
    const root = new (jsfive as any).File(buffer, fileName) as IH5Group;
    // Touch the root listing so damage shows up here, not later.
    void root.keys.length;
    return new H5File(fileName, root, buffer.byteLength);
  } catch (e) {
    throw damagedError(fileName, e);
  }
}

/** What a legacy Keras HDF5 file holds. */
export interface IKerasH5 {
  /** `model_config` JSON text (absent in weights-only files). */
  modelConfig?: string;
  kerasVersion?: string;
  backend?: string;
  /** Layer names in saved order. */
  layerNames: string[];
  /** Weights by layer name, in Keras order (`weight_names`). */
  weights: Map<string, IWeight[]>;
}

/** Reads a `model.save()` file or a `save_weights()` file (Keras 2.x / tf.keras layout). */
export function readKerasH5(bytes: Uint8Array, fileName: string): IKerasH5 {
  const file = openHdf5(bytes, fileName);
  const root = file.root;
  const modelConfig = file.stringAttr(root, 'model_config');
  const weightsRoot = file.group('model_weights') ?? root;
  const prefix = weightsRoot === root ? '' : 'model_weights/';
  const layerNames = file.stringListAttr(weightsRoot, 'layer_names', prefix);
  if (!layerNames) {
    throw new ModelError(
      `${fileName}: not a Keras HDF5 model or weights file (no 'layer_names' attribute` +
        `${modelConfig ? ' under model_weights' : ''})`,
      { file: fileName }
    );
  }
  const kerasVersion =
    file.stringAttr(weightsRoot, 'keras_version', prefix) ??
    file.stringAttr(root, 'keras_version');
  const backend =
    file.stringAttr(weightsRoot, 'backend', prefix) ??
    file.stringAttr(root, 'backend');
  const weights = new Map<string, IWeight[]>();
  const present = file.keysOf(weightsRoot, prefix || '/');
  for (const layer of layerNames) {
    const group = present.includes(layer)
      ? file.group(`${prefix}${layer}`)
      : null;
    if (!group) {
      throw new ModelError(
        `${fileName}: layer '${layer}' is listed in layer_names but has no group`,
        {
          file: fileName,
          layer
        }
      );
    }
    const names =
      file.stringListAttr(group, 'weight_names', `${prefix}${layer}`) ?? [];
    weights.set(
      layer,
      names.map(name => {
        const { shape, data } = file.dataset(`${prefix}${layer}/${name}`);
        return { name, shape, data };
      })
    );
  }
  return { modelConfig, kerasVersion, backend, layerNames, weights };
}

/** What a Keras 3 `.keras` archive holds. */
export interface IKerasArchive {
  config: unknown;
  kerasVersion?: string;
  weightsFile: H5File;
}

/** Reads the entries of a `.keras` archive it needs (each size-capped) and opens `model.weights.h5`. */
export function readKerasArchive(
  bytes: Uint8Array,
  fileName: string
): IKerasArchive {
  const archive = new ZipArchive(bytes, fileName);
  if (!archive.has('config.json')) {
    throw new ModelError(
      `${fileName}: the archive has no config.json (not a Keras 3 .keras archive)`,
      { file: fileName }
    );
  }
  const jsonCap = {
    maxBytes: FILE_LIMITS.ARCHIVE_JSON_BYTES,
    maxRatio: FILE_LIMITS.ARCHIVE_EXPANSION,
    slack: FILE_LIMITS.ARCHIVE_SLACK_BYTES
  };
  let config: unknown;
  try {
    config = JSON.parse(
      new TextDecoder().decode(archive.read('config.json', jsonCap))
    );
  } catch (e) {
    if (e instanceof ModelError) {
      throw e;
    }
    throw new ModelError(
      `${fileName}: config.json is not valid JSON (${(e as Error).message})`,
      { file: fileName }
    );
  }
  let kerasVersion: string | undefined;
  if (archive.has('metadata.json')) {
    const meta = archive.read('metadata.json', {
      ...jsonCap,
      maxBytes: FILE_LIMITS.ARCHIVE_METADATA_BYTES
    });
    try {
      const parsed = JSON.parse(new TextDecoder().decode(meta));
      kerasVersion =
        typeof parsed?.keras_version === 'string'
          ? parsed.keras_version
          : undefined;
    } catch {
      kerasVersion = undefined;
    }
  }
  if (!archive.has('model.weights.h5')) {
    throw new ModelError(`${fileName}: the archive has no model.weights.h5`, {
      file: fileName
    });
  }
  const weightsBytes = archive.read('model.weights.h5', {
    ...jsonCap,
    maxBytes: FILE_LIMITS.ARCHIVE_WEIGHTS_BYTES
  });
  const weightsName = `${fileName}/model.weights.h5`;
  let weightsFile: H5File;
  try {
    weightsFile = openHdf5(weightsBytes, weightsName);
  } catch (e) {
    throw new ModelError(
      `${fileName}: its model.weights.h5 cannot be read: ${(e as Error).message.replace(`${weightsName}: `, '')}`,
      { file: weightsName }
    );
  }
  return {
    config,
    kerasVersion: kerasVersion ?? '3',
    weightsFile
  };
}

/** Keras 3 `naming.to_snake_case`. */
export function toSnakeCase(name: string): string {
  let s = name.replace(/\W+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Weights by layer name from a Keras 3 `model.weights.h5`: layer objects
 * are stored as `layers/<snake_case class>[_N]`, their variables under
 * `vars/0..`, nested objects (RNN `cell`, wrapper `layer`,
 * `forward_layer`/`backward_layer`) in subgroups.
 */
export function keras3Weights(
  spec: IModelSpec,
  file: H5File,
  base = '',
  prefix = '',
  weights = new Map<string, IWeight[]>()
): Map<string, IWeight[]> {
  const used = new Map<string, number>();
  const layersGroup = file.group(`${base}layers`);
  if (!layersGroup && spec.layers.some(l => l.className !== 'InputLayer')) {
    throw new ModelError(
      `${file.fileName}: the weights file has no '${base}layers' group: it is damaged or not a Keras 3 weights file`,
      { file: file.fileName }
    );
  }
  const stored = layersGroup ? file.keysOf(layersGroup, `${base}layers`) : [];
  for (const layer of spec.layers) {
    // The saved class is the original one (GRU, TimeDistributed, ...).
    const snake = toSnakeCase(layer.className);
    const count = used.get(snake);
    const key = count === undefined ? snake : `${snake}_${count + 1}`;
    used.set(snake, count === undefined ? 0 : count + 1);
    if (layer.className === 'InputLayer') {
      continue;
    }
    const candidates = [key, layer.name];
    let found: string | null = null;
    for (const c of candidates) {
      if (stored.includes(c)) {
        found = `${base}layers/${c}`;
        break;
      }
    }
    if (layer.model && found) {
      // A nested model: its layers are stored under its own `layers/` group.
      keras3Weights(
        layer.model,
        file,
        `${found}/`,
        `${prefix}${layer.name}/`,
        weights
      );
      continue;
    }
    weights.set(
      `${prefix}${layer.name}`,
      found ? Private.collect(file, found) : []
    );
  }
  return weights;
}

namespace Private {
  /**
   * The end-of-file address the superblock records (the file's length from
   * the signature on), or null when it cannot be read.
   */
  export function declaredLength(b: Uint8Array): number | null {
    const version = b[8];
    let sizeOfOffsets: number;
    let at: number;
    if (version === 0 || version === 1) {
      sizeOfOffsets = b[13];
      // base, free-space, end-of-file addresses follow the fixed fields.
      at = (version === 0 ? 24 : 28) + 2 * sizeOfOffsets;
    } else if (version === 2 || version === 3) {
      sizeOfOffsets = b[9];
      at = 12 + 2 * sizeOfOffsets;
    } else {
      return null;
    }
    if (sizeOfOffsets !== 8 || at + 8 > b.length) {
      return null;
    }
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const low = view.getUint32(at, true);
    const high = view.getUint32(at + 4, true);
    if (high === 0xffffffff) {
      return null;
    }
    return low + high * 2 ** 32;
  }

  /** Deeper nesting than any Keras object has: a damaged or hostile file. */
  const MAX_DEPTH = 64;

  /**
   * The variables of the object at `root` and of its nested objects, in
   * Keras order (own `vars` first, then `cell`, `layer`, the rest by name;
   * `forward_layer` before `backward_layer`). Iterative: a deep hostile file
   * cannot overflow the stack.
   */
  export function collect(file: H5File, root: string): IWeight[] {
    const out: IWeight[] = [];
    const stack: Array<{ path: string; depth: number }> = [
      { path: root, depth: 0 }
    ];
    while (stack.length) {
      const { path, depth } = stack.pop()!;
      if (depth > MAX_DEPTH) {
        throw new ModelError(
          `${file.fileName}: '${root}' is nested more than ${MAX_DEPTH} levels deep: the file is damaged`,
          { file: file.fileName }
        );
      }
      const group = file.group(path);
      if (!group) {
        continue;
      }
      const keys = file.keysOf(group, path);
      let children: string[];
      if (keys.includes('forward_layer') && keys.includes('backward_layer')) {
        children = ['forward_layer', 'backward_layer'];
      } else {
        if (keys.includes('vars')) {
          const vars = file.group(`${path}/vars`);
          const names = (vars ? file.keysOf(vars, `${path}/vars`) : [])
            .slice()
            .sort((a, b) => Number(a) - Number(b));
          for (const n of names) {
            const { shape, data } = file.dataset(`${path}/vars/${n}`);
            out.push({ name: `${path}/vars/${n}`, shape, data });
          }
        }
        const order = ['cell', 'layer'];
        children = keys
          .filter(k => k !== 'vars' && file.group(`${path}/${k}`))
          .sort((a, b) => {
            const ia = order.indexOf(a);
            const ib = order.indexOf(b);
            return (
              (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b)
            );
          });
      }
      for (let i = children.length - 1; i >= 0; i--) {
        stack.push({ path: `${path}/${children[i]}`, depth: depth + 1 });
      }
    }
    return out;
  }

  export interface INumericDtype {
    kind: 'f' | 'i' | 'u';
    size: number;
    littleEndian: boolean;
  }

  /** jsfive's dtype string (`<f4`, `>i8`, ...) as a numeric type, or null. */
  export function numericDtype(dtype: unknown): INumericDtype | null {
    if (typeof dtype !== 'string') {
      return null;
    }
    const m = /^([<>=|]?)([fiu])(\d+)$/.exec(dtype);
    if (!m) {
      return null;
    }
    const size = Number(m[3]);
    const kind = m[2] as 'f' | 'i' | 'u';
    const ok =
      kind === 'f' ? size === 2 || size === 4 || size === 8 : size <= 8;
    if (!ok || size < 1) {
      return null;
    }
    return { kind, size, littleEndian: m[1] !== '>' };
  }

  export function describeDtype(dtype: unknown): string {
    if (Array.isArray(dtype) && typeof dtype[0] === 'string') {
      return `${dtype[0].toLowerCase().replace(/_/g, ' ')} data`;
    }
    return typeof dtype === 'string' ? `'${dtype}' data` : 'an unknown type';
  }

  const UNDEFINED_ADDRESS = 2 ** 64 - 1;
  const DATA_STORAGE_MSG_TYPE = 0x0008;

  export type Layout =
    | {
        kind: 'contiguous';
        buffer: ArrayBuffer;
        address: number | null;
        fileLength: number;
      }
    | { kind: 'chunked' };

  /**
   * The storage layout from the dataset's layout message (jsfive reads it
   * the same way in `get_data`), read without touching the data.
   */
  export function layoutOf(node: IH5Dataset): Layout {
    const objects = (node as unknown as { _dataobjects?: IJsfiveDataObjects })
      ._dataobjects;
    if (!objects || !(objects.fh instanceof ArrayBuffer)) {
      throw new Error('the dataset layout cannot be inspected');
    }
    const msg = objects.find_msg_type(DATA_STORAGE_MSG_TYPE)[0];
    if (!msg) {
      throw new Error('the dataset has no storage layout message');
    }
    const [, , layoutClass, propertyOffset] =
      objects._get_data_message_properties(msg.get('offset_to_message')!);
    if (layoutClass === 2) {
      return { kind: 'chunked' };
    }
    if (layoutClass !== 1) {
      throw new Error(
        `storage layout class ${layoutClass} is not supported (compact or virtual)`
      );
    }
    const view = new DataView(objects.fh);
    const address =
      view.getUint32(propertyOffset, true) +
      view.getUint32(propertyOffset + 4, true) * 2 ** 32;
    return {
      kind: 'contiguous',
      buffer: objects.fh,
      address: address >= UNDEFINED_ADDRESS ? null : address,
      fileLength: objects.fh.byteLength
    };
  }

  /** Contiguous numbers straight into a Float32Array (no per-value boxing). */
  export function readContiguous(
    buffer: ArrayBuffer,
    address: number,
    size: number,
    dtype: INumericDtype
  ): Float32Array {
    const { kind, size: width, littleEndian } = dtype;
    if (kind === 'f' && width === 4 && littleEndian) {
      return new Float32Array(buffer.slice(address, address + size * 4));
    }
    const view = new DataView(buffer, address, size * width);
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const at = i * width;
      let v: number;
      if (kind === 'f') {
        v =
          width === 8
            ? view.getFloat64(at, littleEndian)
            : width === 4
              ? view.getFloat32(at, littleEndian)
              : half(view.getUint16(at, littleEndian));
      } else if (width === 1) {
        v = kind === 'i' ? view.getInt8(at) : view.getUint8(at);
      } else if (width === 2) {
        v =
          kind === 'i'
            ? view.getInt16(at, littleEndian)
            : view.getUint16(at, littleEndian);
      } else if (width === 4) {
        v =
          kind === 'i'
            ? view.getInt32(at, littleEndian)
            : view.getUint32(at, littleEndian);
      } else {
        v = Number(
          kind === 'i'
            ? view.getBigInt64(at, littleEndian)
            : view.getBigUint64(at, littleEndian)
        );
      }
      out[i] = v;
    }
    return out;
  }

  export function half(bits: number): number {
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

  /** A reader failure in plain words (never the raw reader text). */
  export function plainReason(error: unknown): string {
    const text =
      error instanceof Error ? `${error.name} ${error.message}` : String(error);
    if (/outside the bounds|out of range|offset|beyond/i.test(text)) {
      return 'a structure points past the end of the file';
    }
    if (/invalid array length|allocation|memory/i.test(text)) {
      return 'a structure declares an impossible size';
    }
    if (/not implemented|unsupported|NotImplemented/i.test(text)) {
      return 'it uses an HDF5 feature this reader does not support';
    }
    if (/signature|superblock/i.test(text)) {
      return 'its superblock is invalid';
    }
    return 'an internal HDF5 structure is invalid';
  }
}
