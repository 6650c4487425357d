#!/usr/bin/env node
/**
 * Builds the prebuilt (federated) JupyterLab extension from lib/ into
 * package.json `jupyterlab.outputDir` (jupyterlab_char_attention/labextension),
 * the folder the Python wheel ships as
 * share/jupyter/labextensions/jupyterlab-char-attention.
 *
 * The development JupyterLab in lab/ is the core: build-labextension reads
 * its package.json (dependencies, resolutions, singletonPackages) to decide
 * which packages the extension takes from JupyterLab instead of bundling.
 *
 * Usage: node scripts/build-labextension.js [--development] [--watch]
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const corePath = path.join(root, 'lab');

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
    '@jupyterlab',
    'builder',
    'lib',
    'build-labextension.js'
  );
  if (!fs.existsSync(builder)) {
    fail(
      '@jupyterlab/builder is not installed: run `npm ci` in the repository root first.'
    );
  }
  const coreManifest = path.join(corePath, 'package.json');
  if (!fs.existsSync(coreManifest)) {
    fail(
      `${coreManifest} is missing: it describes the JupyterLab core the extension is built against.`
    );
  }
  const core = JSON.parse(fs.readFileSync(coreManifest, 'utf-8'));
  if (
    !core.jupyterlab ||
    !Array.isArray(core.jupyterlab.singletonPackages) ||
    !core.resolutions
  ) {
    fail(
      `${coreManifest} needs "jupyterlab.singletonPackages" and "resolutions" to serve as --core-path.`
    );
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
  const args = [builder, '--core-path', corePath, ...passThrough, root];
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
      `webpack failed (exit code ${result.status}); see the messages above.`
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
  checkNoTfjsOnPage(path.join(outputDir, 'static'));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `build-labextension: ${path.relative(root, outputDir)} ready in ${seconds} s`
  );
}

/**
 * The chunks JupyterLab loads for the plugins and the MIME renderer must
 * not carry TensorFlow.js: it belongs to the model worker, which imports it
 * only when a gradient method runs.
 */
function checkNoTfjsOnPage(staticDir) {
  const entry = fs
    .readdirSync(staticDir)
    .find(name => /^remoteEntry\..*\.js$/.test(name));
  if (!entry) {
    fail(`${staticDir} has no remoteEntry.*.js`);
  }
  const remote = fs.readFileSync(path.join(staticDir, entry), 'utf-8');
  for (const exposed of ['./extension', './mimeExtension']) {
    const at = remote.indexOf(`"${exposed}": () =>`);
    if (at < 0) {
      fail(`${entry} does not expose ${exposed}`);
    }
    const loader = remote.slice(at, remote.indexOf('\n\t}', at));
    const chunks = [
      ...loader.matchAll(/__webpack_require__\.e\("([^"]+)"\)/g)
    ].map(m => m[1]);
    for (const chunk of chunks) {
      const hash = new RegExp(
        `"${chunk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}":"([0-9a-f]+)"`
      ).exec(remote);
      const file = hash ? `${chunk}.${hash[1]}.js` : null;
      if (!file || !fs.existsSync(path.join(staticDir, file))) {
        fail(`chunk ${chunk} of ${exposed} not found in ${staticDir}`);
      }
      const code = fs.readFileSync(path.join(staticDir, file), 'utf-8');
      if (/tensorflow_tfjs|node_modules\/@tensorflow\//.test(chunk + code)) {
        fail(
          `${file} (loaded for ${exposed}) contains TensorFlow.js; it must stay in the model worker.`
        );
      }
    }
  }
}

main();
