/**
 * Keras attention layers: Attention (dot-product, `score_mode` dot or
 * concat, `use_scale`), AdditiveAttention and MultiHeadAttention, with
 * Keras 3's masking (query / value / key masks, `use_causal_mask`).
 *
 * Besides its output, every call yields `keyWeights` [batch, Tk]: the mean
 * over heads and queries of the weight each key position receives, which the
 * engine can show as the model's attention over its input.
 */
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  lastDim,
  layerError,
  Shape
} from './base';
import { affine } from './dense';

/** Suffix of the pseudo-layer that carries an attention layer's key weights. */
export const SCORES_SUFFIX = ':scores';

/** Classes whose calls yield key weights. */
export const SCORE_LAYERS = [
  'Attention',
  'AdditiveAttention',
  'MultiHeadAttention'
];

/** Which input plays which role, from positional order and call keywords. */
function roles(
  spec: ILayerSpec,
  count: number,
  positional: string[]
): { [role: string]: number } {
  const kwargs = spec.call?.inputKwargs ?? new Array(count).fill(null);
  const out: { [role: string]: number } = {};
  let p = 0;
  kwargs.forEach((k, i) => {
    const role = k ?? positional[p++];
    if (!role || !positional.includes(role)) {
      throw layerError(
        spec,
        `is called with an input '${k ?? `#${i}`}' that is not supported (supported: ${positional.join(', ')})`
      );
    }
    out[role] = i;
  });
  return out;
}

function scalarWeight(
  spec: ILayerSpec,
  weights: IWeight[],
  at: number,
  name: string,
  size: number
): Float32Array {
  const w = weights[at];
  if (!w || w.data.length !== size) {
    throw layerError(
      spec,
      `weight ${name} should have ${size} value(s), the file has ${w ? `[${w.shape.join(', ')}]` : 'none'}`
    );
  }
  return w.data;
}

/** Boolean visibility of key j for query i of sample b (null = all visible). */
type Visible = ((b: number, i: number, j: number) => boolean) | null;

function visibility(
  qMask: IMask | null,
  vMask: IMask | null,
  kMask: IMask | null,
  causal: boolean,
  attentionMask: ITensor | null,
  queryMaskToo: boolean,
  tq: number,
  tk: number
): Visible {
  const parts: Array<(b: number, i: number, j: number) => boolean> = [];
  if (queryMaskToo && qMask && qMask.steps === tq) {
    parts.push((b, i) => qMask.data[b * tq + i] !== 0);
  }
  for (const m of [vMask, kMask]) {
    if (m && m.steps === tk) {
      parts.push((b, _i, j) => m.data[b * tk + j] !== 0);
    }
  }
  if (causal) {
    parts.push((_b, i, j) => j <= i);
  }
  if (attentionMask) {
    const d = attentionMask.data;
    parts.push((b, i, j) => d[(b * tq + i) * tk + j] > 0.5);
  }
  if (!parts.length) {
    return null;
  }
  return (b, i, j) => parts.every(p => p(b, i, j));
}

function sequenceShape(spec: ILayerSpec, shape: Shape, role: string): void {
  if (shape.length !== 2) {
    throw layerError(
      spec,
      `${role} must have shape [batch, time, features], got [batch, ${shape.map(d => d ?? '?').join(', ')}]`
    );
  }
}

