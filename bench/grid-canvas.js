/* eslint-disable */
/**
 * Where the explorer grid's scrolling time went, without JupyterLab: the
 * Lumino DataGrid (2.5) paints each cell into an off-screen canvas (its
 * buffer, as large as the grid) and copies that cell onto the visible
 * canvas with `drawImage`. This script times that pattern for one screen of
 * cells (8 columns x 20 rows) against painting the same cells straight onto
 * the visible canvas, each clipped to its cell (what the explorer's grid
 * does instead: src/lab/explorer/direct-paint.ts), for several buffer
 * sizes, in the tests' headless Chromium (--disable-gpu) and in Chromium
 * with its GPU path (SwiftShader). Without a GPU path every copy first
 * snapshots the whole buffer, so the copies cost in proportion to its size.
 *
 *   node bench/grid-canvas.js
 */
'use strict';
const { chromium } = require('playwright-core');
const { CHROMIUM_PATH, launchChromium } = require('../scripts/chromium.js');
const os = require('os');

const SIZES = [
  [1536, 512],
  [1024, 512],
  [1536, 1024]
];
const CELLS = 160;

async function measure(browser) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      ([sizes, cells]) => {
        const run = (width, height, copy) => {
          const buffer = document.createElement('canvas');
          const canvas = document.createElement('canvas');
          buffer.width = canvas.width = width;
          buffer.height = canvas.height = height;
          document.body.append(canvas);
          const off = buffer.getContext('2d');
          const on = canvas.getContext('2d');
          const start = performance.now();
          for (let i = 0; i < cells; i++) {
            const x = (i % 8) * 110;
            const y = Math.floor(i / 8) * 22;
            const gc = copy ? off : on;
            gc.save();
            if (copy) {
              gc.clearRect(x, y, 110, 22);
            } else {
              gc.beginPath();
              gc.rect(x, y, 110, 22);
              gc.clip();
            }
            gc.font = '12px sans-serif';
            gc.fillText(`cell ${i}: some text`, x + 4, y + 16);
            gc.restore();
            if (copy) {
              on.drawImage(buffer, x, y, 110, 22, x, y, 110, 22);
            }
          }
          // Wait for the drawing to be done.
          on.getImageData(0, 0, 1, 1);
          const ms = performance.now() - start;
          canvas.remove();
          return ms;
        };
        const out = [];
        for (const [width, height] of sizes) {
          run(width, height, true);
          out.push([
            `${width}x${height}, each cell copied`,
            run(width, height, true)
          ]);
        }
        run(1536, 512, false);
        out.push([
          '1536x512, painted in place, clipped to each cell',
          run(1536, 512, false)
        ]);
        return out;
      },
      [SIZES, CELLS]
    );
  } finally {
    await page.close();
  }
}

async function main() {
  const load = os.loadavg()[0];
  const software = await launchChromium();
  const withoutGpu = await measure(software).finally(() => software.close());
  const gpu = await chromium.launch({
    headless: true,
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader'
    ]
  });
  const withGpu = await measure(gpu).finally(() => gpu.close());
  console.log(`${CELLS} cells (one screen of the explorer's grid), ms:`);
  console.log('| canvas | --disable-gpu | GPU path (SwiftShader) |');
  console.log('|---|---|---|');
  withoutGpu.forEach(([name, ms], i) =>
    console.log(`| ${name} | ${ms.toFixed(1)} | ${withGpu[i][1].toFixed(1)} |`)
  );
  console.log(
    `Load average (1 min): ${load.toFixed(2)} on ${os.cpus().length} CPUs.`
  );
}

main().catch(error => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
