/**
 * SimpleRNN: h = activation(x . W + b + h . U).
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

export const createSimpleRnn = recurrentLayer(createSimpleRnnCell);

export function createSimpleRnnCell(
  spec: ILayerSpec,
  inputDim: number,
  weights: IWeight[],
  context: IBuildContext
): ICell {
  const units = intConfig(spec, 'units');
  const useBias = spec.config.use_bias !== false;
  const arrays = expectWeights(spec, weights, [
    { name: 'kernel', shape: [inputDim, units] },
    { name: 'recurrent_kernel', shape: [units, units] },
    ...(useBias ? [{ name: 'bias', shape: [units] }] : [])
  ]);
  const act = scalar(
    spec,
    spec.config.activation ?? 'tanh',
    context.kerasMajor
  );
  const kernels = context.kernels;
  const inputMatrix = kernels.matrix(arrays[0], inputDim, units);
  const recurrentMatrix = kernels.matrix(arrays[1], units, units);
  const np = recurrentMatrix.np;
  return {
    units,
    stateCount: 1,
    inputMatrix,
    inputBias: useBias ? arrays[2] : null,
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
