#!/usr/bin/env node
/**
 * `npm start`: builds what is needed and serves the development JupyterLab on
 * 127.0.0.1 with examples/ as its root and examples/attention.ipynb open.
 *
 * The extension is loaded as a prebuilt extension from
 * jupyterlab_char_attention/labextension (linked into lab/labextensions, as
 * `jupyter labextension develop` does), and the kernel imports the Python
 * package from this checkout.
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
const { spawn } = require('child_process');

const { PYTHON, ensureSystemPackages } = require('./system-deps');
const { ensureBuilt } = require('./dev-build');

const root = path.resolve(__dirname, '..');
const labDir = path.join(root, 'lab');
const examplesDir = path.join(root, 'examples');
const cacheDir = path.join(root, '.cache', 'lab');
const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT || 8888);
const TOKEN = process.env.TOKEN || crypto.randomBytes(24).toString('hex');
const NOTEBOOK = process.env.NOTEBOOK || 'attention.ipynb';

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

/** Links the built extension where the lab server looks for prebuilt extensions. */
function linkExtension() {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(root, 'package.json'), 'utf-8')
  );
  const source = path.join(root, pkg.jupyterlab.outputDir);
  const extensionsDir = path.join(labDir, 'labextensions');
  const link = path.join(extensionsDir, pkg.name);
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(path.relative(extensionsDir, source), link, 'dir');
  return extensionsDir;
}

async function main() {
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
  if (!ensureSystemPackages({ log })) {
    process.exit(1);
  }
  try {
    ensureBuilt({ log });
  } catch (error) {
    fail(error.message);
  }
  const extensionsDir = linkExtension();
  fs.mkdirSync(examplesDir, { recursive: true });
  for (const dir of ['state', 'tmp', 'runtime']) {
    fs.mkdirSync(path.join(cacheDir, dir), { recursive: true });
  }

  const notebook = path.join(examplesDir, NOTEBOOK);
  const page = fs.existsSync(notebook)
    ? `/lab/tree/${NOTEBOOK.split(path.sep).map(encodeURIComponent).join('/')}`
    : '/lab';
  if (!fs.existsSync(notebook)) {
    log(
      `${path.relative(root, notebook)} not found: opening the file browser instead.`
    );
  }
  const env = {
    ...process.env,
    CHAR_ATTENTION_LAB_STATE: path.join(cacheDir, 'state'),
    CHAR_ATTENTION_LAB_LABEXTENSIONS: extensionsDir,
    JUPYTER_RUNTIME_DIR: path.join(cacheDir, 'runtime'),
    // The kernel imports jupyterlab_char_attention from this checkout.
    PYTHONPATH: [root, process.env.PYTHONPATH]
      .filter(Boolean)
      .join(path.delimiter),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    TMPDIR: path.join(cacheDir, 'tmp')
  };
  const args = [
    path.join(labDir, 'main.py'),
    `--ServerApp.ip=${HOST}`,
    `--ServerApp.port=${PORT}`,
    '--ServerApp.port_retries=0',
    '--ServerApp.open_browser=False',
    `--ServerApp.token=${TOKEN}`,
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
      log(`JupyterLab stopped (${signal}).`);
    } else if (code !== 0) {
      console.error(
        `[start] JupyterLab exited with code ${code}; see the messages above.`
      );
    }
    process.exit(code || 0);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (!exited) {
        log('stopping JupyterLab ...');
        server.kill('SIGTERM');
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
        `\n[start] JupyterLab is ready:\n\n    ${url}\n\n[start] Press Ctrl+C to stop.\n`
      );
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  if (!exited) {
    server.kill('SIGTERM');
    fail(
      `JupyterLab did not answer on ${HOST}:${PORT} within 60 s; see the messages above.`
    );
  }
}

void main();
