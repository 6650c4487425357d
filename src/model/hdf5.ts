/**
 * Reading Keras files: legacy HDF5 (`model.save` / `ModelCheckpoint` full
 * models and `save_weights` files, Keras 2.x and tf.keras) with jsfive, and
 * Keras 3 `.keras` zip archives (config.json + model.weights.h5) via fflate.
 */
// jsfive ships no type declarations; the small surface used here is typed below.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore
import * as jsfive from 'jsfive';
import { unzipSync } from 'fflate';
import { IModelSpec } from './keras';
import { IWeight } from './layers/base';
import { ModelError } from './types';

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

/** An opened HDF5 file with error-wrapped access. */
export class H5File {
  constructor(
    readonly fileName: string,
    readonly root: IH5Group
  ) {}

  /** The group or dataset at `path`, or null when absent. */
  find(path: string): IH5Group | IH5Dataset | null {
    try {
      return this.root.get(path) ?? null;
    } catch {
      return null;
    }
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
    return readDataset(this.fileName, path, node);
  }

  /** An attribute as a string (fixed-length padding stripped), or undefined. */
  stringAttr(node: IH5Group | IH5Dataset, name: string): string | undefined {
    const raw = safeAttrs(node)[name];
    if (raw === undefined || raw === null) {
      return undefined;
    }
    return cleanString(Array.isArray(raw) ? raw[0] : raw);
  }

