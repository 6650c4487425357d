/**
 * Bidirectional RNN wrapper: forward and backward copies of the wrapped
 * layer, merged with concat (default), sum, mul or ave.
 */
import { nestedSpec } from '../graph/keras-config';
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
import { concat } from './merge';

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
  const mergeMode =
    spec.config.merge_mode === undefined ? 'concat' : spec.config.merge_mode;
  if (!['concat', 'sum', 'mul', 'ave'].includes(mergeMode)) {
    throw layerError(
      spec,
      `merge_mode ${JSON.stringify(mergeMode)} is not supported (use concat, sum, mul or ave)`
    );
  }
  const forwardSpec = nestedSpec(spec, 'layer');
  if (forwardSpec.config.return_state === true) {
    throw layerError(spec, 'return_state=True is not supported here');
  }
  if ((spec.call?.inputKwargs.length ?? 1) > 1) {
    throw layerError(
      spec,
      'initial_state and other tensor arguments are not supported here'
    );
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
  if (weights.length % 2 !== 0) {
    throw layerError(
      spec,
      `expected the same number of forward and backward weights, got ${weights.length}`
    );
  }
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
  const outShape = [...forward.outputShape];
  if (mergeMode === 'concat') {
    const last = outShape.length - 1;
    const a = forward.outputShape[last];
    const b = backward.outputShape[last];
    outShape[last] = a === null || b === null ? null : a + b;
  }
  return {
    name: spec.name,
    className: spec.className,
    outputShape: outShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const y = forward.call(inputs, masks).output;
      let yRev = backward.call(inputs, masks).output;
      if (returnSequences) {
        yRev = reverseTime(yRev);
      }
      let output: ITensor;
      if (mergeMode === 'concat') {
        output = concat([y, yRev], -1);
      } else {
        const data = new Float32Array(y.data.length);
        for (let i = 0; i < data.length; i++) {
          const a = y.data[i];
          const b = yRev.data[i];
          data[i] =
            mergeMode === 'sum'
              ? a + b
              : mergeMode === 'mul'
                ? a * b
                : (a + b) / 2;
        }
        output = { shape: y.shape, data };
      }
      return { output, mask: returnSequences ? masks[0] : null };
    }
  };
}
