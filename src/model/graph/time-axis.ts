/**
 * Where the input's time axis is in every layer output: the axis (of the
 * batch-less shape) whose positions are still the input's character
 * positions, or null once a layer has mixed or reduced them (an RNN without
 * return_sequences, a Dense over that axis, a pooling, a sum over time, ...).
 * Attention detection uses it so that only a softmax over the sequence's
 * own positions is taken, never a classifier head.
 */
import { IGraph } from './graph';
import { parseLambdaForm, recognizeLambda } from '../layers/lambda';
import { nestedSpec } from '../layers/layer-config';
import { ILayerSpec, Shape } from '../layers/base';

/** Layers that keep every axis but the last as it is (elementwise or last-axis maps). */
const LAST_AXIS_MAPS = new Set([
  'Dense',
  'EinsumDense',
  'Activation',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'BatchNormalization',
  'LayerNormalization',
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'Masking',
  'ConvertToTensor'
]);

const RECURRENT = new Set([
  'GRU',
  'LSTM',
  'SimpleRNN',
  'CuDNNGRU',
  'CuDNNLSTM'
]);

/** Time axis of node 0 of every layer (by name). */
export function timeAxes(
  graph: IGraph,
  lambdas: { [layer: string]: string } = {}
): Map<string, number | null> {
  const axes = new Map<string, number | null>();
  graph.spec.inputs.forEach((r, i) => {
    const shape = graph.inputShapes[i];
    axes.set(r.layer, shape && shape.length >= 1 ? 0 : null);
  });
  for (const step of graph.steps) {
    if (!step.impl || step.node !== 0) {
      continue;
    }
    const ins = step.inputs.map(r =>
      r.tensor === 0 ? (axes.get(r.layer) ?? null) : null
    );
    const inShapes = step.inputs.map(r => graph.shapes.get(r.layer) ?? []);
    const out = graph.shapes.get(step.layer.name) ?? [];
    axes.set(
      step.layer.name,
      Private.rule(step.layer, ins, inShapes, out, lambdas)
    );
  }
  return axes;
}

namespace Private {
  /** Layers whose output reorders or reshapes the axes. */
  const RESHAPES = new Set(['Flatten', 'Reshape', 'RepeatVector', 'Permute']);
  /** Layers that combine several inputs elementwise or along an axis. */
  const MERGES = new Set([
    'Multiply',
    'Add',
    'Subtract',
    'Average',
    'Maximum',
    'Minimum',
    'Concatenate'
  ]);

  export function rule(
    layer: ILayerSpec,
    ins: Array<number | null>,
    inShapes: Shape[],
    out: Shape,
    lambdas: { [layer: string]: string }
  ): number | null {
    const t = ins[0] ?? null;
    const inShape = inShapes[0] ?? [];
    const c = layer.className;
    if (t === null && !['Multiply', 'Add', 'Concatenate'].includes(c)) {
      return null;
    }
    const last = inShape.length - 1;
    if (LAST_AXIS_MAPS.has(c)) {
      // A Dense over the time axis itself mixes the positions.
      if (t === last && (c === 'Dense' || c === 'EinsumDense')) {
        return null;
      }
      return t;
    }
    if (MERGES.has(c)) {
      return mergeRule(layer, ins, inShapes, out);
    }
    if (t === null) {
      return null;
    }
    if (RESHAPES.has(c)) {
      return reshapeRule(layer, t, inShape, out);
    }
    if (c === 'Lambda') {
      return lambdaRule(layer, t, inShape, lambdas);
    }
    return sequenceRule(layer, t);
  }

  /** Layers that keep the time axis first when they keep it at all. */
  export function sequenceRule(layer: ILayerSpec, t: number): number | null {
    switch (layer.className) {
      case 'Embedding':
        return t;
      case 'Softmax':
        return t;
      case 'Conv1D':
      case 'MaxPooling1D':
      case 'AveragePooling1D':
        return t === 0 ? 0 : null;
      case 'TimeDistributed':
        return t === 0 ? 0 : null;
      case 'Bidirectional': {
        const inner = nestedSpec(layer, 'layer');
        return t === 0 && inner.config.return_sequences === true ? 0 : null;
      }
      case 'Attention':
      case 'AdditiveAttention':
      case 'MultiHeadAttention':
        return t === 0 ? 0 : null;
      default:
        if (RECURRENT.has(layer.className)) {
          return t === 0 && layer.config.return_sequences === true ? 0 : null;
        }
        return null;
    }
  }

  /** Flatten, Reshape, RepeatVector and Permute. */
  export function reshapeRule(
    layer: ILayerSpec,
    t: number,
    inShape: Shape,
    out: Shape
  ): number | null {
    switch (layer.className) {
      case 'Flatten':
        // [T, 1] -> [T] keeps the positions; [T, d] interleaves them.
        return t === 0 && inShape.slice(1).every(d => d === 1) ? 0 : null;
      case 'Reshape':
        return t === 0 &&
          inShape.slice(1).every(d => d === 1) &&
          out.length >= 1 &&
          out.slice(1).every(d => d === 1) &&
          (out[0] === inShape[0] || out[0] === null)
          ? 0
          : null;
      case 'RepeatVector':
        return t === 0 && inShape.length === 1 ? 1 : null;
      default: {
        // Permute
        const dims: number[] = layer.config.dims ?? [];
        const at = dims.indexOf(t + 1);
        return at >= 0 ? at : null;
      }
    }
  }

  /** Elementwise merges keep an axis all inputs agree on; Concatenate one it does not join along. */
  export function mergeRule(
    layer: ILayerSpec,
    ins: Array<number | null>,
    inShapes: Shape[],
    out: Shape
  ): number | null {
    if (layer.className === 'Concatenate') {
      const raw =
        typeof layer.config.axis === 'number' ? layer.config.axis : -1;
      const ax = raw < 0 ? out.length + raw : raw - 1;
      const known = ins.filter(a => a !== null);
      return known.length === ins.length &&
        known.every(a => a === known[0]) &&
        known[0] !== ax
        ? known[0]
        : null;
    }
    const known = ins.filter(
      (a, i) => a !== null && inShapes[i].length === out.length
    );
    return known.length && known.every(a => a === known[0]) ? known[0] : null;
  }

  export function lambdaRule(
    layer: ILayerSpec,
    t: number,
    inShape: Shape,
    lambdas: { [layer: string]: string }
  ): number | null {
    const op = lambdas[layer.name]
      ? parseLambdaForm(lambdas[layer.name])
      : (recognizeLambda(layer)?.op ?? null);
    if (!op) {
      return null;
    }
    const rank = inShape.length + 1;
    switch (op.kind) {
      case 'identity':
      case 'square':
      case 'scale':
      case 'softmax':
        return t;
      case 'expand_dims': {
        const a = (op.axis < 0 ? op.axis + rank + 1 : op.axis) - 1;
        return a <= t ? t + 1 : t;
      }
      default: {
        const a = (op.axis < 0 ? op.axis + rank : op.axis) - 1;
        if (a === t) {
          return null;
        }
        const keep = 'keepDims' in op ? op.keepDims : false;
        return a < t && !keep ? t - 1 : t;
      }
    }
  }
}
