/**
 * CuDNNGRU and CuDNNLSTM (Keras 2 GPU layers) run as the equivalent GRU /
 * LSTM. Their kernels use Keras's gate order (GRU z, r, h; LSTM i, f, c, o);
 * only the biases differ: CuDNNGRU keeps input and recurrent biases in one
 * [6 * units] vector (= GRU reset_after=True with bias [2, 3 * units]);
 * CuDNNLSTM keeps two [4 * units] biases that cuDNN adds together. The
 * activations are fixed (tanh, sigmoid), as in cuDNN.
 */
import {
  ILayerSpec,
  intConfig,
  IWeight,
  LayerFactory,
  lastDim,
  layerError,
  Shape
} from './base';
import { createGru } from './gru';
import { createLstm } from './lstm';

function converted(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  gates: number
): { config: { [key: string]: any }; weights: IWeight[] } {
  const units = intConfig(spec, 'units');
  const inputDim = lastDim(spec, inputShapes[0]);
  const g = gates * units;
  const expected = [[inputDim, g], [units, g], [2 * g]];
  if (
    weights.length !== 3 ||
    !weights.every(
      (w, i) =>
        w.shape.length === expected[i].length &&
        w.shape.every((d, k) => d === expected[i][k])
    )
  ) {
    throw layerError(
      spec,
      `expected weights kernel [${expected[0].join(', ')}], recurrent_kernel [${expected[1].join(', ')}], ` +
        `bias [${2 * g}] (the CuDNN layout); the file has ${weights
          .map(w => `[${w.shape.join(', ')}]`)
          .join(', ')}`
    );
  }
  const bias = weights[2];
  const newBias: IWeight =
    gates === 3
      ? { name: bias.name, shape: [2, g], data: bias.data }
      : {
          name: bias.name,
          shape: [g],
          data: bias.data.subarray(0, g).map((v, i) => v + bias.data[g + i])
        };
  return {
    config: {
      ...spec.config,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      ...(gates === 3 ? { reset_after: true } : {})
    },
    weights: [weights[0], weights[1], newBias]
  };
}

/** A CuDNN layer built as the layer `create` makes, from the converted config and weights. */
function cudnnLayer(create: LayerFactory, gates: 3 | 4): LayerFactory {
  return (spec, inputShapes, weights, context) => {
    const c = converted(spec, inputShapes, weights, gates);
    const layer = create(
      { ...spec, config: c.config },
      inputShapes,
      c.weights,
      context
    );
    return Object.assign(layer, { className: spec.className });
  };
}

export const createCudnnGru: LayerFactory = cudnnLayer(createGru, 3);

export const createCudnnLstm: LayerFactory = cudnnLayer(createLstm, 4);
