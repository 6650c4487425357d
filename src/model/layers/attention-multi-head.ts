/**
 * Keras's MultiHeadAttention on the time axis (`num_heads`, `key_dim`,
 * `value_dim`, `output_shape`, `use_bias`, masks, `attention_mask`,
 * `use_causal_mask`), forward pass and gradient with respect to the query,
 * key and value inputs.
 *
 * Keras 3 runs `ops.dot_product_attention` unless dropout or the scores
 * are asked for: hidden keys' logits are replaced (`where`, no gradient),
 * and a query that sees no key averages all values evenly. Its own masked
 * softmax path (with the scores) gives such a query zero weights instead.
 */
import { inputGradients, visibility, Visible } from './attention-common';
import { IMhaSetup, IProjection, setup } from './attention-multi-head-setup';
import {
  IBuildContext,
  IGradientCall,
  ILayer,
  ILayerOutput,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  Shape
} from './base';
import { affine } from './dense';
import { Kernels } from './kernels';

/** What a call computed that its backward pass reuses. */
interface IMhaState {
  batch: number;
  nq: number;
  nk: number;
  /** The projected query, key and value, [batch * time, heads * dim]. */
  Q: Float32Array;
  K: Float32Array;
  V: Float32Array;
  visible: Visible;
}

/** The masks a call uses: explicit mask inputs win over the Keras masks. */
function callMasks(
  s: IMhaSetup,
  inputs: ITensor[],
  masks: Array<IMask | null>
): { qMask: IMask | null; visible: Visible } {
  const { r } = s;
  const batch = inputs[r.query].shape[0];
  const explicit = (role: string): IMask | null =>
    r[role] !== undefined
      ? {
          batch,
          steps: inputs[r[role]].shape[1],
          data: Uint8Array.from(inputs[r[role]].data, x => (x > 0.5 ? 1 : 0))
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
    s.causal,
    r.attention_mask !== undefined ? inputs[r.attention_mask] : null,
    true,
    inputs[r.query].shape[1],
    (r.key !== undefined ? inputs[r.key] : inputs[r.value]).shape[1]
  );
  return { qMask, visible };
}

/**
 * Fills `row` with the weight query `i` of head `h` (sample `b`) gives each
 * key; returns whether the query sees any key (when not, the weights are
 * even or zero and no gradient reaches the scores).
 */
function headWeights(
  s: IMhaSetup,
  st: IMhaState,
  b: number,
  h: number,
  i: number,
  row: Float64Array
): boolean {
  const { keyDim, scaleQ } = s;
  const { nq, nk, Q, K, visible } = st;
  const hk = s.heads * keyDim;
  const qi = (b * nq + i) * hk + h * keyDim;
  let max = -Infinity;
  let any = false;
  for (let j = 0; j < nk; j++) {
    if (visible && !visible(b, i, j)) {
      row[j] = NaN;
      continue;
    }
    const kj = (b * nk + j) * hk + h * keyDim;
    let dot = 0;
    for (let d = 0; d < keyDim; d++) {
      dot += Q[qi + d] * scaleQ * K[kj + d];
    }
    row[j] = dot;
    max = Math.max(max, dot);
    any = true;
  }
  // Keras 3: hidden keys get weight 0; a fully hidden row is even or zero.
  let sum = 0;
  for (let j = 0; j < nk; j++) {
    row[j] = Number.isNaN(row[j]) ? 0 : Math.exp(row[j] - max);
    sum += row[j];
  }
  const even = s.evenWhenHidden ? 1 / nk : 0;
  for (let j = 0; j < nk; j++) {
    row[j] = any ? row[j] / sum : even;
  }
  return any;
}

function forward(
  s: IMhaSetup,
  kernels: Kernels,
  inputs: ITensor[],
  masks: Array<IMask | null>
): { result: ILayerOutput; state: IMhaState } {
  const { r, heads, valueDim } = s;
  const q = inputs[r.query];
  const v = inputs[r.value];
  const kx = r.key !== undefined ? inputs[r.key] : v;
  const [batch, nq] = q.shape;
  const nk = kx.shape[1];
  const { qMask, visible } = callMasks(s, inputs, masks);
  const state: IMhaState = {
    batch,
    nq,
    nk,
    Q: affine(kernels, q.data, batch * nq, s.q.matrix, s.q.bias),
    K: affine(kernels, kx.data, batch * nk, s.k.matrix, s.k.bias),
    V: affine(kernels, v.data, batch * nk, s.v.matrix, s.v.bias),
    visible
  };
  const hv = heads * valueDim;
  const ctx = new Float32Array(batch * nq * hv);
  const probs = s.withScores ? new Float32Array(batch * heads * nq * nk) : null;
  const keyWeights = new Float32Array(batch * nk);
  const row = new Float64Array(nk);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < nq; i++) {
        headWeights(s, state, b, h, i, row);
        const o = (b * nq + i) * hv + h * valueDim;
        for (let j = 0; j < nk; j++) {
          const p = row[j];
          if (probs) {
            probs[((b * heads + h) * nq + i) * nk + j] = p;
          }
          keyWeights[b * nk + j] += p / (heads * nq);
          if (p !== 0) {
            const vj = (b * nk + j) * hv + h * valueDim;
            for (let d = 0; d < valueDim; d++) {
              ctx[o + d] += p * state.V[vj + d];
            }
          }
        }
      }
    }
  }
  const out = affine(kernels, ctx, batch * nq, s.o.matrix, s.o.bias);
  const result: ILayerOutput = {
    output: { shape: [batch, nq, s.outDim], data: out },
    mask: qMask,
    keyWeights: { shape: [batch, nk], data: keyWeights },
    ...(probs
      ? { extra: [{ shape: [batch, heads, nq, nk], data: probs }] }
      : {})
  };
  return { result, state };
}