/** Attention and AdditiveAttention. */
export function createDotAttention(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const additive = spec.className === 'AdditiveAttention';
  const r = roles(spec, inputShapes.length, ['query', 'value', 'key']);
  if (r.query === undefined || r.value === undefined) {
    throw layerError(spec, 'needs a query and a value input');
  }
  const [qShape, vShape] = [inputShapes[r.query], inputShapes[r.value]];
  const kShape = r.key !== undefined ? inputShapes[r.key] : vShape;
  sequenceShape(spec, qShape, 'query');
  sequenceShape(spec, vShape, 'value');
  const dim = lastDim(spec, qShape);
  if (lastDim(spec, kShape) !== dim) {
    throw layerError(spec, 'query and key must have the same last dimension');
  }
  const scoreMode = spec.config.score_mode ?? 'dot';
  if (!additive && scoreMode !== 'dot' && scoreMode !== 'concat') {
    throw layerError(spec, `score_mode '${scoreMode}' is not supported`);
  }
  const useScale = spec.config.use_scale ?? additive;
  let at = 0;
  const scale = useScale
    ? scalarWeight(spec, weights, at++, 'scale', additive ? dim : 1)
    : null;
  const concatWeight =
    !additive && scoreMode === 'concat'
      ? scalarWeight(spec, weights, at++, 'concat_score_weight', 1)[0]
      : null;
  if (weights.length !== at) {
    throw layerError(
      spec,
      `expected ${at} weight array(s), the file has ${weights.length}`
    );
  }
  const causal =
    spec.call?.args.use_causal_mask === true || spec.config.causal === true;
  const withScores = spec.call?.args.return_attention_scores === true;
  const tq = qShape[0];
  const tk = kShape[0];
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [tq, lastDim(spec, vShape)],
    keyWeightsShape: [tk],
    ...(withScores ? { extraShapes: [[tq, tk]] } : {}),
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const q = inputs[r.query];
      const v = inputs[r.value];
      const k = r.key !== undefined ? inputs[r.key] : v;
      const [batch, nq] = q.shape;
      const nk = k.shape[1];
      const dv = v.shape[2];
      const qMask = masks[r.query];
      const visible = visibility(
        null,
        masks[r.value],
        null,
        causal,
        null,
        false,
        nq,
        nk
      );
      const out = new Float32Array(batch * nq * dv);
      const probs = new Float32Array(batch * nq * nk);
      const keyWeights = new Float32Array(batch * nk);
      const row = new Float64Array(nk);
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < nq; i++) {
          const qi = (b * nq + i) * dim;
          let max = -Infinity;
          for (let j = 0; j < nk; j++) {
            const kj = (b * nk + j) * dim;
            let s = 0;
            if (additive) {
              for (let d = 0; d < dim; d++) {
                const t = Math.tanh(q.data[qi + d] + k.data[kj + d]);
                s += scale ? scale[d] * t : t;
              }
            } else if (concatWeight !== null) {
              const c = scale ? scale[0] : 1;
              for (let d = 0; d < dim; d++) {
                s += Math.tanh(c * (q.data[qi + d] + k.data[kj + d]));
              }
              s *= concatWeight;
            } else {
              for (let d = 0; d < dim; d++) {
                s += q.data[qi + d] * k.data[kj + d];
              }
              if (scale) {
                s *= scale[0];
              }
            }
            // Keras subtracts 1e9 from the scores of hidden keys.
            if (visible && !visible(b, i, j)) {
              s = Math.fround(s - 1e9);
            }
            row[j] = s;
            max = Math.max(max, s);
          }
          let sum = 0;
          for (let j = 0; j < nk; j++) {
            row[j] = Math.exp(row[j] - max);
            sum += row[j];
          }
          const keep = !qMask || qMask.data[b * nq + i] !== 0;
          const o = (b * nq + i) * dv;
          for (let j = 0; j < nk; j++) {
            const p = row[j] / sum;
            probs[(b * nq + i) * nk + j] = p;
            keyWeights[b * nk + j] += p / nq;
            if (keep) {
              const vj = (b * nk + j) * dv;
              for (let d = 0; d < dv; d++) {
                out[o + d] += p * v.data[vj + d];
              }
            }
          }
        }
      }
      return {
        output: { shape: [batch, nq, dv], data: out },
        mask: qMask,
        keyWeights: { shape: [batch, nk], data: keyWeights },
        ...(withScores
          ? { extra: [{ shape: [batch, nq, nk], data: probs }] }
          : {})
      };
    }
  };
}

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

