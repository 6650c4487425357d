/**
 * Layer classes this engine runs, by Keras class name.
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
import { createComparison, createConvertToTensor } from './ops';
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

export const LAYER_FACTORIES: { [className: string]: LayerFactory } = {
  Dense: createDense,
  Embedding: createEmbedding,
  Masking: createMasking,
  GRU: createGru,
  LSTM: createLstm,
  SimpleRNN: createSimpleRnn,
  CuDNNGRU: createCudnnGru,
  CuDNNLSTM: createCudnnLstm,
  Bidirectional: createBidirectional,
  TimeDistributed: createTimeDistributed,
  Conv1D: createConv1d,
  MaxPooling1D: createPooling1d,
  AveragePooling1D: createPooling1d,
  GlobalMaxPooling1D: createGlobalPooling1d,
  GlobalAveragePooling1D: createGlobalPooling1d,
  Flatten: createFlatten,
  RepeatVector: createRepeatVector,
  Permute: createPermute,
  Reshape: createReshape,
  Multiply: createElementwiseMerge,
  Add: createElementwiseMerge,
  Subtract: createElementwiseMerge,
  Average: createElementwiseMerge,
  Maximum: createElementwiseMerge,
  Minimum: createElementwiseMerge,
  Concatenate: createConcatenate,
  Dot: createDot,
  Activation: createActivation,
  Softmax: createSoftmax,
  ReLU: createRelu,
  LeakyReLU: createLeakyRelu,
  PReLU: createPrelu,
  ELU: createElu,
  BatchNormalization: createBatchNormalization,
  LayerNormalization: createLayerNormalization,
  Lambda: createLambda,
  Attention: createDotAttention,
  AdditiveAttention: createDotAttention,
  MultiHeadAttention: createMultiHeadAttention,
  NotEqual: createComparison,
  Equal: createComparison,
  ConvertToTensor: createConvertToTensor,
  Dropout: createIdentity,
  SpatialDropout1D: createIdentity,
  GaussianNoise: createIdentity,
  GaussianDropout: createIdentity,
  AlphaDropout: createIdentity,
  ActivityRegularization: createIdentity
};

/** Builds one layer, or fails naming the layer and its class. */
export function createLayer(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const factory = LAYER_FACTORIES[spec.className];
  if (!factory) {
    throw layerError(
      spec,
      `layer class '${spec.className}' is not supported (supported: ${Object.keys(LAYER_FACTORIES).join(', ')})`
    );
  }
  return factory(spec, inputShapes, weights, context);
}