/**
 * The gradients of the projected query, key and value (dQ, dK, dV) from the
 * gradient of the context (heads concatenated) and of the scores output.
 */
function attentionBackward(
  s: IMhaSetup,
  st: IMhaState,
  dCtx: Float32Array | null,
  dScores: Float32Array | null
): { dQ: Float32Array; dK: Float32Array; dV: Float32Array } {
  const { heads, keyDim, valueDim, scaleQ } = s;
  const { batch, nq, nk, Q, K, V } = st;
  const hk = heads * keyDim;
  const hv = heads * valueDim;
  const dQ = new Float64Array(Q.length);
  const dK = new Float64Array(K.length);
  const dV = new Float64Array(V.length);
  const row = new Float64Array(nk);
  const dp = new Float64Array(nk);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < nq; i++) {
        const any = headWeights(s, st, b, h, i, row);
        const o = (b * nq + i) * hv + h * valueDim;
        let dot = 0;
        for (let j = 0; j < nk; j++) {
          const vj = (b * nk + j) * hv + h * valueDim;
          let g = dScores ? dScores[((b * heads + h) * nq + i) * nk + j] : 0;
          if (dCtx) {
            for (let d = 0; d < valueDim; d++) {
              g += dCtx[o + d] * V[vj + d];
              dV[vj + d] += row[j] * dCtx[o + d];
            }
          }
          dp[j] = g;
          dot += row[j] * g;
        }
        if (!any) {
          continue;
        }
        // Softmax: ds = p * (dp - sum(p * dp)); hidden keys have p = 0.
        const qi = (b * nq + i) * hk + h * keyDim;
        for (let j = 0; j < nk; j++) {
          const ds = row[j] * (dp[j] - dot) * scaleQ;
          if (ds === 0) {
            continue;
          }
          const kj = (b * nk + j) * hk + h * keyDim;
          for (let d = 0; d < keyDim; d++) {
            dQ[qi + d] += ds * K[kj + d];
            dK[kj + d] += ds * Q[qi + d];
          }
        }
      }
    }
  }
  return {
    dQ: Float32Array.from(dQ),
    dK: Float32Array.from(dK),
    dV: Float32Array.from(dV)
  };
}

function backward(
  s: IMhaSetup,
  kernels: Kernels,
  inputs: ITensor[],
  st: IMhaState,
  [dOut, dScores]: Array<ITensor | null>
): Array<ITensor | null> {
  const { r } = s;
  const { batch, nq, nk } = st;
  const back = (p: IProjection, d: Float32Array, rows: number) =>
    affine(kernels, d, rows, p.transposed(), null);
  const dCtx = dOut ? back(s.o, dOut.data, batch * nq) : null;
  const { dQ, dK, dV } = attentionBackward(
    s,
    st,
    dCtx,
    s.withScores && dScores ? dScores.data : null
  );
  const kx = r.key !== undefined ? inputs[r.key] : inputs[r.value];
  return inputGradients(
    inputs.length,
    r,
    back(s.q, dQ, batch * nq),
    back(s.k, dK, batch * nk),
    back(s.v, dV, batch * nk),
    [inputs[r.query].shape, kx.shape, inputs[r.value].shape]
  );
}

export function createMultiHeadAttention(
  spec: ILayerSpec,
  inputShapes: Shape[],
  weights: IWeight[],
  context: IBuildContext
): ILayer {
  const s = setup(spec, inputShapes, weights, context.kernels);
  const kernels = context.kernels;
  return {
    name: spec.name,
    className: spec.className,
    outputShape: [s.tq, s.outDim],
    keyWeightsShape: [s.tk],
    ...(s.withScores ? { extraShapes: [[s.heads, s.tq, s.tk]] } : {}),
    call: (inputs, masks) => forward(s, kernels, inputs, masks).result,
    callForGradient(inputs, masks): IGradientCall {
      const { result, state } = forward(s, kernels, inputs, masks);
      return {
        ...result,
        backward: dOutputs => backward(s, kernels, inputs, state, dOutputs)
      };
    }
  };
}
