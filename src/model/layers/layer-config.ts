/**
 * A Keras `{class_name, config}` entry as a layer spec: the class name
 * normalised (aliases and module prefixes removed), and the specs of the
 * layers a wrapper holds (`TimeDistributed.layer`, `Bidirectional.layer`).
 * Shared by the config translation (`graph/keras-config.ts`) and the
 * wrapper layers. Pure.
 */
import { ModelError } from '../types';
import { ILayerSpec } from './base';

/** Normalises a Keras class name (`Custom>GRU`, `keras.layers.GRU`, `GRUV2`). */
export function normalizeClassName(raw: string): string {
  let name = raw;
  const gt = name.lastIndexOf('>');
  if (gt >= 0) {
    name = name.slice(gt + 1);
  }
  const dot = name.lastIndexOf('.');
  if (dot >= 0) {
    name = name.slice(dot + 1);
  }
  const aliases: { [k: string]: string } = {
    GRUV2: 'GRU',
    LSTMV2: 'LSTM',
    Convolution1D: 'Conv1D',
    MaxPool1D: 'MaxPooling1D',
    AvgPool1D: 'AveragePooling1D',
    GlobalMaxPool1D: 'GlobalMaxPooling1D',
    GlobalAvgPool1D: 'GlobalAveragePooling1D'
  };
  return aliases[name] ?? name;
}

/** A `{class_name, config}` object as a layer spec. */
export function specFromLayerConfig(raw: unknown, where: string): ILayerSpec {
  if (!raw || typeof raw !== 'object') {
    throw new ModelError(`${where}: a layer entry is not an object`, {
      file: where
    });
  }
  const entry = raw as {
    class_name?: unknown;
    config?: unknown;
    name?: unknown;
  };
  if (typeof entry.class_name !== 'string') {
    throw new ModelError(`${where}: a layer entry has no class_name`, {
      file: where
    });
  }
  const config =
    entry.config && typeof entry.config === 'object'
      ? { ...(entry.config as object) }
      : {};
  const name =
    typeof (config as { name?: unknown }).name === 'string'
      ? ((config as { name: string }).name as string)
      : typeof entry.name === 'string'
        ? entry.name
        : '';
  return { name, className: normalizeClassName(entry.class_name), config };
}

/** The spec of a wrapped layer (`TimeDistributed.layer`, `Bidirectional.layer`). */
export function nestedSpec(spec: ILayerSpec, key: string): ILayerSpec {
  const raw = spec.config[key];
  if (!raw || typeof raw !== 'object') {
    throw new ModelError(
      `Layer '${spec.name}' (${spec.className}): config has no '${key}'`,
      {
        layer: spec.name,
        className: spec.className
      }
    );
  }
  return specFromLayerConfig(raw, `layer '${spec.name}'`);
}
