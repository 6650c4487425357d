/**
 * Nested models (a Sequential or functional model used as a layer) are
 * inlined into the outer graph: their layers become ordinary layers of the
 * outer model, so every intermediate output (an attention inside the nested
 * model, say) stays reachable by name.
 *
 * Weights come in two layouts: Keras 3 `.keras` files give them per inner
 * layer (keyed `outer/inner` by `keras3Weights`); legacy HDF5 and tfjs files
 * give the nested model one flat list whose weight names contain the inner
 * layer's name (`dense/kernel:0` in tf.keras 2.x, `inner_seq/dense/kernel`
 * in Keras 3's legacy `.h5`).
 */
import {
  IGraphLayerSpec,
  IModelSpec,
  INodeRef,
  withRole
} from './keras-config';
import { LIMIT_SETTINGS } from './config-size';
import { IWeight } from '../layers/base';
import { DEFAULT_MAX_LAYERS, formatCount } from '../limits';
import { ModelError } from '../types';

/**
 * The spec with every nested model inlined, and the weights keyed by the
 * inlined names. Inlining repeats a nested model's layers once per call, so
 * the calls it would produce are counted first (`maxLayers`, default
 * `DEFAULT_MAX_LAYERS`): nested models called 8 times at each of 8 levels
 * would make 16 million.
 */
export function flattenModel(
  spec: IModelSpec,
  weights: Map<string, IWeight[]>,
  maxLayers = DEFAULT_MAX_LAYERS
): { spec: IModelSpec; weights: Map<string, IWeight[]> } {
  if (!spec.layers.some(l => l.model)) {
    return { spec, weights };
  }
  Private.checkExpansion(spec, maxLayers);
  return Private.flatten(spec, weights);
}

/** Inlines the nested models of one level (theirs recursively). */
function flattenLevel(
  spec: IModelSpec,
  weights: Map<string, IWeight[]>
): { spec: IModelSpec; weights: Map<string, IWeight[]> } {
  const taken = new Set(spec.layers.filter(l => !l.model).map(l => l.name));
  const outWeights = new Map(weights);
  const layers: IGraphLayerSpec[] = [];
  /** Replacement of refs to a nested model's outputs, by `name\0node\0tensor`. */
  const redirect = new Map<string, INodeRef>();
  // Keras 3 archives key a nested model's weights `outer/inner`: grouped once.
  const byOwner = Private.groupByOwner(weights);

  for (const layer of spec.layers) {
    if (!layer.model) {
      layers.push(layer);
      continue;
    }
    const own = byOwner.get(layer.name);
    const inner = Private.flatten(
      layer.model,
      Private.innerWeights(layer, weights, own)
    );
    outWeights.delete(layer.name);
    for (const k of own?.keys() ?? []) {
      outWeights.delete(`${layer.name}/${k}`);
    }
    const model = inner.spec;
    const rename = Private.innerNames(layer, model, taken);
    const mapRef = Private.refMapper(layer, model, rename);
    for (const l of model.layers) {
      if (l.className !== 'InputLayer') {
        const flat = rename.get(l.name)!;
        layers.push(
          Private.inlinedLayer(l, flat, layer.inbound.length, mapRef)
        );
        const w = inner.weights.get(l.name);
        if (w) {
          outWeights.set(flat, w);
        }
      }
    }
    const calls = layer.inbound.length;
    for (let c = 0; c < calls; c++) {
      model.outputs.forEach((out, k) => {
        redirect.set(
          Private.refKey(layer.name, c + (layer.nodeOffset ?? 0), k),
          mapRef(out, c)
        );
      });
    }
  }
  const follow = (r: INodeRef): INodeRef => {
    const to = redirect.get(Private.refKey(r.layer, r.node, r.tensor));
    return to ? withRole(to, r) : r;
  };
  return {
    spec: {
      ...spec,
      layers: layers.map(l => ({
        ...l,
        inbound: l.inbound.map(refs => refs.map(follow))
      })),
      outputs: spec.outputs.map(follow)
    },
    weights: outWeights
  };
}

namespace Private {
  /** Refuses a model whose inlined layer calls would exceed `maxLayers`. */
  export function checkExpansion(spec: IModelSpec, maxLayers: number): void {
    const memo = new Map<IModelSpec, number>();
    const calls = (model: IModelSpec): number => {
      const known = memo.get(model);
      if (known !== undefined) {
        return known;
      }
      let total = 0;
      for (const l of model.layers) {
        const n = Math.max(1, l.inbound.length);
        total += l.model ? n * calls(l.model) : n;
        if (total > maxLayers) {
          throw new ModelError(
            `nested models expand to more than ${formatCount(maxLayers)} layer calls once inlined ` +
              `(a nested model repeats its layers for each of its calls); at most ${formatCount(maxLayers)} ` +
              `are allowed (${LIMIT_SETTINGS.maxLayers})`
          );
        }
      }
      memo.set(model, total);
      return total;
    };
    calls(spec);
  }

  export function flatten(
    spec: IModelSpec,
    weights: Map<string, IWeight[]>
  ): { spec: IModelSpec; weights: Map<string, IWeight[]> } {
    if (!spec.layers.some(l => l.model)) {
      return { spec, weights };
    }
    return flattenLevel(spec, weights);
  }

