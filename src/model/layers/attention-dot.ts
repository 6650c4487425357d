/**
 * Keras's Attention (dot-product, `score_mode` dot or concat, `use_scale`)
 * and AdditiveAttention, forward pass and gradient.
 *
 * As Keras 3 computes them: scores of hidden keys (value mask, causal mask)
 * are lowered by 1e9 (`where(hidden, s - 1e9, s)`, so their gradient
 * passes unchanged), weights = softmax over the keys, output = weights .
 * value, set to 0 where the query mask is off (`where`, no gradient there).
 */
import { softmaxAxisGradient } from './activation-derivatives';
import {
  inputGradients,
  roles,
  scalarWeight,
  sequenceShape,
  visibility
} from './attention-common';
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  ILayerOutput,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  lastDim,
  layerError,
  Shape
} from './base';

/**
 * One score function: `score` of query row `qi` against key row `kj`, and
 * `grad`, which adds `ds * d score / d q` and `ds * d score / d k` to `dq`
 * and `dk` at the same rows.
 */
interface IScorer {
  score(q: Float32Array, qi: number, k: Float32Array, kj: number): number;
  grad(
    q: Float32Array,
    qi: number,
    k: Float32Array,
    kj: number,
    ds: number,
    dq: Float64Array,
    dk: Float64Array
  ): void;
}

/** The score of Keras's `_calculate_scores` for each mode. */
function scorer(
  additive: boolean,
  dim: number,
  scale: Float32Array | null,
  concatWeight: number | null
): IScorer {
  if (additive) {
    // sum_d scale_d * tanh(q_d + k_d)
    return {
      score(q, qi, k, kj) {
        let s = 0;
        for (let d = 0; d < dim; d++) {
          const t = Math.tanh(q[qi + d] + k[kj + d]);
          s += scale ? scale[d] * t : t;
        }
        return s;
      },
      grad(q, qi, k, kj, ds, dq, dk) {
        for (let d = 0; d < dim; d++) {
          const t = Math.tanh(q[qi + d] + k[kj + d]);
          const g = ds * (scale ? scale[d] : 1) * (1 - t * t);
          dq[qi + d] += g;
          dk[kj + d] += g;
        }
      }
    };
  }
  if (concatWeight !== null) {
    // concat_score_weight * sum_d tanh(scale * (q_d + k_d))
    const c = scale ? scale[0] : 1;
    return {
      score(q, qi, k, kj) {
        let s = 0;
        for (let d = 0; d < dim; d++) {
          s += Math.tanh(c * (q[qi + d] + k[kj + d]));
        }
        return s * concatWeight;
      },
      grad(q, qi, k, kj, ds, dq, dk) {
        for (let d = 0; d < dim; d++) {
          const t = Math.tanh(c * (q[qi + d] + k[kj + d]));
          const g = ds * concatWeight * (1 - t * t) * c;
          dq[qi + d] += g;
          dk[kj + d] += g;
        }
      }
    };
  }
  // (q . k) * scale
  return {
    score(q, qi, k, kj) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        s += q[qi + d] * k[kj + d];
      }
      return scale ? s * scale[0] : s;
    },
    grad(q, qi, k, kj, ds, dq, dk) {
      const g = scale ? ds * scale[0] : ds;
      for (let d = 0; d < dim; d++) {
        dq[qi + d] += g * k[kj + d];
        dk[kj + d] += g * q[qi + d];
      }
    }
  };
}

/** An Attention / AdditiveAttention layer's configuration, read and checked once. */
interface IDotSetup {
  r: { [role: string]: number };
  dim: number;
  scores: IScorer;
  causal: boolean;
  withScores: boolean;
}

function setup(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[]
): IDotSetup {
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
  return {
    r,
    dim,
    scores: scorer(additive, dim, scale, concatWeight),
    causal:
      spec.call?.args.use_causal_mask === true || spec.config.causal === true,
    withScores: spec.call?.args.return_attention_scores === true
  };
}

