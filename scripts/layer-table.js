#!/usr/bin/env node
/**
 * Writes the table of supported / unsupported layers (generated from the
 * layer registry) into README.md between <!-- layers:start --> and
 * <!-- layers:end -->. `--check` only compares and exits 1 when they differ.
 * Needs `npm run build:node` first.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'lib-node', 'model', 'layers', 'table.js');
if (!fs.existsSync(built)) {
  console.error(`${built} is missing: run \`npm run build:node\` first`);
  process.exit(2);
}
const { withLayerTable } = require(built);
const readmePath = path.join(root, 'README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
const updated = withLayerTable(readme);
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error(
      'README.md layer table is out of date: run `node scripts/layer-table.js`'
    );
    process.exit(1);
  }
} else if (updated !== readme) {
  fs.writeFileSync(readmePath, updated);
  console.log('README.md: layer table updated');
}
