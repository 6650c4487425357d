/**
 * Merge layers with masked inputs as Keras >= 3.4 computes them (the fix of
 * keras-team/keras#19685), forward and gradient together:
 *
 * - the output mask is the OR of the inputs' masks when every input has
 *   one, else none (Keras 2 and the engine's other paths AND the masks);
 * - Multiply replaces each input's masked entries by 1 before multiplying,
 *   then, when every input has a mask, zeroes the entries outside the OR;
 * - Maximum / Minimum replace an input's masked entries by the running
 *   result, and the running result's masked entries by the input, before
 *   each comparison;
 * - Add, Subtract and Average combine the values as they are.
 *
 * Masks are [batch, steps] over inputs of shape [batch, steps, ...]; inputs
 * of different shapes or masks that do not fit them take the unmasked path.
 */
import { IMask, ITensor } from './base';

/**
 * Whether merges follow Keras >= 3.4's mask rules for a model of this Keras
 * version. Keras 3.0 to 3.3 mishandled merge masks (the bug that fix
 * closed); with `layer`, a model of those versions gets an inference saying
 * its merge layer takes Keras 2's AND of the masks.
 */
export function mergesMasksAsKeras34(
  context: {
    kerasMajor: number;
    kerasMinor?: number;
    inferences?: string[];
  },
  layer?: { name: string; className: string }
): boolean {
  const { kerasMajor: major, kerasMinor: minor } = context;
  if (major === 3 && minor !== undefined && minor < 4 && layer) {
    context.inferences?.push(
      `layer '${layer.name}' (${layer.className}): masks merged with a logical AND, as Keras 2; ` +
        `Keras ${major}.${minor} may merge masked inputs differently (fixed in Keras 3.4)`
    );
  }
  return major > 3 || (major === 3 && (minor ?? 4) >= 4);
}

/** The OR of the masks when every input has one, else null (Keras >= 3.4). */
export function orMasks(masks: Array<IMask | null>): IMask | null {
  return masks.some(m => m === null)
    ? null
    : Private.combineMasks(masks as IMask[], (a, b) => a | b);
}

/** The AND of the masks present (Keras 2, and Keras 3 before 3.4). */
export function andMasks(masks: Array<IMask | null>): IMask | null {
  const present = masks.filter((m): m is IMask => m !== null);
  return Private.combineMasks(present, (a, b) => a & b);
}

/** A masked Multiply / Maximum / Minimum: its output, its mask, its gradient. */
export interface IMaskedMerge {
  output: ITensor;
  mask: IMask | null;
  backward(d: Float32Array): ITensor[];
}

/**
 * Multiply, Maximum or Minimum of same-shape inputs of which at least one
 * has a mask that fits; null otherwise (the caller's unmasked path).
 */
export function maskedMerge(
  className: string,
  inputs: ITensor[],
  masks: Array<IMask | null>
): IMaskedMerge | null {
  const rows = Private.rowFlags(inputs, masks);
  if (!rows || !['Multiply', 'Maximum', 'Minimum'].includes(className)) {
    return null;
  }
  return className === 'Multiply'
    ? Private.multiply(inputs, rows.flags, rows.inner, orMasks(masks))
    : Private.select(inputs, rows.flags, rows.inner, className === 'Maximum');
}

namespace Private {
  /** `op` of the masks flag by flag; null without masks or when their shapes differ. */
  export function combineMasks(
    masks: IMask[],
    op: (a: number, b: number) => number
  ): IMask | null {
    if (masks.length === 0) {
      return null;
    }
    const first = masks[0];
    if (masks.some(m => m.steps !== first.steps || m.batch !== first.batch)) {
      return null;
    }
    const data = new Uint8Array(first.data);
    for (const m of masks.slice(1)) {
      for (let i = 0; i < data.length; i++) {
        data[i] = op(data[i], m.data[i]);
      }
    }
    return { batch: first.batch, steps: first.steps, data };
  }

