/**
 * GRU with Keras semantics: gate order z, r, h; `reset_after` false
 * (Keras 2 default, reset applied before the recurrent multiply) and true
 * (TF2 / Keras 3 default, separate input and recurrent biases). Each step's
 * maths is written once, with the tape its backward pass reads.
 *
 * Tape of a row (slots of `units` floats): h (the previous state), z, r,
 * hh (the candidate), for reset_after ih (the recurrent candidate
 * `h . U_h + b_h`), then the pre-activations az, ar, ah when a derivative
 * reads its input.
 */
import { activationName } from './activations';
import { IBuildContext, ILayerSpec, IWeight } from './base';
import { IWeightMatrix } from './kernels';
import { recurrentLayer } from './recurrent';
import { lazy } from './vjp';
import {
  addRows,
  cellActivation,
  cellSetup,
  columns,
  ICell,
  ICellActivation,
  ICellBackward
} from './recurrent-cell';

export const createGru = recurrentLayer(createGruCell);

export function createGruCell(
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
): ICell {
  // Keras 2.0-2.2 had no reset_after (implicitly false).
  const resetAfter = spec.config.reset_after === true;
  // With reset_after the bias has separate input and recurrent rows.
  const setup = cellSetup(
    spec,
    inputDim,
    weights,
    context,
    3,
    resetAfter ? 2 : 1
  );
  const recAct = cellActivation(
    spec,
    spec.config.recurrent_activation ??
      (context.kerasMajor >= 2 ? 'sigmoid' : 'hard_sigmoid'),
    context.kerasMajor
  );
  const g = 3 * setup.units;
  const inputMatrix = context.kernels.matrix(setup.kernel, inputDim, g);
  const inputBias = setup.bias ? setup.bias.subarray(0, g) : null;
  const parts = {
    ...setup,
    inputDim,
    recAct,
    inputMatrix,
    inputBias,
    context
  };
  return resetAfter
    ? Private.resetAfterCell(spec, parts)
    : Private.resetBeforeCell(parts);
}

namespace Private {
  export interface IParts {
    units: number;
    inputDim: number;
    kernel: Float32Array;
    recurrent: Float32Array;
    bias: Float32Array | null;
    act: ICellActivation;
    recAct: ICellActivation;
    inputMatrix: IWeightMatrix;
    inputBias: Float32Array | null;
    context: IBuildContext;
  }

  /** Floats per tape row: `slots` slots, plus az, ar, ah when a derivative reads x. */
  export function tapeLayout(
    parts: IParts,
    slots: number
  ): { pre: boolean; width: number; preAt: number } {
    const pre = parts.act.usesInput || parts.recAct.usesInput;
    return {
      pre,
      width: (slots + (pre ? 3 : 0)) * parts.units,
      preAt: slots * parts.units
    };
  }

  export function resetAfterCell(spec: ILayerSpec, parts: IParts): ICell {
    const { units, recurrent, bias, inputMatrix, inputBias } = parts;
    const kernels = parts.context.kernels;
    const g = 3 * units;
    const recurrentMatrix = kernels.matrix(recurrent, units, g);
    const recurrentBias = kernels.startRow(
      bias ? bias.subarray(g, 2 * g) : new Float32Array(g),
      recurrentMatrix
    );
    const np = recurrentMatrix.np;
    const { pre, width, preAt } = tapeLayout(parts, 5);
    const gates: IResetAfterGates = {
      units,
      np,
      width,
      pre,
      preAt,
      act: parts.act.f,
      recAct: parts.recAct.f
    };
    // The standard activations have a WebAssembly SIMD gate kernel.
    const fused =
      activationName(spec.config.activation ?? 'tanh') === 'tanh' &&
      activationName(spec.config.recurrent_activation ?? 'sigmoid') ===
        'sigmoid';
    return {
      units,
      stateCount: 1,
      inputMatrix,
      inputBias,
      tapeWidth: width,
      // Recurrent projections; the SIMD gates' row offsets and tape rows.
      scratchSizes: (batch, taped) => [
        batch * np,
        ...(fused ? [batch, taped ? batch * width : 0] : [])
      ],
      step(state, next, scratch, batch, xProj, rows, tape) {
        const h = state[0];
        const hNew = next[0];
        const inner = scratch[0];
        kernels.gemm(h, batch, recurrentMatrix, inner, recurrentBias);
        let done = 0;
        if (fused) {
          const tapeRows = tape ? scratch[2] : null;
          done = kernels.gruGateRows(
            xProj,
            rows,
            inner,
            np,
            h,
            hNew,
            batch,
            units,
            scratch[1],
            tapeRows,
            width
          );
          if (tape && tapeRows && done > 0) {
            tape.set(tapeRows.subarray(0, batch * width));
          }
        }
        resetAfterGates(gates, xProj, rows, inner, h, hNew, batch, done, tape);
      },
      backward: lazy(() =>
        resetAfterBackward(parts, { width, pre, preAt }, fused)
      )
    };
  }

