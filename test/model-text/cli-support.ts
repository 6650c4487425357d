/**
 * Shared by the CLI specs: runs bin/char-attention.js (needs
 * `npm run build:node` first).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'char-attention.js');

/** Runs the CLI with `args` (and `input` on stdin, `env` added to the environment). */
export function run(
  args: string[],
  input?: string,
  env?: { [name: string]: string }
) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    ...(env ? { env: { ...process.env, ...env } } : {})
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Checks that the CLI is built and makes a fresh temporary directory. */
export function cliTmpDir(prefix: string): string {
  if (!fs.existsSync(path.join(ROOT, 'lib-node', 'cli', 'main.js'))) {
    throw new Error(
      'lib-node/cli/main.js is missing: run `npm run build:node` before these tests'
    );
  }
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
