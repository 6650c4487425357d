/**
 * Launches Debian's Chromium with playwright-core (no browser download) and
 * the flags this offline, root, headless setting needs: without the
 * background-networking flags Chromium keeps dialling hosts it cannot reach.
 * Used by the benchmarks, the screenshot script and the end-to-end tests.
 */
'use strict';
const { chromium } = require('playwright-core');

const CHROMIUM_PATH = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage'
];

/** `options` go to playwright's `chromium.launch` (extra `args` are appended). */
function launchChromium(options = {}) {
  return chromium.launch({
    headless: true,
    ...options,
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...(options.args || [])]
  });
}

module.exports = { CHROMIUM_PATH, launchChromium };
