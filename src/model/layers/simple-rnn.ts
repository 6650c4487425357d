/**
 * SimpleRNN: h = activation(x . W + b + h . U).
 */
import { IBuildContext, ILayerSpec, IWeight } from './base';
import { cellSetup, ICell, recurrentLayer } from './recurrent';

export const createSimpleRnn = recurrentLayer(createSimpleRnnCell);

export function createSimpleRnnCell(
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
): ICell {
  const { units, kernel, recurrent, bias, act } = cellSetup(
    spec,
    inputDim,
    weights,
    context,
    1
  );
  const kernels = context.kernels;
  const inputMatrix = kernels.matrix(kernel, inputDim, units);
  const recurrentMatrix = kernels.matrix(recurrent, units, units);
  const np = recurrentMatrix.np;
  return {
    units,
    stateCount: 1,
    inputMatrix,
    inputBias: bias,
    scratchSizes: batch => [batch * np],
    step(state, next, scratch, batch, xProj, rows) {
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
          hNew[h0 + k] = act(xProj[x + k] + inner[r0 + k]);
        }
      }
    }
  };
}