/** One call: its result and what the backward pass reuses. */
interface IDotCall {
  result: ILayerOutput;
  q: ITensor;
  k: ITensor;
  v: ITensor;
  /** The attention weights, [batch, Tq, Tk]. */
  probs: Float32Array;
}

function forward(
  s: IDotSetup,
  inputs: ITensor[],
  masks: Array<IMask | null>
): IDotCall {
  const { r, dim } = s;
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
    s.causal,
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
        let score = s.scores.score(q.data, qi, k.data, (b * nk + j) * dim);
        // Keras subtracts 1e9 from the (float32) scores of hidden keys.
        if (visible && !visible(b, i, j)) {
          score = Math.fround(Math.fround(score) - 1e9);
        }
        row[j] = score;
        max = Math.max(max, score);
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
  const result: ILayerOutput = {
    output: { shape: [batch, nq, dv], data: out },
    mask: qMask,
    keyWeights: { shape: [batch, nk], data: keyWeights },
    ...(s.withScores
      ? { extra: [{ shape: [batch, nq, nk], data: probs }] }
      : {})
  };
  return { result, q, k, v, probs };
}

/**
 * The gradient of each input: d weights from the output (rows the query
 * mask keeps) and from the scores output, then the softmax's, then the
 * score function's. Hidden keys' scores (s - 1e9) pass it unchanged.
 */
function backward(
  s: IDotSetup,
  f: IDotCall,
  count: number,
  dOut: ITensor | null,
  dWeights: ITensor | null
): Array<ITensor | null> {
  const { dim } = s;
  const qMask = f.result.mask;
  const [batch, nq] = f.q.shape;
  const nk = f.k.shape[1];
  const dv = f.v.shape[2];
  const dq = new Float64Array(f.q.data.length);
  const dk = new Float64Array(f.k.data.length);
  const dValue = new Float64Array(f.v.data.length);
  const dp = new Float32Array(batch * nq * nk);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < nq; i++) {
      const keep = !qMask || qMask.data[b * nq + i] !== 0;
      const o = (b * nq + i) * dv;
      for (let j = 0; j < nk; j++) {
        const at = (b * nq + i) * nk + j;
        const vj = (b * nk + j) * dv;
        let g = s.withScores && dWeights ? dWeights.data[at] : 0;
        if (keep && dOut) {
          const p = f.probs[at];
          for (let d = 0; d < dv; d++) {
            g += dOut.data[o + d] * f.v.data[vj + d];
            dValue[vj + d] += p * dOut.data[o + d];
          }
        }
        dp[at] = g;
      }
    }
  }
  const ds = softmaxAxisGradient(f.probs, dp, [batch * nq, nk], -1);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < nq; i++) {
      for (let j = 0; j < nk; j++) {
        const g = ds[(b * nq + i) * nk + j];
        if (g !== 0) {
          const qi = (b * nq + i) * dim;
          s.scores.grad(f.q.data, qi, f.k.data, (b * nk + j) * dim, g, dq, dk);
        }
      }
    }
  }
  return inputGradients(
    count,
    s.r,
    Float32Array.from(dq),
    Float32Array.from(dk),
    Float32Array.from(dValue),
    [f.q.shape, f.k.shape, f.v.shape]
  );
}

/** Attention and AdditiveAttention. */
export function createDotAttention(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const s = setup(spec, inputShapes, weights);
  const { r } = s;
  const tq = inputShapes[r.query][0];
  const tk = inputShapes[r.key ?? r.value][0];
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [tq, lastDim(spec, inputShapes[r.value])],
    keyWeightsShape: [tk],
    ...(s.withScores ? { extraShapes: [[tq, tk]] } : {}),
    call: (inputs, masks) => forward(s, inputs, masks).result,
    callForGradient(inputs, masks): IGradientCall {
      const f = forward(s, inputs, masks);
      return {
        ...f.result,
        backward: ([dOut, dWeights]) =>
          backward(s, f, inputs.length, dOut, dWeights)
      };
    }
  };
}
