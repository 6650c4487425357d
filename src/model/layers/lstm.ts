/**
 * LSTM with Keras semantics: gate order i, f, c, o.
 */
import { scalar } from './activations';
import {
  expectWeights,
  IBuildContext,
  ILayerSpec,
  intConfig,
  IWeight
} from './base';
import { ICell, recurrentLayer } from './recurrent';

export const createLstm = recurrentLayer(createLstmCell);

export function createLstmCell(
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
): ICell {
  const units = intConfig(spec, 'units');
  const useBias = spec.config.use_bias !== false;
  const g = 4 * units;
  const arrays = expectWeights(spec, weights, [
    { name: 'kernel', shape: [inputDim, g] },
    { name: 'recurrent_kernel', shape: [units, g] },
    ...(useBias ? [{ name: 'bias', shape: [g] }] : [])
  ]);
  const act = scalar(
    spec,
    spec.config.activation ?? 'tanh',
    context.kerasMajor
  );
  const recAct = scalar(
    spec,
    spec.config.recurrent_activation ?? 'sigmoid',
    context.kerasMajor
  );
  const kernels = context.kernels;
  const inputMatrix = kernels.matrix(arrays[0], inputDim, g);
  const recurrentMatrix = kernels.matrix(arrays[1], units, g);
  const np = recurrentMatrix.np;
  return {
    units,
    stateCount: 2,
    inputMatrix,
    inputBias: useBias ? arrays[2] : null,
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
