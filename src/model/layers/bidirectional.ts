/**
 * Bidirectional RNN wrapper: forward and backward copies of the wrapped
 * layer, merged with concat (default), sum, mul or ave.
 */
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';
import { concat, split } from './concatenate';
import { nestedSpec } from './layer-config';
import { sum, withGradient } from './vjp';

function reverseTime(x: ITensor): ITensor {
  const [batch, steps] = x.shape;
  const width = x.data.length / (batch * steps);
  const data = new Float32Array(x.data.length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const src = (b * steps + t) * width;
      data.set(
        x.data.subarray(src, src + width),
        (b * steps + (steps - 1 - t)) * width
      );
    }
  }
  return { shape: x.shape, data };
}

export function createBidirectional(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const mergeMode = Private.checkedMergeMode(spec, weights);
  const { forwardSpec, backwardSpec, returnSequences } = Private.specs(spec);
  const half = weights.length / 2;
  const forward = context.createLayer(
    forwardSpec,
    inputShapes,
    weights.slice(0, half)
  );
  const backward = context.createLayer(
    backwardSpec,
    inputShapes,
    weights.slice(half)
  );
  const outShape = Private.mergedShape(mergeMode, forward, backward);
  const merge = (y: ITensor, yRev: ITensor) =>
    Private.merge(mergeMode, y, yRev);
  const inTime = (t: ITensor) => (returnSequences ? reverseTime(t) : t);
  const layer: ILayer = {
    name: spec.name,
    className: spec.className,
    outputShape: outShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const y = forward.call(inputs, masks).output;
      const yRev = inTime(backward.call(inputs, masks).output);
      return {
        output: merge(y, yRev),
        mask: returnSequences ? masks[0] : null
      };
    }
  };
  return withGradient(
    layer,
    [forward, backward],
    (inputs: ITensor[], masks: Array<IMask | null>) => {
      const f = forward.callForGradient!(inputs, masks);
      const b = backward.callForGradient!(inputs, masks);
      const y = f.output;
      const yRev = inTime(b.output);
      return {
        output: merge(y, yRev),
        mask: returnSequences ? masks[0] : null,
        backward([dOut]) {
          if (!dOut) {
            return inputs.map(() => null);
          }
          const [dy, dyRev] = Private.mergeGradient(mergeMode, y, yRev, dOut);
          const dx = f.backward([dy])[0];
          const dxRev = b.backward([inTime(dyRev)])[0];
          return [{ shape: inputs[0].shape, data: sum(dx!.data, dxRev!.data) }];
        }
      };
    }
  );
}

namespace Private {
  /** The merge mode, once the config and the weights are known to fit. */
  export function checkedMergeMode(
    spec: ILayerSpec,
    weights: IWeight[]
  ): string {
    const mergeMode =
      spec.config.merge_mode === undefined ? 'concat' : spec.config.merge_mode;
    if (!['concat', 'sum', 'mul', 'ave'].includes(mergeMode)) {
      throw layerError(
        spec,
        `merge_mode ${JSON.stringify(mergeMode)} is not supported (use concat, sum, mul or ave)`
      );
    }
    if ((spec.call?.inputKwargs.length ?? 1) > 1) {
      throw layerError(
        spec,
        'initial_state and other tensor arguments are not supported here'
      );
    }
    if (weights.length % 2 !== 0) {
      throw layerError(
        spec,
        `expected the same number of forward and backward weights, got ${weights.length}`
      );
    }
    return mergeMode;
  }

  /** The forward layer's shape, its last axis joined when the outputs are concatenated. */
  export function mergedShape(
    mergeMode: string,
    forward: ILayer,
    backward: ILayer
  ): Shape {
    const outShape = [...forward.outputShape];
    if (mergeMode === 'concat') {
      const last = outShape.length - 1;
      const a = forward.outputShape[last];
      const b = backward.outputShape[last];
      outShape[last] = a === null || b === null ? null : a + b;
    }
    return outShape;
  }

  /** The wrapped layer's spec and its reverse copy (or the given backward layer). */
  export function specs(spec: ILayerSpec): {
    forwardSpec: ILayerSpec;
    backwardSpec: ILayerSpec;
    returnSequences: boolean;
  } {
    const forwardSpec = nestedSpec(spec, 'layer');
    if (forwardSpec.config.return_state === true) {
      throw layerError(spec, 'return_state=True is not supported here');
    }
    const returnSequences = forwardSpec.config.return_sequences === true;
    forwardSpec.config = {
      ...forwardSpec.config,
      zero_output_for_mask: returnSequences
    };
    const backwardSpec = spec.config.backward_layer
      ? nestedSpec(spec, 'backward_layer')
      : {
          name: `backward_${forwardSpec.name}`,
          className: forwardSpec.className,
          config: {
            ...forwardSpec.config,
            go_backwards: !(forwardSpec.config.go_backwards === true)
          }
        };
    backwardSpec.config = {
      ...backwardSpec.config,
      zero_output_for_mask: returnSequences
    };
    return { forwardSpec, backwardSpec, returnSequences };
  }

  /** Merges the forward output `y` and the backward output in time order `yRev`. */
  export function merge(mode: string, y: ITensor, yRev: ITensor): ITensor {
    if (mode === 'concat') {
      return concat([y, yRev], -1);
    }
    const data = new Float32Array(y.data.length);
    for (let i = 0; i < data.length; i++) {
      const a = y.data[i];
      const b = yRev.data[i];
      data[i] = mode === 'sum' ? a + b : mode === 'mul' ? a * b : (a + b) / 2;
    }
    return { shape: y.shape, data };
  }

  /** The gradients of the two merged outputs given the merged output's. */
  export function mergeGradient(
    mode: string,
    y: ITensor,
    yRev: ITensor,
    d: ITensor
  ): [ITensor, ITensor] {
    if (mode === 'concat') {
      const [a, b] = split(d, [y, yRev], -1);
      return [a, b];
    }
    const da = new Float32Array(d.data.length);
    const db = new Float32Array(d.data.length);
    for (let i = 0; i < da.length; i++) {
      const g = d.data[i];
      if (mode === 'sum') {
        da[i] = g;
        db[i] = g;
      } else if (mode === 'mul') {
        da[i] = g * yRev.data[i];
        db[i] = g * y.data[i];
      } else {
        da[i] = g / 2;
        db[i] = g / 2;
      }
    }
    return [
      { shape: y.shape, data: da },
      { shape: yRev.shape, data: db }
    ];
  }
}