  /** Per input, its mask's [batch * steps] flags (null: no mask); elements per row. */
  export function rowFlags(
    inputs: ITensor[],
    masks: Array<IMask | null>
  ): { flags: Array<Uint8Array | null>; inner: number } | null {
    const shape = inputs[0].shape;
    if (
      shape.length < 2 ||
      masks.every(m => m === null) ||
      inputs.some(
        x =>
          x.shape.length !== shape.length ||
          x.shape.some((d, i) => d !== shape[i])
      ) ||
      masks.some(m => m && (m.batch !== shape[0] || m.steps !== shape[1]))
    ) {
      return null;
    }
    const inner = shape.slice(2).reduce((a, d) => a * d, 1);
    return { flags: masks.map(m => (m ? m.data : null)), inner };
  }

  /** Multiply: masked entries count as 1; zeroed outside the OR when every input is masked. */
  export function multiply(
    inputs: ITensor[],
    flags: Array<Uint8Array | null>,
    inner: number,
    outMask: IMask | null
  ): IMaskedMerge {
    const size = inputs[0].data.length;
    const value = (i: number, e: number) => {
      const f = flags[i];
      return f && !f[Math.floor(e / inner)] ? 1 : inputs[i].data[e];
    };
    // partials[k] = v_0 * ... * v_k in float32, as Keras multiplies in turn.
    const partials = [
      Float32Array.from({ length: size }, (_, e) => value(0, e))
    ];
    for (let i = 1; i < inputs.length; i++) {
      const prev = partials[i - 1];
      partials.push(Float32Array.from(prev, (p, e) => p * value(i, e)));
    }
    const keep = (e: number) => !outMask || outMask.data[Math.floor(e / inner)];
    const last = partials[partials.length - 1];
    const data = Float32Array.from(last, (v, e) => (keep(e) ? v : 0));
    return {
      output: { shape: inputs[0].shape, data },
      mask: outMask,
      backward(d) {
        const grads: ITensor[] = new Array(inputs.length);
        // d of the running product, walked back through the chain.
        let dRun = Float32Array.from(d, (g, e) => (keep(e) ? g : 0));
        for (let i = inputs.length - 1; i >= 0; i--) {
          const dValue =
            i === 0
              ? dRun
              : Float32Array.from(dRun, (g, e) => g * partials[i - 1][e]);
          const f = flags[i];
          grads[i] = {
            shape: inputs[i].shape,
            data: f
              ? Float32Array.from(dValue, (g, e) =>
                  f[Math.floor(e / inner)] ? g : 0
                )
              : dValue
          };
          if (i > 0) {
            const run = dRun;
            dRun = Float32Array.from(run, (g, e) => g * value(i, e));
          }
        }
        return grads;
      }
    };
  }

  /**
   * Maximum / Minimum with Keras's replacements; every output entry is one
   * input's entry, and its gradient goes to that input (ties to the running
   * result, as TensorFlow's Maximum and Minimum give them to their first
   * operand).
   */
  export function select(
    inputs: ITensor[],
    flags: Array<Uint8Array | null>,
    inner: number,
    max: boolean
  ): IMaskedMerge {
    const size = inputs[0].data.length;
    const data = new Float32Array(inputs[0].data);
    const source = new Uint8Array(size);
    let runMask = flags[0];
    for (let i = 1; i < inputs.length; i++) {
      const x = inputs[i].data;
      const f = flags[i];
      for (let e = 0; e < size; e++) {
        const row = Math.floor(e / inner);
        let xv = x[e];
        let xs = i;
        if (f && !f[row]) {
          [xv, xs] = [data[e], source[e]];
        }
        if (runMask && !runMask[row]) {
          [data[e], source[e]] = [xv, xs];
        }
        if (max ? !(data[e] >= xv) : !(data[e] <= xv)) {
          [data[e], source[e]] = [xv, xs];
        }
      }
      runMask = f && runMask ? Private.or(runMask, f) : null;
    }
    const batch = inputs[0].shape[0];
    const steps = inputs[0].shape[1];
    return {
      output: { shape: inputs[0].shape, data },
      mask: runMask ? { batch, steps, data: runMask } : null,
      backward(d) {
        const grads = inputs.map(x => new Float32Array(x.data.length));
        for (let e = 0; e < size; e++) {
          grads[source[e]][e] += d[e];
        }
        return grads.map((g, i) => ({ shape: inputs[i].shape, data: g }));
      }
    };
  }

  export function or(a: Uint8Array, b: Uint8Array): Uint8Array {
    return Uint8Array.from(a, (v, i) => v | b[i]);
  }
}
