/**
 * Shared by the hostile-input specs: runs the built CLI in a child process
 * and measures its wall time and peak RSS; builds hostile files from the
 * real fixtures (small on disk: everything large is only declared).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
export const HOSTILE = path.join(ROOT, 'test', 'fixtures', 'keras', 'hostile');

/**
 * The budget every attack must stay within: CPU seconds of the child (user +
 * system: the wall clock of a shared machine measures its neighbours too),
 * a looser wall-clock bound, and peak RSS.
 */
export const MAX_SECONDS = 5;
export const MAX_WALL_SECONDS = 30;
export const MAX_RSS_MB = 500;

export interface IMeasured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** CPU time of the child (user + system). */
  seconds: number;
  wallSeconds: number;
  /** Peak resident set size of the child, in MB. */
  rssMb: number;
}

/** A fresh directory under the repository's `.cache/` (the CLI must be built). */
export function tmpDir(prefix: string): string {
  if (!fs.existsSync(path.join(ROOT, 'lib-node', 'cli', 'main.js'))) {
    throw new Error(
      'lib-node/cli/main.js is missing: run `npm run build:node` before these tests'
    );
  }
  const parent = path.join(ROOT, '.cache', 'test-hostile');
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, prefix));
}

/** The hostile-file generator (`scripts/hostile-files.js`, plain Node). */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const GENERATOR = require('../../scripts/hostile-files.js') as {
  ATTACKS: { [name: string]: (dir: string) => string };
  ANSI_NAME: string;
};

/** The layer name that tries to rewrite the terminal. */
export const ANSI_NAME = GENERATOR.ANSI_NAME;

/** Writes the attack `name` into `dir` (see `scripts/hostile-files.js`) and returns its path. */
export function attackFile(dir: string, name: string): string {
  const build = GENERATOR.ATTACKS[name];
  if (!build) {
    throw new Error(`no attack named '${name}' in scripts/hostile-files.js`);
  }
  return build(dir);
}

/** A committed fixture of test/fixtures/keras/hostile. */
export function fixturePath(name: string): string {
  return path.join(HOSTILE, name);
}

/** A CLI failure message must name the file and never leak a raw JavaScript error. */
export const RAW_ERROR =
  /DataView|undefined|Cannot read propert|is not a function|RangeError|TypeError|Maximum call stack|\[object /;

/**
 * Runs `char-attention ARGS` in a child Node process; the child reports its
 * own peak RSS. A child that runs past 4 x the time budget is killed (the
 * test then fails on time, not by hanging).
 */
export function runMeasured(
  args: string[],
  options: { input?: string; dir: string }
): IMeasured {
  const report = path.join(options.dir, `measure-${Date.now()}.json`);
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [path.join(__dirname, 'measured-cli.js'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      input: options.input,
      env: { ...process.env, MEASURE_OUT: report },
      timeout: MAX_WALL_SECONDS * 2 * 1000,
      maxBuffer: 256 << 20
    }
  );
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (!fs.existsSync(report)) {
    throw new Error(
      `the child did not finish (signal ${result.signal}, ${wallSeconds.toFixed(1)} s): ${result.stderr?.slice(0, 2000)}`
    );
  }
  const { code, maxRssKb, cpuMicros } = JSON.parse(
    fs.readFileSync(report, 'utf8')
  );
  const measured = {
    code,
    stdout: result.stdout,
    stderr: result.stderr,
    seconds: cpuMicros / 1e6,
    wallSeconds,
    rssMb: maxRssKb / 1024
  };
  if (process.env.HOSTILE_REPORT) {
    fs.appendFileSync(
      process.env.HOSTILE_REPORT,
      JSON.stringify({
        args: args
          .map(a => path.basename(a))
          .join(' ')
          .slice(0, 80),
        cpu: measured.seconds.toFixed(2),
        wall: wallSeconds.toFixed(2),
        rssMb: measured.rssMb.toFixed(0),
        stderr: result.stderr.split('\n').slice(-2).join(' ').slice(0, 400)
      }) + '\n'
    );
  }
  return measured;
}

/** Asserts the time and memory budget, with the figures in the failure. */
export function expectWithinBudget(m: IMeasured): void {
  const figures = `${m.seconds.toFixed(2)} s CPU, ${m.wallSeconds.toFixed(2)} s wall, ${m.rssMb.toFixed(0)} MB peak RSS`;
  expect({ seconds: m.seconds < MAX_SECONDS, figures }).toEqual({
    seconds: true,
    figures
  });
  expect({ wall: m.wallSeconds < MAX_WALL_SECONDS, figures }).toEqual({
    wall: true,
    figures
  });
  expect({ rss: m.rssMb < MAX_RSS_MB, figures }).toEqual({
    rss: true,
    figures
  });
}

/** Replaces every occurrence of the little-endian uint64 run `from` by `to`. */
export function patchDims(
  bytes: Uint8Array,
  from: number[],
  to: number[]
): Uint8Array {
  const encode = (dims: number[]) => {
    const b = new Uint8Array(dims.length * 8);
    const view = new DataView(b.buffer);
    dims.forEach((d, i) => view.setBigUint64(i * 8, BigInt(d), true));
    return b;
  };
  const needle = encode(from);
  const replacement = encode(to);
  const out = bytes.slice();
  let count = 0;
  for (let i = 0; i + needle.length <= out.length; i++) {
    let match = true;
    for (let j = 0; j < needle.length && match; j++) {
      match = out[i + j] === needle[j];
    }
    if (match) {
      out.set(replacement, i);
      count++;
    }
  }
  if (count === 0) {
    throw new Error(`dims [${from.join(', ')}] not found in the file`);
  }
  return out;
}

/** CRC-32 (zip), so the archives built here are well-formed. */
export function crc32(data: Uint8Array): number {
  let crc = ~0;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i];
    for (let k = 0; k < 8; k++) {
      crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
  }
  return ~crc >>> 0;
}

