#!/usr/bin/env node
/**
 * Render benchmark: HTML export time and size for 250, 10,000 and 100,000
 * characters next to the classic pandas Styler table (one-row DataFrame of
 * characters, `applymap`/`map` of `background-color`, `to_html`) measured in
 * the same run with Debian's python3-pandas; the largest payloads the
 * validator accepts (test/render/largest-payloads.js) exported by
 * `char-attention render` and by Python's `to_html` in child processes (CPU
 * time and peak memory); then, in headless Chromium, the renderer's time to
 * first visible rows (100,000 characters) and the longest main-thread block
 * while rendering 1,000,000 characters, next to the time Chromium needs to
 * show the Styler page.
 *
 *   npm run build:node && npm run bench:render [-- --no-browser] [-- --no-styler] [-- --no-budget]
 *
 * Targets: <= 32 bytes/char, >= 200x faster than Styler for 10,000 characters,
 * the largest payload within 5 s of CPU and 500 MB, first rows < 300 ms for
 * 100,000 characters, no long freeze for 1,000,000.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib-node', 'table', 'html.js');
const PYTHON = process.env.PYTHON || '/usr/bin/python3';
const args = new Set(process.argv.slice(2));

if (!fs.existsSync(LIB)) {
  console.error('bench/render.js: run `npm run build:node` first');
  process.exit(2);
}
const { exportPayloadHtml } = require(LIB);
const { makeSample } = require(
  path.join(ROOT, 'examples', 'make-large-payload.js')
);

// Work files stay in the repository (bench/.work is ignored by git).
fs.mkdirSync(path.join(__dirname, '.work'), { recursive: true });
const tmp = fs.mkdtempSync(path.join(__dirname, '.work', 'render-'));

function payloadOf(chars) {
  if (chars === 250) {
    return JSON.parse(
      fs.readFileSync(path.join(ROOT, 'examples', 'review-250.json'), 'utf8')
    );
  }
  return { version: 1, title: `${chars} characters`, ...makeSample(chars) };
}

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeExport(payload, runs, warmups) {
  // Warm up: measure the optimised code, as in a long-lived process.
  for (let i = 0; i < warmups; i++) {
    exportPayloadHtml(payload);
  }
  const times = [];
  let html = '';
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = exportPayloadHtml(payload);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!result.ok) {
      throw new Error(result.problems.map(p => p.message).join('\n'));
    }
    html = result.html;
  }
  return { ms: median(times), bytes: Buffer.byteLength(html), html };
}

const STYLER_SCRIPT = String.raw`
import json, sys, time
import pandas as pd
from matplotlib import colormaps, colors  # the classic code colours with matplotlib

def styler_html(tokens, attention):
    df = pd.DataFrame([tokens])
    cmap = colormaps["Reds"]
    top = max(attention) or 1.0
    css = iter(["background-color: %s" % colors.to_hex(cmap(a / top)) for a in attention])
    style = df.style
    apply_map = getattr(style, "map", None) or style.applymap
    return apply_map(lambda _: next(css)).to_html()

out = {}
for name in sys.argv[1:]:
    payload = json.load(open(name))
    tokens = payload["tokens"]
    attention = [0.0 if a is None else a for a in payload["attention"]]
    runs = 5 if len(tokens) <= 1000 else 1
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        html = styler_html(tokens, attention)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    html_file = name + ".styler.html"
    with open(html_file, "w", encoding="utf-8") as handle:
        handle.write("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>" + html + "</body></html>")
    out[str(len(tokens))] = {"ms": times[len(times) // 2], "bytes": len(html.encode("utf-8")), "file": html_file}
print(json.dumps(out))
`;

function runStyler(files) {
  const result = spawnSync(PYTHON, ['-c', STYLER_SCRIPT, ...files], {
    encoding: 'utf8',
    maxBuffer: 1 << 26
  });
  if (result.status !== 0) {
    console.error(`pandas Styler run failed (${PYTHON}):\n${result.stderr}`);
    return null;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

function pad(text, width) {
  text = String(text);
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

function printTable(headers, rows) {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map(r => String(r[i]).length))
  );
  console.log(headers.map((h, i) => pad(h, widths[i])).join('  '));
  console.log(widths.map(w => '-'.repeat(w)).join('  '));
  for (const row of rows) {
    console.log(row.map((c, i) => pad(c, widths[i])).join('  '));
  }
}

async function browserBench(sizes, stylerFiles, exportFiles) {
  const esbuild = require('esbuild');
  const { launchChromium } = require('../scripts/chromium');
  const bundle = esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'render-page-entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'error',
    loader: { '.svg': 'text' }
  }).outputFiles[0].text;
  const css = fs.readFileSync(path.join(ROOT, 'style', 'base.css'), 'utf8');
  const page_html =
    '<!DOCTYPE html><html><head><meta charset="utf-8"><style>' +
    ':root{--jp-layout-color0:#fff;--jp-layout-color2:#eee;--jp-layout-color3:#bdbdbd;' +
    '--jp-ui-font-color1:#212121;--jp-ui-font-color2:#616161;--jp-border-color1:#bdbdbd;--jp-border-color2:#e0e0e0;' +
    '--jp-code-font-family:monospace;--jp-code-font-size:13px;--jp-ui-font-size0:11px;--jp-ui-font-size1:13px;' +
    '--jp-brand-color1:#1976d2;--jp-border-width:1px}' +
    css +
    '</style></head><body><div id="host"></div><script>' +
    bundle.replace(/<\/script/g, '<\\/script') +
    '</script></body></html>';
  const browser = await launchChromium();
  const results = [];
  try {
    for (const chars of sizes) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 }
      });
      const page = await context.newPage();
      const payloadFile = path.join(tmp, `payload-${chars}.json`);
      if (!fs.existsSync(payloadFile)) {
        fs.writeFileSync(payloadFile, JSON.stringify(payloadOf(chars)));
      }
      await page.route('http://bench.local/**', route => {
        const url = route.request().url();
        if (url.endsWith('/page.html')) {
          return route.fulfill({ contentType: 'text/html', body: page_html });
        }
        if (url.endsWith('/payload.json')) {
          return route.fulfill({
            contentType: 'application/json',
            body: fs.readFileSync(payloadFile)
          });
        }
        return route.abort();
      });
      await page.goto('http://bench.local/page.html');
      // The payload arrives parsed, as in JupyterLab (JSON.parse is not timed).
      await page.evaluate(async () => {
        window.__payload = await (
          await fetch('http://bench.local/payload.json')
        ).json();
      });
      const timing = await page.evaluate(() =>
        window.renderPayload(window.__payload)
      );
      const row = { chars, ...timing };
      for (const [key, file] of [
        ['stylerPageMs', stylerFiles[chars]],
        ['exportPageMs', exportFiles[chars]]
      ]) {
        if (file) {
          row[key] = await firstPaintOf(browser, file);
        }
      }
      results.push(row);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return results;
}

/** Time from navigation start to first contentful paint of an HTML file. */
async function firstPaintOf(browser, file) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 }
  });
  const page = await context.newPage();
  await page.route('**/*', route =>
    route.request().url().startsWith('file:') ? route.continue() : route.abort()
  );
  await page.goto('file://' + file, { waitUntil: 'load', timeout: 180000 });
  const fcp = await page.evaluate(
    () =>
      new Promise(resolve => {
        const found = () =>
          performance.getEntriesByName('first-contentful-paint')[0];
        const check = () =>
          found() ? resolve(found().startTime) : setTimeout(check, 20);
        check();
      })
  );
  await context.close();
  return fcp;
}

