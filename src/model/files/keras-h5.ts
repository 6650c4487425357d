/**
 * Legacy Keras HDF5 files: `model.save()` / `ModelCheckpoint` full models
 * and `save_weights()` files (Keras 2.x, tf.keras, Keras 3's `.h5`): the
 * `model_config` attribute, `layer_names`, and each layer's `weight_names`
 * datasets. Pure.
 */
import { formatCount } from '../limits';
import { IWeight, ModelError } from '../types';
import { H5File, openHdf5 } from './hdf5/file';

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

/** Limits on what the file may list. */
export interface IKerasH5Limits {
  /** The most layers `layer_names` may list (default: no limit). */
  maxLayers?: number;
  /** How to raise `maxLayers`, for the message. */
  maxLayersHint?: string;
}

/** Reads a `model.save()` file or a `save_weights()` file (Keras 2.x / tf.keras layout). */
export function readKerasH5(
  bytes: Uint8Array,
  fileName: string,
  limits: IKerasH5Limits = {}
): IKerasH5 {
  const file = openHdf5(bytes, fileName);
  const modelConfig = file.stringAttr('', 'model_config');
  const prefix = file.isGroup('model_weights') ? 'model_weights/' : '';
  const weightsRoot = prefix ? 'model_weights' : '';
  const layerNames = listAttribute(file, weightsRoot, 'layer_names');
  if (!layerNames) {
    throw new ModelError(
      `${fileName}: not a Keras HDF5 model or weights file (no 'layer_names' attribute` +
        `${modelConfig ? ' under model_weights' : ''})`,
      { file: fileName }
    );
  }
  Private.checkLayerNames(layerNames, fileName, limits);
  const kerasVersion =
    file.stringAttr(weightsRoot, 'keras_version') ??
    file.stringAttr('', 'keras_version');
  const backend =
    file.stringAttr(weightsRoot, 'backend') ?? file.stringAttr('', 'backend');
  const weights = new Map<string, IWeight[]>();
  const present = new Set(file.keys(weightsRoot));
  for (const layer of layerNames) {
    if (!present.has(layer) || !file.isGroup(`${prefix}${layer}`)) {
      throw new ModelError(
        `${fileName}: layer '${layer}' is listed in layer_names but has no group`,
        { file: fileName, layer }
      );
    }
    const names =
      listAttribute(file, `${prefix}${layer}`, 'weight_names') ?? [];
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

/**
 * A list attribute, also when Keras split it (over 64 KB) into `name0`,
 * `name1`, ... as `save_attributes_to_hdf5_group` does.
 */
export function listAttribute(
  file: H5File,
  path: string,
  name: string
): string[] | undefined {
  const whole = file.stringListAttr(path, name);
  if (whole || file.attribute(path, `${name}0`) === undefined) {
    return whole;
  }
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = file.stringListAttr(path, `${name}${i}`);
    if (!part) {
      return out;
    }
    for (const item of part) {
      out.push(item);
    }
  }
}

namespace Private {
  export function checkLayerNames(
    names: string[],
    fileName: string,
    limits: IKerasH5Limits
  ): void {
    if (limits.maxLayers !== undefined && names.length > limits.maxLayers) {
      throw new ModelError(
        `${fileName}: the file lists ${formatCount(names.length)} layers; at most ` +
          `${formatCount(limits.maxLayers)} are allowed (${limits.maxLayersHint ?? 'maxLayers'})`,
        { file: fileName }
      );
    }
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        throw new ModelError(
          `${fileName}: layer '${name}' is listed twice in layer_names: the file is damaged`,
          { file: fileName, layer: name }
        );
      }
      seen.add(name);
    }
  }
}
