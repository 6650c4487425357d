/**
 * A fresh JupyterLab (or Notebook 7) server and browser page per test.
 *
 * Each `withLab` call starts `jupyter lab` (or `jupyter notebook` with
 * `app: 'notebook'`) from the repository's .venv on a free 127.0.0.1 port,
 * with its own root folder and its own Jupyter config, data, runtime, settings,
 * workspaces, HOME and temp folders (under E2E_RUN_DIR, inside artifacts/).
 * The extension is the installed wheel: e2e/run.sh installs it into a prefix
 * and passes E2E_JUPYTER_PATH (its share/jupyter) and E2E_PYTHONPATH (its
 * site-packages, for kernels).
 *
 * It opens Chromium on the server, runs the test body (on failure: a
 * screenshot and the server log), then fails on page errors and console
 * errors of any page, frame or worker of the browser context, and on any
 * console message about "Unsatisfied version" (a shared package the
 * extension asks for that the application does not provide), and always stops
 * browser context and server (by its PID; its process group, kernels
 * included, if it does not exit on SIGTERM). The server's PID is also written
 * to E2E_RUN_DIR/pids so the runner script can stop it if this process dies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/chromium.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
const artifactsDir =
  process.env.E2E_ARTIFACTS || path.join(repoRoot, 'artifacts', 'e2e');
const runDir =
  process.env.E2E_RUN_DIR || path.join(artifactsDir, `run-${process.pid}`);
const jupyterPath = process.env.E2E_JUPYTER_PATH;
const kernelPythonPath = process.env.E2E_PYTHONPATH;
/** The Python of the development venv (scripts/venv.sh). */
export const python =
  process.env.E2E_PYTHON || path.join(repoRoot, '.venv', 'bin', 'python');
const MIME = 'application/x-char-attention+json';

fs.mkdirSync(artifactsDir, { recursive: true });

const liveServers = new Set();

