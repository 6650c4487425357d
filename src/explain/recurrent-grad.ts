/**
 * GRU, LSTM and SimpleRNN with their standard activations (sigmoid gates,
 * tanh cell) run forward natively while keeping what the backward pass
 * needs, and a hand-written backward pass through time that returns the
 * gradient with respect to the layer's input.
 *
 * Why: unrolled in TensorFlow.js ops, a GRU over 250 steps is about 4,000
 * small CPU-backend kernels forward and twice that backward, and integrated
 * gradients took seconds per text. Here every step is one batched matrix
 * product on the engine's WebAssembly SIMD gemm plus one tight elementwise
 * loop, in both directions. The pure TensorFlow.js recurrence stays the
 * independent reference the tests compare against.
 *
 * Layouts: x is [batch, steps, features]; outputs are in processing order
 * (reversed in time for go_backwards, as Keras returns them); masks are
 * float 1/0 [batch, steps]. Masked steps carry the state over, and with
 * `zeroOutputForMask` output zeros.
 */
import { IWeightMatrix, Kernels } from '../model/layers/kernels';
import { columns } from '../model/layers/recurrent-cell';
import { transpose } from './tfjs-matmul';

export type RecurrentKind = 'GRU' | 'LSTM' | 'SimpleRNN';

/** A recurrent layer's config and weights in Keras layouts. */
export interface IRecurrentSpec {
  /** The layer's name (reported to the user). */
  name: string;
  kind: RecurrentKind;
  units: number;
  inputDim: number;
  /** `[inputDim, gates * units]`. */
  kernel: Float32Array;
  /** `[units, gates * units]`. */
  recurrent: Float32Array;
  /** `[gates * units]`, or `[2, 3 * units]` for a GRU with reset_after; null without bias. */
  bias: Float32Array | null;
  /** GRU only: reset gate applied after the recurrent product (TF2 / Keras 3 default). */
  resetAfter: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  zeroOutputForMask: boolean;
}

/** What the forward pass kept for the backward pass. */
export interface IRecurrentTape {
  readonly batch: number;
  readonly steps: number;
  /** Per processing step s: [s][batch * units] arrays, by name. */
  readonly saved: { [name: string]: Float32Array[] };
  /** Mask per processing step (null: every step counts). */
  readonly mask: Float32Array | null;
}

export interface IRecurrentResult {
  /** `[batch, steps, units]` (return_sequences) or `[batch, units]`. */
  output: Float32Array;
  tape: IRecurrentTape;
}

