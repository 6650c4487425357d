/**
 * Keras 3 `.keras` archives: `config.json`, `metadata.json` and
 * `model.weights.h5`, each read with a size cap from a bounded zip reader.
 * Pure.
 */
import { JsonDepthError, parseJsonText } from '../../payload/json-text';
import { FILE_LIMITS } from '../limits';
import { ModelError } from '../types';
import { H5File, openHdf5 } from './hdf5/file';
import { ZipArchive } from './zip';

/** What a Keras 3 `.keras` archive holds. */
export interface IKerasArchive {
  config: unknown;
  kerasVersion?: string;
  weightsFile: H5File;
}

const JSON_CAP = {
  maxBytes: FILE_LIMITS.ARCHIVE_JSON_BYTES,
  maxRatio: FILE_LIMITS.ARCHIVE_EXPANSION,
  slack: FILE_LIMITS.ARCHIVE_SLACK_BYTES
};

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
  const config = Private.json(
    archive,
    'config.json',
    JSON_CAP.maxBytes,
    fileName
  );
  let kerasVersion: string | undefined;
  if (archive.has('metadata.json')) {
    try {
      const meta = Private.json(
        archive,
        'metadata.json',
        FILE_LIMITS.ARCHIVE_METADATA_BYTES,
        fileName
      ) as { keras_version?: unknown } | null;
      kerasVersion =
        typeof meta?.keras_version === 'string'
          ? meta.keras_version
          : undefined;
    } catch (error) {
      if (!(error instanceof SyntaxError)) {
        throw error;
      }
    }
  }
  if (!archive.has('model.weights.h5')) {
    throw new ModelError(`${fileName}: the archive has no model.weights.h5`, {
      file: fileName
    });
  }
  const weightsBytes = archive.read('model.weights.h5', {
    ...JSON_CAP,
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
  return { config, kerasVersion: kerasVersion ?? '3', weightsFile };
}

namespace Private {
  /** A JSON entry, size-capped; a SyntaxError (for metadata) or a ModelError naming the entry. */
  export function json(
    archive: ZipArchive,
    name: string,
    maxBytes: number,
    fileName: string
  ): unknown {
    const text = new TextDecoder().decode(
      archive.read(name, { ...JSON_CAP, maxBytes })
    );
    try {
      return parseJsonText(text);
    } catch (e) {
      if (e instanceof JsonDepthError) {
        throw new ModelError(`${fileName}: ${name}: ${e.message}`, {
          file: fileName
        });
      }
      if (name === 'config.json') {
        throw new ModelError(
          `${fileName}: config.json is not valid JSON (${(e as Error).message})`,
          { file: fileName }
        );
      }
      throw e;
    }
  }
}
