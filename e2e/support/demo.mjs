/**
 * The demo model (examples/models/demo/) in end-to-end tests: copied into a
 * server's root folder, with the settings that make it the default model,
 * and the CLI's values for it (`char-attention predict --json`, the same
 * model files read by a separate path in Node) as the oracle of the values
 * the browser shows.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lab.mjs';

export const DEMO_DIR = path.join(repoRoot, 'examples', 'models', 'demo');
/** Paths of the demo model and its tokenizer below a server's root. */
export const MODEL = 'models/demo/demo.h5';
export const TOKENIZER = 'models/demo/tokenizer.json';
export const LAB_SETTINGS_ID = 'jupyterlab-char-attention:lab';
/** User settings that make the demo model the default model. */
export const DEMO_SETTINGS = Object.freeze({
  [LAB_SETTINGS_ID]: { modelPath: MODEL, tokenizerPath: TOKENIZER }
});

/** Fails (a missing model is a failure, not a skip) unless the demo model and, with `cli`, the built CLI are there. */
export function assertDemoModel({ cli = false } = {}) {
  for (const file of ['demo.h5', 'tokenizer.json']) {
    assert.ok(
      fs.existsSync(path.join(DEMO_DIR, file)),
      `examples/models/demo/${file} is missing (npm run train-demo makes it)`
    );
  }
  if (cli) {
    assert.ok(
      fs.existsSync(path.join(repoRoot, 'lib-node', 'cli', 'main.js')),
      'lib-node/ is missing: run npm run build:node (the CLI is the oracle)'
    );
  }
}

/** Copies the demo model into the server's root folder (binary-safe). */
export function copyDemoModel(rootDir) {
  assertDemoModel();
  const target = path.join(rootDir, 'models', 'demo');
  fs.mkdirSync(target, { recursive: true });
  for (const name of fs.readdirSync(DEMO_DIR)) {
    fs.copyFileSync(path.join(DEMO_DIR, name), path.join(target, name));
  }
}

/** Samples of a payload (batch or single). */
export const samplesOf = payload =>
  Array.isArray(payload.samples) ? payload.samples : [payload];

/** The CLI's samples for texts (the oracle for the browser's values). */
export function cliPredict(texts) {
  const stdout = execFileSync(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'char-attention.js'),
      'predict',
      '--model',
      path.join(DEMO_DIR, 'demo.h5'),
      '--tokenizer',
      path.join(DEMO_DIR, 'tokenizer.json'),
      '--json',
      ...texts
    ],
    { cwd: repoRoot, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] }
  );
  return samplesOf(JSON.parse(stdout));
}

/** Each value of the browser's samples matches the CLI's within 1e-5. */
export function assertSamplesMatchCli(samples, expected) {
  assert.equal(samples.length, expected.length);
  samples.forEach((sample, i) => {
    assert.equal(sample.text, expected[i].text);
    assert.deepEqual(sample.mask ?? null, expected[i].mask ?? null);
    sample.attention.forEach((value, pos) => {
      const want = expected[i].attention[pos];
      if (want === null) {
        assert.equal(value, null, `text ${i} position ${pos}`);
      } else {
        assert.ok(
          Math.abs(value - want) <= 1e-5,
          `text ${i} position ${pos}: ${value} vs CLI ${want}`
        );
      }
    });
  });
}

/**
 * Loads the demo model in the open Attention Viewer through its form (paths
 * typed, then Load) and waits until it is ready; returns the panel.
 */
export async function loadDemoInViewer(page) {
  const panel = page.locator('.jp-CharAttention-panel');
  await panel.waitFor({ timeout: 15000 });
  await panel.locator('.jp-CharAttention-modelPath').fill(MODEL);
  await panel.locator('.jp-CharAttention-tokenizerPath').fill(TOKENIZER);
  await panel.locator('.jp-CharAttention-load').click();
  await assertViewerModelReady(page);
  return panel;
}

/** Waits until the viewer's model has loaded or failed; fails unless it loaded. */
export async function assertViewerModelReady(page) {
  const panel = page.locator('.jp-CharAttention-panel');
  await page.waitForFunction(
    () =>
      ['ready', 'error'].includes(
        document.querySelector('.jp-CharAttention-panel')?.dataset.modelState
      ),
    null,
    { timeout: 90000 }
  );
  const state = await panel.evaluate(node => node.dataset.modelState);
  const status = await panel
    .locator('.jp-CharAttention-modelStatus')
    .textContent();
  assert.equal(state, 'ready', `the model loads: ${status}`);
}
