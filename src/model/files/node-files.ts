/**
 * Node only: gather a model's files from a path into `IModelFiles`.
 *
 * - `.h5` / `.hdf5`: a Keras full model, or weights only with `configPath`
 *   (the `model.to_json()` text);
 * - `.keras`: a Keras 3 archive;
 * - `model.json` (or any tfjs layers `*.json`) plus the shards its
 *   `weightsManifest` lists, read from the same folder;
 * - a folder holding one of the above (`model.json` first).
 */
import * as fs from 'fs';
import * as path from 'path';
import { sniffFile } from './format';
import { FILE_LIMITS, formatBytes } from '../limits';
import { IModelFiles, ModelError } from '../types';

/** Where the files came from, for messages and payload metadata. */
export interface IModelSource {
  files: IModelFiles;
  /** The main file (the one the user named, or found in the folder). */
  mainFile: string;
  kind: 'hdf5' | 'keras-v3' | 'tfjs';
}

/** Read the files of the model at `modelPath` (and its weights-only config). */
export function readModelFiles(
  modelPath: string,
  configPath?: string
): IModelSource {
  const stat = Private.stat(modelPath, 'model');
  if (stat.isDirectory()) {
    return readModelFiles(Private.findInFolder(modelPath), configPath);
  }
  const name = path.basename(modelPath);
  const files: IModelFiles = {};
  files[name] = Private.read(modelPath, 'model');
  // The signature decides, not the name (TensorFlow 2.0-2.11 wrote HDF5 as .keras).
  const kind = sniffFile(files[name]);
  if (kind === 'json') {
    if (configPath) {
      throw new ModelError(
        `--config is for a weights-only HDF5 file; '${name}' is a JSON model`,
        { file: name }
      );
    }
    Private.addShards(files, name, modelPath);
    return { files, mainFile: modelPath, kind: 'tfjs' };
  }
  if (configPath) {
    let configName = path.basename(configPath);
    if (!configName.toLowerCase().endsWith('.json')) {
      configName += '.json';
    }
    files[configName] = Private.read(configPath, 'model config');
  }
  return {
    files,
    mainFile: modelPath,
    kind: kind === 'zip' ? 'keras-v3' : 'hdf5'
  };
}

namespace Private {
  export function stat(file: string, what: string): fs.Stats {
    try {
      return fs.statSync(file);
    } catch (error) {
      throw new ModelError(
        `cannot read ${what} '${file}': ${Private.reason(error)}`,
        {
          file
        }
      );
    }
  }

  export function isLink(file: string): boolean {
    try {
      return fs.lstatSync(file).isSymbolicLink();
    } catch {
      return false;
    }
  }

  export function reason(error: unknown): string {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return 'no such file';
    }
    return code ?? (error as Error).message;
  }

  /**
   * A regular file's bytes, its size checked before reading (a device such
   * as /dev/zero, a folder or a socket is refused); JSON files are capped
   * like a `.keras` archive's config.
   */
  export function read(
    file: string,
    what: string,
    maxBytes = /\.json$/i.test(file)
      ? FILE_LIMITS.ARCHIVE_JSON_BYTES
      : FILE_LIMITS.MODEL_FILE_BYTES
  ): Uint8Array {
    const fail = (why: string) =>
      new ModelError(`cannot read ${what} '${file}': ${why}`, { file });
    let size: number;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) {
        throw fail(
          stat.isDirectory() ? 'it is a folder' : 'it is not a regular file'
        );
      }
      size = stat.size;
    } catch (error) {
      throw error instanceof ModelError ? error : fail(reason(error));
    }
    if (size > maxBytes) {
      throw fail(
        `it is ${formatBytes(size)}; at most ${formatBytes(maxBytes)} are read`
      );
    }
    try {
      const buffer = fs.readFileSync(file);
      return new Uint8Array(
        buffer.buffer,
        buffer.byteOffset,
        buffer.byteLength
      );
    } catch (error) {
      throw fail(reason(error));
    }
  }

  /** Refuses a shard whose real path (symlinks followed) leaves the model's folder. */
  export function checkInside(
    name: string,
    shard: string,
    resolved: string,
    folder: string
  ): void {
    let real: string;
    let realFolder: string;
    try {
      real = fs.realpathSync(resolved);
      realFolder = fs.realpathSync(folder);
    } catch (error) {
      throw new ModelError(
        `${name}: weight shard '${shard}' cannot be read: ${reason(error)}`,
        { file: shard }
      );
    }
    const relative = path.relative(realFolder, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new ModelError(
        `${name}: weight shard '${shard}' is a link to '${real}', outside the model's folder: refused`,
        { file: shard }
      );
    }
  }

  /** The model file in a folder: model.json, else the only .keras / .h5 / .hdf5. */
  export function findInFolder(folder: string): string {
    const entries = fs.readdirSync(folder);
    if (entries.includes('model.json')) {
      return path.join(folder, 'model.json');
    }
    const candidates = entries.filter(e => /\.(keras|h5|hdf5)$/i.test(e));
    if (candidates.length === 1) {
      return path.join(folder, candidates[0]);
    }
    throw new ModelError(
      candidates.length
        ? `folder '${folder}' holds several model files (${candidates.join(', ')}): name one`
        : `folder '${folder}' holds no model.json, .keras, .h5 or .hdf5 file`,
      { file: folder }
    );
  }

  /** Read the weight shards a tfjs `model.json` lists, from its folder. */
  export function addShards(
    files: IModelFiles,
    name: string,
    jsonPath: string
  ): void {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(files[name]));
    } catch (error) {
      throw new ModelError(
        `${name}: not valid JSON (${(error as Error).message})`,
        {
          file: name
        }
      );
    }
    const manifest = (json as { weightsManifest?: unknown } | null)
      ?.weightsManifest;
    if (!Array.isArray(manifest)) {
      // Not a tfjs model (or no weights): the loader says what it is not.
      return;
    }
    const folder = path.dirname(jsonPath);
    // All shards together are read within the cap of one model file.
    let shardBudget: number = FILE_LIMITS.MODEL_FILE_BYTES;
    for (const group of manifest) {
      const paths = (group as { paths?: unknown })?.paths;
      if (!Array.isArray(paths)) {
        continue;
      }
      for (const shard of paths) {
        if (typeof shard !== 'string' || files[shard]) {
          continue;
        }
        const resolved = path.resolve(folder, shard);
        if (path.relative(folder, resolved).startsWith('..')) {
          throw new ModelError(
            `${name}: weight shard '${shard}' is outside the model folder`,
            {
              file: shard
            }
          );
        }
        if (!fs.existsSync(resolved) && !isLink(resolved)) {
          throw new ModelError(
            `${name}: weight shard '${shard}' is missing (looked in ${folder})`,
            {
              file: shard
            }
          );
        }
        checkInside(name, shard, resolved, folder);
        files[shard] = read(resolved, 'weight shard', shardBudget);
        shardBudget -= files[shard].length;
      }
    }
  }
}
