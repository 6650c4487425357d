/**
 * What the attention layers share: which input plays which role (query,
 * value, key, masks), their weight checks, and which keys a query sees
 * (Keras 3's query / value / key masks, `use_causal_mask`, an explicit
 * attention mask).
 */
import { ILayerSpec, IMask, ITensor, IWeight, layerError, Shape } from './base';

/** Which input plays which role, from positional order and call keywords. */
export function roles(
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

export function scalarWeight(
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
export type Visible = ((b: number, i: number, j: number) => boolean) | null;

export function visibility(
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

export function sequenceShape(
  spec: ILayerSpec,
  shape: Shape,
  role: string
): void {
  if (shape.length !== 2) {
    throw layerError(
      spec,
      `${role} must have shape [batch, time, features], got [batch, ${shape.map(d => d ?? '?').join(', ')}]`
    );
  }
}

/** One gradient per layer input; without a key input, the value also gets the key's. */
export function inputGradients(
  count: number,
  r: { [role: string]: number },
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  [qShape, kShape, vShape]: number[][]
): Array<ITensor | null> {
  const out = new Array<ITensor | null>(count).fill(null);
  out[r.query] = { shape: qShape, data: dq };
  if (r.key !== undefined) {
    out[r.key] = { shape: kShape, data: dk };
    out[r.value] = { shape: vShape, data: dv };
  } else {
    out[r.value] = { shape: vShape, data: dv.map((g, i) => g + dk[i]) };
  }
  return out;
}
