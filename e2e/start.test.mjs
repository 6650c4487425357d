/**
 * `npm start` (scripts/start.js): builds, links the extension into the
 * repository's Jupyter data folder (as `jupyter labextension develop`), serves
 * the venv's JupyterLab with examples/ as root, prints a URL with its token
 * that answers and opens the example notebook with its tables drawn by the
 * extension (no console error), with autosave off and the tracked examples
 * unchanged, refuses a port in use with a one-line cause, and stops the
 * server on SIGTERM; `npm start -- --notebook` does the same in Notebook 7.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  assertNoConsoleErrors,
  closeBrowser,
  launchBrowser,
  NOTEBOOK7_OWN_ERROR,
  python,
  repoRoot,
  screenshot,
  watchConsole
} from './support/lab.mjs';

after(closeBrowser);

const NOTEBOOK = 'attention.ipynb';

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const READY = /(?:JupyterLab|Jupyter Notebook) is ready:\s+(\S+)/;

/** Runs scripts/start.js; resolves with the process and its output so far once `until` matches or it exits. */
function start(env, until, args = []) {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'start.js'), ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    }
  );
  let output = '';
  const exited = new Promise(resolve =>
    child.on('exit', code => resolve(code))
  );
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not get ready:\n${output}`)),
      240000
    );
    const onData = chunk => {
      output += chunk;
      if (until.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { child, exited, ready, output: () => output };
}

async function stop(run) {
  if (run.child.exitCode === null) {
    run.child.kill('SIGTERM');
    const code = await Promise.race([
      run.exited,
      new Promise(resolve =>
        setTimeout(() => resolve('timeout'), 15000).unref()
      )
    ]);
    if (code === 'timeout') {
      process.kill(-run.child.pid, 'SIGKILL');
    }
  }
}

/** The served page's config data (the extensions it loads, among others). */
async function pageConfig(url) {
  const page = await fetch(url);
  assert.equal(page.status, 200);
  return JSON.parse(
    /<script id="jupyter-config-data" type="application\/json">(.*?)<\/script>/s.exec(
      await page.text()
    )[1]
  );
}

/** Tracked files under examples/ that differ from the last commit. */
const changedExamples = () =>
  spawnSync('git', ['status', '--porcelain', '--', 'examples'], {
    cwd: repoRoot,
    encoding: 'utf-8'
  }).stdout.trim();

/**
 * Opens the printed URL in Chromium: the example notebook with the tables
 * its outputs hold drawn by the extension, and no console error.
 */
async function openExample(url, { app, name }) {
  const context = await (
    await launchBrowser()
  ).newContext({ viewport: { width: 1280, height: 800 } });
  const watched = watchConsole(context);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('.jp-NotebookPanel').waitFor({ timeout: 60000 });
    await page
      .locator(
        '.jp-NotebookPanel .jp-RenderedCharAttention td.jp-CharAttention-cell'
      )
      .first()
      .waitFor({ timeout: 60000 });
    if (app === 'lab') {
      await page
        .locator('.lm-TabBar-tab.lm-mod-current', { hasText: NOTEBOOK })
        .waitFor({ timeout: 10000 });
    }
    await page.waitForTimeout(2000);
    await screenshot(page, name);
  } finally {
    await context.close();
  }
  assertNoConsoleErrors(
    watched,
    app === 'notebook' ? [NOTEBOOK7_OWN_ERROR] : []
  );
}

/** Autosave as the start set-up's settings give it to the page. */
async function autosaveSetting(port, token) {
  const response = await fetch(
    `http://127.0.0.1:${port}/lab/api/settings/@jupyterlab/docmanager-extension:plugin`,
    { headers: { Authorization: `token ${token}` } }
  );
  assert.equal(response.status, 200);
  return (await response.json()).settings.autosave;
}