// Last resort when the test process exits without the normal teardown.
process.on('exit', () => {
  for (const pid of liveServers) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

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

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf-8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Settings every test server starts with: no news or update prompts over the page. */
const DEFAULT_SETTINGS = {
  '@jupyterlab/apputils-extension:notification': {
    fetchNews: 'false',
    checkForUpdates: false
  }
};

/**
 * Starts a JupyterLab (`app: 'lab'`, the default) or Notebook 7
 * (`app: 'notebook'`) server with fresh state.
 * @param {string} name        folder name for this server's state and logs
 * @param {object} files       { 'relative/path': string | object } written into the root folder
 * @param {object} settings    { '@jupyterlab/apputils-extension:themes': {...} } user settings
 * @param {'lab'|'notebook'} app
 */
export async function startLab(
  name,
  { files = {}, settings = {}, app = 'lab' } = {}
) {
  assert.ok(
    jupyterPath && kernelPythonPath,
    'E2E_JUPYTER_PATH and E2E_PYTHONPATH must name the installed wheel (run the tests with `npm run test:e2e`)'
  );
  assert.ok(
    fs.existsSync(python),
    `${python} is missing: run \`bash scripts/venv.sh\` first`
  );
  assert.ok(['lab', 'notebook'].includes(app), `unknown app ${app}`);
  fs.mkdirSync(runDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(runDir, `${name}-`));
  const rootDir = path.join(dir, 'root');
  for (const sub of ['root', 'home', 'runtime', 'data', 'config', 'tmp']) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(rootDir, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(
      target,
      typeof content === 'string' ? content : JSON.stringify(content, null, 1)
    );
  }
  const settingsDir = path.join(dir, 'config', 'lab', 'user-settings');
  for (const [id, value] of Object.entries({
    ...DEFAULT_SETTINGS,
    ...settings
  })) {
    const [pkg, plugin] = id.split(':');
    const target = path.join(settingsDir, pkg, `${plugin}.jupyterlab-settings`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, JSON.stringify(value));
  }
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const logFile = path.join(dir, 'server.log');
  const log = fs.openSync(logFile, 'w');
  const appClass = app === 'lab' ? 'LabApp' : 'JupyterNotebookApp';
  const args = [
    '-m',
    app === 'lab' ? 'jupyterlab' : 'notebook',
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    '--ServerApp.open_browser=False',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${rootDir}`,
    `--${appClass}.expose_app_in_browser=True`
  ];
  if (app === 'notebook') {
    // A Notebook 7 server also serves JupyterLab at /lab: expose it there too.
    args.push('--LabApp.expose_app_in_browser=True');
  }
  if (process.getuid?.() === 0) {
    args.push('--allow-root');
  }
  const home = path.join(dir, 'home');
  const env = {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    IPYTHONDIR: path.join(home, '.ipython'),
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
    JUPYTER_DATA_DIR: path.join(dir, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
    JUPYTERLAB_SETTINGS_DIR: settingsDir,
    JUPYTERLAB_WORKSPACES_DIR: path.join(dir, 'config', 'lab', 'workspaces'),
    // The installed wheel: its labextension and, for kernels, its package.
    JUPYTER_PATH: jupyterPath,
    PYTHONPATH: kernelPythonPath,
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    TMPDIR: path.join(dir, 'tmp')
  };
  // detached: the server leads its own process group (itself and its kernels).
  const server = spawn(python, args, {
    cwd: rootDir,
    env,
    stdio: ['ignore', log, log],
    detached: true
  });
  fs.closeSync(log);
  const pidFile = path.join(runDir, 'pids', `${server.pid}.pid`);
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  fs.writeFileSync(pidFile, String(server.pid));
  liveServers.add(server.pid);
  let exitCode = null;
  server.on('exit', code => {
    exitCode = code ?? -1;
  });

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exitCode === null) {
      server.kill('SIGTERM');
      for (let i = 0; i < 50 && exitCode === null; i++) {
        await sleep(100);
      }
    }
    try {
      process.kill(-server.pid, 'SIGKILL'); // kernels left behind, if any
    } catch {
      // group already gone
    }
    liveServers.delete(server.pid);
    fs.rmSync(pidFile, { force: true });
  };

  const deadline = Date.now() + 60000;
  for (;;) {
    if (exitCode !== null) {
      await stop();
      throw new Error(
        `${app} server exited with code ${exitCode}:\n${tail(logFile)}`
      );
    }
    try {
      const response = await fetch(`${url}/api/status`, {
        headers: { Authorization: `token ${token}` }
      });
      if (response.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${app} server not ready within 60 s:\n${tail(logFile)}`);
    }
    await sleep(200);
  }
  return { url, token, rootDir, dir, logFile, stop, app };
}

let browser;

/** One Chromium per test file (Debian's, no download). */
export async function launchBrowser() {
  browser ??= await launchChromium();
  return browser;
}

export async function closeBrowser() {
  await browser?.close();
  browser = undefined;
}

/** Saves a full-page screenshot as artifacts/e2e/<name>.png. */
export async function screenshot(page, name, options = {}) {
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, ...options });
  return file;
}

/**
 * Notebook 7.6.3 itself throws this on every page load, with no extension
 * installed too (its shortcuts plugin reads the schema of a plugin whose
 * settings failed to load). It is the only error a Notebook 7 page may show.
 */
export const NOTEBOOK7_OWN_ERROR =
  /^pageerror: Cannot read properties of undefined \(reading 'schema'\)$/;

/**
 * Records the errors of every page, frame and worker of a browser context:
 * uncaught exceptions and unhandled rejections (`weberror`), `console.error`
 * calls (pages and workers), page crashes, and any console message about an
 * "Unsatisfied version" (a shared package whose version the application
 * does not provide). Listening on the context, not on one page, covers pages
 * a test opens later (popups, new tabs) as well.
 */
