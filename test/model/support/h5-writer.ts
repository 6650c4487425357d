/**
 * Writing small HDF5 files for tests through h5wasm (run as a child
 * process because h5wasm is an ES module).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface IH5Spec {
  groups?: string[];
  attrs?: Array<{ path: string; name: string; value: string | string[] }>;
  datasets?: Array<{
    path: string;
    shape: number[];
    data: ArrayLike<number>;
    /** Chunk shape, and gzip level (h5wasm's `compression`), for chunked storage. */
    chunks?: number[];
    compression?: number;
  }>;
}

export function writeH5(spec: IH5Spec): Uint8Array {
  // Under the repository's git-ignored .cache/, never outside the repository.
  const parent = path.resolve(__dirname, '../../..', '.cache', 'h5-writer');
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, 'h5-'));
  try {
    const out = path.join(dir, 'out.h5');
    const specPath = path.join(dir, 'spec.json');
    fs.writeFileSync(
      specPath,
      JSON.stringify({
        ...spec,
        out,
        datasets: (spec.datasets ?? []).map(d => ({
          ...d,
          data: Array.from(d.data)
        }))
      })
    );
    execFileSync(
      process.execPath,
      [path.join(__dirname, 'write-h5.mjs'), specPath],
      {
        cwd: path.resolve(__dirname, '../../..'),
        stdio: 'pipe'
      }
    );
    return new Uint8Array(fs.readFileSync(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
