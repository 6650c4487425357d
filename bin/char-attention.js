#!/usr/bin/env node
'use strict';
// The CLI is compiled to CommonJS in lib-node/ (npm run build:lib).
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'lib-node', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(
    'char-attention: the CLI is not built yet; run `npm run build:lib` in ' +
      path.join(__dirname, '..') +
      '\n'
  );
  process.exit(2);
}
// exitCode (not exit()) so piped output is flushed before the process ends.
require(entry)
  .main(process.argv.slice(2))
  .then(code => {
    process.exitCode = code;
  });
