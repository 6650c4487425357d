#!/usr/bin/env node
/**
 * Checks the Debian packages the development JupyterLab (and, with --tests,
 * the browser tests and the wheel build) need. Missing ones are installed with
 * apt-get when running as root; otherwise the exact command is printed and
 * the exit code is 1.
 *
 * Usage: node scripts/system-deps.js [--tests]
 */
'use strict';

const fs = require('fs');
const { spawnSync } = require('child_process');

const PYTHON = '/usr/bin/python3';

/** Python modules of Debian's python3 and the Debian package providing each. */
const SERVER_MODULES = {
  jupyter_server: 'python3-jupyter-server',
  jupyterlab_server: 'python3-jupyterlab-server',
  ipykernel: 'python3-ipykernel'
};
const TEST_MODULES = {
  hatchling: 'python3-hatchling',
  build: 'python3-build'
};

function missingModules(modules) {
  if (!fs.existsSync(PYTHON)) {
    return [...new Set(['python3', ...Object.values(modules)])];
  }
  const missing = [];
  for (const [module, deb] of Object.entries(modules)) {
    const probe = spawnSync(PYTHON, ['-c', `import ${module}`], {
      stdio: 'ignore'
    });
    if (probe.status !== 0) {
      missing.push(deb);
    }
  }
  return missing;
}

/** Returns the Debian packages that are missing for the given purpose. */
function missingPackages({ tests = false } = {}) {
  const missing = missingModules(
    tests ? { ...SERVER_MODULES, ...TEST_MODULES } : SERVER_MODULES
  );
  if (tests && !fs.existsSync('/usr/bin/chromium')) {
    missing.push('chromium');
  }
  return missing;
}

/**
 * Installs what is missing (as root) or explains how; returns true when
 * everything is present afterwards.
 */
function ensureSystemPackages({ tests = false, log = console.log } = {}) {
  const missing = missingPackages({ tests });
  if (missing.length === 0) {
    return true;
  }
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!fs.existsSync('/usr/bin/apt-get')) {
    log(
      `Missing system packages: ${missing.join(', ')} (Debian names); install them with your package manager.`
    );
    return false;
  }
  if (!isRoot) {
    log(
      `Missing Debian packages: ${missing.join(' ')}. Install them with:\n  sudo apt-get update && sudo ${command}`
    );
    return false;
  }
  log(`Installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], command.split(' ').slice(1)]) {
    const result = spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env
    });
    if (result.status !== 0) {
      log(`apt-get ${args.join(' ')} failed (exit code ${result.status}).`);
      return false;
    }
  }
  const still = missingPackages({ tests });
  if (still.length > 0) {
    log(`Still missing after apt-get: ${still.join(' ')}.`);
    return false;
  }
  return true;
}

module.exports = { PYTHON, ensureSystemPackages, missingPackages };

if (require.main === module) {
  const ok = ensureSystemPackages({
    tests: process.argv.includes('--tests'),
    log: m => console.error(m)
  });
  process.exit(ok ? 0 : 1);
}
