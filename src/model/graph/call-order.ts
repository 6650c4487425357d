/**
 * The order in which a graph's layer calls are built: each call once every
 * call it reads from is built. Configs list layers in order almost always,
 * and then the order is the config's; whatever the order, the work is linear
 * in the number of calls and references (a call waits on each producer it
 * still misses), so 20,000 layers listed backwards cost no more than in
 * order. Pure.
 */
import { IGraphLayerSpec, INodeRef } from './keras-config';

/** One call (node) of a layer. */
export interface ILayerCall {
  layer: IGraphLayerSpec;
  node: number;
}

/**
 * Calls `build` on every call of `calls` once the calls it reads from are
 * built (the model inputs, `ready`, count as built). Returns the calls that
 * could never be built (they read something never computed), in config order.
 */
export function buildInOrder(
  calls: ILayerCall[],
  ready: Iterable<INodeRef>,
  build: (call: ILayerCall) => void
): ILayerCall[] {
  const producer = (r: { layer: string; node: number }) =>
    `${r.layer}\u0000${r.node}`;
  const done = new Set<string>(Array.from(ready, producer));
  const waiting = new Map<string, ILayerCall[]>();
  const missing = new Map<ILayerCall, number>();
  const queue: ILayerCall[] = [];
  const run = (call: ILayerCall) => {
    build(call);
    const key = producer({ layer: call.layer.name, node: call.node });
    done.add(key);
    for (const next of waiting.get(key) ?? []) {
      const left = missing.get(next)! - 1;
      missing.set(next, left);
      if (left === 0) {
        queue.push(next);
      }
    }
    waiting.delete(key);
  };
  for (const call of calls) {
    const needs = new Set(
      call.layer.inbound[call.node].map(producer).filter(k => !done.has(k))
    );
    if (needs.size === 0) {
      run(call);
    } else {
      missing.set(call, needs.size);
      for (const k of needs) {
        const list = waiting.get(k) ?? [];
        list.push(call);
        waiting.set(k, list);
      }
    }
    for (let next = 0; next < queue.length; next++) {
      run(queue[next]);
    }
    queue.length = 0;
  }
  return calls.filter(c => (missing.get(c) ?? 0) > 0);
}
