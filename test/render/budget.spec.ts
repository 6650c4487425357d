/**
 * The payload budget: the largest payloads the validator accepts export
 * with `char-attention render` within 5 s of CPU and 500 MB of peak memory,
 * measured in a child process (CPU time and peak RSS of the child, as the
 * hostile-input tests measure attacks). Requires the built CLI
 * (`npm run build:node`). The payloads are made by `largest-payloads.js`
 * in a child too, so this process stays small.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LIMITS } from '../../src/payload/validate';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'artifacts', 'budget-render');
const GENERATOR = path.join(__dirname, 'largest-payloads.js');
const MAX_CPU_SECONDS = 5;
const MAX_RSS_MB = 500;

interface IMeasured {
  code: number;
  stderr: string;
  cpuSeconds: number;
  peakMb: number;
}

/** `char-attention ARGS` in a child process, with its CPU time and peak memory. */
function measure(args: string[]): IMeasured {
  const out = path.join(DIR, `measure-${process.pid}-${Date.now()}.json`);
  const result = spawnSync(
    process.execPath,
    [path.join(__dirname, 'measured-render.js'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MEASURE_OUT: out },
      timeout: 120000
    }
  );
  if (!fs.existsSync(out)) {
    throw new Error(
      `the child did not finish (${result.signal}): ${result.stderr}`
    );
  }
  const { code, peakKb, cpuMicros } = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out);
  return {
    code,
    stderr: result.stderr,
    cpuSeconds: cpuMicros / 1e6,
    peakMb: peakKb / 1024
  };
}

function expectWithinBudget(m: IMeasured): void {
  const figures = `${m.cpuSeconds.toFixed(2)} s CPU, ${m.peakMb.toFixed(0)} MB peak RSS`;
  expect({ figures, cpu: m.cpuSeconds < MAX_CPU_SECONDS }).toEqual({
    figures,
    cpu: true
  });
  expect({ figures, rss: m.peakMb < MAX_RSS_MB }).toEqual({
    figures,
    rss: true
  });
}

let files: { [name: string]: string };

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib-node', 'cli', 'main.js'))) {
    throw new Error(
      'lib-node/cli/main.js is missing: run `npm run build:node` before this test'
    );
  }
  fs.rmSync(DIR, { recursive: true, force: true });
  files = JSON.parse(
    execFileSync(process.execPath, [GENERATOR, DIR], { encoding: 'utf8' })
  );
}, 120000);

afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

describe('payload budget', () => {
  it('generates payloads at the caps of the validator', () => {
    const source = fs.readFileSync(GENERATOR, 'utf8');
    expect(source).toContain(`const MAX_VALUES = ${LIMITS.MAX_VALUES};`);
    expect(source).toContain(`const MAX_SAMPLES = ${LIMITS.MAX_SAMPLES};`);
    expect(LIMITS.MAX_TOKENS).toBe(LIMITS.MAX_VALUES);
  });

  it.each(['one-text', 'batch', 'series'])(
    'exports %s (a million cells) within 5 s of CPU and 500 MB',
    name => {
      const out = path.join(DIR, `${name}.html`);
      const m = measure(['render', files[name], '-o', out]);
      expect(m.stderr).toMatch(/^wrote .* bytes\)\n$/);
      expect(m.code).toBe(0);
      expectWithinBudget(m);
      const html = fs.readFileSync(out, 'utf8');
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html.endsWith('</body></html>\n')).toBe(true);
      expect(html.split('<td').length - 1).toBe(LIMITS.MAX_VALUES);
      fs.rmSync(out);
    },
    120000
  );

  it('refuses one value more than the cap, naming the limit', () => {
    const file = path.join(DIR, 'over.json');
    const n = LIMITS.MAX_VALUES;
    fs.writeFileSync(
      file,
      `{"version":1,"samples":[{"text":"${'a'.repeat(n)}","attention":[${new Array(n).fill(0).join(',')}]},` +
        '{"text":"b","attention":[0]}]}'
    );
    const m = measure(['render', file, '-o', path.join(DIR, 'over.html')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(
      'samples[1].attention brings the payload to 1000001 values (at most 1000000 in total)'
    );
    expect(fs.existsSync(path.join(DIR, 'over.html'))).toBe(false);
    expectWithinBudget(m);
  });
});
