/**
 * Weights by layer name from a Keras 3 `model.weights.h5`: each layer of the
 * model's spec (nested models keyed `outer/inner`) finds its stored object
 * (`layers/<snake_case class>[_N]`, or its own name) and reads its variables
 * (`files/keras3-weights.ts`). Pure.
 */
import { storedObjectWeights, toSnakeCase } from '../files/keras3-weights';
import { H5File } from '../files/hdf5/file';
import { IWeight, ModelError } from '../types';
import { IModelSpec } from './keras-config';

/** The weights of every layer of `spec` (nested models keyed `outer/inner`). */
export function keras3Weights(
  spec: IModelSpec,
  file: H5File,
  base = '',
  prefix = '',
  weights = new Map<string, IWeight[]>(),
  visited = new Set<number>()
): Map<string, IWeight[]> {
  const used = new Map<string, number>();
  const layersPath = `${base}layers`;
  if (
    !file.isGroup(layersPath) &&
    spec.layers.some(l => l.className !== 'InputLayer')
  ) {
    throw new ModelError(
      `${file.fileName}: the weights file has no '${layersPath}' group: it is damaged or not a Keras 3 weights file`,
      { file: file.fileName }
    );
  }
  const stored = new Set(file.keys(layersPath));
  for (const layer of spec.layers) {
    // The saved class is the original one (GRU, TimeDistributed, ...).
    const snake = toSnakeCase(layer.className);
    const count = used.get(snake);
    const key = count === undefined ? snake : `${snake}_${count + 1}`;
    used.set(snake, count === undefined ? 0 : count + 1);
    if (layer.className === 'InputLayer') {
      continue;
    }
    const name = [key, layer.name].find(c => stored.has(c));
    const found = name === undefined ? null : `${layersPath}/${name}`;
    if (layer.model && found) {
      // A nested model: its layers are stored under its own `layers/` group.
      keras3Weights(
        layer.model,
        file,
        `${found}/`,
        `${prefix}${layer.name}/`,
        weights,
        visited
      );
      continue;
    }
    weights.set(
      `${prefix}${layer.name}`,
      found ? storedObjectWeights(file, found, visited) : []
    );
  }
  return weights;
}