  /** What the scalar gate maths of a reset_after step reads, fixed per cell. */
  export interface IResetAfterGates {
    units: number;
    /** Row stride of the recurrent projection `inner`. */
    np: number;
    /** Tape row layout (see `tapeLayout`). */
    width: number;
    pre: boolean;
    preAt: number;
    act: (x: number) => number;
    recAct: (x: number) => number;
  }

  /**
   * One reset_after step's gate maths for units `done..units` of each row
   * (the SIMD gate kernel did those before), writing the new state and,
   * with `tape`, the tape.
   */
  export function resetAfterGates(
    gates: IResetAfterGates,
    xProj: Float32Array,
    rows: Int32Array,
    inner: Float32Array,
    h: Float32Array,
    hNew: Float32Array,
    batch: number,
    done: number,
    tape: Float32Array | undefined
  ): void {
    const { units, np, width, pre, preAt, act, recAct } = gates;
    for (let b = 0; b < batch; b++) {
      const x = rows[b];
      const r0 = b * np;
      const h0 = b * units;
      for (let k = done; k < units; k++) {
        const az = xProj[x + k] + inner[r0 + k];
        const z = recAct(az);
        const ar = xProj[x + units + k] + inner[r0 + units + k];
        const r = recAct(ar);
        const ih = inner[r0 + 2 * units + k];
        const ah = xProj[x + 2 * units + k] + r * ih;
        const hh = act(ah);
        hNew[h0 + k] = z * h[h0 + k] + (1 - z) * hh;
        if (tape) {
          const at = b * width + k;
          tape[at] = h[h0 + k];
          tape[at + units] = z;
          tape[at + 2 * units] = r;
          tape[at + 3 * units] = hh;
          tape[at + 4 * units] = ih;
          if (pre) {
            tape[at + preAt] = az;
            tape[at + preAt + units] = ar;
            tape[at + preAt + 2 * units] = ah;
          }
        }
      }
    }
  }

  /** What the scalar backward gate maths of a reset_after step reads, fixed per cell. */
  export interface IResetAfterBackGates {
    units: number;
    width: number;
    pre: boolean;
    preAt: number;
    actD: (x: number, y: number) => number;
    recD: (x: number, y: number) => number;
  }

