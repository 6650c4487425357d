/**
 * Vocabulary tables: a layer whose input is an Embedding output (`ITensor.
 * gather`) multiplies table rows, so the products can be made once per id
 * instead of once per step.
 *
 * - Recurrent layers (`recurrent-tables.ts`): P[id] = E[id] . W + b, the
 *   same products as computing every step, bit for bit. On the gradient
 *   methods' points alpha * E, a step's projection is b + alpha * (E[id] .
 *   W) (`scaledProjection`) instead of b + (alpha * E[id]) . W.
 * - Conv1D (`ConvTaps`): P_k[id] = E[id] . W_k for each tap k of the
 *   kernel; an output step is b + sum_k P_k[id at tap k] (times alpha on
 *   the gradient methods' points): the first convolution of a char-CNN
 *   becomes gathers and adds.
 *
 * Where the order of the float32 sums changes (the scaled rows, the
 * convolution's taps summed apart), results differ from the unfolded
 * products in the last bits. Stated tolerance, tested on every real-Keras
 * fixture (`test/model/vocabulary-tables.spec.ts`): predictions within
 * 1e-6 of the unfolded path, occlusion, gradient x input and integrated
 * gradients within 1e-5 of max |value| (occlusion plus 1e-7: a drop is the
 * difference of two predictions); predictions still within 1e-5 of Keras.
 */
import { IGather } from './base';

/** Most floats a folded table may hold (larger vocabularies are not folded). */
export const MAX_TABLE_FLOATS = 1 << 22;

/**
 * One step's input projection row on a point alpha * E: `out[at..at+n)`
 * = bias + alpha * unbiased[id], rounded once per operation.
 */
export function scaledProjection(
  out: Float32Array,
  at: number,
  unbiased: Float32Array,
  from: number,
  alpha: number,
  bias: Float32Array | null,
  n: number
): void {
  // out[at + g] = fround(bias[g] + fround(alpha * unbiased[from + g])), in
  // one pass: the sum of two floats in double precision, rounded once to
  // float, is their float sum (double has more than 2 x 24 + 2 bits).
  if (!bias) {
    for (let g = 0; g < n; g++) {
      out[at + g] = alpha * unbiased[from + g];
    }
    return;
  }
  for (let g = 0; g < n; g++) {
    out[at + g] = Math.fround(alpha * unbiased[from + g]) + bias[g];
  }
}

/** The geometry of one Conv1D call (as `conv1d.ts` computes it). */
export interface IConvGeometry {
  length: number;
  channels: number;
  size: number;
  stride: number;
  dilation: number;
  outLength: number;
  padLeft: number;
}

/** A Conv1D kernel folded with one Embedding table, per tap. */
export class ConvTaps {
  /**
   * `kernel`: `[size, channels, filters]` as Keras stores it; `table`:
   * `[vocabulary, channels]`. Products summed in double precision.
   */
  constructor(
    readonly table: Float32Array,
    kernel: Float32Array,
    readonly size: number,
    readonly channels: number,
    readonly filters: number
  ) {
    const vocabulary = table.length / channels;
    this.vocabulary = vocabulary;
    this._taps = new Float32Array(size * vocabulary * filters);
    const sums = new Float64Array(filters);
    for (let k = 0; k < size; k++) {
      for (let id = 0; id < vocabulary; id++) {
        sums.fill(0);
        for (let c = 0; c < channels; c++) {
          const e = table[id * channels + c];
          const w = (k * channels + c) * filters;
          for (let f = 0; f < filters; f++) {
            sums[f] += e * kernel[w + f];
          }
        }
        this._taps.set(sums, (k * vocabulary + id) * filters);
      }
    }
  }

  readonly vocabulary: number;

  /** Whether a table of this vocabulary is worth (and small enough) to fold. */
  static fits(
    vocabulary: number,
    size: number,
    channels: number,
    filters: number
  ): boolean {
    return (
      vocabulary * size * filters <= MAX_TABLE_FLOATS &&
      vocabulary <= 8 * channels * Math.max(1, filters)
    );
  }

  /**
   * The pre-activation output `[batch * outLength, filters]`: per output
   * step, the taps' rows of the ids it reads summed in tap order (taps
   * past the ends read zeros and are skipped), times the row's scale,
   * plus the bias.
   */
  linear(
    gather: IGather,
    batch: number,
    g: IConvGeometry,
    bias: Float32Array | null
  ): Float32Array {
    const { filters, vocabulary } = this;
    const out = new Float32Array(batch * g.outLength * filters);
    const acc = new Float32Array(filters);
    for (let b = 0; b < batch; b++) {
      const scale = gather.scales ? gather.scales[b] : 1;
      for (let o = 0; o < g.outLength; o++) {
        acc.fill(0);
        for (let k = 0; k < this.size; k++) {
          const t = o * g.stride - g.padLeft + k * g.dilation;
          if (t < 0 || t >= g.length) {
            continue;
          }
          const id = gather.indices[b * g.length + t];
          const from = (k * vocabulary + id) * filters;
          for (let f = 0; f < filters; f++) {
            acc[f] += this._taps[from + f];
          }
        }
        const at = (b * g.outLength + o) * filters;
        scaledProjection(out, at, acc, 0, scale, bias, filters);
      }
    }
    return out;
  }

  private _taps: Float32Array;
}
