/**
 * Layer classes this engine runs, by Keras class name: how each is built
 * and whether it has a gradient. Every class either has one (its module
 * gives the built layer `callForGradient`, forward pass and vector-Jacobian
 * product in one place) or states why not; the gradient methods refuse a
 * layer without one on their path, naming that reason, and the README's
 * layer table shows both from here.
 */
import { createActivation, createIdentity, createSoftmax } from './activation';
import {
  createElu,
  createLeakyRelu,
  createPrelu,
  createRelu
} from './activation-layers';
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IWeight,
  LayerFactory,
  layerError,
  Shape
} from './base';
import {
  createDotAttention,
  createMultiHeadAttention
} from './attention-layers';
import { createBidirectional } from './bidirectional';
import { createConv1d } from './conv1d';
import { createCudnnGru, createCudnnLstm } from './cudnn';
import { createDense } from './dense';
import { createEmbedding, createMasking } from './embedding';
import { createGru } from './gru';
import { createLambda } from './lambda';
import { createLstm } from './lstm';
import {
  createAny,
  createComparison,
  createExpandDims,
  createFilledLike,
  createLogicalOr
} from './ops';
import {
  createBatchNormalization,
  createLayerNormalization
} from './normalization';
import { createConcatenate } from './concatenate';
import { createDot } from './dot';
import { createElementwiseMerge } from './merge';
import { createGlobalPooling1d, createPooling1d } from './pooling';
import {
  createFlatten,
  createPermute,
  createRepeatVector,
  createReshape
} from './reshape';
import { createSimpleRnn } from './simple-rnn';
import { createTimeDistributed } from './time-distributed';

/** A registered layer class: its factory and its gradient. */
export type LayerEntry =
  | { readonly create: LayerFactory; readonly gradient: 'native' }
  | { readonly create: LayerFactory; readonly noGradient: string };

const native = (create: LayerFactory): LayerEntry => ({
  create,
  gradient: 'native'
});

export const LAYER_REGISTRY: { readonly [className: string]: LayerEntry } = {
  Dense: native(createDense),
  Embedding: native(createEmbedding),
  Masking: native(createMasking),
  GRU: native(createGru),
  LSTM: native(createLstm),
  SimpleRNN: native(createSimpleRnn),
  CuDNNGRU: native(createCudnnGru),
  CuDNNLSTM: native(createCudnnLstm),
  Bidirectional: native(createBidirectional),
  TimeDistributed: native(createTimeDistributed),
  Conv1D: native(createConv1d),
  MaxPooling1D: native(createPooling1d),
  AveragePooling1D: native(createPooling1d),
  GlobalMaxPooling1D: native(createGlobalPooling1d),
  GlobalAveragePooling1D: native(createGlobalPooling1d),
  Flatten: native(createFlatten),
  RepeatVector: native(createRepeatVector),
  Permute: native(createPermute),
  Reshape: native(createReshape),
  Multiply: native(createElementwiseMerge),
  Add: native(createElementwiseMerge),
  Subtract: native(createElementwiseMerge),
  Average: native(createElementwiseMerge),
  Maximum: native(createElementwiseMerge),
  Minimum: native(createElementwiseMerge),
  Concatenate: native(createConcatenate),
  Dot: native(createDot),
  Activation: native(createActivation),
  Softmax: native(createSoftmax),
  ReLU: native(createRelu),
  LeakyReLU: native(createLeakyRelu),
  PReLU: native(createPrelu),
  ELU: native(createElu),
  BatchNormalization: native(createBatchNormalization),
  LayerNormalization: native(createLayerNormalization),
  Lambda: native(createLambda),
  Attention: native(createDotAttention),
  AdditiveAttention: native(createDotAttention),
  MultiHeadAttention: native(createMultiHeadAttention),
  NotEqual: native(createComparison),
  Equal: native(createComparison),
  ConvertToTensor: native(createIdentity),
  ExpandDims: native(createExpandDims),
  ZerosLike: native(createFilledLike),
  OnesLike: native(createFilledLike),
  LogicalOr: native(createLogicalOr),
  Any: native(createAny),
  Dropout: native(createIdentity),
  SpatialDropout1D: native(createIdentity),
  GaussianNoise: native(createIdentity),
  GaussianDropout: native(createIdentity),
  AlphaDropout: native(createIdentity),
  ActivityRegularization: native(createIdentity)
};

/** The factories by class name (the classes this engine runs). */
export const LAYER_FACTORIES: { readonly [className: string]: LayerFactory } =
  Object.fromEntries(
    Object.entries(LAYER_REGISTRY).map(([name, entry]) => [name, entry.create])
  );

/** Builds one layer, or fails naming the layer and its class. */
export function createLayer(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const entry = LAYER_REGISTRY[spec.className];
  if (!entry) {
    throw layerError(
      spec,
      `layer class '${spec.className}' is not supported (supported: ${Object.keys(LAYER_REGISTRY).join(', ')})`
    );
  }
  const layer = entry.create(spec, inputShapes, weights, context);
  if ('noGradient' in entry && !layer.noGradient) {
    // The class states why it has none; the gradient methods name it.
    return {
      ...layer,
      callForGradient: undefined,
      noGradient: entry.noGradient
    };
  }
  return layer;
}
