/**
 * Keras 3 saves the masks it passes between layers as operations in the
 * graph (`NotEqual`, `ExpandDims`, `LogicalOr`, `Any`, ... feeding a
 * `mask=` argument). When such a mask subgraph uses operations this engine
 * does not run, it is dropped and the masks come from the engine's own
 * propagation, which follows the same Keras rules (`compute_mask` of every
 * layer); the replacement is reported as an inference.
 */
import { IGraphLayerSpec, IModelSpec } from './keras-config';
import { LAYER_FACTORIES } from '../layers/registry';

export function pruneMaskOps(spec: IModelSpec): {
  spec: IModelSpec;
  inference?: string;
} {
  const byName = new Map(spec.layers.map(l => [l.name, l]));
  const reach = (start: string[], viaMask: boolean): Set<string> => {
    const seen = new Set<string>();
    const todo = [...start];
    while (todo.length) {
      const name = todo.pop()!;
      if (seen.has(name)) {
        continue;
      }
      seen.add(name);
      for (const node of byName.get(name)?.inbound ?? []) {
        for (const r of node) {
          if (viaMask || r.kwarg !== 'mask') {
            todo.push(r.layer);
          }
        }
      }
    }
    return seen;
  };
  const data = reach(
    spec.outputs.map(r => r.layer),
    false
  );
  const maskStarts = spec.layers.flatMap(l =>
    l.inbound.flatMap(n => n.filter(r => r.kwarg === 'mask').map(r => r.layer))
  );
  if (!maskStarts.length) {
    return { spec };
  }
  const maskOnly = [...reach(maskStarts, true)].filter(n => !data.has(n));
  const unsupported = maskOnly
    .map(n => byName.get(n)!)
    .filter(l => l && !LAYER_FACTORIES[l.className]);
  if (!unsupported.length) {
    return { spec };
  }
  const drop = new Set(maskOnly);
  const layers: IGraphLayerSpec[] = spec.layers
    .filter(l => !drop.has(l.name))
    .map(l => ({
      ...l,
      inbound: l.inbound.map(n => n.filter(r => r.kwarg !== 'mask'))
    }));
  const classes = [...new Set(unsupported.map(l => l.className))].sort();
  return {
    spec: { ...spec, layers },
    inference:
      `The masks Keras saved as operations (${classes.join(', ')}) are computed ` +
      `by the engine with Keras's mask rules instead`
  };
}
