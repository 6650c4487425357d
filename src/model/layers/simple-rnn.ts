/**
 * SimpleRNN: h = activation(x . W + b + h . U). Tape of a row: the new
 * state, then the pre-activation when the derivative reads its input.
 */
import { IBuildContext, ILayerSpec, IWeight } from './base';
import { recurrentLayer } from './recurrent';
import { lazy } from './vjp';
import { addRows, cellSetup, ICell } from './recurrent-cell';

export const createSimpleRnn = recurrentLayer(createSimpleRnnCell);

export function createSimpleRnnCell(
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
): ICell {
  const setup = cellSetup(spec, inputDim, weights, context, 1);
  const { units, kernel, recurrent, bias } = setup;
  const act = setup.act.f;
  const pre = setup.act.usesInput;
  const width = (pre ? 2 : 1) * units;
  const kernels = context.kernels;
  const inputMatrix = kernels.matrix(kernel, inputDim, units);
  const recurrentMatrix = kernels.matrix(recurrent, units, units);
  const np = recurrentMatrix.np;
  return {
    units,
    stateCount: 1,
    inputMatrix,
    inputBias: bias,
    tapeWidth: width,
    scratchSizes: batch => [batch * np],
    step(state, next, scratch, batch, xProj, rows, tape) {
      const h = state[0];
      const hNew = next[0];
      const inner = scratch[0];
      inner.fill(0);
      kernels.gemm(h, batch, recurrentMatrix, inner);
      for (let b = 0; b < batch; b++) {
        const x = rows[b];
        const r0 = b * np;
        const h0 = b * units;
        for (let k = 0; k < units; k++) {
          const a = xProj[x + k] + inner[r0 + k];
          hNew[h0 + k] = act(a);
          if (tape) {
            tape[b * width + k] = hNew[h0 + k];
            if (pre) {
              tape[b * width + units + k] = a;
            }
          }
        }
      }
    },
    backward: lazy(() => {
      const recurrentT = kernels.transposedMatrix(recurrent, units, units);
      const npU = recurrentT.np;
      const actD = setup.act.d;
      return {
        inputT: kernels.transposedMatrix(kernel, inputDim, units),
        scratchSizes: batch => [batch * npU],
        step(dNext, dPrev, dA, scratch, batch, tape) {
          const dh = dNext[0];
          const dRec = scratch[0];
          for (let b = 0; b < batch; b++) {
            for (let k = 0; k < units; k++) {
              const at = b * width + k;
              const a = pre ? tape[at + units] : NaN;
              dA[b * units + k] = dh[b * units + k] * actD(a, tape[at]);
            }
          }
          dPrev[0].fill(0, 0, batch * units);
          dRec.fill(0);
          kernels.gemm(dA, batch, recurrentT, dRec);
          addRows(dPrev[0], dRec, batch, units, npU);
        }
      };
    })
  };
}
