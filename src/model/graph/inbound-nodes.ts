/**
 * The inbound nodes of a layer in a saved Keras config: which tensors each
 * call of the layer consumes (positionally or by keyword, `mask=` lists
 * slot by slot) and its non-tensor call arguments. Keras 3 writes a node as
 * `{args, kwargs}` with `__keras_tensor__` entries, tf.keras 2.x as a list
 * of `[name, node, tensor, kwargs]`.
 */
import { ModelError } from '../types';

/** A reference to one output tensor of one call (node) of a layer. */
export interface INodeRef {
  layer: string;
  node: number;
  tensor: number;
  /** The call keyword the tensor was passed as (`initial_state`, `key`, ...); absent for positional inputs. */
  kwarg?: string;
  /** Its position in a list passed as that keyword (`mask=[None, m]`: m is slot 1). */
  slot?: number;
}

/**
 * `base`'s tensor, passed in the role (keyword and slot) of `call` when
 * `call` names one, else in `base`'s own role.
 */
export function withRole(base: INodeRef, call: INodeRef): INodeRef {
  const role = call.kwarg ? call : base;
  return {
    layer: base.layer,
    node: base.node,
    tensor: base.tensor,
    ...(role.kwarg ? { kwarg: role.kwarg } : {}),
    ...(role.kwarg && role.slot !== undefined ? { slot: role.slot } : {})
  };
}

/**
 * The entries of the `mask=` argument a call passes explicitly (a list:
 * its length, None entries included; one tensor: 1), or undefined when it
 * passes none (Keras then uses the masks its inputs carry).
 */
export function explicitMaskSlots(
  args: { [key: string]: unknown } | undefined
): number | undefined {
  const slots = args?.['#maskSlots'];
  return typeof slots === 'number' ? slots : undefined;
}

/**
 * The tensors one inbound node consumes: tf.keras 2.x
 * `[[name, node, tensor, kwargs], ...]` or Keras 3 `{args, kwargs}`.
 */
export function nodeRefs(
  node: unknown,
  layer: string,
  file: string
): INodeRef[] {
  if (Array.isArray(node)) {
    return Private.legacyNodeRefs(node, layer, file);
  }
  if (node && typeof node === 'object') {
    const refs: INodeRef[] = [];
    Private.collectHistory((node as { args?: unknown }).args, refs);
    const kwargs = (node as { kwargs?: unknown }).kwargs;
    if (kwargs && typeof kwargs === 'object') {
      for (const [k, v] of Object.entries(kwargs)) {
        if (k === 'mask' && Array.isArray(v)) {
          // mask=[None, m]: each tensor keeps its position.
          v.forEach((m, slot) => Private.collectHistory(m, refs, k, slot));
        } else {
          Private.collectHistory(v, refs, k);
        }
      }
    }
    return refs;
  }
  throw new ModelError(
    `Layer '${layer}': inbound node ${JSON.stringify(node)} is malformed`,
    { layer, file }
  );
}

/** The non-tensor keyword arguments of one node (`use_causal_mask`, ...). */
export function callArguments(node: unknown): { [key: string]: unknown } {
  const out: { [key: string]: unknown } = {};
  const kwargs = Array.isArray(node)
    ? (node as any[])[0]?.[3]
    : (node as { kwargs?: unknown } | null)?.kwargs;
  const args = Array.isArray(node)
    ? null
    : (node as { args?: unknown } | null)?.args;
  if (Array.isArray(args)) {
    // Positional constants of op layers (`NotEqual(x, 0)`); tensors as null.
    out['#args'] = args.map(a =>
      a !== null && typeof a === 'object' ? null : a
    );
  }
  if (kwargs && typeof kwargs === 'object' && !Array.isArray(kwargs)) {
    for (const [k, v] of Object.entries(kwargs)) {
      if (v === null || typeof v !== 'object') {
        out[k] = v;
      }
    }
    const slots = Private.maskSlotCount((kwargs as { mask?: unknown }).mask);
    if (slots !== undefined) {
      out['#maskSlots'] = slots;
    }
  }
  return out;
}

namespace Private {
  export function legacyNodeRefs(
    node: unknown[],
    layer: string,
    file: string
  ): INodeRef[] {
    const refs: INodeRef[] = [];
    for (const r of node as any[]) {
      if (!Array.isArray(r) || typeof r[0] !== 'string') {
        throw new ModelError(
          `Layer '${layer}': inbound node ${JSON.stringify(r)} is malformed`,
          { layer, file }
        );
      }
      refs.push({
        layer: r[0],
        node: Number(r[1] ?? 0),
        tensor: Number(r[2] ?? 0)
      });
      // tf.keras 2.x keeps tensors passed by keyword (MultiHeadAttention's
      // `value`, `key`, `mask`) as [name, node, tensor] inside the kwargs dict.
      const kwargs = r[3];
      if (kwargs && typeof kwargs === 'object' && !Array.isArray(kwargs)) {
        for (const [k, v] of Object.entries(kwargs)) {
          if (k === 'mask' && Array.isArray(v) && !isLegacyRef(v)) {
            v.forEach((m, slot) => legacyKwargRefs(m, k, refs, slot));
          } else {
            legacyKwargRefs(v, k, refs);
          }
        }
      }
    }
    return refs;
  }

  export function collectHistory(
    value: unknown,
    refs: INodeRef[],
    kwarg?: string,
    slot?: number
  ): void {
    if (Array.isArray(value)) {
      value.forEach(v => collectHistory(v, refs, kwarg, slot));
      return;
    }
    if (value && typeof value === 'object') {
      const v = value as {
        class_name?: string;
        config?: { keras_history?: unknown[] };
      };
      if (
        v.class_name === '__keras_tensor__' &&
        Array.isArray(v.config?.keras_history)
      ) {
        const [layer, node, tensor] = v.config!.keras_history as [
          string,
          number,
          number
        ];
        refs.push({
          layer,
          node: Number(node),
          tensor: Number(tensor),
          ...(kwarg ? { kwarg } : {}),
          ...(kwarg && slot !== undefined ? { slot } : {})
        });
      }
    }
  }

  /** A tf.keras 2.x tensor reference `[name, node, tensor]`. */
  export function isLegacyRef(value: unknown[]): boolean {
    return (
      typeof value[0] === 'string' &&
      typeof value[1] === 'number' &&
      typeof value[2] === 'number'
    );
  }

  export function legacyKwargRefs(
    value: unknown,
    kwarg: string,
    refs: INodeRef[],
    slot?: number
  ) {
    if (!Array.isArray(value)) {
      return;
    }
    if (isLegacyRef(value)) {
      refs.push({
        layer: value[0],
        node: value[1],
        tensor: value[2],
        kwarg,
        ...(slot !== undefined ? { slot } : {})
      });
      return;
    }
    value.forEach(v => legacyKwargRefs(v, kwarg, refs, slot));
  }

  /** How many entries an explicit `mask=` value has (see `explicitMaskSlots`). */
  export function maskSlotCount(value: unknown): number | undefined {
    if (value === null || value === undefined || typeof value !== 'object') {
      return undefined;
    }
    return Array.isArray(value) && !isLegacyRef(value) ? value.length : 1;
  }
}
