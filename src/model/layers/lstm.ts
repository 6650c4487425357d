/**
 * LSTM with Keras semantics: gate order i, f, c, o. Each step's maths is
 * written once, with the tape its backward pass reads.
 *
 * Tape of a row (slots of `units` floats): c (the previous cell state),
 * i, f, cc (the candidate), o, tc = act(c'), then the pre-activations
 * ai, af, ac, ao and c' when a derivative reads its input.
 */
import { IBuildContext, ILayerSpec, IWeight } from './base';
import { recurrentLayer } from './recurrent';
import { lazy } from './vjp';
import {
  addRows,
  cellActivation,
  cellSetup,
  ICell,
  ICellActivation,
  ICellBackward,
  ICellSetup
} from './recurrent-cell';

export const createLstm = recurrentLayer(createLstmCell);

export function createLstmCell(
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
): ICell {
  const setup = cellSetup(spec, inputDim, weights, context, 4);
  const { units, kernel, recurrent, bias } = setup;
  const g = 4 * units;
  const recAct = cellActivation(
    spec,
    spec.config.recurrent_activation ?? 'sigmoid',
    context.kerasMajor
  );
  const act = setup.act.f;
  const sig = recAct.f;
  const kernels = context.kernels;
  const inputMatrix = kernels.matrix(kernel, inputDim, g);
  const recurrentMatrix = kernels.matrix(recurrent, units, g);
  const np = recurrentMatrix.np;
  const pre = setup.act.usesInput || recAct.usesInput;
  const preAt = 6 * units;
  const width = (pre ? 11 : 6) * units;
  return {
    units,
    stateCount: 2,
    inputMatrix,
    inputBias: bias,
    tapeWidth: width,
    scratchSizes: batch => [batch * np],
    step(state, next, scratch, batch, xProj, rows, tape) {
      const [h, c] = state;
      const [hNew, cNew] = next;
      const inner = scratch[0];
      inner.fill(0);
      kernels.gemm(h, batch, recurrentMatrix, inner);
      for (let b = 0; b < batch; b++) {
        const x = rows[b];
        const r0 = b * np;
        const h0 = b * units;
        for (let k = 0; k < units; k++) {
          const ai = xProj[x + k] + inner[r0 + k];
          const i = sig(ai);
          const af = xProj[x + units + k] + inner[r0 + units + k];
          const f = sig(af);
          const ac = xProj[x + 2 * units + k] + inner[r0 + 2 * units + k];
          const cc = act(ac);
          const ao = xProj[x + 3 * units + k] + inner[r0 + 3 * units + k];
          const o = sig(ao);
          const cell = f * c[h0 + k] + i * cc;
          cNew[h0 + k] = cell;
          const tc = act(cell);
          hNew[h0 + k] = o * tc;
          if (tape) {
            const at = b * width + k;
            tape[at] = c[h0 + k];
            tape[at + units] = i;
            tape[at + 2 * units] = f;
            tape[at + 3 * units] = cc;
            tape[at + 4 * units] = o;
            tape[at + 5 * units] = tc;
            if (pre) {
              tape[at + preAt] = ai;
              tape[at + preAt + units] = af;
              tape[at + preAt + 2 * units] = ac;
              tape[at + preAt + 3 * units] = ao;
              tape[at + preAt + 4 * units] = cell;
            }
          }
        }
      }
    },
    backward: lazy(() =>
      lstmBackward(context, setup, recAct, inputDim, { width, pre, preAt })
    )
  };
}

/** The vector-Jacobian product of one LSTM step, from its tape. */
function lstmBackward(
  context: IBuildContext,
  setup: ICellSetup,
  recAct: ICellActivation,
  inputDim: number,
  layout: { width: number; pre: boolean; preAt: number }
): ICellBackward {
  const { units, kernel, recurrent } = setup;
  const { width, pre, preAt } = layout;
  const g = 4 * units;
  const kernels = context.kernels;
  const recurrentT = kernels.transposedMatrix(recurrent, units, g);
  const npU = recurrentT.np;
  const actD = setup.act.d;
  const recD = recAct.d;
  return {
    inputT: kernels.transposedMatrix(kernel, inputDim, g),
    scratchSizes: batch => [batch * npU],
    step(dNext, dPrev, dA, scratch, batch, tape) {
      const [dh, dc] = dNext;
      const [dhPrev, dcPrev] = dPrev;
      const dRec = scratch[0];
      // h' = o act(c'), c' = f c + i cc.
      for (let b = 0; b < batch; b++) {
        for (let k = 0; k < units; k++) {
          const at = b * width + k;
          const s = b * units + k;
          const i = tape[at + units];
          const f = tape[at + 2 * units];
          const cc = tape[at + 3 * units];
          const o = tape[at + 4 * units];
          const tc = tape[at + 5 * units];
          // Pre-activations ai, af, ac, ao, c' (NaN: not kept, not read).
          const p = at + preAt;
          const ai = pre ? tape[p] : NaN;
          const af = pre ? tape[p + units] : NaN;
          const ac = pre ? tape[p + 2 * units] : NaN;
          const ao = pre ? tape[p + 3 * units] : NaN;
          const cell = pre ? tape[p + 4 * units] : NaN;
          const d = dh[s];
          const dcell = dc[s] + d * o * actD(cell, tc);
          const a0 = b * g + k;
          dA[a0] = dcell * cc * recD(ai, i);
          dA[a0 + units] = dcell * tape[at] * recD(af, f);
          dA[a0 + 2 * units] = dcell * i * actD(ac, cc);
          dA[a0 + 3 * units] = d * tc * recD(ao, o);
          dcPrev[s] = dcell * f;
        }
      }
      dhPrev.fill(0, 0, batch * units);
      dRec.fill(0);
      kernels.gemm(dA, batch, recurrentT, dRec);
      addRows(dhPrev, dRec, batch, units, npU);
    }
  };
}
