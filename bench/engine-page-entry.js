/* eslint-disable */
/**
 * Browser entry of `bench/compare.js` (bundled with esbuild): the worker
 * pool of the viewer with 2 Web Workers (`worker.js` is the bundled
 * `src/workers/web-worker.ts`), the model file and ids fetched from the
 * bench's routes, the suite of `engine-suite.js`.
 */
import { WorkerPool } from '../src/workers/pool';
import { runSuite } from './engine-suite';

window.runEngineBench = async workers => {
  const data = await (await fetch('http://bench.local/data.json')).json();
  const model = new Uint8Array(
    await (await fetch('http://bench.local/reference.keras')).arrayBuffer()
  );
  const pool = new WorkerPool({
    spawn: () => new Worker('http://bench.local/worker.js'),
    size: workers,
    idleMs: 0
  });
  await pool.load({ 'reference.keras': model });
  try {
    return await runSuite(pool, data, () => performance.now());
  } finally {
    pool.dispose();
  }
};
