/**
 * TensorFlow.js layers models: `model.json` (topology and weights manifest)
 * and its weight shards, into per-layer weight lists. Each shard is listed
 * once, and the bytes the manifest declares are checked before anything is
 * allocated. Pure (the Node CLI reads the files: `node-files.ts`).
 */
import { JsonDepthError, parseJsonText } from '../../payload/json-text';
import { FILE_LIMITS, formatBytes } from '../limits';
import { IWeight, ModelError } from '../types';
import { halfToFloat } from './hdf5/numbers';

/** A tfjs layers model: topology and weights by layer name. */
export interface ITfjsModel {
  topology: unknown;
  kerasVersion?: string;
  weights: Map<string, IWeight[]>;
}

interface IManifestEntry {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** Reads `model.json` plus its shards (float32; uint8/uint16 affine quantisation; float16). */
export function readTfjsModel(
  files: { [name: string]: Uint8Array },
  jsonName: string
): ITfjsModel {
  if (files[jsonName].length > FILE_LIMITS.ARCHIVE_JSON_BYTES) {
    throw new ModelError(
      `${jsonName}: the model JSON is ${formatBytes(files[jsonName].length)}; at most ` +
        `${formatBytes(FILE_LIMITS.ARCHIVE_JSON_BYTES)} are read (its weights belong in the shards)`,
      { file: jsonName }
    );
  }
  const json: any = Private.parseJson(
    new TextDecoder().decode(files[jsonName]),
    jsonName
  );
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw new ModelError(
      `${jsonName}: not a TensorFlow.js layers model (no modelTopology)`,
      {
        file: jsonName
      }
    );
  }
  const weights = new Map<string, IWeight[]>();
  const groups: Array<{ paths: string[]; weights: IManifestEntry[] }> =
    Array.isArray(json.weightsManifest) ? json.weightsManifest : [];
  const listed = new Set<string>();
  for (const group of groups) {
    const entries = Array.isArray(group?.weights) ? group.weights : [];
    const need = Private.manifestBytes(entries, jsonName);
    const parts = (Array.isArray(group?.paths) ? group.paths : []).map(p =>
      Private.shard(files, p, listed, jsonName)
    );
    const total = parts.reduce((a, p) => a + p.length, 0);
    if (total > need) {
      throw new ModelError(
        `${jsonName}: the weight shards of a manifest group hold ${formatBytes(total)}, ` +
          `its weights need ${formatBytes(need)}: the shards do not belong to this model`,
        { file: jsonName }
      );
    }
    const buffer = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buffer.set(p, at);
      at += p.length;
    }
    let offset = 0;
    for (const entry of entries) {
      const size = entry.shape.reduce((a, d) => a * d, 1);
      const { data, bytes } = Private.decodeWeight(
        entry,
        buffer,
        offset,
        size,
        jsonName
      );
      offset += bytes;
      const slash = entry.name.indexOf('/');
      const layer = slash >= 0 ? entry.name.slice(0, slash) : entry.name;
      const list = weights.get(layer) ?? [];
      list.push({ name: entry.name, shape: entry.shape, data });
      weights.set(layer, list);
    }
    if (offset > total) {
      throw new ModelError(
        `${jsonName}: weight shards hold ${total} bytes, the manifest needs ${offset}`,
        {
          file: jsonName
        }
      );
    }
  }
  const topology = json.modelTopology;
  const kerasVersion =
    typeof topology.keras_version === 'string'
      ? topology.keras_version
      : undefined;
  return { topology, kerasVersion, weights };
}

namespace Private {
  /** The model JSON, refusing hostile nesting with a named error. */
  export function parseJson(text: string, file: string): unknown {
    try {
      return parseJsonText(text);
    } catch (e) {
      const reason =
        e instanceof JsonDepthError
          ? e.message
          : `not valid JSON (${(e as Error).message})`;
      throw new ModelError(`${file}: ${reason}`, { file });
    }
  }

  /** Bytes a manifest group's weights take in its shards (before anything is allocated). */
  export function manifestBytes(
    entries: IManifestEntry[],
    file: string
  ): number {
    let total = 0;
    for (const entry of entries) {
      const shape = entry?.shape;
      if (
        !Array.isArray(shape) ||
        !shape.every(d => Number.isSafeInteger(d) && d >= 0)
      ) {
        throw new ModelError(
          `${file}: weight '${String(entry?.name)}' has an invalid shape ${JSON.stringify(shape)}`,
          { file }
        );
      }
      const q = entry.quantization;
      const width = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
      total += shape.reduce((a, d) => a * d, 1) * width;
      if (
        !Number.isSafeInteger(total) ||
        total > FILE_LIMITS.MODEL_FILE_BYTES
      ) {
        throw new ModelError(
          `${file}: the manifest's weights declare more than ${formatBytes(FILE_LIMITS.MODEL_FILE_BYTES)}: ` +
            'the file is damaged or hostile',
          { file }
        );
      }
    }
    return total;
  }

  /** A listed shard's bytes; a shard listed twice is refused (it would be read twice). */
  export function shard(
    files: { [name: string]: Uint8Array },
    p: unknown,
    listed: Set<string>,
    jsonName: string
  ): Uint8Array {
    if (typeof p !== 'string') {
      throw new ModelError(`${jsonName}: a weight shard path is not a string`, {
        file: jsonName
      });
    }
    if (listed.has(p)) {
      throw new ModelError(
        `${jsonName}: weight shard '${p}' is listed twice in the manifest: the file is damaged or hostile`,
        { file: jsonName }
      );
    }
    listed.add(p);
    const base = p.split('/').pop() as string;
    const data = files[p] ?? files[base];
    if (!data) {
      throw new ModelError(`${jsonName}: weight shard '${p}' is missing`, {
        file: p
      });
    }
    return data;
  }

  export function decodeWeight(
    entry: IManifestEntry,
    buffer: Uint8Array,
    offset: number,
    size: number,
    file: string
  ): { data: Float32Array; bytes: number } {
    const q = entry.quantization;
    const view = new DataView(
      buffer.buffer,
      buffer.byteOffset,
      buffer.byteLength
    );
    const need = (bytes: number) => {
      if (offset + bytes > buffer.length) {
        throw new ModelError(
          `${file}: weight '${entry.name}' runs past the end of its shards`,
          {
            file
          }
        );
      }
    };
    if (q) {
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      need(size * (q.dtype === 'uint8' ? 1 : 2));
      const data = new Float32Array(size);
      if (q.dtype === 'uint8') {
        for (let i = 0; i < size; i++) {
          data[i] = buffer[offset + i] * scale + min;
        }
        return { data, bytes: size };
      }
      if (q.dtype === 'uint16') {
        for (let i = 0; i < size; i++) {
          data[i] = view.getUint16(offset + 2 * i, true) * scale + min;
        }
        return { data, bytes: size * 2 };
      }
      if (q.dtype === 'float16') {
        for (let i = 0; i < size; i++) {
          data[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
        }
        return { data, bytes: size * 2 };
      }
      throw new ModelError(
        `${file}: weight '${entry.name}' uses unsupported quantization ${q.dtype}`,
        {
          file
        }
      );
    }
    const dtype = entry.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'int32') {
      throw new ModelError(
        `${file}: weight '${entry.name}' has unsupported dtype ${dtype}`,
        { file }
      );
    }
    need(size * 4);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      data[i] =
        dtype === 'float32'
          ? view.getFloat32(offset + 4 * i, true)
          : view.getInt32(offset + 4 * i, true);
    }
    return { data, bytes: size * 4 };
  }
}