  /** The inlined name of each inner layer (`outer/inner` where the name is taken). */
  export function innerNames(
    layer: IGraphLayerSpec,
    model: IModelSpec,
    taken: Set<string>
  ): Map<string, string> {
    const rename = new Map<string, string>();
    for (const l of model.layers) {
      if (l.className === 'InputLayer') {
        continue;
      }
      const flat = taken.has(l.name) ? `${layer.name}/${l.name}` : l.name;
      if (taken.has(flat)) {
        throw new ModelError(
          `nested model '${layer.name}': layer name '${flat}' is used twice`,
          { layer: layer.name }
        );
      }
      taken.add(flat);
      rename.set(l.name, flat);
    }
    return rename;
  }

  /**
   * A ref inside the nested model, as seen from the outer graph at one of
   * the nested model's calls: its inputs are that call's tensors, its
   * layers' nodes are numbered per call.
   */
  export function refMapper(
    layer: IGraphLayerSpec,
    model: IModelSpec,
    rename: Map<string, string>
  ): (r: INodeRef, call: number) => INodeRef {
    const inputNames = model.inputs.map(r => r.layer);
    const nodeCount = new Map(
      model.layers.map(l => [l.name, l.inbound.length])
    );
    return (r: INodeRef, call: number): INodeRef => {
      const input = inputNames.indexOf(r.layer);
      if (input >= 0) {
        const outer = layer.inbound[call][input];
        if (!outer) {
          throw new ModelError(
            `nested model '${layer.name}' takes ${inputNames.length} input(s), call ${call} gives ` +
              `${layer.inbound[call].length}`,
            { layer: layer.name }
          );
        }
        return withRole(outer, r);
      }
      return withRole(
        {
          layer: rename.get(r.layer) ?? r.layer,
          node: call * (nodeCount.get(r.layer) ?? 1) + r.node,
          tensor: r.tensor
        },
        r
      );
    };
  }

  /** An inner layer under its inlined name, with its nodes repeated for every call. */
  export function inlinedLayer(
    l: IGraphLayerSpec,
    flat: string,
    calls: number,
    mapRef: (r: INodeRef, call: number) => INodeRef
  ): IGraphLayerSpec {
    const inbound: INodeRef[][] = [];
    const callArgs: Array<{ [key: string]: unknown }> = [];
    for (let c = 0; c < calls; c++) {
      l.inbound.forEach((refs, n) => {
        inbound.push(refs.map(r => mapRef(r, c)));
        callArgs.push(l.callArgs?.[n] ?? {});
      });
    }
    return { ...l, name: flat, inbound, callArgs };
  }

  /** Weights keyed `owner/rest`, grouped by owner (one pass). */
  export function groupByOwner(
    weights: Map<string, IWeight[]>
  ): Map<string, Map<string, IWeight[]>> {
    const out = new Map<string, Map<string, IWeight[]>>();
    for (const [k, w] of weights) {
      const slash = k.indexOf('/');
      if (slash > 0) {
        const owner = k.slice(0, slash);
        let group = out.get(owner);
        if (!group) {
          group = new Map();
          out.set(owner, group);
        }
        group.set(k.slice(slash + 1), w);
      }
    }
    return out;
  }

  export function refKey(layer: string, node: number, tensor: number): string {
    return `${layer}\u0000${node}\u0000${tensor}`;
  }

  /** Every layer name inside `model` (recursively) -> the direct child holding it. */
  export function owners(model: IModelSpec): Map<string, string> {
    const out = new Map<string, string>();
    for (const l of model.layers) {
      out.set(l.name, l.name);
      if (l.model) {
        for (const name of owners(l.model).keys()) {
          if (!out.has(name)) {
            out.set(name, l.name);
          }
        }
      }
    }
    return out;
  }

  /** The weights of a nested model's layers, keyed by inner layer name. */
  export function innerWeights(
    layer: IGraphLayerSpec,
    weights: Map<string, IWeight[]>,
    own: Map<string, IWeight[]> | undefined
  ): Map<string, IWeight[]> {
    const model = layer.model!;
    // Keras 3 archives: per inner layer already.
    if (own?.size) {
      return own;
    }
    const out = new Map<string, IWeight[]>();
    // HDF5 / tfjs: one list, split by the inner layer named in each weight name.
    const byName = owners(model);
    for (const w of weights.get(layer.name) ?? []) {
      const parts = w.name.split('/');
      const start = parts[0] === layer.name ? 1 : 0;
      let owner: string | undefined;
      for (let i = start; i < parts.length - 1 && !owner; i++) {
        owner = byName.get(parts[i]);
      }
      if (!owner) {
        throw new ModelError(
          `nested model '${layer.name}': weight '${w.name}' names none of its layers ` +
            `(${model.layers.map(l => l.name).join(', ')})`,
          { layer: layer.name }
        );
      }
      // A deeper nested model keeps its whole list; its own split runs on it.
      const list = out.get(owner) ?? [];
      list.push(w);
      out.set(owner, list);
    }
    return out;
  }
}
