/**
 * Reading the supported model formats into a graph spec and its weights,
 * before any graph is built: the format comes from each file's signature,
 * not its name; every structural limit is checked as the file is read
 * (declared input length, layer count and nesting, Keras 1 files). Pure.
 */
import {
  describeKind,
  FileKind,
  kindFromName,
  sniffFile
} from './files/format';
import { readKerasArchive } from './files/keras-archive';
import { readKerasH5 } from './files/keras-h5';
import { readTfjsModel } from './files/tfjs';
import { IConfigLimits, LIMIT_SETTINGS } from './graph/config-size';
import { IModelSpec, parseModelConfig } from './graph/keras-config';
import { keras3Weights } from './graph/keras3-layer-weights';
import { splitTextVectorization } from './graph/text-vectorization-layer';
import { IWeight } from './layers/base';
import {
  checkDeclaredInputLength,
  DEFAULT_MAX_LAYERS,
  DEFAULT_MAX_NESTING_DEPTH,
  resolveLimit,
  resolveMaxInputLength
} from './limits';
import { checkNotKeras1 } from './load-checks';
import { ITextVectorizationInfo } from '../text/text-vectorization';
import { ILoadOptions, IModelFiles, IModelInfo, ModelError } from './types';

/** The setting that raises the input length limit, as messages name it. */
export const INPUT_LENGTH_SETTING = 'the maxInputLength setting / --max-length';

/** A model as its files describe it. */
export interface IReadModel {
  spec: IModelSpec;
  weights: Map<string, IWeight[]>;
  format: IModelInfo['format'];
  kerasVersion?: string;
  /** The model's own TextVectorization layer, when it starts with one. */
  tokenizer?: ITextVectorizationInfo;
  /** The file the model was read from (named in messages). */
  mainFile: string;
  /** Its kind by signature. */
  kind: FileKind;
}

/** The layer limits in force (settings or defaults). */
export function configLimits(options: ILoadOptions): Required<IConfigLimits> {
  return {
    maxLayers: resolveLimit(options.maxLayers, DEFAULT_MAX_LAYERS),
    maxNestingDepth: resolveLimit(
      options.maxNestingDepth,
      DEFAULT_MAX_NESTING_DEPTH
    )
  };
}

/** Reads whichever supported format `files` hold. */
export function readModel(
  files: IModelFiles,
  options: ILoadOptions
): IReadModel {
  const names = Object.keys(files);
  if (names.length === 0) {
    throw new ModelError('No model files were given');
  }
  const kinds = new Map(names.map(n => [n, kindOf(n, files[n])]));
  const archive = names.find(n => kinds.get(n) === 'zip');
  const h5 = names.find(n => kinds.get(n) === 'hdf5');
  const jsons = names.filter(n => kinds.get(n) === 'json');
  const limits = configLimits(options);
  if (archive) {
    return { ...Private.archive(files, archive, limits, options), kind: 'zip' };
  }
  if (h5) {
    return { ...Private.h5(files, h5, jsons, limits, options), kind: 'hdf5' };
  }
  if (jsons.length) {
    return { ...Private.tfjs(files, jsons, limits, options), kind: 'json' };
  }
  throw new ModelError(
    `No model file recognised among ${names.join(', ')}: ` +
      names.map(n => Private.whatItIs(n, files[n])).join('; ') +
      ' (expected an HDF5 .h5/.hdf5, a Keras 3 .keras zip, or a model.json)',
    { file: names[0] }
  );
}

/**
 * A file's kind by signature; a file whose bytes match no kind keeps the
 * kind its name gives, so its reader says what is wrong with it. `.bin`
 * weight shards are never model files.
 */
export function kindOf(name: string, bytes: Uint8Array): FileKind {
  if (name.toLowerCase().endsWith('.bin')) {
    return 'other';
  }
  const sniffed = sniffFile(bytes);
  return sniffed === 'other' && !Private.isLfsPointer(bytes)
    ? kindFromName(name)
    : sniffed;
}

/** A note when the main file's name and its content disagree, or null. */
export function nameMismatchNote(read: IReadModel): string | null {
  const named = kindFromName(read.mainFile);
  const found = read.kind;
  if (named === 'other' || named === found) {
    return null;
  }
  return named === 'zip' && found === 'hdf5'
    ? `${read.mainFile} is an HDF5 file, not a Keras 3 zip archive (TensorFlow 2.0-2.11 saved HDF5 under the .keras name); read as HDF5`
    : `${read.mainFile} is ${describeKind(found)} despite its name; read as such`;
}