  /** An attribute as a list of strings (`layer_names`, `weight_names`). */
  stringListAttr(
    node: IH5Group | IH5Dataset,
    name: string
  ): string[] | undefined {
    const raw = safeAttrs(node)[name];
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
}

function safeAttrs(node: IH5Group | IH5Dataset): { [name: string]: unknown } {
  try {
    return node.attrs ?? {};
  } catch {
    return {};
  }
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

/** Whether the bytes carry the HDF5 signature (at 0, 512, 1024, ...). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) {
      return true;
    }
    if (at > 1 << 20) {
      break;
    }
  }
  return false;
}

/** Opens HDF5 bytes; a clear ModelError when they are not HDF5 or are damaged. */
export function openHdf5(bytes: Uint8Array, fileName: string): H5File {
  if (!isHdf5(bytes)) {
    throw new ModelError(`${fileName}: not an HDF5 file (no HDF5 signature)`, {
      file: fileName
    });
  }
  const buffer = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength
  );
  try {
    const root = new (jsfive as any).File(buffer, fileName) as IH5Group;
    // Touch the root listing so damage shows up here, not later.
    void root.keys.length;
    return new H5File(fileName, root);
  } catch (e) {
    throw new ModelError(
      `${fileName}: the HDF5 file could not be read (truncated or damaged?): ${describe(e)}`,
      { file: fileName }
    );
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    return e.message;
  }
  return String(e);
}

function readDataset(
  file: string,
  path: string,
  node: IH5Dataset
): { shape: number[]; data: Float32Array } {
  try {
    const shape = Array.from(node.shape ?? []);
    const value = node.value;
    const size = shape.reduce((a, d) => a * d, 1);
    const data =
      value instanceof Float32Array
        ? new Float32Array(value)
        : Float32Array.from(value as ArrayLike<number>);
    if (data.length !== size) {
      throw new Error(
        `holds ${data.length} values for shape [${shape.join(', ')}]`
      );
    }
    return { shape, data };
  } catch (e) {
    if (e instanceof ModelError) {
      throw e;
    }
    throw new ModelError(
      `${file}: dataset '${path}' could not be read (truncated or damaged?): ${describe(e)}`,
      {
        file
      }
    );
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
  const layerNames = file.stringListAttr(weightsRoot, 'layer_names');
  if (!layerNames) {
    throw new ModelError(
      `${fileName}: not a Keras HDF5 model or weights file (no 'layer_names' attribute` +
        `${modelConfig ? ' under model_weights' : ''})`,
      { file: fileName }
    );
  }
  const kerasVersion =
    file.stringAttr(weightsRoot, 'keras_version') ??
    file.stringAttr(root, 'keras_version');
  const backend =
    file.stringAttr(weightsRoot, 'backend') ?? file.stringAttr(root, 'backend');
  const weights = new Map<string, IWeight[]>();
  for (const layer of layerNames) {
    const group = weightsRoot.keys.includes(layer)
      ? (weightsRoot.get(layer) as IH5Group)
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
    const names = file.stringListAttr(group, 'weight_names') ?? [];
    weights.set(
      layer,
      names.map(name => {
        const { shape, data } = file.dataset(
          `${weightsRootPath(weightsRoot, root)}${layer}/${name}`
        );
        return { name, shape, data };
      })
    );
  }
  return { modelConfig, kerasVersion, backend, layerNames, weights };
}

function weightsRootPath(weightsRoot: IH5Group, root: IH5Group): string {
  return weightsRoot === root ? '' : 'model_weights/';
}

/** What a Keras 3 `.keras` archive holds. */
export interface IKerasArchive {
  config: unknown;
  kerasVersion?: string;
  weightsFile: H5File;
}

/** Unzips a `.keras` archive and opens its `model.weights.h5`. */
export function readKerasArchive(
  bytes: Uint8Array,
  fileName: string
): IKerasArchive {
  let entries: { [name: string]: Uint8Array };
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new ModelError(
      `${fileName}: not a Keras 3 archive (zip could not be read: ${describe(e)})`,
      {
        file: fileName
      }
    );
  }
  const configBytes = entries['config.json'];
  if (!configBytes) {
    throw new ModelError(`${fileName}: the archive has no config.json`, {
      file: fileName
    });
  }
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(configBytes));
  } catch (e) {
    throw new ModelError(
      `${fileName}: config.json is not valid JSON (${describe(e)})`,
      { file: fileName }
    );
  }
  let kerasVersion: string | undefined;
  if (entries['metadata.json']) {
    try {
      const meta = JSON.parse(
        new TextDecoder().decode(entries['metadata.json'])
      );
      kerasVersion =
        typeof meta.keras_version === 'string' ? meta.keras_version : undefined;
    } catch {
      kerasVersion = undefined;
    }
  }
  const weightsBytes = entries['model.weights.h5'];
  if (!weightsBytes) {
    throw new ModelError(`${fileName}: the archive has no model.weights.h5`, {
      file: fileName
    });
  }
  return {
    config,
    kerasVersion: kerasVersion ?? '3',
    weightsFile: openHdf5(weightsBytes, `${fileName}/model.weights.h5`)
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
      if (layersGroup && layersGroup.keys.includes(c)) {
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
  export function collect(file: H5File, path: string): IWeight[] {
    const group = file.group(path);
    if (!group) {
      return [];
    }
    const out: IWeight[] = [];
    const keys = group.keys;
    if (keys.includes('forward_layer') && keys.includes('backward_layer')) {
      return [
        ...collect(file, `${path}/forward_layer`),
        ...collect(file, `${path}/backward_layer`)
      ];
    }
    if (keys.includes('vars')) {
      const vars = file.group(`${path}/vars`);
      const names = (vars?.keys ?? [])
        .slice()
        .sort((a, b) => Number(a) - Number(b));
      for (const n of names) {
        const { shape, data } = file.dataset(`${path}/vars/${n}`);
        out.push({ name: `${path}/vars/${n}`, shape, data });
      }
    }
    const order = ['cell', 'layer'];
    const subgroups = keys
      .filter(k => k !== 'vars' && file.group(`${path}/${k}`))
      .sort((a, b) => {
        const ia = order.indexOf(a);
        const ib = order.indexOf(b);
        return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
      });
    for (const k of subgroups) {
      out.push(...collect(file, `${path}/${k}`));
    }
    return out;
  }
}