  /**
   * One reset_after backward step's gate maths for units `done..units` of
   * each row (the SIMD kernel did those before): dA, dInner (the gradient
   * of the recurrent projection) and dhPrev's direct part `d * z`.
   */
  export function resetAfterBackGates(
    gates: IResetAfterBackGates,
    out: { dh: Float32Array; dA: Float32Array; dInner: Float32Array },
    dhPrev: Float32Array,
    batch: number,
    done: number,
    tape: Float32Array
  ): void {
    const { units, width, pre, preAt, actD, recD } = gates;
    const { dh, dA, dInner } = out;
    const g = 3 * units;
    for (let b = 0; b < batch; b++) {
      for (let k = done; k < units; k++) {
        const at = b * width + k;
        const d = dh[b * units + k];
        const z = tape[at + units];
        const r = tape[at + 2 * units];
        const hh = tape[at + 3 * units];
        const ih = tape[at + 4 * units];
        const az = pre ? tape[at + preAt] : NaN;
        const ar = pre ? tape[at + preAt + units] : NaN;
        const ah = pre ? tape[at + preAt + 2 * units] : NaN;
        // h' = z h + (1 - z) hh, hh = act(x_h + r * ih).
        const daz = d * (tape[at] - hh) * recD(az, z);
        const dah = d * (1 - z) * actD(ah, hh);
        const dar = dah * ih * recD(ar, r);
        const a0 = b * g + k;
        dA[a0] = daz;
        dA[a0 + units] = dar;
        dA[a0 + 2 * units] = dah;
        dInner[a0] = daz;
        dInner[a0 + units] = dar;
        dInner[a0 + 2 * units] = dah * r;
        dhPrev[b * units + k] = d * z;
      }
    }
  }

  /** `fused`: sigmoid / tanh, whose gate maths has a SIMD kernel. */
  export function resetAfterBackward(
    parts: IParts,
    layout: { width: number; pre: boolean; preAt: number },
    fused: boolean
  ): ICellBackward {
    const { units, recurrent } = parts;
    const { width } = layout;
    const kernels = parts.context.kernels;
    const g = 3 * units;
    const recurrentT = kernels.transposedMatrix(recurrent, units, g);
    const npU = recurrentT.np;
    const gates: IResetAfterBackGates = {
      units,
      ...layout,
      actD: parts.act.d,
      recD: parts.recAct.d
    };
    return {
      inputT: kernels.transposedMatrix(parts.kernel, parts.inputDim, g),
      // dInner, dRec; the SIMD kernel's copy of the tape.
      scratchSizes: batch => [
        batch * g,
        batch * npU,
        ...(fused ? [batch * width] : [])
      ],
      step(dNext, dPrev, dA, scratch, batch, tape) {
        const dh = dNext[0];
        const dhPrev = dPrev[0];
        const [dInner, dRec] = scratch;
        let done = 0;
        if (fused) {
          // The tapes are kept outside the workspace: the kernel reads a copy.
          const rows = scratch[2].subarray(0, batch * width);
          rows.set(tape.subarray(0, batch * width));
          const operands = { dh, tape: rows, dA, dInner, dhPrev };
          done = kernels.gruBackRows(operands, batch, units, width);
        }
        if (done < units) {
          resetAfterBackGates(
            gates,
            { dh, dA, dInner },
            dhPrev,
            batch,
            done,
            tape
          );
        }
        dRec.fill(0);
        kernels.gemm(dInner, batch, recurrentT, dRec);
        addRows(dhPrev, dRec, batch, units, npU);
      }
    };
  }

