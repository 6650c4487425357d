/**
 * LSTM with Keras semantics: gate order i, f, c, o.
 */
import { scalar } from './activations';
import { IBuildContext, ILayerSpec, IWeight } from './base';
import { cellSetup, ICell, recurrentLayer } from './recurrent';

export const createLstm = recurrentLayer(createLstmCell);

export function createLstmCell(
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
    4
  );
  const g = 4 * units;
  const recAct = scalar(
    spec,
    spec.config.recurrent_activation ?? 'sigmoid',
    context.kerasMajor
  );
  const kernels = context.kernels;
  const inputMatrix = kernels.matrix(kernel, inputDim, g);
  const recurrentMatrix = kernels.matrix(recurrent, units, g);
  const np = recurrentMatrix.np;
  return {
    units,
    stateCount: 2,
    inputMatrix,
    inputBias: bias,
    scratchSizes: batch => [batch * np],
    step(state, next, scratch, batch, xProj, rows) {
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
          const i = recAct(xProj[x + k] + inner[r0 + k]);
          const f = recAct(xProj[x + units + k] + inner[r0 + units + k]);
          const cc = act(xProj[x + 2 * units + k] + inner[r0 + 2 * units + k]);
          const o = recAct(
            xProj[x + 3 * units + k] + inner[r0 + 3 * units + k]
          );
          const cell = f * c[h0 + k] + i * cc;
          cNew[h0 + k] = cell;
          hNew[h0 + k] = o * act(cell);
        }
      }
    }
  };
}