/** Gate counts per kind (Keras column order: GRU z r h, LSTM i f c o). */
const GATES: { [kind in RecurrentKind]: number } = {
  GRU: 3,
  LSTM: 4,
  SimpleRNN: 1
};

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export class NativeRecurrent {
  constructor(readonly spec: IRecurrentSpec) {
    const { kind, units, inputDim, kernel, recurrent, bias } = spec;
    const g = GATES[kind] * units;
    this._g = g;
    this._kernels = new Kernels();
    const k = this._kernels;
    this._input = k.matrix(kernel, inputDim, g);
    this._inputT = k.matrix(transpose(kernel, inputDim, g), g, inputDim);
    this._inputBias = bias ? bias.subarray(0, g) : null;
    if (kind === 'GRU' && !spec.resetAfter) {
      const zr = columns(recurrent, units, g, 0, 2 * units);
      const h = columns(recurrent, units, g, 2 * units, g);
      this._recurrent = k.matrix(zr, units, 2 * units);
      this._recurrentT = k.matrix(
        transpose(zr, units, 2 * units),
        2 * units,
        units
      );
      this._candidate = k.matrix(h, units, units);
      this._candidateT = k.matrix(transpose(h, units, units), units, units);
    } else {
      this._recurrent = k.matrix(recurrent, units, g);
      this._recurrentT = k.matrix(transpose(recurrent, units, g), g, units);
    }
    this._recurrentBias =
      kind === 'GRU' && spec.resetAfter && bias
        ? bias.subarray(g, 2 * g)
        : null;
  }

  /** The forward pass, keeping the tape for `backward`. */
  forward(
    x: Float32Array,
    batch: number,
    steps: number,
    mask: Float32Array | null
  ): IRecurrentResult {
    const { units, kind, returnSequences, goBackwards, zeroOutputForMask } =
      this.spec;
    const k = this._kernels;
    const n = batch * units;
    // Input projection of every step at once: [batch * steps, np].
    const np = this._input.np;
    const xp = new Float32Array(batch * steps * np);
    if (this._inputBias) {
      for (let row = 0; row < batch * steps; row++) {
        xp.set(this._inputBias, row * np);
      }
    }
    k.gemm(x, batch * steps, this._input, xp);

    const names =
      kind === 'GRU'
        ? ['h', 'z', 'r', 'hh', 'inner']
        : kind === 'LSTM'
          ? ['c', 'i', 'f', 'g', 'o', 'tc']
          : ['hn'];
    const saved: { [name: string]: Float32Array[] } = {};
    names.forEach(name => (saved[name] = []));
    const stepMask = mask ? new Float32Array(steps * batch) : null;

    let h = new Float32Array(n);
    let c = kind === 'LSTM' ? new Float32Array(n) : null;
    const out = new Float32Array(returnSequences ? batch * steps * units : n);
    const rnp = this._recurrent.np;
    const inner = new Float32Array(batch * rnp);
    const resetH = kind === 'GRU' && !this.spec.resetAfter;
    const cnp = resetH ? this._candidate!.np : 0;
    const innerH = resetH ? new Float32Array(batch * cnp) : null;
    const rh = resetH ? new Float32Array(n) : null;

    for (let s = 0; s < steps; s++) {
      const t = goBackwards ? steps - 1 - s : s;
      inner.fill(0);
      if (this._recurrentBias) {
        for (let b = 0; b < batch; b++) {
          inner.set(this._recurrentBias, b * rnp);
        }
      }
      k.gemm(h, batch, this._recurrent, inner);
      const hNext = new Float32Array(n);
      const cNext = c ? new Float32Array(n) : null;
      if (stepMask) {
        for (let b = 0; b < batch; b++) {
          stepMask[s * batch + b] = mask![b * steps + t];
        }
      }
      if (kind === 'GRU') {
        const z = new Float32Array(n);
        const r = new Float32Array(n);
        const hh = new Float32Array(n);
        const ih = new Float32Array(n);
        for (let b = 0; b < batch; b++) {
          const xo = (b * steps + t) * np;
          const io = b * rnp;
          for (let j = 0; j < units; j++) {
            const at = b * units + j;
            z[at] = sigmoid(xp[xo + j] + inner[io + j]);
            r[at] = sigmoid(xp[xo + units + j] + inner[io + units + j]);
          }
        }
        if (resetH) {
          for (let i = 0; i < n; i++) {
            rh![i] = r[i] * h[i];
          }
          innerH!.fill(0);
          k.gemm(rh!, batch, this._candidate!, innerH!);
        }
        for (let b = 0; b < batch; b++) {
          const xo = (b * steps + t) * np;
          const io = b * rnp;
          for (let j = 0; j < units; j++) {
            const at = b * units + j;
            // reset_after: r scales the recurrent candidate (bias included).
            const cand = resetH
              ? innerH![b * cnp + j]
              : inner[io + 2 * units + j];
            ih[at] = cand;
            const v = Math.tanh(
              xp[xo + 2 * units + j] + (resetH ? cand : r[at] * cand)
            );
            hh[at] = v;
            hNext[at] = z[at] * h[at] + (1 - z[at]) * v;
          }
        }
        saved.h.push(h);
        saved.z.push(z);
        saved.r.push(r);
        saved.hh.push(hh);
        saved.inner.push(ih);
      } else if (kind === 'LSTM') {
        const gi = new Float32Array(n);
        const gf = new Float32Array(n);
        const gg = new Float32Array(n);
        const go = new Float32Array(n);
        const tc = new Float32Array(n);
        for (let b = 0; b < batch; b++) {
          const xo = (b * steps + t) * np;
          const io = b * rnp;
          for (let j = 0; j < units; j++) {
            const at = b * units + j;
            const i = sigmoid(xp[xo + j] + inner[io + j]);
            const f = sigmoid(xp[xo + units + j] + inner[io + units + j]);
            const cc = Math.tanh(
              xp[xo + 2 * units + j] + inner[io + 2 * units + j]
            );
            const o = sigmoid(
              xp[xo + 3 * units + j] + inner[io + 3 * units + j]
            );
            const cn = f * c![at] + i * cc;
            const tanhC = Math.tanh(cn);
            gi[at] = i;
            gf[at] = f;
            gg[at] = cc;
            go[at] = o;
            tc[at] = tanhC;
            cNext![at] = cn;
            hNext[at] = o * tanhC;
          }
        }
        saved.c.push(c!);
        saved.i.push(gi);
        saved.f.push(gf);
        saved.g.push(gg);
        saved.o.push(go);
        saved.tc.push(tc);
      } else {
        for (let b = 0; b < batch; b++) {
          const xo = (b * steps + t) * np;
          const io = b * rnp;
          for (let j = 0; j < units; j++) {
            hNext[b * units + j] = Math.tanh(xp[xo + j] + inner[io + j]);
          }
        }
        saved.hn.push(hNext);
      }
      if (stepMask) {
        // Masked steps keep the previous state.
        for (let b = 0; b < batch; b++) {
          if (!stepMask[s * batch + b]) {
            hNext.set(h.subarray(b * units, (b + 1) * units), b * units);
            cNext?.set(c!.subarray(b * units, (b + 1) * units), b * units);
          }
        }
      }
      h = hNext;
      c = cNext;
      if (returnSequences) {
        for (let b = 0; b < batch; b++) {
          if (zeroOutputForMask && stepMask && !stepMask[s * batch + b]) {
            continue;
          }
          out.set(
            h.subarray(b * units, (b + 1) * units),
            (b * steps + s) * units
          );
        }
      }
    }
    if (!returnSequences) {
      out.set(h);
    }
    return { output: out, tape: { batch, steps, saved, mask: stepMask } };
  }

  /**
   * The gradient with respect to x ([batch, steps, inputDim]) given the
   * gradient of the output (same layout as `forward`'s output).
   */
  backward(tape: IRecurrentTape, dy: Float32Array): Float32Array {
    const { units, kind, inputDim, returnSequences, goBackwards } = this.spec;
    const { batch, steps, saved, mask } = tape;
    const zeroOut = this.spec.zeroOutputForMask;
    const g = this._g;
    const k = this._kernels;
    const n = batch * units;
    const unp = this._recurrentT.np;
    // Gradients of the projected inputs, [batch * steps, g] (time order).
    const dxp = new Float32Array(batch * steps * g);
    let dh = new Float32Array(n);
    const dc = kind === 'LSTM' ? new Float32Array(n) : null;
    if (!returnSequences) {
      dh.set(dy.subarray(0, n));
    }
    const dInner = new Float32Array(batch * g);
    const dPrev = new Float32Array(batch * unp);
    const resetH = kind === 'GRU' && !this.spec.resetAfter;
    const dA = resetH ? new Float32Array(n) : null;
    const dRh = resetH ? new Float32Array(batch * this._candidateT!.np) : null;
    const dZr = resetH ? new Float32Array(batch * 2 * units) : null;

    for (let s = steps - 1; s >= 0; s--) {
      const t = goBackwards ? steps - 1 - s : s;
      if (returnSequences) {
        for (let b = 0; b < batch; b++) {
          const m = !mask || mask[s * batch + b];
          if (zeroOut && !m) {
            continue;
          }
          const o = (b * steps + s) * units;
          for (let j = 0; j < units; j++) {
            dh[b * units + j] += dy[o + j];
          }
        }
      }
      dInner.fill(0);
      dPrev.fill(0);
      dA?.fill(0);
      const live = (b: number) => !mask || mask[s * batch + b] !== 0;
      if (kind === 'GRU') {
        const h = saved.h[s];
        const z = saved.z[s];
        const r = saved.r[s];
        const hh = saved.hh[s];
        const ih = saved.inner[s];
        for (let b = 0; b < batch; b++) {
          const row = (b * steps + t) * g;
          const on = live(b);
          for (let j = 0; j < units; j++) {
            const at = b * units + j;
            const d = dh[at];
            if (!on) {
              // A masked step passes the state (and its gradient) through.
              dPrev[b * unp + j] = d;
              continue;
            }
            const dz = d * (h[at] - hh[at]);
            const da = d * (1 - z[at]) * (1 - hh[at] * hh[at]);
            const daz = dz * z[at] * (1 - z[at]);
            dPrev[b * unp + j] = d * z[at];
            dxp[row + j] = daz;
            dxp[row + 2 * units + j] = da;
            if (resetH) {
              dA![at] = da;
            } else {
              const dr = da * ih[at];
              const dar = dr * r[at] * (1 - r[at]);
              dxp[row + units + j] = dar;
              dInner[b * g + j] = daz;
              dInner[b * g + units + j] = dar;
              dInner[b * g + 2 * units + j] = da * r[at];
            }
          }
        }
        if (resetH) {
          // hh = tanh(x_h + (r * h) . U_h): back through U_h first.
          dRh!.fill(0);
          k.gemm(dA!, batch, this._candidateT!, dRh!);
          const rnp = this._candidateT!.np;
          dZr!.fill(0);
          for (let b = 0; b < batch; b++) {
            if (!live(b)) {
              continue;
            }
            const row = (b * steps + t) * g;
            for (let j = 0; j < units; j++) {
              const at = b * units + j;
              const drh = dRh![b * rnp + j];
              const dar = drh * h[at] * r[at] * (1 - r[at]);
              dPrev[b * unp + j] += drh * r[at];
              dxp[row + units + j] = dar;
              dZr![b * 2 * units + j] = dxp[row + j];
              dZr![b * 2 * units + units + j] = dar;
            }
          }
          k.gemm(dZr!, batch, this._recurrentT, dPrev);
        } else {
          k.gemm(dInner, batch, this._recurrentT, dPrev);
        }
      } else if (kind === 'LSTM') {
        const cPrev = saved.c[s];
        const gi = saved.i[s];
        const gf = saved.f[s];
        const gg = saved.g[s];
        const go = saved.o[s];
        const tc = saved.tc[s];
        for (let b = 0; b < batch; b++) {
          const row = (b * steps + t) * g;
          const on = live(b);
          for (let j = 0; j < units; j++) {
            const at = b * units + j;
            const d = dh[at];
            if (!on) {
              dPrev[b * unp + j] = d;
              continue;
            }
            const dct = dc![at] + d * go[at] * (1 - tc[at] * tc[at]);
            const dai = dct * gg[at] * gi[at] * (1 - gi[at]);
            const daf = dct * cPrev[at] * gf[at] * (1 - gf[at]);
            const dag = dct * gi[at] * (1 - gg[at] * gg[at]);
            const dao = d * tc[at] * go[at] * (1 - go[at]);
            dc![at] = dct * gf[at];
            dxp[row + j] = dai;
            dxp[row + units + j] = daf;
            dxp[row + 2 * units + j] = dag;
            dxp[row + 3 * units + j] = dao;
            dInner[b * g + j] = dai;
            dInner[b * g + units + j] = daf;
            dInner[b * g + 2 * units + j] = dag;
            dInner[b * g + 3 * units + j] = dao;
          }
        }
        k.gemm(dInner, batch, this._recurrentT, dPrev);
      } else {
        const hn = saved.hn[s];
        for (let b = 0; b < batch; b++) {
          const row = (b * steps + t) * g;
          const on = live(b);
          for (let j = 0; j < units; j++) {
            const at = b * units + j;
            const d = dh[at];
            if (!on) {
              dPrev[b * unp + j] = d;
              continue;
            }
            const da = d * (1 - hn[at] * hn[at]);
            dxp[row + j] = da;
            dInner[b * g + j] = da;
          }
        }
        k.gemm(dInner, batch, this._recurrentT, dPrev);
      }
      const next = new Float32Array(n);
      for (let b = 0; b < batch; b++) {
        next.set(dPrev.subarray(b * unp, b * unp + units), b * units);
      }
      dh = next;
    }
    // dx = dxp . W^T, [batch * steps, inputDim] (row stride np).
    const inp = this._inputT.np;
    const wide = new Float32Array(batch * steps * inp);
    k.gemm(dxp, batch * steps, this._inputT, wide);
    if (inp === inputDim) {
      return wide;
    }
    const dx = new Float32Array(batch * steps * inputDim);
    for (let row = 0; row < batch * steps; row++) {
      dx.set(wide.subarray(row * inp, row * inp + inputDim), row * inputDim);
    }
    return dx;
  }

  /** Frees the WebAssembly memory of the weights. */
  dispose(): void {
    this._kernels.dispose();
  }

  private readonly _g: number;
  private readonly _kernels: Kernels;
  private readonly _input: IWeightMatrix;
  private readonly _inputT: IWeightMatrix;
  private readonly _inputBias: Float32Array | null;
  private readonly _recurrent: IWeightMatrix;
  private readonly _recurrentT: IWeightMatrix;
  private readonly _recurrentBias: Float32Array | null;
  private readonly _candidate: IWeightMatrix | null = null;
  private readonly _candidateT: IWeightMatrix | null = null;
}