  export function resetBeforeCell(parts: IParts): ICell {
    const { units, recurrent, inputMatrix, inputBias } = parts;
    const kernels = parts.context.kernels;
    const g = 3 * units;
    const zrMatrix: IWeightMatrix = kernels.matrix(
      columns(recurrent, units, g, 0, 2 * units),
      units,
      2 * units
    );
    const hMatrix: IWeightMatrix = kernels.matrix(
      columns(recurrent, units, g, 2 * units, g),
      units,
      units
    );
    const npZr = zrMatrix.np;
    const npH = hMatrix.np;
    const act = parts.act.f;
    const recAct = parts.recAct.f;
    const { pre, width, preAt } = tapeLayout(parts, 4);
    return {
      units,
      stateCount: 1,
      inputMatrix,
      inputBias,
      tapeWidth: width,
      scratchSizes: batch => [batch * npZr, batch * units, batch * npH],
      step(state, next, scratch, batch, xProj, rows, tape) {
        const h = state[0];
        const hNew = next[0];
        const [innerZr, resetH, innerH] = scratch;
        innerZr.fill(0);
        innerH.fill(0);
        kernels.gemm(h, batch, zrMatrix, innerZr);
        for (let b = 0; b < batch; b++) {
          const x = rows[b];
          const r0 = b * npZr;
          const h0 = b * units;
          for (let k = 0; k < units; k++) {
            const ar = xProj[x + units + k] + innerZr[r0 + units + k];
            const r = recAct(ar);
            resetH[h0 + k] = r * h[h0 + k];
            if (tape) {
              const at = b * width + k;
              tape[at + 2 * units] = r;
              if (pre) {
                tape[at + preAt + units] = ar;
              }
            }
          }
        }
        kernels.gemm(resetH, batch, hMatrix, innerH);
        for (let b = 0; b < batch; b++) {
          const x = rows[b];
          const r0 = b * npZr;
          const i0 = b * npH;
          const h0 = b * units;
          for (let k = 0; k < units; k++) {
            const az = xProj[x + k] + innerZr[r0 + k];
            const z = recAct(az);
            const ah = xProj[x + 2 * units + k] + innerH[i0 + k];
            const hh = act(ah);
            hNew[h0 + k] = z * h[h0 + k] + (1 - z) * hh;
            if (tape) {
              const at = b * width + k;
              tape[at] = h[h0 + k];
              tape[at + units] = z;
              tape[at + 3 * units] = hh;
              if (pre) {
                tape[at + preAt] = az;
                tape[at + preAt + 2 * units] = ah;
              }
            }
          }
        }
      },
      backward: lazy(() => resetBeforeBackward(parts, width, pre, preAt))
    };
  }

  export function resetBeforeBackward(
    parts: IParts,
    width: number,
    pre: boolean,
    preAt: number
  ): ICellBackward {
    const { units, recurrent } = parts;
    const kernels = parts.context.kernels;
    const g = 3 * units;
    const zrT = kernels.transposedMatrix(
      columns(recurrent, units, g, 0, 2 * units),
      units,
      2 * units
    );
    const hT = kernels.transposedMatrix(
      columns(recurrent, units, g, 2 * units, g),
      units,
      units
    );
    const npZr = zrT.np;
    const npH = hT.np;
    const actD = parts.act.d;
    const recD = parts.recAct.d;
    return {
      inputT: kernels.transposedMatrix(parts.kernel, parts.inputDim, g),
      scratchSizes: batch => [
        batch * units,
        batch * npH,
        batch * 2 * units,
        batch * npZr
      ],
      step(dNext, dPrev, dA, scratch, batch, tape) {
        const dh = dNext[0];
        const dhPrev = dPrev[0];
        const [dAh, dRh, dZr, dRec] = scratch;
        // h' = z h + (1 - z) hh, hh = act(x_h + (r h) . U_h).
        for (let b = 0; b < batch; b++) {
          for (let k = 0; k < units; k++) {
            const at = b * width + k;
            const d = dh[b * units + k];
            const z = tape[at + units];
            const hh = tape[at + 3 * units];
            const az = pre ? tape[at + preAt] : NaN;
            const ah = pre ? tape[at + preAt + 2 * units] : NaN;
            const daz = d * (tape[at] - hh) * recD(az, z);
            const dah = d * (1 - z) * actD(ah, hh);
            dA[b * g + k] = daz;
            dA[b * g + 2 * units + k] = dah;
            dAh[b * units + k] = dah;
            dZr[b * 2 * units + k] = daz;
            dhPrev[b * units + k] = d * z;
          }
        }
        dRh.fill(0);
        kernels.gemm(dAh, batch, hT, dRh);
        for (let b = 0; b < batch; b++) {
          for (let k = 0; k < units; k++) {
            const at = b * width + k;
            const r = tape[at + 2 * units];
            const ar = pre ? tape[at + preAt + units] : NaN;
            const drh = dRh[b * npH + k];
            const dar = drh * tape[at] * recD(ar, r);
            dA[b * g + units + k] = dar;
            dZr[b * 2 * units + units + k] = dar;
            dhPrev[b * units + k] += drh * r;
          }
        }
        dRec.fill(0);
        kernels.gemm(dZr, batch, zrT, dRec);
        addRows(dhPrev, dRec, batch, units, npZr);
      }
    };
  }
}
