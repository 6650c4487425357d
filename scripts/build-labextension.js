#!/usr/bin/env node
/**
 * Builds the prebuilt (federated) JupyterLab extension from lib/ into
 * package.json `jupyterlab.outputDir` (jupyterlab_char_attention/labextension),
 * the folder the Python wheel ships as
 * share/jupyter/labextensions/jupyterlab-char-attention.
 *
 * The core is described by @jupyterlab/core-meta (the package.json of the
 * JupyterLab release the extension is built against, pinned in
 * devDependencies): its dependencies, resolutions and singletonPackages decide
 * which packages the extension takes from JupyterLab instead of bundling, and
 * which versions it asks for at runtime. This is what
 * `jupyter labextension build` does with @jupyter/builder.
 *
 * Usage: node scripts/build-labextension.js [--development] [--watch]
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const corePackageFile = path.join(
  root,
  'node_modules',
  '@jupyterlab',
  'core-meta',
  'core.package.json'
);

function fail(message) {
  console.error(`build-labextension: ${message}`);
  process.exit(1);
}

function main() {
  const pkg = JSON.parse(
    fs.readFileSync(path.join(root, 'package.json'), 'utf-8')
  );
  const builder = path.join(
    root,
    'node_modules',
    '@jupyter',
    'builder',
    'lib',
    'build-labextension.js'
  );
  if (!fs.existsSync(builder)) {
    fail(
      '@jupyter/builder is not installed: run `npm ci` in the repository root first.'
    );
  }
  if (!fs.existsSync(corePackageFile)) {
    fail(
      `${corePackageFile} is missing: run \`npm ci\` (devDependency @jupyterlab/core-meta).`
    );
  }
  const core = JSON.parse(fs.readFileSync(corePackageFile, 'utf-8'));
  if (!core.jupyterlab || !Array.isArray(core.jupyterlab.singletonPackages)) {
    fail(`${corePackageFile} has no "jupyterlab.singletonPackages".`);
  }
  // The entry points named in package.json must have been compiled by tsc.
  const entries = [
    pkg.main,
    pkg.jupyterlab.extension,
    pkg.jupyterlab.mimeExtension
  ].filter(entry => typeof entry === 'string');
  const missing = entries.filter(
    entry => !fs.existsSync(path.join(root, entry))
  );
  if (missing.length > 0) {
    fail(`${missing.join(', ')} not found: run \`npm run build:lib\` first.`);
  }

  const passThrough = process.argv
    .slice(2)
    .filter(arg => ['--development', '--watch', '--source-map'].includes(arg));
  const args = [
    builder,
    '--core-package-file',
    corePackageFile,
    ...passThrough,
    root
  ];
  const started = Date.now();
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: 'inherit'
  });
  if (result.error) {
    fail(`could not run ${builder}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    fail(
      `the build failed (exit code ${result.status}); see the messages above.`
    );
  }
  const outputDir = path.join(root, pkg.jupyterlab.outputDir);
  const built = JSON.parse(
    fs.readFileSync(path.join(outputDir, 'package.json'), 'utf-8')
  );
  if (
    !built.jupyterlab ||
    !built.jupyterlab._build ||
    !built.jupyterlab._build.load
  ) {
    fail(
      `${outputDir}/package.json has no jupyterlab._build.load: the build did not finish.`
    );
  }
  checkNoTfjs(path.join(outputDir, 'static'));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `build-labextension: ${path.relative(root, outputDir)} ready in ${seconds} s`
  );
}

/**
 * No chunk of the extension may carry TensorFlow.js: the engine computes
 * predictions and gradients itself (TensorFlow.js is a development
 * dependency, for tests and benchmarks only).
 */
function checkNoTfjs(staticDir) {
  const files = fs.readdirSync(staticDir).filter(name => name.endsWith('.js'));
  if (!files.some(name => /^remoteEntry\..*\.js$/.test(name))) {
    fail(`${staticDir} has no remoteEntry.*.js`);
  }
  for (const file of files) {
    const code = fs.readFileSync(path.join(staticDir, file), 'utf-8');
    if (/tensorflow_tfjs|node_modules\/@tensorflow\/|tfjsflags/.test(code)) {
      fail(`${file} contains TensorFlow.js; the extension must not bundle it.`);
    }
  }
}

main();
