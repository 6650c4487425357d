/**
 * The model's forward pass in TensorFlow.js ops, built from the same graph
 * spec and weights as the native engine, so that `tf.grad` can
 * differentiate it (gradient x input, integrated gradients). Written with
 * tf ops of its own, not derived from the native layer code: the two
 * passes check each other in the tests.
 *
 * Only type imports of tfjs here: the module object is passed in by the
 * caller, which loads it lazily (`tfjs-load.ts`).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { IGraph } from '../model/graph/graph';
import { IGraphLayerSpec, nestedSpec } from '../model/graph/keras-config';
import { activationName } from '../model/layers/activations';
import { softmaxLayerAxis } from '../model/layers/activation';
import { ILayerSpec, IWeight, Shape } from '../model/layers/base';
import { single, windowGeometry } from '../model/layers/conv1d';
import {
  LambdaOp,
  parseLambdaForm,
  recognizeLambda
} from '../model/layers/lambda';
import { ModelError } from '../model/types';
import { NativeRecurrent, RecurrentKind } from './recurrent-grad';

export type TF = typeof tfjs;
type Tensor = tfjs.Tensor;

/** A layer's output and its Keras time-step mask (float 1/0, [batch, T]). */
interface IValue {
  x: Tensor;
  mask: Tensor | null;
}

type LayerOp = (inputs: Tensor[], masks: Array<Tensor | null>) => IValue;

interface IContext {
  tf: TF;
  kerasMajor: number;
  lambdas: { readonly [name: string]: string };
  /** Weight tensors made at build time, freed by `dispose`. */
  held: Tensor[];
  /** Native recurrent layers (`recurrent: 'native'`), freed by `dispose`. */
  natives: NativeRecurrent[];
  recurrent: RecurrentPath;
}

/**
 * How GRU / LSTM / SimpleRNN layers run: `native` (default) forward and
 * backward through time on the engine's kernels, wrapped as one
 * `tf.customGrad` op, where the layer uses the standard activations;
 * `tf` unrolls them in tf ops (the independent reference in the tests).
 */
export type RecurrentPath = 'native' | 'tf';

export interface ITfForwardOptions {
  recurrent?: RecurrentPath;
}

/** The model as tf ops. Call `run` / `embed` inside `tf.tidy`. */
export interface ITfForward {
  /** The Embedding layer whose output the gradients are taken at (null: none). */
  readonly embeddingLayer: string | null;
  /**
   * Model outputs flattened per sample ([batch, n], outputs concatenated in
   * model order). `embedded` replaces the Embedding layer's output (the mask
   * still comes from `ids`).
   */
  run(ids: tfjs.Tensor2D, embedded?: Tensor): tfjs.Tensor2D;
  /** The Embedding layer's output for `ids`. */
  embed(ids: tfjs.Tensor2D): Tensor;
  /** Recurrent layers that run on the native forward / backward pass. */
  readonly nativeRecurrent: readonly string[];
  /** Frees the weight tensors. */
  dispose(): void;
}

/** The error for a layer the gradient methods cannot run. */
export function noGradientError(spec: ILayerSpec, reason: string): ModelError {
  return new ModelError(
    `Layer '${spec.name}' (${spec.className}): ${reason}; the gradient methods ` +
      '(grad-x-input, integrated-gradients) cannot run this model, occlusion still works (--method occlusion)',
    { layer: spec.name, className: spec.className }
  );
}

