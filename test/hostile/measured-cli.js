/**
 * Runs the built CLI (lib-node/) in this process and reports, on exit, its
 * exit code, peak resident memory and CPU time to the file named by
 * MEASURE_OUT.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const out = process.env.MEASURE_OUT;
const report = code => {
  if (out) {
    fs.writeFileSync(
      out,
      JSON.stringify({
        code,
        maxRssKb: process.resourceUsage().maxRSS,
        cpuMicros:
          process.resourceUsage().userCPUTime +
          process.resourceUsage().systemCPUTime
      })
    );
  }
};
const { main } = require(
  path.join(__dirname, '..', '..', 'lib-node', 'cli', 'main.js')
);
main(process.argv.slice(2)).then(
  code => {
    report(code);
    process.exitCode = code;
  },
  error => {
    process.stderr.write(String(error && error.stack ? error.stack : error));
    report(99);
    process.exitCode = 99;
  }
);
