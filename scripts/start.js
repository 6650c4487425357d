#!/usr/bin/env node
/**
 * `npm start` (`npm start -- --notebook` for Jupyter Notebook 7): the usual
 * extension development flow, kept inside the repository.
 *
 *   1. node_modules (`npm ci`) when it is missing, as on a fresh clone;
 *   2. .venv with JupyterLab and Notebook 7 (scripts/venv.sh; nothing to do
 *      when up to date);
 *   3. `npm run build` (lib/ and the extension in development mode);
 *   4. the equivalent of `jupyter labextension develop --overwrite`: a link to
 *      jupyterlab_char_attention/labextension in the repository's own Jupyter
 *      data folder (.cache/jupyter/data/labextensions), so the venv is not
 *      touched and a rebuild (`npm run build:labextension:dev`) is live on
 *      reload; JupyterLab and Notebook 7 both load it from there;
 *   5. `jupyter lab` (or `jupyter notebook`) on 127.0.0.1 with examples/ as
 *      root and examples/attention.ipynb open; prints the URL with its token.
 *
 * Jupyter's config, data, runtime, settings and workspaces folders, HOME
 * (IPython, Keras and other caches of the kernel) and TMPDIR are under
 * .cache/ in the repository. Kernels import jupyterlab_char_attention from
 * this checkout (PYTHONPATH). Autosave is off in these settings, so the
 * tracked example files change only when you save them yourself.
 *
 * Environment: PORT (default 8888), TOKEN (default: random), NOTEBOOK
 * (default attention.ipynb, relative to examples/).
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const cacheDir = path.join(root, '.cache', 'jupyter');
const PYTHON = path.join(root, '.venv', 'bin', 'python');
const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT || 8888);
const TOKEN = process.env.TOKEN || crypto.randomBytes(24).toString('hex');
const NOTEBOOK = process.env.NOTEBOOK || 'attention.ipynb';
const USAGE = `Usage: npm start [-- --notebook]

  (no option)   JupyterLab on examples/, with examples/attention.ipynb open
  --notebook    the same in Jupyter Notebook 7

Environment: PORT (default 8888), TOKEN (default: random), NOTEBOOK (default
attention.ipynb, relative to examples/).`;

/** The application to serve, from the command line. */
function parseArgs(argv) {
  const known = { '--notebook': 'notebook', '--lab': 'lab' };
  let app = 'lab';
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!(arg in known)) {
      console.error(`[start] unknown option ${arg}\n\n${USAGE}`);
      process.exit(2);
    }
    app = known[arg];
  }
  return app === 'lab'
    ? {
        name: 'JupyterLab',
        module: 'jupyterlab',
        page: 'lab/tree',
        home: 'lab'
      }
    : {
        name: 'Jupyter Notebook',
        module: 'notebook',
        page: 'notebooks',
        home: 'tree'
      };
}

const log = message => console.log(`[start] ${message}`);

function fail(message) {
  console.error(`[start] ${message}`);
  process.exit(1);
}

/** Resolves when nothing listens on host:port, rejects with the cause otherwise. */
function checkPortFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

function getStatus(port) {
  return new Promise(resolve => {
    const request = http.get(
      {
        host: HOST,
        port,
        path: '/api/status',
        headers: { Authorization: `token ${TOKEN}` },
        timeout: 2000
      },
      response => {
        response.resume();
        resolve(response.statusCode);
      }
    );
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

/** Runs a step in the foreground; exits with its message when it fails. */
function step(label, command, args, env) {
  log(label);
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    stdio: 'inherit'
  });
  if (result.error || result.status !== 0) {
    fail(
      `${label} failed (${result.error ? result.error.message : `exit code ${result.status}`}); see the messages above.`
    );
  }
}

/**
 * What `jupyter labextension develop --overwrite` does, into the repository's
 * Jupyter data folder: a symlink labextensions/<name> -> the built extension.
 * (The command itself would `pip install -e .` into the venv first, because
 * the package is not installed there; kernels get it from PYTHONPATH.)
 */
function developLink(env) {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(root, 'package.json'), 'utf-8')
  );
  const source = path.join(root, pkg.jupyterlab.outputDir);
  const extensionsDir = path.join(env.JUPYTER_DATA_DIR, 'labextensions');
  const link = path.join(extensionsDir, pkg.name);
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(path.relative(extensionsDir, source), link, 'dir');
  log(`linked ${path.relative(root, link)} -> ${path.relative(root, source)}`);
}

/**
 * On a fresh clone node_modules is missing: install it from package-lock.json
 * (what `npm ci` does by hand) before anything needs TypeScript.
 */
function ensureNodeModules(npm) {
  if (fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
    return;
  }
  step(
    'npm ci (node_modules is missing)',
    npm,
    ['ci', '--no-audit', '--no-fund'],
    process.env
  );
}

/**
 * Autosave off in the repository's user settings (unless they already say
 * otherwise): opening examples/attention.ipynb makes it "dirty" (kernel
 * metadata), and JupyterLab would then rewrite the tracked file on its own.
 */