export interface IZipInput {
  name: string;
  /** Bytes as stored in the archive. */
  stored: Uint8Array;
  /** 0 = stored, 8 = deflate. */
  method: 0 | 8;
  /** The uncompressed size the headers declare (may lie). */
  size: number;
  crc?: number;
}

/** A zip archive with the given entries (headers say what `IZipInput` says). */
export function buildZip(entries: IZipInput[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const crc = e.crc ?? (e.method === 0 ? crc32(e.stored) : 0);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, e.stored.length, true);
    lv.setUint32(22, e.size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, 20, true);
    dv.setUint16(10, e.method, true);
    dv.setUint32(16, crc, true);
    dv.setUint32(20, e.stored.length, true);
    dv.setUint32(24, e.size, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, e.stored);
    central.push(dir);
    offset += local.length + e.stored.length;
  }
  const dirSize = central.reduce((a, b) => a + b.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A raw deflate stream of `1 + repeats x 258` zero bytes built by hand: one
 * literal 0, then (length 258, distance 1) codes of 13 bits each, so it
 * inflates about 160-fold.
 */
export function deflateBomb(repeats: number): {
  data: Uint8Array;
  size: number;
} {
  const bytes = new Uint8Array(
    Math.ceil((3 + 8 + repeats * 13 + 7 + 10) / 8) + 2
  );
  let bit = 0;
  const put = (value: number, length: number) => {
    for (let i = 0; i < length; i++) {
      if ((value >> i) & 1) {
        bytes[bit >> 3] |= 1 << (bit & 7);
      }
      bit++;
    }
  };
  // Huffman codes go most significant bit first.
  const putCode = (code: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) {
      put((code >> i) & 1, 1);
    }
  };
  put(1, 1); // final block
  put(1, 2); // fixed Huffman codes
  putCode(0x30, 8); // literal 0
  for (let i = 0; i < repeats; i++) {
    putCode(0xc5, 8); // length code 285 = 258
    putCode(0, 5); // distance code 0 = 1
  }
  putCode(0, 7); // end of block
  return { data: bytes.subarray(0, (bit + 7) >> 3), size: 1 + repeats * 258 };
}