test('npm start serves the examples with the notebook open, and stops on SIGTERM', async () => {
  const port = await freePort();
  const token = `start-${process.pid}`;
  const examplesBefore = changedExamples();
  const run = start({ PORT: String(port), TOKEN: token }, READY);
  try {
    await run.ready;
    const url = READY.exec(run.output())?.[1];
    assert.ok(url, `no URL printed:\n${run.output()}`);
    const hasNotebook = fs.existsSync(
      path.join(repoRoot, 'examples', NOTEBOOK)
    );
    assert.ok(hasNotebook, `examples/${NOTEBOOK} is missing`);
    assert.equal(
      url,
      `http://127.0.0.1:${port}/lab/tree/${NOTEBOOK}?token=${token}`
    );

    const status = await fetch(`http://127.0.0.1:${port}/api/status`, {
      headers: { Authorization: `token ${token}` }
    });
    assert.equal(status.status, 200);
    const config = await pageConfig(url);
    assert.ok(
      config.federated_extensions.some(
        extension => extension.name === 'jupyterlab-char-attention'
      ),
      'the extension is served as a prebuilt extension'
    );
    // JupyterLab lists the development link, enabled, from the repository.
    const dataDir = path.join(repoRoot, '.cache', 'jupyter', 'data');
    // It prints the list on stderr.
    const listed = spawnSync(
      python,
      ['-m', 'jupyterlab.labextensions', 'list'],
      {
        env: { ...process.env, JUPYTER_DATA_DIR: dataDir },
        encoding: 'utf-8'
      }
    );
    const listing = `${listed.stdout}${listed.stderr}`.replace(
      /\x1b\[[0-9;]*m/g,
      ''
    );
    const section = listing.split(path.join(dataDir, 'labextensions'))[1];
    assert.match(
      section ?? '',
      /^\s*jupyterlab-char-attention v\S+ enabled\s+OK/,
      `jupyter labextension list shows the link in .cache/jupyter/data:\n${listing}`
    );
    assert.equal(
      fs.realpathSync(
        path.join(dataDir, 'labextensions', 'jupyterlab-char-attention')
      ),
      path.join(repoRoot, 'jupyterlab_char_attention', 'labextension')
    );

    const contents = await fetch(`http://127.0.0.1:${port}/api/contents`, {
      headers: { Authorization: `token ${token}` }
    });
    const names = (await contents.json()).content.map(entry => entry.name);
    assert.deepEqual(
      names.sort(),
      fs
        .readdirSync(path.join(repoRoot, 'examples'))
        .filter(n => !n.startsWith('.'))
        .sort(),
      'examples/ is the root'
    );

    // Autosave is off: opening the notebook (which makes it "dirty") does
    // not rewrite the tracked file.
    assert.equal(await autosaveSetting(port, token), false);
    await openExample(url, { app: 'lab', name: 'npm-start' });
    assert.equal(changedExamples(), examplesBefore, 'examples/ unchanged');

    // A second start on the same port: one line naming the cause, exit code 1.
    const second = start(
      { PORT: String(port), TOKEN: token },
      /already in use/
    );
    await second.ready;
    assert.equal(await second.exited, 1);
    assert.match(
      second.output(),
      new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`)
    );
  } finally {
    await stop(run);
  }
  // The server went away with it.
  await assert.rejects(fetch(`http://127.0.0.1:${port}/api/status`));
});

test('npm start -- --notebook: the same set-up in Notebook 7, with the extension', async () => {
  const port = await freePort();
  const token = `start-nb-${process.pid}`;
  const examplesBefore = changedExamples();
  const run = start({ PORT: String(port), TOKEN: token }, READY, [
    '--notebook'
  ]);
  try {
    await run.ready;
    assert.match(run.output(), /Jupyter Notebook is ready/);
    const url = READY.exec(run.output())?.[1];
    assert.equal(
      url,
      `http://127.0.0.1:${port}/notebooks/${NOTEBOOK}?token=${token}`
    );
    const config = await pageConfig(url);
    assert.equal(config.appName, 'Jupyter Notebook');
    assert.ok(
      config.federated_extensions.some(
        extension => extension.name === 'jupyterlab-char-attention'
      ),
      'Notebook 7 loads the extension from the repository'
    );
    assert.equal(await autosaveSetting(port, token), false);
    await openExample(url, { app: 'notebook', name: 'npm-start-notebook' });
    assert.equal(changedExamples(), examplesBefore, 'examples/ unchanged');
  } finally {
    await stop(run);
  }
  await assert.rejects(fetch(`http://127.0.0.1:${port}/api/status`));
});

test('npm start refuses an unknown option with its usage', () => {
  const done = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'start.js'), '--bogus'],
    { cwd: repoRoot, encoding: 'utf-8' }
  );
  assert.equal(done.status, 2);
  assert.match(done.stderr, /unknown option --bogus/);
  assert.match(done.stderr, /--notebook/);
});
