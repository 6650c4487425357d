#!/usr/bin/env node
/**
 * Builds what the development JupyterLab needs, skipping parts that are up to
 * date (a part is rebuilt when one of its inputs is newer than its last
 * build, or its output is missing; a build made with the npm scripts directly
 * counts, as each rewrites a marker file):
 *   npm dependencies of the repository and of lab/   (npm ci)
 *   lib/ and lib-node/                               (npm run build:lib)
 *   the prebuilt extension, development mode         (npm run build:labextension:dev)
 *   the JupyterLab core app in lab/static            (npm run build in lab/)
 *
 * Usage: node scripts/dev-build.js [--force]
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const stampDir = path.join(root, '.cache', 'dev-build');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Newest modification time (ms) of the given files and folders (recursive), 0 when none exist. */
function newestMtime(paths) {
  let newest = 0;
  const visit = target => {
    let stat;
    try {
      stat = fs.statSync(target);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(target)) {
        if (entry !== 'node_modules') {
          visit(path.join(target, entry));
        }
      }
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  paths.forEach(p => visit(path.join(root, p)));
  return newest;
}

function stampTime(name) {
  try {
    return fs.statSync(path.join(stampDir, name)).mtimeMs;
  } catch {
    return 0;
  }
}

function writeStamp(name, started) {
  fs.mkdirSync(stampDir, { recursive: true });
  const file = path.join(stampDir, name);
  fs.writeFileSync(file, new Date(started).toISOString() + '\n');
  // Inputs changed while building must trigger the next build.
  fs.utimesSync(file, started / 1000, started / 1000);
}

function run(command, args, cwd, label) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(
      `${label} failed (${command} ${args.join(' ')} in ${path.relative(root, cwd) || '.'})`
    );
  }
}

/** The parts, in build order. */
const PARTS = [
  {
    name: 'npm-root',
    label: 'npm ci (repository)',
    inputs: ['package-lock.json'],
    outputs: ['node_modules/.package-lock.json'],
    markers: ['node_modules/.package-lock.json'],
    // Only on a fresh clone: npm ci would delete a working node_modules.
    onlyIfMissing:
      'package-lock.json is newer than node_modules: run `npm ci` if the build fails',
    build: () => run(npm, ['ci', '--no-audit', '--no-fund'], root, 'npm ci')
  },
  {
    name: 'npm-lab',
    label: 'npm ci (lab/)',
    inputs: ['lab/package-lock.json'],
    outputs: ['lab/node_modules/.package-lock.json'],
    markers: ['lab/node_modules/.package-lock.json'],
    build: () =>
      run(
        npm,
        ['ci', '--no-audit', '--no-fund'],
        path.join(root, 'lab'),
        'npm ci in lab/'
      )
  },
  {
    name: 'lib',
    label: 'TypeScript (lib/, lib-node/)',
    inputs: ['src', 'tsconfig.json', 'tsconfig.node.json', 'package.json'],
    outputs: ['lib/index.js'],
    // Emitted files, not tsbuildinfo: `tsc --noEmit` rewrites the latter.
    markers: ['lib', 'lib-node'],
    build: () => run(npm, ['run', 'build:lib'], root, 'npm run build:lib')
  },
  {
    name: 'labextension',
    label: 'prebuilt extension (development)',
    inputs: [
      'lib',
      'style',
      'schema',
      'package.json',
      'lab/package.json',
      'scripts/build-labextension.js'
    ],
    outputs: ['jupyterlab_char_attention/labextension/package.json'],
    markers: ['jupyterlab_char_attention/labextension/package.json'],
    build: () =>
      run(
        npm,
        ['run', 'build:labextension:dev'],
        root,
        'npm run build:labextension:dev'
      )
  },
  {
    name: 'lab',
    label: 'JupyterLab core app (lab/static)',
    inputs: [
      'lab/package.json',
      'lab/package-lock.json',
      'lab/webpack.config.js',
      'lab/bootstrap.js'
    ],
    outputs: ['lab/static/bundle.js'],
    markers: ['lab/static/bundle.js'],
    build: () =>
      run(npm, ['run', 'build'], path.join(root, 'lab'), 'webpack in lab/')
  }
];

/**
 * Builds every part that is out of date. Returns the list of parts built.
 * Throws an Error naming the failed part.
 */
function ensureBuilt({ force = false, log = console.log } = {}) {
  const built = [];
  for (const part of PARTS) {
    const outputsExist = part.outputs.every(p =>
      fs.existsSync(path.join(root, p))
    );
    // Last build: this script's stamp, or a file every build rewrites (so a
    // build made by `npm run build` directly counts too).
    const builtAt = Math.max(stampTime(part.name), newestMtime(part.markers));
    const stale = newestMtime(part.inputs) > builtAt;
    if (!force && outputsExist && !stale) {
      log(`up to date: ${part.label}`);
      continue;
    }
    if (outputsExist && part.onlyIfMissing) {
      log(`warning: ${part.onlyIfMissing}`);
      continue;
    }
    const started = Date.now();
    log(`building: ${part.label}`);
    part.build();
    writeStamp(part.name, started);
    log(
      `built: ${part.label} in ${((Date.now() - started) / 1000).toFixed(1)} s`
    );
    built.push(part.name);
  }
  return built;
}

module.exports = { ensureBuilt };

if (require.main === module) {
  try {
    ensureBuilt({
      force: process.argv.includes('--force'),
      log: m => console.log(`[dev-build] ${m}`)
    });
  } catch (error) {
    console.error(`[dev-build] ${error.message}`);
    process.exit(1);
  }
}