export function watchConsole(context) {
  const errors = [];
  const versionWarnings = [];
  const pageOf = source => {
    try {
      return source?.url?.() ?? '';
    } catch {
      return '';
    }
  };
  context.on('weberror', webError => {
    const error = webError.error();
    errors.push(`pageerror: ${error?.message ?? String(error)}`);
  });
  context.on('console', message => {
    if (message.type() === 'error') {
      const from = message.worker?.() ? ' (worker)' : '';
      errors.push(`console.error${from}: ${message.text()}`);
    }
    if (/Unsatisfied version/i.test(message.text())) {
      versionWarnings.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  const watchPage = page =>
    page.on('crash', crashed => errors.push(`crash: ${pageOf(crashed)}`));
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  return { errors, versionWarnings };
}

/**
 * Fails (assert) on what `watchConsole` recorded: any "Unsatisfied version"
 * message, and errors not matched by one of `allowErrors`.
 */
export function assertNoConsoleErrors(watched, allowErrors = []) {
  assert.deepEqual(
    watched.versionWarnings,
    [],
    'shared packages with unsatisfied versions: the extension loads its own copies'
  );
  const unexpected = watched.errors.filter(
    error => !allowErrors.some(pattern => pattern.test(error))
  );
  assert.deepEqual(unexpected, [], 'unexpected console errors');
}

/**
 * Runs `body({ page, lab, errors })` against a fresh server and browser
 * context (`app: 'notebook'` for Notebook 7). Afterwards no page of the
 * context may have shown an error (see `watchConsole`) except those matching
 * `allowErrors` (regular expressions; Notebook 7's own error is always
 * allowed in Notebook 7), and no message of any kind about an unsatisfied
 * shared-package version.
 */
export async function withLab(name, options, body) {
  const {
    viewport = { width: 1280, height: 800 },
    allowErrors = [],
    ...labOptions
  } = options;
  const lab = await startLab(name, labOptions);
  const allowed =
    lab.app === 'notebook'
      ? [NOTEBOOK7_OWN_ERROR, ...allowErrors]
      : allowErrors;
  let context;
  let watched = { errors: [], versionWarnings: [] };
  try {
    context = await (await launchBrowser()).newContext({ viewport });
    watched = watchConsole(context);
    const page = await context.newPage();
    try {
      await body({ page, lab, errors: watched.errors });
    } catch (error) {
      await screenshot(page, `${name}-FAILED`).catch(() => undefined);
      console.log(`# server log of ${name}:\n${tail(lab.logFile, 25)}`);
      console.log(
        `# console errors: ${JSON.stringify([...watched.errors, ...watched.versionWarnings], null, 1)}`
      );
      throw error;
    }
    // Errors of work the body started but did not wait for (a late
    // rejection, a worker message) still count.
    await page.waitForTimeout(250);
    assertNoConsoleErrors(watched, allowed);
  } finally {
    await context?.close().catch(() => undefined);
    await lab.stop();
  }
}

/** Waits until the application in the page (window.jupyterapp) is started and its layout restored. */
export async function waitForApp(page) {
  await page.waitForFunction(() => !!window.jupyterapp?.restored, null, {
    timeout: 60000
  });
  await page.evaluate(() => window.jupyterapp.restored.then(() => undefined));
}

/**
 * Opens the application (optionally a file, relative to the root) and waits
 * until it is restored: JupyterLab at /lab, Notebook 7 at /tree or
 * /notebooks/<file> (by the server's `app`).
 */
export async function openLab(page, lab, file) {
  const encoded = file ? file.split('/').map(encodeURIComponent).join('/') : '';
  let where;
  if (lab.app === 'notebook') {
    where = file
      ? `/${file.endsWith('.ipynb') ? 'notebooks' : 'edit'}/${encoded}?`
      : '/tree?';
  } else {
    where = file ? `/lab/tree/${encoded}?reset&` : '/lab?reset&';
  }
  await page.goto(`${lab.url}${where}token=${lab.token}`);
  await waitForApp(page);
}

/** Waits until the current notebook's kernel is connected and idle. */
export async function waitForIdleKernel(page) {
  await page.waitForFunction(
    () => {
      const kernel =
        window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel;
      return (
        !!kernel &&
        kernel.connectionStatus === 'connected' &&
        kernel.status === 'idle'
      );
    },
    null,
    { timeout: 60000 }
  );
}

/**
 * Creates a notebook and waits for its kernel: from the launcher in
 * JupyterLab; in Notebook 7 (pass `lab`) an empty Untitled.ipynb with the
 * python3 kernel is saved and opened (its launcher opens a new browser tab).
 */
export async function newNotebook(page, lab) {
  if (lab?.app === 'notebook') {
    const file = 'Untitled.ipynb';
    await page.evaluate(
      ([name, content]) =>
        window.jupyterapp.serviceManager.contents.save(name, {
          type: 'notebook',
          format: 'json',
          content
        }),
      [file, notebookWith([{ source: '' }])]
    );
    await openLab(page, lab, file);
  } else {
    await page
      .locator('.jp-LauncherCard[data-category="Notebook"]')
      .first()
      .click();
  }
  await page.waitForSelector('.jp-NotebookPanel .jp-Cell .cm-content', {
    timeout: 30000
  });
  await waitForIdleKernel(page);
}

/** Types `code` into the active cell and runs it with Shift+Enter. */
export async function runInActiveCell(page, code) {
  const editor = page.locator(
    '.jp-NotebookPanel .jp-Cell.jp-mod-active .cm-content'
  );
  await editor.click();
  // The source is set on the model: typing would be slow and auto-closes brackets.
  await page.evaluate(source => {
    window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(
      source
    );
  }, code);
  await editor.click();
  await page.keyboard.press('Shift+Enter');
}

/**
 * Python code that displays a raw MIME bundle: our payload plus the
 * `text/html` and `text/plain` fallbacks a kernel-side helper would add
 * (`html: null` leaves text/html out).
 */
export function displayBundleCode(
  payload,
  { html = FALLBACK_HTML, plain = 'fallback text' } = {}
) {
  const bundle = { [MIME]: payload, 'text/plain': plain };
  if (html !== null) {
    bundle['text/html'] = html;
  }
  const encoded = Buffer.from(JSON.stringify(bundle), 'utf-8').toString(
    'base64'
  );
  return [
    'import base64, json',
    'from IPython.display import display',
    `display(json.loads(base64.b64decode("${encoded}")), raw=True)`
  ].join('\n');
}

/** The text/html fallback used in the tests: visible only if our renderer loses. */
export const FALLBACK_HTML =
  '<p class="char-attention-fallback">fallback table</p>';

/** A notebook (nbformat 4) whose cells have the given sources and display_data outputs. */
export function notebookWith(cells) {
  return {
    cells: cells.map(({ source, outputs = [], type = 'code' }, index) =>
      type === 'markdown'
        ? { cell_type: 'markdown', id: `cell-${index}`, metadata: {}, source }
        : {
            cell_type: 'code',
            id: `cell-${index}`,
            execution_count: outputs.length ? 1 : null,
            metadata: {},
            source,
            outputs: outputs.map(data => ({
              output_type: 'display_data',
              data,
              metadata: {}
            }))
          }
    ),
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

export { MIME };

/**
 * jupyter-server answers a directory listing made while a file in it is being
 * renamed (the first save of an Untitled notebook under a new name) with a
 * 404, and the file browser then shows "Directory not found" although the
 * next listing is fine. Closes that dialog, and only that one, if it is shown
 * within `ms`; returns whether it was. When it was, the two console errors
 * JupyterLab logged for it (the 404 and "Directory not found") are taken out
 * of `errors` (withLab's), one of each, and nothing else.
 */
export async function dismissListingRaceDialog(
  page,
  { ms = 2000, errors } = {}
) {
  const dialog = page.locator('.jp-Dialog', {
    hasText: 'Directory not found'
  });
  try {
    await dialog.waitFor({ timeout: ms });
  } catch {
    return false;
  }
  // JupyterLab 4.6's error dialog has one button, "Close".
  await dialog.locator('.jp-Dialog-button').last().click();
  await dialog.waitFor({ state: 'detached', timeout: 10000 });
  for (const pattern of [
    /^console\.error: Failed to load resource: the server responded with a status of 404/,
    /^console\.error: \S+: Directory not found: /
  ]) {
    const at = errors?.findIndex(error => pattern.test(error)) ?? -1;
    if (at >= 0) {
      errors.splice(at, 1);
    }
  }
  console.log('# dismissed "Directory not found" (listing during a rename)');
  return true;
}
