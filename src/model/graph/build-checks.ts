/**
 * The refusals of building a graph: each names the layer (and the tensor)
 * a config connects wrongly, so that a broken or unsupported file fails
 * before any layer runs.
 */
import { IGraphLayerSpec, IModelSpec, INodeRef } from './keras-config';
import { layerError, Shape } from '../layers/base';
import { ILayerCall } from './call-order';
import { tensorKey as key } from './tensor-key';
import { ModelError } from '../types';
import { formatDims } from '../shapes';

/** Refuses `mask=` tensors the engine cannot apply as [batch, steps] masks of the call's inputs. */
export function checkMaskRefs(
  layer: IGraphLayerSpec,
  maskRefs: INodeRef[],
  inputs: number,
  nodeShapes: Map<string, Shape>
): void {
  for (const r of maskRefs) {
    const shape = nodeShapes.get(key(r));
    if (shape && shape.length !== 1) {
      throw layerError(
        layer,
        `is passed a mask= tensor of shape [batch, ${formatDims(shape)}] ('${r.layer}'); ` +
          'masks of shape [batch, steps] are supported'
      );
    }
    if ((r.slot ?? 0) >= inputs) {
      throw layerError(
        layer,
        `is passed mask entry ${r.slot ?? 0} ('${r.layer}') but takes ${inputs} input(s)`
      );
    }
  }
}

/** Refuses a call that reads a layer the config does not have. */
export function checkRefsKnown(
  calls: ILayerCall[],
  byName: Map<string, IGraphLayerSpec>
): void {
  for (const call of calls) {
    for (const r of call.layer.inbound[call.node]) {
      if (!byName.has(r.layer)) {
        throw layerError(
          call.layer,
          `is connected to an unknown layer '${r.layer}'`
        );
      }
    }
  }
}

/**
 * Refuses a graph where some call was never reached (`stuck`, its inputs
 * never computed) or the model's inputs or outputs name a missing layer.
 */
export function checkAllComputed(
  stuck: ILayerCall | undefined,
  spec: IModelSpec,
  nodeShapes: Map<string, Shape>
): void {
  if (stuck) {
    throw layerError(
      stuck.layer,
      `its inputs (${stuck.layer.inbound[stuck.node].map(r => r.layer).join(', ')}) are never computed`
    );
  }
  for (const ref of [...spec.inputs, ...spec.outputs]) {
    if (!nodeShapes.has(key(ref))) {
      throw new ModelError(
        `The model config names '${ref.layer}' as an input or output, but no such layer exists`,
        {
          layer: ref.layer
        }
      );
    }
  }
}
