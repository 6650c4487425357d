/**
 * Runs a Python snippet of the development venv as an independent oracle
 * (Python's csv module, SciPy): JSON in on stdin, JSON out on stdout.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../../..');
export const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

export function runPython<T>(code: string, input: unknown): T {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run \`npm run venv\``);
  }
  const out = spawnSync(PYTHON, ['-c', code], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28
  });
  if (out.status !== 0) {
    throw new Error(`python failed: ${out.stderr}`);
  }
  return JSON.parse(out.stdout) as T;
}
