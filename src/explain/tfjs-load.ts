/**
 * Loads TensorFlow.js on first use of a gradient method only (a dynamic
 * import, so neither the renderer nor the engine's forward path pulls it
 * in), on its CPU backend, whose matrix multiply is swapped for the
 * engine's WebAssembly SIMD gemm (`tfjs-matmul.ts`) and whose strided
 * kernels for transposes, tiles, sums and broadcasts are replaced by
 * faster ones (`tfjs-fast-kernels.ts`).
 */
import type { TF } from './tfjs-forward';
import { installFastKernels } from './tfjs-fast-kernels';
import { installFastMatMul } from './tfjs-matmul';

let loading: Promise<TF> | null = null;

export function loadTf(): Promise<TF> {
  if (!loading) {
    loading = (async () => {
      const tf = await import('@tensorflow/tfjs');
      // PROD: no debug checks, and no console advice about tfjs-node.
      tf.env().set('PROD', true);
      if (!(await tf.setBackend('cpu'))) {
        throw new Error('TensorFlow.js: the CPU backend could not start');
      }
      await tf.ready();
      installFastMatMul(tf);
      installFastKernels(tf);
      return tf;
    })();
    loading.catch(() => (loading = null));
  }
  return loading;
}
