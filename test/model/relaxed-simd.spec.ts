/**
 * Relaxed SIMD: where the engine has it (Chromium >= 114; Node 20 with
 * --experimental-wasm-relaxed-simd, which the CLI's worker threads turn
 * on), the matrix products use `f32x4.relaxed_madd`, a fused multiply-add.
 * Both paths against real Keras on the explain fixtures (predictions within
 * 1e-5, occlusion, gradient x input and integrated gradients within 1e-4 of
 * max |value|), and the relaxed path within its stated tolerance of the
 * plain kernels: predictions within 1e-6, explanations within 2e-5 of max
 * |value|. The GRU gate update uses it too (in its exp polynomial and the
 * update): within 1e-6 of the plain kernel's. Runs the built engine
 * (lib-node) in child processes, with and without the flag.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(__dirname, 'support', 'relaxed-explain.js');

interface IWorst {
  relaxed: boolean;
  keras: { [key: string]: number };
  plain: { [key: string]: number };
  /** Outputs of a sample alone that differ from it in a batch of all. */
  fastBatchDiffers: number;
  plainBatchDiffers: number;
  batchRows: number;
}

function run(flags: string[]): {
  relaxedSupported: boolean;
  oneRowDiffers: number | null;
  gates: { worst: number; finiteDiffers: number } | null;
  models: { [name: string]: IWorst };
} {
  const result = spawnSync(process.execPath, [...flags, SCRIPT], {
    encoding: 'utf8',
    cwd: ROOT,
    maxBuffer: 1 << 24
  });
  if (result.status !== 0) {
    throw new Error(`relaxed-explain.js failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

describe('relaxed SIMD multiply-add in the matrix products', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'lib-node', 'model', 'engine.js'))) {
      throw new Error(
        'lib-node is missing: run `npm run build:node` first (`npm test` does)'
      );
    }
  });

  it('with the flag: used, within its tolerance of the plain kernels and of Keras', () => {
    const report = run(['--experimental-wasm-relaxed-simd']);
    expect(report.relaxedSupported).toBe(true);
    // Its two one-row products (two panels or one per pass) give the same floats.
    expect(report.oneRowDiffers).toBe(0);
    // Its GRU gate update (multiply-adds in exp and the update) is within
    // 1e-6 of the plain kernel's (outputs of a few units), the same outputs non-finite.
    expect(report.gates!.worst).toBeGreaterThan(0);
    expect(report.gates!.worst).toBeLessThanOrEqual(1e-6);
    expect(report.gates!.finiteDiffers).toBe(0);
    for (const [name, worst] of Object.entries(report.models)) {
      expect([name, worst.relaxed]).toEqual([name, true]);
      for (const [key, value] of Object.entries(worst.keras)) {
        expect([name, key, value]).toEqual([name, key, expect.any(Number)]);
        expect(value).toBeLessThanOrEqual(key === 'prediction' ? 1e-5 : 1e-4);
      }
      for (const [key, value] of Object.entries(worst.plain)) {
        expect(value).toBeLessThanOrEqual(key === 'prediction' ? 1e-6 : 2e-5);
      }
      // Odd batches: the last row runs the one-row kernel, the others pairs.
      expect(worst.batchRows % 2).toBe(1);
      expect([name, worst.fastBatchDiffers, worst.plainBatchDiffers]).toEqual([
        name,
        0,
        0
      ]);
    }
  });

  it('without it: the plain kernels, the same as asking for them', () => {
    const report = run([]);
    expect(report.relaxedSupported).toBe(false);
    for (const worst of Object.values(report.models)) {
      expect(worst.relaxed).toBe(false);
      for (const value of Object.values(worst.plain)) {
        expect(value).toBe(0);
      }
      for (const [key, value] of Object.entries(worst.keras)) {
        expect(value).toBeLessThanOrEqual(key === 'prediction' ? 1e-5 : 1e-4);
      }
    }
  });
});