export function createMultiHeadAttention(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
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
  const dk = lastDim(spec, kShape);
  const dv = lastDim(spec, vShape);
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
  const outDim = declared ? Number(declared[0]) : dq;
  const w = mhaWeights(spec, weights, useBias);
  const check = (part: string, kernel: number[], bias: number[]) => {
    const got = w[part];
    const same = (a: number[], b: number[]) =>
      a.length === b.length && a.every((d, i) => d === b[i]);
    if (
      !same(got.kernel.shape, kernel) ||
      (got.bias && !same(got.bias.shape, bias))
    ) {
      throw layerError(
        spec,
        `the ${part} projection should have kernel [${kernel.join(', ')}]` +
          `${useBias ? ` and bias [${bias.join(', ')}]` : ''}, the file has [${got.kernel.shape.join(', ')}]` +
          `${got.bias ? ` and [${got.bias.shape.join(', ')}]` : ''}`
      );
    }
  };
  check('query', [dq, heads, keyDim], [heads, keyDim]);
  check('key', [dk, heads, keyDim], [heads, keyDim]);
  check('value', [dv, heads, valueDim], [heads, valueDim]);
  check('output', [heads, valueDim, outDim], [outDim]);
  const k = context.kernels;
  const proj = (part: string, rows: number, cols: number) => ({
    matrix: k.matrix(w[part].kernel.data, rows, cols),
    bias: w[part].bias?.data ?? null
  });
  const pq = proj('query', dq, heads * keyDim);
  const pk = proj('key', dk, heads * keyDim);
  const pv = proj('value', dv, heads * valueDim);
  const po = proj('output', heads * valueDim, outDim);
  const causal = spec.call?.args.use_causal_mask === true;
  const withScores = spec.call?.args.return_attention_scores === true;
  const tq = qShape[0];
  const tk = kShape[0];
  const scaleQ = 1 / Math.sqrt(keyDim);
  // Keras 3 runs `ops.dot_product_attention` unless dropout or scores are
  // asked for: a query that sees no key then averages all values evenly;
  // its own masked softmax path gives such a query zero weights instead.
  const evenWhenHidden = !(Number(c.dropout) > 0) && !withScores;
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [tq, outDim],
    keyWeightsShape: [tk],
    ...(withScores ? { extraShapes: [[heads, tq, tk]] } : {}),
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      const q = inputs[r.query];
      const v = inputs[r.value];
      const kx = r.key !== undefined ? inputs[r.key] : v;
      const [batch, nq] = q.shape;
      const nk = kx.shape[1];
      const explicit = (role: string): IMask | null =>
        r[role] !== undefined
          ? {
              batch,
              steps: inputs[r[role]].shape[1],
              data: Uint8Array.from(inputs[r[role]].data, x =>
                x > 0.5 ? 1 : 0
              )
            }
          : null;
      const qMask = explicit('query_mask') ?? masks[r.query];
      const vMask = explicit('value_mask') ?? masks[r.value];
      const kMask =
        explicit('key_mask') ?? (r.key !== undefined ? masks[r.key] : null);
      const visible = visibility(
        qMask,
        vMask,
        kMask,
        causal,
        r.attention_mask !== undefined ? inputs[r.attention_mask] : null,
        true,
        nq,
        nk
      );
      const Q = affine(k, q.data, batch * nq, pq.matrix, pq.bias);
      const K = affine(k, kx.data, batch * nk, pk.matrix, pk.bias);
      const V = affine(k, v.data, batch * nk, pv.matrix, pv.bias);
      const hk = heads * keyDim;
      const hv = heads * valueDim;
      const ctx = new Float32Array(batch * nq * hv);
      const probs = withScores
        ? new Float32Array(batch * heads * nq * nk)
        : null;
      const keyWeights = new Float32Array(batch * nk);
      const row = new Float64Array(nk);
      for (let b = 0; b < batch; b++) {
        for (let h = 0; h < heads; h++) {
          for (let i = 0; i < nq; i++) {
            const qi = (b * nq + i) * hk + h * keyDim;
            let max = -Infinity;
            let any = false;
            for (let j = 0; j < nk; j++) {
              if (visible && !visible(b, i, j)) {
                row[j] = NaN;
                continue;
              }
              const kj = (b * nk + j) * hk + h * keyDim;
              let s = 0;
              for (let d = 0; d < keyDim; d++) {
                s += Q[qi + d] * scaleQ * K[kj + d];
              }
              row[j] = s;
              max = Math.max(max, s);
              any = true;
            }
            // Keras 3: hidden keys get weight 0; a fully hidden row is all zeros.
            let sum = 0;
            for (let j = 0; j < nk; j++) {
              row[j] = Number.isNaN(row[j]) ? 0 : Math.exp(row[j] - max);
              sum += row[j];
            }
            const o = (b * nq + i) * hv + h * valueDim;
            for (let j = 0; j < nk; j++) {
              const p = any ? row[j] / sum : evenWhenHidden ? 1 / nk : 0;
              if (probs) {
                probs[((b * heads + h) * nq + i) * nk + j] = p;
              }
              keyWeights[b * nk + j] += p / (heads * nq);
              if (p !== 0) {
                const vj = (b * nk + j) * hv + h * valueDim;
                for (let d = 0; d < valueDim; d++) {
                  ctx[o + d] += p * V[vj + d];
                }
              }
            }
          }
        }
      }
      const out = affine(k, ctx, batch * nq, po.matrix, po.bias);
      return {
        output: { shape: [batch, nq, outDim], data: out },
        mask: qMask,
        keyWeights: { shape: [batch, nk], data: keyWeights },
        ...(probs
          ? { extra: [{ shape: [batch, heads, nq, nk], data: probs }] }
          : {})
      };
    }
  };
}
