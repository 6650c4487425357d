/**
 * A MultiHeadAttention's configuration, read and checked once: the roles of
 * its inputs, its dimensions and its four projections (found by weight name
 * or Keras order), laid out for the matrix kernels.
 */
import { roles, sequenceShape } from './attention-common';
import { ILayerSpec, IWeight, lastDim, layerError, Shape } from './base';
import { IWeightMatrix, Kernels } from './kernels';
import { lazy } from './vjp';

/** The projections of a MultiHeadAttention, found by weight name or Keras order. */
function mhaWeights(
  spec: ILayerSpec,
  weights: IWeight[],
  useBias: boolean
): { [part: string]: { kernel: IWeight; bias: IWeight | null } } {
  const parts = ['query', 'key', 'value', 'output'];
  const per = useBias ? 2 : 1;
  if (weights.length !== 4 * per) {
    throw layerError(
      spec,
      `expected ${4 * per} weight arrays (query, key, value and output ${useBias ? 'kernels and biases' : 'kernels'}), the file has ${weights.length}`
    );
  }
  const roleOf = (w: IWeight): string | null => {
    const names = w.name.split('/').slice(0, -1);
    for (const n of names.reverse()) {
      const m = /^_?(query|key|value|attention_output|output)(_dense)?$/.exec(
        n
      );
      if (m) {
        return m[1] === 'attention_output' ? 'output' : m[1];
      }
    }
    return null;
  };
  const groups: { [part: string]: IWeight[] } = {};
  const named = weights.every(w => roleOf(w) !== null);
  weights.forEach((w, i) => {
    const role = named ? roleOf(w)! : parts[Math.floor(i / per)];
    (groups[role] = groups[role] ?? []).push(w);
  });
  const out: { [part: string]: { kernel: IWeight; bias: IWeight | null } } = {};
  for (const p of parts) {
    const g = groups[p] ?? [];
    if (g.length !== per) {
      throw layerError(
        spec,
        `the ${p} projection has ${g.length} weight arrays, expected ${per}`
      );
    }
    // Kernels have the larger rank (bias is the kernel minus its input axis).
    g.sort((a, b) => b.shape.length - a.shape.length);
    out[p] = { kernel: g[0], bias: useBias ? g[1] : null };
  }
  return out;
}

/** One projection: its kernel laid out for the kernels, and its bias. */
export interface IProjection {
  matrix: IWeightMatrix;
  bias: Float32Array | null;
  /** The transposed kernel, for the backward pass (made on first use). */
  transposed(): IWeightMatrix;
}

/** A MultiHeadAttention's configuration, read and checked once. */
export interface IMhaSetup {
  r: { [role: string]: number };
  heads: number;
  keyDim: number;
  valueDim: number;
  outDim: number;
  q: IProjection;
  k: IProjection;
  v: IProjection;
  o: IProjection;
  causal: boolean;
  withScores: boolean;
  /** 1 / sqrt(key_dim), applied to the projected query. */
  scaleQ: number;
  /** A query that sees no key averages the values (dot_product_attention). */
  evenWhenHidden: boolean;
  tq: number | null;
  tk: number | null;
}

function checkConfig(spec: ILayerSpec): void {
  const c = spec.config;
  if (c.attention_axes !== null && c.attention_axes !== undefined) {
    const axes = Array.isArray(c.attention_axes)
      ? c.attention_axes
      : [c.attention_axes];
    if (!(axes.length === 1 && (axes[0] === 1 || axes[0] === -2))) {
      throw layerError(
        spec,
        `attention_axes ${JSON.stringify(c.attention_axes)} is not supported (only the time axis)`
      );
    }
  }
  if (c.use_gate === true) {
    throw layerError(spec, 'use_gate=True is not supported');
  }
  if (c.sliding_window !== null && c.sliding_window !== undefined) {
    throw layerError(spec, 'sliding_window is not supported');
  }
}

/** The size of the output's last axis: `output_shape` (one axis) or the query's. */
function outputDim(spec: ILayerSpec, dq: number): number {
  const c = spec.config;
  const declared = Array.isArray(c.output_shape)
    ? c.output_shape
    : c.output_shape
      ? [c.output_shape]
      : null;
  if (declared && declared.length !== 1) {
    throw layerError(
      spec,
      `output_shape ${JSON.stringify(c.output_shape)} is not supported (one axis only)`
    );
  }
  return declared ? Number(declared[0]) : dq;
}

export function setup(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  kernels: Kernels
): IMhaSetup {
  checkConfig(spec);
  const c = spec.config;
  const r = roles(spec, inputShapes.length, [
    'query',
    'value',
    'key',
    'attention_mask',
    'query_mask',
    'value_mask',
    'key_mask'
  ]);
  if (r.query === undefined || r.value === undefined) {
    throw layerError(spec, 'needs a query and a value input');
  }
  const qShape = inputShapes[r.query];
  const vShape = inputShapes[r.value];
  const kShape = r.key !== undefined ? inputShapes[r.key] : vShape;
  sequenceShape(spec, qShape, 'query');
  sequenceShape(spec, vShape, 'value');
  sequenceShape(spec, kShape, 'key');
  const heads = Number(c.num_heads);
  const keyDim = Number(c.key_dim);
  const valueDim = Number(c.value_dim ?? keyDim);
  const useBias = c.use_bias !== false;
  const dq = lastDim(spec, qShape);
  const outDim = outputDim(spec, dq);
  const w = mhaWeights(spec, weights, useBias);
  const projection = (
    part: string,
    rows: number,
    kernel: number[],
    bias: number[]
  ): IProjection => {
    checkProjection(spec, w[part], part, kernel, useBias ? bias : null);
    const cols = w[part].kernel.data.length / rows;
    const data = w[part].kernel.data;
    return {
      matrix: kernels.matrix(data, rows, cols),
      bias: w[part].bias?.data ?? null,
      transposed: lazy(() => kernels.transposedMatrix(data, rows, cols))
    };
  };
  const dk = lastDim(spec, kShape);
  const dv = lastDim(spec, vShape);
  const withScores = spec.call?.args.return_attention_scores === true;
  return {
    r,
    heads,
    keyDim,
    valueDim,
    outDim,
    q: projection('query', dq, [dq, heads, keyDim], [heads, keyDim]),
    k: projection('key', dk, [dk, heads, keyDim], [heads, keyDim]),
    v: projection('value', dv, [dv, heads, valueDim], [heads, valueDim]),
    o: projection(
      'output',
      heads * valueDim,
      [heads, valueDim, outDim],
      [outDim]
    ),
    causal: spec.call?.args.use_causal_mask === true,
    withScores,
    scaleQ: 1 / Math.sqrt(keyDim),
    evenWhenHidden: !(Number(c.dropout) > 0) && !withScores,
    tq: qShape[0],
    tk: kShape[0]
  };
}

function checkProjection(
  spec: ILayerSpec,
  got: { kernel: IWeight; bias: IWeight | null },
  part: string,
  kernel: number[],
  bias: number[] | null
): void {
  const same = (a: number[], b: number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i]);
  if (
    !same(got.kernel.shape, kernel) ||
    (got.bias && bias && !same(got.bias.shape, bias))
  ) {
    throw layerError(
      spec,
      `the ${part} projection should have kernel [${kernel.join(', ')}]` +
        `${bias ? ` and bias [${bias.join(', ')}]` : ''}, the file has [${got.kernel.shape.join(', ')}]` +
        `${got.bias ? ` and [${got.bias.shape.join(', ')}]` : ''}`
    );
  }
}
