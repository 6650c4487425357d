/**
 * Loads TensorFlow.js on first use of a gradient method only (a dynamic
 * import, so neither the renderer nor the engine's forward path pulls it
 * in), on its plain-JS CPU backend.
 */
import type { TF } from './tfjs-forward';

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
      return tf;
    })();
    loading.catch(() => (loading = null));
  }
  return loading;
}
