/**
 * Keras 3 saves the masks it passes between layers as operations in the
 * graph (`NotEqual`, `ExpandDims`, `LogicalOr`, `Any`, ... feeding a
 * `mask=` argument); the engine runs those operations (`layers/ops.ts`).
 * A call whose `mask=` argument needs an operation the engine does not run
 * loses that argument alone: its masks come from the engine's own
 * propagation, which follows Keras's rules (`compute_mask` of every layer),
 * and the replacement is reported as an inference. Every other `mask=`
 * argument, explicit ones included, is kept.
 */
import { IGraphLayerSpec, IModelSpec, INodeRef } from './keras-config';
import { LAYER_FACTORIES } from '../layers/registry';

export function pruneMaskOps(spec: IModelSpec): {
  spec: IModelSpec;
  inference?: string;
} {
  const byName = new Map(spec.layers.map(l => [l.name, l]));
  const runs = (name: string) => {
    const l = byName.get(name);
    return !l || l.className === 'InputLayer' || !!LAYER_FACTORIES[l.className];
  };
  const blocked = Private.blockedBy(byName, runs);
  const dropped: string[] = [];
  const droppedMasks: string[] = [];
  const layers: IGraphLayerSpec[] = spec.layers.map(l => {
    let changed = false;
    const calls = l.inbound.map((refs, node) => {
      const masks = refs.filter(r => r.kwarg === 'mask');
      if (!masks.some(r => blocked(r.layer))) {
        return { refs, args: l.callArgs?.[node] };
      }
      changed = true;
      dropped.push(l.name);
      droppedMasks.push(...masks.map(r => r.layer));
      const args = { ...(l.callArgs?.[node] ?? {}) };
      delete args['#maskSlots'];
      return { refs: refs.filter(r => r.kwarg !== 'mask'), args };
    });
    return changed
      ? {
          ...l,
          inbound: calls.map(c => c.refs),
          ...(l.callArgs ? { callArgs: calls.map(c => c.args ?? {}) } : {})
        }
      : l;
  });
  if (!dropped.length) {
    return { spec };
  }
  // The operations only the dropped arguments read are not built.
  const used = Private.upstream(
    spec.outputs.map(r => r.layer),
    new Map(layers.map(l => [l.name, l]))
  );
  const maskSide = Private.upstream(droppedMasks, byName);
  const kept = layers.filter(l => used.has(l.name) || !maskSide.has(l.name));
  const classes = [...maskSide]
    .filter(n => !runs(n))
    .map(n => byName.get(n)!.className);
  const calls = [...new Set(dropped)].map(n => `'${n}'`).join(', ');
  return {
    spec: { ...spec, layers: kept },
    inference:
      `The masks Keras saved as operations the engine does not run (${[...new Set(classes)].sort().join(', ')}) ` +
      `are computed by the engine with Keras's mask rules instead, for ${calls}`
  };
}

namespace Private {
  type Layers = Map<string, { inbound: INodeRef[][] }>;

  /**
   * Whether a layer is computed from a layer the engine does not run
   * (itself included), each layer looked at once; a loop in a damaged
   * config is left to the graph build, which names it.
   */
  export function blockedBy(
    byName: Layers,
    runs: (name: string) => boolean
  ): (name: string) => boolean {
    const done = new Map<string, boolean>();
    const visiting = new Set<string>();
    const inputs = (name: string) => [
      ...new Set((byName.get(name)?.inbound ?? []).flat().map(r => r.layer))
    ];
    return start => {
      const stack = [start];
      while (stack.length) {
        const name = stack[stack.length - 1];
        if (done.has(name)) {
          stack.pop();
          continue;
        }
        const pending = visiting.has(name)
          ? []
          : inputs(name).filter(n => !done.has(n) && !visiting.has(n));
        visiting.add(name);
        if (pending.length) {
          stack.push(...pending);
          continue;
        }
        done.set(name, !runs(name) || inputs(name).some(n => done.get(n)));
        visiting.delete(name);
        stack.pop();
      }
      return done.get(start)!;
    };
  }

  /** The layers the given ones are computed from (themselves included), through every input. */
  export function upstream(start: string[], byName: Layers): Set<string> {
    const seen = new Set<string>();
    const todo = [...start];
    while (todo.length) {
      const name = todo.pop()!;
      if (seen.has(name)) {
        continue;
      }
      seen.add(name);
      for (const node of byName.get(name)?.inbound ?? []) {
        node.forEach(r => todo.push(r.layer));
      }
    }
    return seen;
  }
}
