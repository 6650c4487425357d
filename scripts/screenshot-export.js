#!/usr/bin/env node
/**
 * Screenshots of `char-attention render` output in headless Chromium, light
 * and dark colour scheme: docs/export-light.png, docs/export-dark.png.
 *
 *   node bin/char-attention.js render examples/review-250.json -o /tmp/review.html
 *   node scripts/screenshot-export.js /tmp/review.html docs
 *   node scripts/screenshot-export.js /tmp/explain.html docs explain   (docs/explain-*.png)
 */
'use strict';
const path = require('path');
const { launchChromium } = require('./chromium');

async function main() {
  const input = path.resolve(process.argv[2] || '/tmp/review.html');
  const outDir = path.resolve(process.argv[3] || 'docs');
  const prefix = process.argv[4] || 'export';
  const browser = await launchChromium();
  try {
    for (const scheme of ['light', 'dark']) {
      const page = await browser.newPage({
        viewport: { width: 1600, height: 400 },
        deviceScaleFactor: 2,
        colorScheme: scheme
      });
      // Offline check: the export must not fetch anything.
      await page.route('**/*', route =>
        route.request().url().startsWith('file:')
          ? route.continue()
          : route.abort()
      );
      await page.goto('file://' + input);
      const width = await page.evaluate(() =>
        Math.max(
          ...Array.from(
            document.querySelectorAll(
              '.cax table, .cax .c-h > *, .cax .c-l > *'
            )
          ).map(element => element.getBoundingClientRect().right)
        )
      );
      await page.setViewportSize({
        width: Math.max(600, Math.ceil(width) + 24),
        height: 400
      });
      const box = await page.locator('.cax').first().boundingBox();
      box.width = Math.ceil(width) + 12 - box.x;
      const file = path.join(outDir, `${prefix}-${scheme}.png`);
      await page.screenshot({
        path: file,
        clip: {
          x: 0,
          y: 0,
          width: Math.ceil(box.x + box.width + 16),
          height: Math.ceil(box.y + box.height + 16)
        }
      });
      process.stdout.write(`wrote ${file}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  process.stderr.write(
    String(error && error.stack ? error.stack : error) + '\n'
  );
  process.exit(1);
});