/** CPU time (s) and peak memory (MB) of a child given by `run(reportFile)`. */
function measuredChild(run) {
  const report = path.join(tmp, `measure-${Date.now()}.json`);
  const result = run(report);
  if (result.status !== 0 || !fs.existsSync(report)) {
    throw new Error(`child failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(fs.readFileSync(report, 'utf8'));
}

const PYTHON_BUDGET_CHILD = String.raw`
import json, sys, time
sys.path.insert(0, sys.argv[3])
from jupyterlab_char_attention import to_html
payload = json.load(open(sys.argv[1], encoding="utf-8"))
start = time.process_time()
to_html(payload, sys.argv[2])
cpu = time.process_time() - start
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
json.dump({"cpuSeconds": cpu, "peakKb": peak}, open(sys.argv[4], "w"))
`;

/** The largest accepted payloads through `char-attention render` and Python's `to_html`. */
function budgetBench() {
  const { writeLargestPayloads } = require(
    path.join(ROOT, 'test', 'render', 'largest-payloads.js')
  );
  const files = writeLargestPayloads(path.join(tmp, 'largest'));
  const python = path.join(ROOT, '.venv', 'bin', 'python');
  const rows = [];
  for (const [name, file] of Object.entries(files)) {
    const out = path.join(tmp, `${name}.html`);
    const ts = measuredChild(report =>
      spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'test', 'render', 'measured-render.js'),
          'render',
          file,
          '-o',
          out
        ],
        { encoding: 'utf8', env: { ...process.env, MEASURE_OUT: report } }
      )
    );
    const py = fs.existsSync(python)
      ? measuredChild(report =>
          spawnSync(
            python,
            ['-c', PYTHON_BUDGET_CHILD, file, out, ROOT, report],
            {
              encoding: 'utf8'
            }
          )
        )
      : null;
    rows.push([
      name,
      (ts.cpuMicros / 1e6).toFixed(2),
      (ts.peakKb / 1024).toFixed(0),
      py ? py.cpuSeconds.toFixed(2) : 'n/a (no .venv)',
      py ? (py.peakKb / 1024).toFixed(0) : 'n/a'
    ]);
  }
  console.log(
    'Largest accepted payloads (1,000,000 values): char-attention render and to_html in child processes'
  );
  printTable(
    [
      'payload',
      'render CPU s',
      'render peak MB',
      'to_html CPU s',
      'to_html peak MB'
    ],
    rows
  );
  console.log('targets: < 5 s CPU and < 500 MB each\n');
}

async function main() {
  const sizes = [250, 10000, 100000];
  console.log('char-attention render benchmark');
  console.log(
    `node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0].model}\n`
  );

  const exportRows = [];
  const files = [];
  const exportFiles = {};
  const measured = {};
  for (const chars of sizes) {
    const payload = payloadOf(chars);
    const file = path.join(tmp, `payload-${chars}.json`);
    fs.writeFileSync(file, JSON.stringify(payload));
    files.push(file);
    const result = timeExport(
      payload,
      chars >= 100000 ? 5 : 15,
      chars >= 100000 ? 2 : 10
    );
    const htmlFile = path.join(tmp, `export-${chars}.html`);
    fs.writeFileSync(htmlFile, result.html);
    exportFiles[chars] = htmlFile;
    measured[chars] = result;
  }
  const styler = args.has('--no-styler') ? null : runStyler(files);
  const stylerFiles = {};
  for (const chars of sizes) {
    const ours = measured[chars];
    const theirs = styler && styler[String(chars)];
    if (theirs) {
      stylerFiles[chars] = theirs.file;
    }
    exportRows.push([
      chars.toLocaleString('en-US'),
      ours.ms.toFixed(1),
      theirs ? theirs.ms.toFixed(0) : 'n/a',
      theirs ? `${(theirs.ms / ours.ms).toFixed(0)}x` : 'n/a',
      (ours.bytes / chars).toFixed(1),
      theirs ? (theirs.bytes / chars).toFixed(1) : 'n/a',
      theirs ? `${(theirs.bytes / ours.bytes).toFixed(1)}x` : 'n/a'
    ]);
  }
  console.log(
    'HTML export (median; Styler = pandas one-row DataFrame, applymap background-color, to_html)'
  );
  printTable(
    [
      'chars',
      'export ms',
      'Styler ms',
      'speed-up',
      'bytes/char',
      'Styler bytes/char',
      'size ratio'
    ],
    exportRows
  );
  console.log(
    'targets: <= 32 bytes/char; >= 200x faster than Styler at 10,000 chars\n'
  );
  if (!args.has('--no-budget')) {
    budgetBench();
  }

  if (!args.has('--no-browser')) {
    const browserSizes = [100000, 1000000];
    const rows = await browserBench(browserSizes, stylerFiles, exportFiles);
    console.log(
      'Headless Chromium: renderer (RenderedCharAttention, payload already parsed)'
    );
    printTable(
      [
        'chars',
        'first rows ms',
        'sync ms',
        'block (render) ms',
        'complete ms',
        'block wheel-scroll ms',
        'block jump-scroll ms',
        'long tasks',
        'cells in DOM',
        'Styler page FCP ms',
        'export page FCP ms'
      ],
      rows.map(r => [
        r.chars.toLocaleString('en-US'),
        r.firstRowsMs.toFixed(0) +
          (r.firstCellVisible ? '' : ' (not visible!)'),
        r.syncMs.toFixed(0),
        r.renderBlockMs.toFixed(0),
        r.completeMs.toFixed(0),
        r.wheelBlockMs.toFixed(0),
        r.jumpBlockMs.toFixed(0),
        r.longTasks,
        r.cellsInDom.toLocaleString('en-US'),
        r.stylerPageMs === undefined ? 'n/a' : r.stylerPageMs.toFixed(0),
        r.exportPageMs === undefined ? 'n/a' : r.exportPageMs.toFixed(0)
      ])
    );
    console.log(
      'targets: first rows < 300 ms at 100,000 chars; no long freeze at 1,000,000 chars'
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch(error => {
  console.error(error && error.stack ? error.stack : error);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
});