/** Builds the tf forward pass of a built graph (weights become tf tensors). */
export function buildTfForward(
  tf: TF,
  graph: IGraph,
  options: ITfForwardOptions = {}
): ITfForward {
  const context: IContext = {
    tf,
    kerasMajor: graph.kerasMajor,
    lambdas: graph.lambdas,
    held: [],
    natives: [],
    recurrent: options.recurrent ?? 'native'
  };
  const release = () => {
    context.held.forEach(t => t.dispose());
    context.held.length = 0;
    context.natives.forEach(n => n.dispose());
    context.natives.length = 0;
  };
  const key = (layer: string, node: number) => `${layer}\u0000${node}`;
  const embeddings = graph.spec.layers.filter(l => l.className === 'Embedding');
  const embeddingLayer = embeddings.length === 1 ? embeddings[0].name : null;
  const ops = new Map<string, LayerOp>();
  try {
    for (const step of graph.steps) {
      if (!step.impl || ops.has(step.layer.name)) {
        continue;
      }
      const shapes = step.inputs.map(r => graph.shapes.get(r.layer) as Shape);
      ops.set(
        step.layer.name,
        Private.layerOp(
          step.layer,
          shapes,
          graph.weights.get(step.layer.name) ?? [],
          context
        )
      );
    }
  } catch (error) {
    release();
    throw error;
  }

  const forward = (
    ids: tfjs.Tensor2D,
    embedded: Tensor | undefined,
    stopAt: string | null
  ): { outputs: Tensor[]; stopped: Tensor | null } => {
    const values = new Map<string, IValue>();
    graph.spec.inputs.forEach(ref =>
      values.set(key(ref.layer, ref.node), { x: ids, mask: null })
    );
    for (const step of graph.steps) {
      if (!step.impl) {
        continue;
      }
      const ins = step.inputs.map(r => values.get(key(r.layer, r.node))!);
      let value = ops.get(step.layer.name)!(
        ins.map(v => v.x),
        ins.map(v => v.mask)
      );
      if (step.layer.name === embeddingLayer) {
        if (stopAt === embeddingLayer) {
          return { outputs: [], stopped: value.x };
        }
        if (embedded) {
          value = { x: embedded, mask: value.mask };
        }
      }
      values.set(key(step.layer.name, step.node), value);
    }
    return {
      outputs: graph.spec.outputs.map(r => values.get(key(r.layer, r.node))!.x),
      stopped: null
    };
  };

  return {
    embeddingLayer,
    nativeRecurrent: context.natives.map(n => n.spec.name),
    run(ids, embedded) {
      const { outputs } = forward(ids, embedded, null);
      const batch = ids.shape[0];
      const flat = outputs.map(o => o.reshape([batch, -1]));
      return (
        flat.length === 1 ? flat[0] : tf.concat(flat, 1)
      ) as tfjs.Tensor2D;
    },
    embed(ids) {
      if (embeddingLayer === null) {
        throw new ModelError(
          embeddings.length
            ? `The model has ${embeddings.length} Embedding layers; the gradient methods need exactly one. Occlusion still works (--method occlusion)`
            : 'The model has no Embedding layer: the gradient methods (grad-x-input, integrated-gradients) ' +
                'take gradients at the Embedding output. Occlusion still works (--method occlusion)'
        );
      }
      return forward(ids, undefined, embeddingLayer).stopped!;
    },
    dispose() {
      release();
    }
  };
}

namespace Private {
  /** A weight as a held tf tensor. */
  export function hold(
    context: IContext,
    w: IWeight,
    shape?: number[]
  ): Tensor {
    const t = context.tf.tensor(w.data, shape ?? w.shape, 'float32');
    context.held.push(t);
    return t;
  }

  export function expectCount(
    spec: ILayerSpec,
    weights: IWeight[],
    count: number
  ) {
    if (weights.length !== count) {
      throw noGradientError(
        spec,
        `expected ${count} weight arrays, the file has ${weights.length}`
      );
    }
  }

