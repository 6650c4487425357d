/**
 * Read a model's files and a tokenizer from the Jupyter server.
 *
 * Files go through the contents API (`get(path, {format: 'base64'})`), so a
 * model anywhere in the user's workspace works, local or remote. A
 * TensorFlow.js `model.json` brings its weight shards from the same folder.
 * Only the `IContentsLike` subset of `Contents.IManager` is used, so this runs
 * in Node tests with an in-memory server.
 */
import type { IModelFiles } from '../model/types';
import { basenameOf, dirnameOf, joinPath } from './export-path';
import { messageOf } from '../payload/error-message';
import { ENGLISH, ITranslate } from '../table/translate';

/** The part of JupyterLab's `Contents.IManager` used here. */
export interface IContentsLike {
  get(
    path: string,
    options?: {
      type?: 'file' | 'directory' | 'notebook';
      format?: 'text' | 'base64' | 'json';
      content?: boolean;
    }
  ): Promise<{
    content: unknown;
    format?: string | null;
    type?: string;
    size?: number;
  }>;
}

/** A file that cannot be read or is not a model: names the file. */
export class ModelFileError extends Error {
  constructor(
    message: string,
    readonly path: string
  ) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/**
 * Names of the entries of a server folder (one listing instead of probing
 * each name, which would log 404s in the browser console). Empty when the
 * folder cannot be read.
 */
export async function folderEntryNames(
  contents: IContentsLike,
  folder: string
): Promise<Set<string>> {
  try {
    const listing = await contents.get(folder, {
      type: 'directory',
      content: true
    });
    const entries = Array.isArray(listing.content) ? listing.content : [];
    return new Set(
      entries
        .map(entry => (entry as { name?: unknown }).name)
        .filter((name): name is string => typeof name === 'string')
    );
  } catch {
    return new Set();
  }
}

/** File kinds the viewer opens as models. */
export function isModelPath(path: string): boolean {
  const name = basenameOf(path).toLowerCase();
  return (
    /\.(h5|hdf5|keras)$/.test(name) ||
    name === 'model.json' ||
    /\.model\.json$/.test(name)
  );
}

/** Bytes of a file, read as base64 through the contents API. */
export async function readBinary(
  contents: IContentsLike,
  path: string,
  trans: ITranslate = ENGLISH
): Promise<Uint8Array> {
  const model = await Private.getFile(contents, path, 'base64', trans);
  if (model.type === 'directory') {
    throw new ModelFileError(
      trans.__('%1 is a folder, not a file', path),
      path
    );
  }
  if (typeof model.content !== 'string') {
    throw new ModelFileError(trans.__('%1 has no content', path), path);
  }
  return decodeBase64(model.content);
}

/** Text of a file through the contents API. */
export async function readText(
  contents: IContentsLike,
  path: string,
  trans: ITranslate = ENGLISH
): Promise<string> {
  const model = await Private.getFile(contents, path, 'text', trans);
  if (typeof model.content !== 'string') {
    throw new ModelFileError(trans.__('%1 has no text content', path), path);
  }
  return model.content;
}

/**
 * The files of the model at `path`, keyed by file name as `loadModel`
 * expects: the `.h5`/`.keras` file alone, or `model.json` plus every weight
 * shard its manifest lists.
 */
export async function readModelFiles(
  contents: IContentsLike,
  path: string,
  onFile?: (path: string, index: number, count: number) => void,
  trans: ITranslate = ENGLISH
): Promise<IModelFiles> {
  const name = basenameOf(path);
  if (!/\.json$/i.test(name)) {
    onFile?.(path, 0, 1);
    return { [name]: await readBinary(contents, path, trans) };
  }
  onFile?.(path, 0, 1);
  const json = await readText(contents, path, trans);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ModelFileError(
      trans.__('%1 is not valid JSON: %2', path, Private.reason(error, trans)),
      path
    );
  }
  const shards = weightShardPaths(parsed);
  const files: IModelFiles = { [name]: new TextEncoder().encode(json) };
  const dir = dirnameOf(path);
  for (let index = 0; index < shards.length; index++) {
    const shardPath = joinPath(dir, shards[index]);
    onFile?.(shardPath, index + 1, shards.length + 1);
    files[shards[index]] = await readBinary(contents, shardPath, trans);
  }
  return files;
}

/** Relative paths of the weight shards a TensorFlow.js `model.json` lists. */
export function weightShardPaths(modelJson: unknown): string[] {
  const manifest = (modelJson as { weightsManifest?: unknown } | null)
    ?.weightsManifest;
  if (!Array.isArray(manifest)) {
    return [];
  }
  const paths: string[] = [];
  for (const group of manifest) {
    const groupPaths = (group as { paths?: unknown } | null)?.paths;
    if (Array.isArray(groupPaths)) {
      for (const shard of groupPaths) {
        if (typeof shard === 'string' && !paths.includes(shard)) {
          paths.push(shard);
        }
      }
    }
  }
  return paths;
}

/** Decode base64 (the contents API may wrap lines). */
export function decodeBase64(base64: string): Uint8Array {
  const clean = base64.replace(/\s+/g, '');
  if (typeof atob === 'function') {
    const binary = atob(clean);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) {
      bytes[index] = binary.charCodeAt(index);
    }
    return bytes;
  }
  return Private.decodeBase64Manually(clean);
}

namespace Private {
  /** The file's model from the contents API; an error names the file and why. */
  export async function getFile(
    contents: IContentsLike,
    path: string,
    format: 'text' | 'base64',
    trans: ITranslate
  ): Promise<{ content: unknown; type?: string }> {
    try {
      return await contents.get(path, { type: 'file', format, content: true });
    } catch (error) {
      throw new ModelFileError(
        trans.__('Cannot read %1: %2', path, reason(error, trans)),
        path
      );
    }
  }

  export function reason(error: unknown, trans: ITranslate): string {
    if (error && typeof error === 'object') {
      const response = (error as { response?: { status?: number } }).response;
      if (response?.status === 404) {
        return trans.__('file not found');
      }
      if (response?.status === 403) {
        return trans.__('permission denied');
      }
    }
    return messageOf(error);
  }

  const ALPHABET =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  export function decodeBase64Manually(base64: string): Uint8Array {
    const lookup = new Int16Array(128).fill(-1);
    for (let index = 0; index < ALPHABET.length; index++) {
      lookup[ALPHABET.charCodeAt(index)] = index;
    }
    const body = base64.replace(/=+$/, '');
    const bytes = new Uint8Array(Math.floor((body.length * 3) / 4));
    let buffer = 0;
    let bits = 0;
    let out = 0;
    for (let index = 0; index < body.length; index++) {
      const value = lookup[body.charCodeAt(index)] ?? -1;
      if (value < 0) {
        throw new Error('invalid base64 data');
      }
      buffer = (buffer << 6) | value;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes[out++] = (buffer >> bits) & 0xff;
      }
    }
    return bytes.subarray(0, out);
  }
}
