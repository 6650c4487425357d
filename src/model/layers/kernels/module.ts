/**
 * The engine's WebAssembly module: every kernel, assembled once from its
 * builder (`gemm.ts`, `gru-gates.ts`, `gru-backward.ts`,
 * `scale-average.ts`, `scale-row.ts`). Function indices (the order below) are what one
 * kernel uses to call another.
 *
 * The relaxed variant replaces the multiply-then-add of the matrix
 * products and of the GRU gate update by relaxed SIMD's `f32x4.relaxed_madd`
 * (one rounding where the engine fuses it): only for engines that validate
 * it, and only where a caller asks.
 */
import { assembleModule } from './builder';
import { gemm2Function, gemmFunction, relaxedMadd } from './gemm';
import {
  gruGatesFunction,
  gruGatesRowsFunction,
  gruGatesTapeFunction
} from './gru-gates';
import { gruBackRowsFunction } from './gru-backward';
import { scaleAverageFunction } from './scale-average';
import { scaleRowFunction } from './scale-row';

/** The exports of the module, in function order. */
export const KERNEL_EXPORTS = [
  'gemm',
  'gru_gates',
  'gemm2',
  'gru_gates_tape',
  'gru_gates_rows',
  'gru_back_rows',
  'gemm_narrow',
  'scale_average',
  'scale_row'
] as const;

export type KernelName = (typeof KERNEL_EXPORTS)[number];

const cache: { plain?: Uint8Array; relaxed?: Uint8Array } = {};

/** The module's bytes; `relaxed`: the matrix products with relaxed multiply-add. */
export function kernelModuleBytes(relaxed = false): Uint8Array {
  const key = relaxed ? 'relaxed' : 'plain';
  const hit = cache[key];
  if (hit) {
    return hit;
  }
  const index = (name: KernelName) => KERNEL_EXPORTS.indexOf(name);
  const bytes = assembleModule([
    relaxed ? gemmFunction('gemm', relaxedMadd) : gemmFunction(),
    gruGatesFunction(relaxed),
    relaxed ? gemm2Function('gemm2', relaxedMadd) : gemm2Function(),
    gruGatesTapeFunction(relaxed),
    gruGatesRowsFunction(index('gru_gates'), index('gru_gates_tape')),
    gruBackRowsFunction(),
    // The one-row product a panel at a time: the same sums, and faster where
    // the engine would spill a register of the two-panel one (`Kernels` times both).
    gemmFunction('gemm_narrow', relaxed ? relaxedMadd : undefined, 1),
    scaleAverageFunction(),
    scaleRowFunction()
  ]);
  cache[key] = bytes;
  return bytes;
}

/** Whether this engine runs the module (WebAssembly with SIMD; relaxed SIMD too when asked). */
export function kernelsSupported(relaxed = false): boolean {
  try {
    return (
      typeof WebAssembly === 'object' &&
      WebAssembly.validate(kernelModuleBytes(relaxed))
    );
  } catch {
    return false;
  }
}

let simdCache: boolean | undefined;

/** Whether this engine runs the plain module (checked once). */
export function simdSupported(): boolean {
  if (simdCache === undefined) {
    simdCache = kernelsSupported(false);
  }
  return simdCache;
}
