/**
 * GRU with Keras semantics: gate order z, r, h; `reset_after` false
 * (Keras 2 default, reset applied before the recurrent multiply) and true
 * (TF2 / Keras 3 default, separate input and recurrent biases).
 */
import { activationName, scalar } from './activations';
import { IBuildContext, ILayerSpec, IWeight } from './base';
import { IWeightMatrix } from './kernels';
import { cellSetup, columns, ICell, recurrentLayer } from './recurrent';

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
  const { units, kernel, recurrent, bias, act } = cellSetup(
    spec,
    inputDim,
    weights,
    context,
    3,
    resetAfter ? 2 : 1
  );
  const g = 3 * units;
  const recAct = scalar(
    spec,
    spec.config.recurrent_activation ??
      (context.kerasMajor >= 2 ? 'sigmoid' : 'hard_sigmoid'),
    context.kerasMajor
  );
  const kernels = context.kernels;
  const inputMatrix = kernels.matrix(kernel, inputDim, g);
  const inputBias = bias ? bias.subarray(0, g) : null;

  if (resetAfter) {
    const recurrentMatrix = kernels.matrix(recurrent, units, g);
    const recurrentBias = bias ? bias.subarray(g, 2 * g) : new Float32Array(g);
    const np = recurrentMatrix.np;
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
      scratchSizes: batch => [batch * np],
      step(state, next, scratch, batch, xProj, rows) {
        const h = state[0];
        const hNew = next[0];
        const inner = scratch[0];
        for (let b = 0; b < batch; b++) {
          inner.set(recurrentBias, b * np);
        }
        kernels.gemm(h, batch, recurrentMatrix, inner);
        for (let b = 0; b < batch; b++) {
          const x = rows[b];
          const r0 = b * np;
          const h0 = b * units;
          const done = fused
            ? kernels.gruGates(
                xProj.subarray(x),
                inner.subarray(r0),
                h.subarray(h0),
                hNew.subarray(h0),
                units
              )
            : 0;
          for (let k = done; k < units; k++) {
            const z = recAct(xProj[x + k] + inner[r0 + k]);
            const r = recAct(xProj[x + units + k] + inner[r0 + units + k]);
            const hh = act(
              xProj[x + 2 * units + k] + r * inner[r0 + 2 * units + k]
            );
            hNew[h0 + k] = z * h[h0 + k] + (1 - z) * hh;
          }
        }
      }
    };
  }

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
  return {
    units,
    stateCount: 1,
    inputMatrix,
    inputBias,
    scratchSizes: batch => [batch * npZr, batch * units, batch * npH],
    step(state, next, scratch, batch, xProj, rows) {
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
          const r = recAct(xProj[x + units + k] + innerZr[r0 + units + k]);
          resetH[h0 + k] = r * h[h0 + k];
        }
      }
      kernels.gemm(resetH, batch, hMatrix, innerH);
      for (let b = 0; b < batch; b++) {
        const x = rows[b];
        const r0 = b * npZr;
        const i0 = b * npH;
        const h0 = b * units;
        for (let k = 0; k < units; k++) {
          const z = recAct(xProj[x + k] + innerZr[r0 + k]);
          const hh = act(xProj[x + 2 * units + k] + innerH[i0 + k]);
          hNew[h0 + k] = z * h[h0 + k] + (1 - z) * hh;
        }
      }
    }
  };
}
