/**
 * The GRU backward gate kernel (`src/model/layers/kernels/gru-backward.ts`,
 * reset_after=True with sigmoid / tanh) computes in f64 lanes in the order
 * of the scalar loop of `gru.ts`, so it must give the same floats: on every
 * real-Keras gradient fixture with a GRU (masks, go_backwards,
 * Bidirectional, nested models, CuDNNGRU, 4 to 8 units, so also the units
 * past the last group of 4 that the scalar loop still computes), the path
 * gradients with the kernel equal those of the scalar loop alone (the
 * kernel switched off) bit for bit, and the kernel did run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../src/model/engine';
import { createPathGradients } from '../../src/explain/path-gradients';
import { Kernels } from '../../src/model/layers/kernels';
import { FIXTURES, fixture, fixtureJson } from './helpers';

/** Fixture models with a GRU on the gradient path: folder, file, model info. */
const GRU_MODELS: Array<[string, string]> = [
  ['gradients', 'mha_masked.keras'],
  ['gradients', 'mha_masked.h5'],
  ['gradients', 'bidirectional.keras'],
  ['gradients', 'bidirectional.h5'],
  ['gradients', 'nested_inner_embedding.keras'],
  ['gradients', 'nested_outer_embedding.keras'],
  ['gradients', 'cudnn_gru.h5'],
  ['variable_length', 'gru_variable.keras']
];

/** Points of the path: some midpoints, both ends. */
const POINTS = [0, 0.125, 0.5, 0.875, 1].map(alpha => ({ alpha, weight: 1 }));

interface IRun {
  terms: number[];
  f: number[];
  /** Units per row the kernel computed, over its calls. */
  kernelUnits: number;
}

async function gradients(
  folder: string,
  file: string,
  samples: Array<{ input: number[]; target: number }>,
  kernel: boolean
): Promise<IRun[]> {
  const real = Kernels.prototype.gruBackRows;
  let kernelUnits = 0;
  const spy = jest
    .spyOn(Kernels.prototype, 'gruBackRows')
    .mockImplementation(function (this: Kernels, ...args) {
      const done = kernel ? real.apply(this, args) : 0;
      kernelUnits += done;
      return done;
    });
  const model = await loadModel({ [file]: fixture('keras', folder, file) });
  const paths = createPathGradients(model);
  try {
    const runs: IRun[] = [];
    for (const s of samples) {
      kernelUnits = 0;
      const { terms, f } = await paths.at(s.input, POINTS, s.target);
      runs.push({ terms, f, kernelUnits });
    }
    return runs;
  } finally {
    paths.dispose();
    model.dispose();
    spy.mockRestore();
  }
}

describe('the GRU backward gate kernel against the scalar loop', () => {
  it('covers every fixture with a GRU', () => {
    for (const [folder, file] of GRU_MODELS) {
      expect(fs.existsSync(path.join(FIXTURES, 'keras', folder, file))).toBe(
        true
      );
    }
  });

  it.each(GRU_MODELS)(
    '%s/%s: the same gradients and f, bit for bit, with the kernel running',
    async (folder, file) => {
      const info = fixtureJson(
        'keras',
        folder,
        folder === 'gradients'
          ? file.replace(/\.(keras|h5)$/, '.json')
          : 'gru_variable.json'
      );
      const samples = (info.samples ?? info.alone) as Array<{
        input: number[];
        target: number;
      }>;
      expect(samples.length).toBeGreaterThan(0);
      const withKernel = await gradients(folder, file, samples, true);
      const scalar = await gradients(folder, file, samples, false);
      withKernel.forEach((run, i) => {
        expect(run.kernelUnits).toBeGreaterThan(0);
        expect(scalar[i].kernelUnits).toBe(0);
        expect(Float64Array.from(run.terms)).toEqual(
          Float64Array.from(scalar[i].terms)
        );
        expect(run.f).toEqual(scalar[i].f);
        // Not all zero: the comparison compares something.
        expect(run.terms.some(v => v !== 0)).toBe(true);
      });
    }
  );
});