  /** An elementwise activation as tf ops; softmax works over the last axis. */
  export function activation(
    context: IContext,
    spec: ILayerSpec,
    raw: unknown
  ): (x: Tensor) => Tensor {
    const tf = context.tf;
    const name = activationName(raw).toLowerCase();
    switch (name) {
      case 'linear':
      case 'none':
        return x => x;
      case 'relu':
        return x => tf.relu(x);
      case 'relu6':
        return x => tf.relu6(x);
      case 'sigmoid':
        return x => tf.sigmoid(x);
      case 'hard_sigmoid':
        return context.kerasMajor >= 3
          ? x => tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1)
          : x => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
      case 'tanh':
        return x => tf.tanh(x);
      case 'softplus':
        return x => tf.softplus(x);
      case 'softsign':
        return x => tf.div(x, tf.add(tf.abs(x), 1));
      case 'elu':
        return x => tf.elu(x);
      case 'selu':
        return x => tf.selu(x);
      case 'exponential':
        return x => tf.exp(x);
      case 'swish':
      case 'silu':
        return x => tf.mul(x, tf.sigmoid(x));
      case 'gelu':
        return x =>
          tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1));
      case 'leaky_relu':
        return x => tf.leakyRelu(x, 0.2);
      case 'softmax':
        return x => softmaxAlong(tf, x, -1);
      default:
        throw noGradientError(spec, `activation '${name}' has no tf form`);
    }
  }

  /** Softmax along any axis (tf.softmax only takes the last one). */
  export function softmaxAlong(tf: TF, x: Tensor, axis: number): Tensor {
    const rank = x.rank;
    const ax = axis < 0 ? rank + axis : axis;
    if (ax === rank - 1) {
      return tf.softmax(x);
    }
    const perm = [...Array(rank).keys()];
    perm[ax] = rank - 1;
    perm[rank - 1] = ax;
    return tf.transpose(tf.softmax(tf.transpose(x, perm)), perm);
  }

  /** `x . W (+ b)` on the last axis of any rank. */
  export function affine(
    tf: TF,
    x: Tensor,
    w: Tensor,
    b: Tensor | null
  ): Tensor {
    const shape = x.shape as number[];
    const out = w.shape[1] as number;
    let y: Tensor = tf.matMul(
      x.reshape([-1, shape[shape.length - 1]]) as tfjs.Tensor2D,
      w as tfjs.Tensor2D
    );
    if (b) {
      // A tiled bias: same-shape adds avoid the slow broadcasting path.
      y = tf.add(y, tf.tile(tf.expandDims(b, 0), [y.shape[0], 1]));
    }
    return y.reshape([...shape.slice(0, -1), out]);
  }

  /** Logical AND of the masks present (Keras merge layers), null on mismatch. */
  export function andMasks(tf: TF, masks: Array<Tensor | null>): Tensor | null {
    const present = masks.filter((m): m is Tensor => m !== null);
    if (!present.length) {
      return null;
    }
    const shape = present[0].shape.join(',');
    if (present.some(m => m.shape.join(',') !== shape)) {
      return null;
    }
    return present.slice(1).reduce((a, m) => tf.mul(a, m), present[0]);
  }

  export function layerOp(
    spec: IGraphLayerSpec | ILayerSpec,
    inputShapes: Shape[],
    weights: IWeight[],
    context: IContext
  ): LayerOp {
    const tf = context.tf;
    const config = spec.config;
    switch (spec.className) {
      case 'Embedding': {
        expectCount(spec, weights, 1);
        const table = hold(context, weights[0]);
        const maskZero = config.mask_zero === true;
        return ([ids]) => ({
          x: tf.gather(table, tf.cast(ids, 'int32')),
          mask:
            maskZero && ids.rank === 2
              ? tf.cast(tf.notEqual(ids, 0), 'float32')
              : null
        });
      }
      case 'Masking': {
        const value =
          typeof config.mask_value === 'number' ? config.mask_value : 0;
        return ([x]) => {
          const mask = tf.cast(tf.any(tf.notEqual(x, value), -1), 'float32');
          return { x: tf.mul(x, tf.expandDims(mask, -1)), mask };
        };
      }
      case 'Dense': {
        const useBias = config.use_bias !== false;
        expectCount(spec, weights, useBias ? 2 : 1);
        const w = hold(context, weights[0]);
        const b = useBias ? hold(context, weights[1]) : null;
        const act = activation(context, spec, config.activation);
        return ([x], [mask]) => ({ x: act(affine(tf, x, w, b)), mask });
      }
      case 'Activation': {
        const act = activation(context, spec, config.activation);
        return ([x], [mask]) => ({ x: act(x), mask });
      }
      case 'Softmax': {
        const axis = softmaxLayerAxis(config);
        return ([x], [mask]) => {
          let z = x;
          // Masked positions get a large negative score, as in Keras.
          if (mask && x.rank === 2 && mask.shape[1] === x.shape[1]) {
            z = tf.sub(x, tf.mul(tf.sub(1, mask), 1e9));
          }
          return { x: softmaxAlong(tf, z, axis), mask };
        };
      }
      case 'Dropout':
      case 'SpatialDropout1D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
      case 'ActivityRegularization':
        return ([x], [mask]) => ({ x, mask });
      case 'GRU':
      case 'LSTM':
      case 'SimpleRNN':
        return recurrentOp(spec, inputShapes[0], weights, context);
      case 'Bidirectional':
        return bidirectionalOp(spec, inputShapes, weights, context);
      case 'TimeDistributed': {
        const inner = layerOp(
          nestedSpec(spec, 'layer'),
          [inputShapes[0].slice(1)],
          weights,
          context
        );
        return ([x], [mask]) => {
          const [batch, steps, ...rest] = x.shape;
          const y = inner([x.reshape([batch * steps, ...rest])], [null]).x;
          return { x: y.reshape([batch, steps, ...y.shape.slice(1)]), mask };
        };
      }
      case 'Conv1D':
        return conv1dOp(spec, weights, context);
      case 'MaxPooling1D':
      case 'AveragePooling1D': {
        const size = single(config.pool_size, 2);
        const stride = single(config.strides, size);
        const padding =
          String(config.padding ?? 'valid').toLowerCase() === 'same'
            ? 'same'
            : 'valid';
        const isMax = spec.className.startsWith('Max');
        return ([x]) => {
          const [batch, length, channels] = x.shape;
          const x4 = x.reshape([batch, length, 1, channels]) as tfjs.Tensor4D;
          const y = isMax
            ? tf.maxPool(x4, [size, 1], [stride, 1], padding)
            : tf.avgPool(x4, [size, 1], [stride, 1], padding);
          return { x: y.reshape([batch, y.shape[1], channels]), mask: null };
        };
      }
      case 'GlobalMaxPooling1D':
      case 'GlobalAveragePooling1D': {
        const isMax = spec.className.includes('Max');
        const keep = config.keepdims === true;
        return ([x], [mask]) => {
          let y: Tensor;
          if (isMax) {
            y = tf.max(x, 1);
          } else if (mask && mask.shape[1] === x.shape[1]) {
            const m = tf.expandDims(mask, -1);
            y = tf.div(tf.sum(tf.mul(x, m), 1), tf.maximum(tf.sum(m, 1), 1));
          } else {
            y = tf.mean(x, 1);
          }
          return { x: keep ? tf.expandDims(y, 1) : y, mask: null };
        };
      }
      case 'Flatten':
        return ([x]) => ({ x: x.reshape([x.shape[0], -1]), mask: null });
      case 'RepeatVector': {
        const n = config.n as number;
        // A broadcasting multiply by ones: its gradient is one sum, where
        // broadcastTo runs Tile, whose gradient is a slice per copy.
        const ones = hold(context, {
          name: `${spec.name}/ones`,
          shape: [1, n, 1],
          data: new Float32Array(n).fill(1)
        });
        return ([x]) => ({
          x: tf.mul(tf.expandDims(x, 1), ones),
          mask: null
        });
      }
      case 'Permute': {
        const perm = [0, ...(config.dims as number[])];
        return ([x]) => ({ x: tf.transpose(x, perm), mask: null });
      }
      case 'Reshape': {
        const target = (config.target_shape as Array<number | null>).map(d =>
          d === null || d < 0 ? -1 : d
        );
        return ([x]) => ({ x: x.reshape([x.shape[0], ...target]), mask: null });
      }
      case 'Multiply':
      case 'Add':
      case 'Subtract':
      case 'Average':
      case 'Maximum':
      case 'Minimum': {
        const binary: { [k: string]: (a: Tensor, b: Tensor) => Tensor } = {
          Multiply: (a, b) => tf.mul(a, b),
          Add: (a, b) => tf.add(a, b),
          Average: (a, b) => tf.add(a, b),
          Subtract: (a, b) => tf.sub(a, b),
          Maximum: (a, b) => tf.maximum(a, b),
          Minimum: (a, b) => tf.minimum(a, b)
        };
        const op = binary[spec.className];
        return (inputs, masks) => {
          let y = inputs.slice(1).reduce((a, b) => op(a, b), inputs[0]);
          if (spec.className === 'Average') {
            y = tf.div(y, inputs.length);
          }
          return { x: y, mask: andMasks(tf, masks) };
        };
      }
      case 'Concatenate': {
        const axis = typeof config.axis === 'number' ? config.axis : -1;
        const rank = inputShapes[0].length;
        const ax = axis < 0 ? rank + axis : axis - 1;
        return (inputs, masks) => ({
          x: tf.concat(inputs, ax + 1),
          mask: ax === rank - 1 ? andMasks(tf, masks) : null
        });
      }
      case 'Dot':
        return dotOp(spec, inputShapes, context);
      case 'Lambda':
        return lambdaOp(spec, inputShapes[0], context);
      default:
        throw noGradientError(
          spec,
          'this layer class has no TensorFlow.js forward pass here'
        );
    }
  }

  /** Columns [from, from + width) of a row-major [rows, cols] weight, held. */
  export function columnBlock(
    context: IContext,
    w: IWeight,
    from: number,
    width: number
  ): Tensor {
    const rows = w.shape.length === 1 ? 1 : w.shape[0];
    const cols = w.shape[w.shape.length - 1];
    const data = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      data.set(
        w.data.subarray(r * cols + from, r * cols + from + width),
        r * width
      );
    }
    const shape = w.shape.length === 1 ? [width] : [rows, width];
    return hold(context, { ...w, data, shape });
  }

  /**
   * GRU / LSTM / SimpleRNN unrolled over time with tf ops. Weights are cut
   * per gate up front and time is the leading axis inside, so that every
   * per-step slice is contiguous (the CPU backend's fast path, also for the
   * gradients).
   */
  export function recurrentOp(
    spec: ILayerSpec,
    inputShape: Shape,
    weights: IWeight[],
    context: IContext
  ): LayerOp {
    const tf = context.tf;
    const config = spec.config;
    if (config.return_state === true) {
      throw noGradientError(spec, 'return_state=True is not supported');
    }
    const units = config.units as number;
    const kind = spec.className;
    const gates = kind === 'GRU' ? 3 : kind === 'LSTM' ? 4 : 1;
    const useBias = config.use_bias !== false;
    expectCount(spec, weights, useBias ? 3 : 2);
    const resetAfter = kind === 'GRU' && config.reset_after === true;
    const g = gates * units;
    const range = [...Array(gates).keys()];
    const kernels = range.map(i =>
      columnBlock(context, weights[0], i * units, units)
    );
    const recurrents = range.map(i =>
      columnBlock(context, weights[1], i * units, units)
    );
    let inputBias: Array<Tensor | null> = range.map(() => null);
    // reset_after: the candidate's recurrent bias (inside r * (...)).
    let candidateBias: Tensor | null = null;
    if (useBias) {
      const bias = weights[2];
      // reset_after: row 0 is the input bias, row 1 the recurrent bias.
      const row = (k: number): IWeight => ({
        ...bias,
        data: bias.data.subarray(k * g, (k + 1) * g),
        shape: [g]
      });
      let input = row(0);
      if (resetAfter) {
        // z and r add both biases before their activation: fold them.
        const recurrentRow = row(1).data;
        input = {
          ...input,
          data: input.data.map((v, j) =>
            j < 2 * units ? v + recurrentRow[j] : v
          )
        };
        candidateBias = columnBlock(context, row(1), 2 * units, units);
      }
      inputBias = range.map(i => columnBlock(context, input, i * units, units));
    }
    const act = activation(context, spec, config.activation ?? 'tanh');
    const recAct = activation(
      context,
      spec,
      config.recurrent_activation ??
        (kind === 'GRU' && context.kerasMajor < 2 ? 'hard_sigmoid' : 'sigmoid')
    );
    const returnSequences = config.return_sequences === true;
    const goBackwards = config.go_backwards === true;
    const zeroOutput = config.zero_output_for_mask === true;
    const standard =
      activationName(config.activation ?? 'tanh') === 'tanh' &&
      (kind === 'SimpleRNN' ||
        activationName(
          config.recurrent_activation ??
            (kind === 'GRU' && context.kerasMajor < 2
              ? 'hard_sigmoid'
              : 'sigmoid')
        ) === 'sigmoid');
    if (context.recurrent === 'native' && standard) {
      const native = new NativeRecurrent({
        name: spec.name,
        kind: kind as RecurrentKind,
        units,
        inputDim: weights[0].shape[0],
        kernel: weights[0].data,
        recurrent: weights[1].data,
        bias: useBias ? weights[2].data : null,
        resetAfter,
        returnSequences,
        goBackwards,
        zeroOutputForMask: zeroOutput
      });
      context.natives.push(native);
      return nativeRecurrentOp(tf, native);
    }
    const dot = (h: Tensor, i: number) =>
      tf.matMul(h as tfjs.Tensor2D, recurrents[i] as tfjs.Tensor2D);

    // One step: per-gate projected inputs xs[i] ([batch, units]) and states.
    // `ones` and `hBias` are [batch, units]: same-shape operands keep the
    // CPU backend off its slow broadcasting path.
    const cell = (
      xs: Tensor[],
      h: Tensor,
      c: Tensor | null,
      ones: Tensor,
      hBias: Tensor | null
    ): Tensor[] => {
      if (kind === 'SimpleRNN') {
        return [act(tf.add(xs[0], dot(h, 0)))];
      }
      if (kind === 'LSTM') {
        const [i, f, cc, o] = range.map(k => tf.add(xs[k], dot(h, k)));
        const cNew = tf.add(tf.mul(recAct(f), c!), tf.mul(recAct(i), act(cc)));
        return [tf.mul(recAct(o), act(cNew)), cNew];
      }
      const z = recAct(tf.add(xs[0], dot(h, 0)));
      const r = recAct(tf.add(xs[1], dot(h, 1)));
      const inner = dot(resetAfter ? h : tf.mul(r, h), 2);
      const hh = resetAfter
        ? act(tf.add(xs[2], tf.mul(r, hBias ? tf.add(inner, hBias) : inner)))
        : act(tf.add(xs[2], inner));
      return [tf.add(tf.mul(z, h), tf.mul(tf.sub(ones, z), hh))];
    };

    return ([x], [mask]) => {
      const [batch, steps] = x.shape as number[];
      // Time-major once; per gate [steps, batch, units], cut into steps.
      const timeMajor = tf.transpose(x, [1, 0, 2]);
      const projected = range.map(i =>
        tf.unstack(affine(tf, timeMajor, kernels[i], inputBias[i]), 0)
      );
      const ones = tf.ones([batch, units]);
      const hBias = candidateBias
        ? tf.tile(tf.expandDims(candidateBias, 0), [batch, 1])
        : null;
      const masks =
        mask && mask.shape[1] === steps
          ? tf.unstack(
              tf.tile(tf.expandDims(tf.transpose(mask), -1), [1, 1, units]),
              0
            )
          : null;
      let h: Tensor = tf.zeros([batch, units]);
      let c: Tensor | null = kind === 'LSTM' ? tf.zeros([batch, units]) : null;
      const outputs: Tensor[] = [];
      for (let s = 0; s < steps; s++) {
        const t = goBackwards ? steps - 1 - s : s;
        const next = cell(
          projected.map(p => p[t]),
          h,
          c,
          ones,
          hBias
        );
        if (masks) {
          // Masked steps carry the previous state over.
          const m = masks[t];
          const keep = tf.sub(ones, m);
          h = tf.add(tf.mul(m, next[0]), tf.mul(keep, h));
          if (c) {
            c = tf.add(tf.mul(m, next[1]), tf.mul(keep, c));
          }
          if (returnSequences) {
            outputs.push(zeroOutput ? tf.mul(h, m) : h);
          }
        } else {
          h = next[0];
          c = next[1] ?? null;
          if (returnSequences) {
            outputs.push(h);
          }
        }
      }
      return returnSequences
        ? { x: tf.transpose(tf.stack(outputs, 0), [1, 0, 2]), mask }
        : { x: h, mask: null };
    };
  }

  /**
   * A native recurrent layer as one tf op: its forward pass runs on the
   * engine's kernels and `tf.customGrad` hands the output gradient to the
   * hand-written backward pass through time.
   */
  export function nativeRecurrentOp(tf: TF, native: NativeRecurrent): LayerOp {
    const { units, returnSequences } = native.spec;
    return ([x], [mask]) => {
      const [batch, steps] = x.shape as number[];
      const maskData =
        mask && mask.shape[1] === steps
          ? (mask.dataSync() as Float32Array)
          : null;
      const shape = returnSequences ? [batch, steps, units] : [batch, units];
      const op = tf.customGrad(((input: Tensor) => {
        const { output, tape } = native.forward(
          input.dataSync() as Float32Array,
          batch,
          steps,
          maskData
        );
        return {
          value: tf.tensor(output, shape, 'float32'),
          gradFunc: (dy: Tensor) =>
            tf.tensor(
              native.backward(tape, dy.dataSync() as Float32Array),
              input.shape,
              'float32'
            )
        };
      }) as unknown as Parameters<TF['customGrad']>[0]);
      return { x: op(x), mask: returnSequences ? mask : null };
    };
  }

  export function bidirectionalOp(
    spec: ILayerSpec,
    inputShapes: Shape[],
    weights: IWeight[],
    context: IContext
  ): LayerOp {
    const tf = context.tf;
    const mode =
      spec.config.merge_mode === undefined ? 'concat' : spec.config.merge_mode;
    const forwardSpec = nestedSpec(spec, 'layer');
    const returnSequences = forwardSpec.config.return_sequences === true;
    // Keras's Bidirectional zeroes masked outputs of both directions.
    forwardSpec.config = {
      ...forwardSpec.config,
      zero_output_for_mask: returnSequences
    };
    const backwardSpec: ILayerSpec = spec.config.backward_layer
      ? nestedSpec(spec, 'backward_layer')
      : {
          name: `backward_${forwardSpec.name}`,
          className: forwardSpec.className,
          config: {
            ...forwardSpec.config,
            go_backwards: forwardSpec.config.go_backwards !== true
          }
        };
    backwardSpec.config = {
      ...backwardSpec.config,
      zero_output_for_mask: returnSequences
    };
    const half = weights.length / 2;
    const forward = layerOp(
      forwardSpec,
      inputShapes,
      weights.slice(0, half),
      context
    );
    const backward = layerOp(
      backwardSpec,
      inputShapes,
      weights.slice(half),
      context
    );
    return ([x], [mask]) => {
      const y = forward([x], [mask]).x;
      let yBack = backward([x], [mask]).x;
      if (returnSequences) {
        yBack = tf.reverse(yBack, 1);
      }
      let out: Tensor;
      switch (mode) {
        case 'concat':
          out = tf.concat([y, yBack], -1);
          break;
        case 'sum':
          out = tf.add(y, yBack);
          break;
        case 'mul':
          out = tf.mul(y, yBack);
          break;
        case 'ave':
          out = tf.div(tf.add(y, yBack), 2);
          break;
        default:
          throw noGradientError(
            spec,
            `merge_mode ${JSON.stringify(mode)} is not supported`
          );
      }
      return { x: out, mask: returnSequences ? mask : null };
    };
  }

  export function conv1dOp(
    spec: ILayerSpec,
    weights: IWeight[],
    context: IContext
  ): LayerOp {
    const tf = context.tf;
    const config = spec.config;
    const size = single(config.kernel_size, 1);
    const stride = single(config.strides, 1);
    const dilation = single(config.dilation_rate, 1);
    const padding = String(config.padding ?? 'valid').toLowerCase();
    const useBias = config.use_bias !== false;
    expectCount(spec, weights, useBias ? 2 : 1);
    const kernel = hold(context, weights[0]);
    const bias = useBias ? hold(context, weights[1]) : null;
    const act = activation(context, spec, config.activation);
    const span = dilation * (size - 1) + 1;
    return ([x]) => {
      const length = x.shape[1] as number;
      const { outLength, padLeft } = windowGeometry(
        length,
        size,
        stride,
        dilation,
        padding
      );
      const padRight = Math.max(
        0,
        (outLength - 1) * stride + span - length - padLeft
      );
      const padded =
        padLeft || padRight
          ? tf.pad(x, [
              [0, 0],
              [padLeft, padRight],
              [0, 0]
            ])
          : x;
      let y: Tensor = tf.conv1d(
        padded as tfjs.Tensor3D,
        kernel as tfjs.Tensor3D,
        stride,
        'valid',
        'NWC',
        dilation
      );
      if (bias) {
        y = tf.add(y, bias);
      }
      return { x: act(y), mask: null };
    };
  }

  export function dotOp(
    spec: ILayerSpec,
    inputShapes: Shape[],
    context: IContext
  ): LayerOp {
    const tf = context.tf;
    const [sa, sb] = inputShapes;
    const raw = spec.config.axes;
    const axes: number[] = Array.isArray(raw) ? raw : [raw, raw];
    // Axes count the batch axis; make them >= 1.
    const norm = (a: number, rank: number) => (a < 0 ? a + rank + 1 : a);
    const aa = norm(axes[0], sa.length);
    const ab = norm(axes[1], sb.length);
    const normalize = spec.config.normalize === true;
    const l2 = (t: Tensor, axis: number) =>
      tf.div(t, tf.sqrt(tf.maximum(tf.sum(tf.square(t), axis, true), 1e-12)));
    return inputs => {
      let [a, b] = inputs;
      if (normalize) {
        a = l2(a, aa);
        b = l2(b, ab);
      }
      const batch = a.shape[0] as number;
      // a -> [batch, rows, n]; b -> [batch, n, cols].
      const a3 =
        a.rank === 2
          ? a.reshape([batch, 1, -1])
          : aa === 1
            ? tf.transpose(a, [0, 2, 1])
            : a;
      const b3 =
        b.rank === 2
          ? b.reshape([batch, -1, 1])
          : ab === 2
            ? tf.transpose(b, [0, 2, 1])
            : b;
      const y = tf.matMul(a3 as tfjs.Tensor3D, b3 as tfjs.Tensor3D);
      const rest = [
        ...(a.rank === 3 ? [y.shape[1] as number] : []),
        ...(b.rank === 3 ? [y.shape[2] as number] : [])
      ];
      return {
        x: y.reshape([batch, ...(rest.length ? rest : [1])]),
        mask: null
      };
    };
  }

  export function lambdaOp(
    spec: ILayerSpec,
    inShape: Shape,
    context: IContext
  ): LayerOp {
    const tf = context.tf;
    const mapped = context.lambdas[spec.name];
    const op: LambdaOp | null =
      mapped !== undefined
        ? parseLambdaForm(mapped)
        : (recognizeLambda(spec)?.op ?? null);
    if (!op) {
      throw noGradientError(spec, 'its operation is not known');
    }
    const rank = inShape.length + 1;
    let axis = 'axis' in op ? op.axis : 0;
    if (axis < 0) {
      axis += rank + (op.kind === 'expand_dims' ? 1 : 0);
    }
    return ([x]) => {
      switch (op.kind) {
        case 'identity':
          return { x, mask: null };
        case 'square':
          return { x: tf.square(x), mask: null };
        case 'scale':
          return { x: tf.mul(x, op.factor), mask: null };
        case 'softmax':
          return { x: softmaxAlong(tf, x, axis), mask: null };
        case 'expand_dims':
          return { x: tf.expandDims(x, axis), mask: null };
        case 'squeeze':
          return { x: tf.squeeze(x, [axis]), mask: null };
        case 'sum':
          return { x: tf.sum(x, axis, op.keepDims), mask: null };
        case 'mean':
          return { x: tf.mean(x, axis, op.keepDims), mask: null };
        case 'max':
          return { x: tf.max(x, axis, op.keepDims), mask: null };
        case 'min':
          return { x: tf.min(x, axis, op.keepDims), mask: null };
      }
    };
  }
}
