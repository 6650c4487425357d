/**
 * Concatenate (any axis, Keras's mask rules) and the `concat` it runs on.
 */
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IMask,
  ITensor,
  IWeight,
  layerError,
  Shape
} from './base';

/** Concatenates tensors along `axis` (batch included, may be negative). */
export function concat(tensors: ITensor[], axis: number): ITensor {
  const rank = tensors[0].shape.length;
  const ax = axis < 0 ? rank + axis : axis;
  let outer = 1;
  for (let i = 0; i < ax; i++) {
    outer *= tensors[0].shape[i];
  }
  const widths = tensors.map(t => t.data.length / outer);
  const total = widths.reduce((a, w) => a + w, 0);
  const data = new Float32Array(outer * total);
  for (let o = 0; o < outer; o++) {
    let at = o * total;
    tensors.forEach((t, i) => {
      data.set(t.data.subarray(o * widths[i], (o + 1) * widths[i]), at);
      at += widths[i];
    });
  }
  const shape = [...tensors[0].shape];
  shape[ax] = tensors.reduce((a, t) => a + t.shape[ax], 0);
  return { shape, data };
}

/**
 * Keras's Concatenate mask: a missing mask counts as all true; along the
 * feature axis the masks are OR-ed, along the time axis concatenated.
 */
function concatMasks(
  inputs: ITensor[],
  masks: Array<IMask | null>,
  ax: number,
  rank: number
): IMask | null {
  if (masks.every(m => m === null)) {
    return null;
  }
  const batch = inputs[0].shape[0];
  if (ax === rank - 1) {
    if (masks.some(m => m === null)) {
      return null;
    }
    const first = masks[0]!;
    const data = new Uint8Array(first.data.length);
    for (const m of masks) {
      m!.data.forEach((v, i) => (data[i] |= v));
    }
    return { batch, steps: first.steps, data };
  }
  if (ax === 0 && rank === 2) {
    const steps = inputs.map(t => t.shape[1]);
    const total = steps.reduce((a, s) => a + s, 0);
    const data = new Uint8Array(batch * total);
    for (let b = 0; b < batch; b++) {
      let at = b * total;
      inputs.forEach((_, i) => {
        const m = masks[i];
        for (let t = 0; t < steps[i]; t++) {
          data[at + t] = m ? m.data[b * steps[i] + t] : 1;
        }
        at += steps[i];
      });
    }
    return { batch, steps: total, data };
  }
  return null;
}

export function createConcatenate(
  spec: ILayerSpec,
  inputShapes: Shape[],
  _weights: IWeight[],
  _context: IBuildContext
): ILayer {
  const axis = typeof spec.config.axis === 'number' ? spec.config.axis : -1;
  const rank = inputShapes[0].length;
  // Config axes count the batch axis; shapes here do not.
  const ax = axis < 0 ? rank + axis : axis - 1;
  if (ax < 0 || ax >= rank || inputShapes.some(s => s.length !== rank)) {
    throw layerError(spec, `cannot concatenate along axis ${axis}`);
  }
  const outputShape = [...inputShapes[0]];
  outputShape[ax] = inputShapes.some(s => s[ax] === null)
    ? null
    : inputShapes.reduce((a, s) => a + (s[ax] as number), 0);
  return {
    name: spec.name,
    className: spec.className,
    outputShape,
    call(inputs: ITensor[], masks: Array<IMask | null>) {
      return {
        output: concat(inputs, ax + 1),
        mask: concatMasks(inputs, masks, ax, rank)
      };
    },
    callForGradient(inputs: ITensor[], masks: Array<IMask | null>) {
      return {
        ...this.call(inputs, masks),
        backward: ([dy]) =>
          dy ? split(dy, inputs, ax + 1) : inputs.map(() => null)
      };
    }
  };
}

/** The adjoint of `concat`: `d` cut along `axis` into pieces shaped like `parts`. */
export function split(d: ITensor, parts: ITensor[], axis: number): ITensor[] {
  const rank = d.shape.length;
  const ax = axis < 0 ? rank + axis : axis;
  let outer = 1;
  for (let i = 0; i < ax; i++) {
    outer *= d.shape[i];
  }
  const widths = parts.map(t => t.data.length / outer);
  const total = widths.reduce((a, w) => a + w, 0);
  const out = parts.map(t => new Float32Array(t.data.length));
  for (let o = 0; o < outer; o++) {
    let at = o * total;
    out.forEach((piece, i) => {
      piece.set(d.data.subarray(at, at + widths[i]), o * widths[i]);
      at += widths[i];
    });
  }
  return out.map((data, i) => ({ shape: parts[i].shape, data }));
}
