/**
 * Runs the built CLI (lib-node/) in this process and reports, on exit, its
 * exit code, CPU time and peak memory to the file named by MEASURE_OUT. The
 * peak is VmHWM of /proc/self/status, which starts again at exec (getrusage's
 * maxRSS keeps the size of the process this one was forked from on Linux);
 * maxRSS where /proc is missing.
 */
'use strict';
const fs = require('fs');
const path = require('path');

function peakKb() {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (match) {
      return Number(match[1]);
    }
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS;
}

function report(code) {
  const usage = process.resourceUsage();
  fs.writeFileSync(
    process.env.MEASURE_OUT,
    JSON.stringify({
      code,
      peakKb: peakKb(),
      cpuMicros: usage.userCPUTime + usage.systemCPUTime
    })
  );
}

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