namespace Private {
  type Read = Omit<IReadModel, 'kind'>;

  export function archive(
    files: IModelFiles,
    name: string,
    limits: Required<IConfigLimits>,
    options: ILoadOptions
  ): Read {
    const read = readKerasArchive(files[name], name);
    let spec = parseModelConfig(read.config, `${name}/config.json`, limits);
    checkInputs(spec, name, options);
    const weights = keras3Weights(spec, read.weightsFile);
    const split = splitTextVectorization(spec, files[name], name, {
      maxInputLength: resolveMaxInputLength(options.maxInputLength),
      hint: INPUT_LENGTH_SETTING
    });
    let tokenizer: ITextVectorizationInfo | undefined;
    if (split) {
      spec = split.spec;
      tokenizer = split.info;
    }
    return {
      spec,
      weights,
      format: 'keras-v3',
      kerasVersion: read.kerasVersion,
      mainFile: name,
      ...(tokenizer ? { tokenizer } : {})
    };
  }

  export function h5(
    files: IModelFiles,
    name: string,
    jsons: string[],
    limits: Required<IConfigLimits>,
    options: ILoadOptions
  ): Read {
    const read = readKerasH5(files[name], name, {
      maxLayers: limits.maxLayers,
      maxLayersHint: LIMIT_SETTINGS.maxLayers
    });
    checkNotKeras1(name, read.kerasVersion);
    let spec: IModelSpec;
    if (read.modelConfig) {
      spec = parseModelConfig(read.modelConfig, name, limits);
    } else if (jsons.length) {
      const text = new TextDecoder().decode(files[jsons[0]]);
      spec = parseModelConfig(text, jsons[0], limits);
    } else {
      throw new ModelError(
        `${name}: this is a weights-only file (no model_config); also give the model config JSON (model.to_json())`,
        { file: name }
      );
    }
    checkNotKeras1(name, undefined, spec);
    checkInputs(spec, name, options);
    return {
      spec,
      weights: read.weights,
      format: read.modelConfig ? 'keras-h5' : 'keras-h5-weights',
      kerasVersion: read.kerasVersion,
      mainFile: name
    };
  }

  export function tfjs(
    files: IModelFiles,
    jsons: string[],
    limits: Required<IConfigLimits>,
    options: ILoadOptions
  ): Read {
    const name = jsons.find(n => /(^|\/)model\.json$/.test(n)) ?? jsons[0];
    const read = readTfjsModel(files, name);
    const spec = parseModelConfig(read.topology, name, limits);
    checkNotKeras1(name, read.kerasVersion, spec);
    checkInputs(spec, name, options);
    return {
      spec,
      weights: read.weights,
      format: 'tfjs-layers',
      kerasVersion: read.kerasVersion,
      mainFile: name
    };
  }

  /** The declared input length within `maxInputLength`, before any allocation. */
  export function checkInputs(
    spec: IModelSpec,
    file: string,
    options: ILoadOptions
  ): void {
    const limit = resolveMaxInputLength(options.maxInputLength);
    for (const shape of Object.values(spec.inputShapes)) {
      checkDeclaredInputLength(shape[0], limit, file, INPUT_LENGTH_SETTING);
    }
  }

  export function isLfsPointer(bytes: Uint8Array): boolean {
    return new TextDecoder()
      .decode(bytes.subarray(0, 64))
      .startsWith('version https://git-lfs');
  }

  /** Says what an unrecognised file is (first bytes, or a Git LFS pointer). */
  export function whatItIs(name: string, bytes: Uint8Array): string {
    if (isLfsPointer(bytes)) {
      return `${name} is a Git LFS pointer, not the file itself (fetch it with git lfs pull)`;
    }
    if (bytes.length === 0) {
      return `${name} is empty`;
    }
    const hex = Array.from(bytes.subarray(0, 8), b =>
      b.toString(16).padStart(2, '0')
    ).join(' ');
    return `${name} is ${describeKind('other')} (it starts with bytes ${hex})`;
  }
}