function autosaveOff(env) {
  const file = path.join(
    env.JUPYTERLAB_SETTINGS_DIR,
    '@jupyterlab',
    'docmanager-extension',
    'plugin.jupyterlab-settings'
  );
  if (fs.existsSync(file)) {
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ autosave: false }, null, 2)}\n`);
  log(`autosave off: ${path.relative(root, file)}`);
}

/** Environment with every Jupyter, IPython and temp folder under .cache/jupyter. */
function repositoryEnv() {
  const dirs = {
    HOME: path.join(cacheDir, 'home'),
    JUPYTER_CONFIG_DIR: path.join(cacheDir, 'config'),
    JUPYTER_DATA_DIR: path.join(cacheDir, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(cacheDir, 'runtime'),
    TMPDIR: path.join(cacheDir, 'tmp')
  };
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  return {
    ...process.env,
    ...dirs,
    PATH: [path.join(root, '.venv', 'bin'), process.env.PATH].join(
      path.delimiter
    ),
    XDG_CACHE_HOME: path.join(dirs.HOME, '.cache'),
    XDG_CONFIG_HOME: path.join(dirs.HOME, '.config'),
    XDG_DATA_HOME: path.join(dirs.HOME, '.local', 'share'),
    IPYTHONDIR: path.join(dirs.HOME, '.ipython'),
    JUPYTERLAB_SETTINGS_DIR: path.join(
      dirs.JUPYTER_CONFIG_DIR,
      'lab',
      'user-settings'
    ),
    JUPYTERLAB_WORKSPACES_DIR: path.join(
      dirs.JUPYTER_CONFIG_DIR,
      'lab',
      'workspaces'
    ),
    // Kernels import the package from this checkout.
    PYTHONPATH: [root, process.env.PYTHONPATH]
      .filter(Boolean)
      .join(path.delimiter),
    PYDEVD_DISABLE_FILE_VALIDATION: '1'
  };
}

async function main() {
  const app = parseArgs(process.argv.slice(2));
  if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
    fail(`PORT=${process.env.PORT} is not a port number.`);
  }
  try {
    await checkPortFree(PORT);
  } catch (error) {
    fail(
      error.code === 'EADDRINUSE'
        ? `Port ${PORT} on ${HOST} is already in use (another server?): stop it or run \`PORT=${PORT + 1} npm start\`.`
        : `Cannot listen on ${HOST}:${PORT}: ${error.message}`
    );
  }
  const env = repositoryEnv();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // These write only into the repository (node_modules, .venv, lib/, the
  // extension folder) and keep the user's own npm and pip configuration.
  ensureNodeModules(npm);
  step(
    '.venv (scripts/venv.sh)',
    'bash',
    [path.join('scripts', 'venv.sh')],
    process.env
  );
  step('npm run build', npm, ['run', 'build'], process.env);
  developLink(env);
  autosaveOff(env);

  const notebook = path.join(examplesDir, NOTEBOOK);
  const page = fs.existsSync(notebook)
    ? `/${app.page}/${NOTEBOOK.split(path.sep).map(encodeURIComponent).join('/')}`
    : `/${app.home}`;
  if (!fs.existsSync(notebook)) {
    log(
      `${path.relative(root, notebook)} not found: opening the file browser instead.`
    );
  }
  const args = [
    '-m',
    app.module,
    `--ServerApp.ip=${HOST}`,
    `--ServerApp.port=${PORT}`,
    '--ServerApp.port_retries=0',
    '--ServerApp.open_browser=False',
    `--IdentityProvider.token=${TOKEN}`,
    `--ServerApp.root_dir=${examplesDir}`
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    args.push('--allow-root');
  }
  // Own process group: Ctrl+C reaches only this script, which stops the
  // server with SIGTERM (jupyter-server would otherwise ask to confirm).
  const server = spawn(PYTHON, args, {
    cwd: examplesDir,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true
  });
  let exited = false;
  server.on('exit', (code, signal) => {
    exited = true;
    if (signal) {
      log(`${app.name} stopped (${signal}).`);
    } else if (code !== 0) {
      console.error(
        `[start] ${app.name} exited with code ${code}; see the messages above.`
      );
    }
    process.exit(code || 0);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (!exited) {
        log(`stopping ${app.name} ...`);
        server.kill('SIGTERM');
        // jupyter-server 2.21 can close its port and then never exit (a
        // background thread that does not stop): kill its group after 10 s.
        setTimeout(() => {
          try {
            process.kill(-server.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 10000).unref();
      }
    });
  }
  process.on('exit', () => {
    if (!exited) {
      server.kill('SIGKILL');
    }
  });

  const deadline = Date.now() + 60000;
  while (!exited && Date.now() < deadline) {
    if ((await getStatus(PORT)) === 200) {
      const url = `http://${HOST}:${PORT}${page}?token=${TOKEN}`;
      console.log(
        `\n[start] ${app.name} is ready:\n\n    ${url}\n\n[start] Press Ctrl+C to stop.\n`
      );
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  if (!exited) {
    server.kill('SIGTERM');
    fail(
      `${app.name} did not answer on ${HOST}:${PORT} within 60 s; see the messages above.`
    );
  }
}

void main();
