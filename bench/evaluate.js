/* eslint-disable */
/**
 * Evaluation benchmark, against real Keras in the same run:
 *
 * - 10,000 labelled rows (CSV) of the reference model (T=250, GRU 250; built
 *   by `bench/keras_reference.py`), predictions only: Keras `predict` on the
 *   same file (`bench/evaluate_keras.py`: csv module, pad_sequences,
 *   predict(batch_size=256)), `char-attention evaluate --workers 2`
 *   (wall time, peak RSS), and the Attention Explorer in headless Chromium
 *   (a real JupyterLab with this build of the extension, 2 model workers);
 * - peak RSS of the CLI on 100,000 rows;
 * - scrolling the explorer's grid of 100,000 rows (the demo model): every
 *   main-thread task over 50 ms is caught by a PerformanceObserver for long
 *   tasks while the grid is scrolled with the wheel and by jumps; in the
 *   tests' headless Chromium (--disable-gpu, canvases drawn on the main
 *   thread) and in Chromium with its GPU path (SwiftShader), as a desktop
 *   browser draws canvases. A trace gives the same tasks' main-thread CPU
 *   time (bench/main-thread.js): on a loaded machine a task's wall time
 *   also counts waiting for a CPU. Lumino's DataGrid paints each cell into an
 *   off-screen canvas and copies it (without a GPU path every copy first
 *   snapshots the whole off-screen canvas, 1.3-2 ms each here); the
 *   explorer's grid paints its cells straight onto the visible canvas
 *   instead (src/lab/explorer/direct-paint.ts; bench/grid-canvas.js).
 *
 * Run after `npm run build` (lib-node and the labextension):
 *   node bench/evaluate.js            (part of `npm run bench`)
 * Environment: BENCH_QUICK=1 for fewer scroll steps; BENCH_NO_BROWSER=1;
 * BENCH_ONLY=browser (the explorer only, e.g. to measure again on a quiet machine);
 * BENCH_ONLY=scroll (the 100,000-row grid only: no 10,000-row reference run).
 */
'use strict';
const { fmt, table } = require('./report');
const { traceMainThread } = require('./main-thread');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const WORK = path.join(__dirname, '.work');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const MODEL = path.join(WORK, 'reference.keras');
const TOKENIZER = path.join(WORK, 'tokenizer.json');
const CSV_10K = path.join(WORK, 'labelled-10000.csv');
const CSV_100K = path.join(WORK, 'labelled-100000.csv');
const DEMO = path.join(ROOT, 'examples', 'models', 'demo');
const EXTENSION = path.join(ROOT, 'jupyterlab_char_attention', 'labextension');
const QUICK = process.env.BENCH_QUICK === '1';
const WORKERS = 2;
const ALPHABET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,!?-:;';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A labelled CSV: texts of 20-220 characters (some quoted), labels 0/1. */
function writeCsv(file, rows, seed, alphabet = ALPHABET.slice(0, 66)) {
  if (fs.existsSync(file)) {
    return;
  }
  const rnd = rng(seed);
  const out = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const length = 20 + Math.floor(rnd() * 200);
    let text = '';
    for (let k = 0; k < length; k++) {
      text += alphabet[Math.floor(rnd() * alphabet.length)];
    }
    const field = /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    out.push(`${field},${rnd() < 0.5 ? 1 : 0}`);
  }
  fs.writeFileSync(file, out.join('\r\n') + '\r\n');
}

function python(script, args) {
  return spawnSync(PYTHON, [path.join(__dirname, script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CUDA_VISIBLE_DEVICES: '' },
    maxBuffer: 1 << 26
  });
}

function prepare() {
  fs.mkdirSync(WORK, { recursive: true });
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} not found: make the venv with \`npm run venv\``);
  }
  if (!fs.existsSync(MODEL)) {
    const built = python('keras_reference.py', ['build', MODEL]);
    if (built.status !== 0) {
      throw new Error(
        `building the reference model failed:\n${built.stderr.slice(-2000)}`
      );
    }
  }
  const map = {};
  for (let i = 0; i < 69; i++) {
    map[ALPHABET[i]] = i + 1;
  }
  fs.writeFileSync(TOKENIZER, JSON.stringify(map));
  writeCsv(CSV_10K, 10000, 7);
  writeCsv(CSV_100K, 100000, 8);
}

function keras() {
  const result = python('evaluate_keras.py', [MODEL, TOKENIZER, CSV_10K]);
  if (result.status !== 0) {
    return { error: result.stderr.trim().split('\n').slice(-3).join(' ') };
  }
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

/** `char-attention evaluate` on a file: wall time, peak RSS (threads included), the summary. */
function cli(file, workers) {
  const script =
    `require(${JSON.stringify(path.join(ROOT, 'lib-node', 'cli', 'main.js'))}).main(process.argv.slice(1))` +
    `.then(code => { process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'); process.exitCode = code; });`;
  const out = path.join(WORK, 'evaluate-out.jsonl');
  const fd = fs.openSync(out, 'w');
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      script,
      'evaluate',
      '--model',
      MODEL,
      '--tokenizer',
      TOKENIZER,
      '--file',
      file,
      '--workers',
      String(workers)
    ],
    { encoding: 'utf8', stdio: ['ignore', fd, 'pipe'] }
  );
  fs.closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    return { error: result.stderr.trim().split('\n').slice(-2).join(' ') };
  }
  const rss = /MAXRSS (\d+)/.exec(result.stderr);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1]).summary;
  const first = JSON.parse(lines[0]).prediction;
  fs.rmSync(out);
  return { seconds, rssMb: rss ? Number(rss[1]) / 1024 : NaN, summary, first };
}

/** The explorer in a real JupyterLab: a run timed by its state changes, then the 100,000-row grid scrolled. */
async function browser() {
  if (!fs.existsSync(path.join(EXTENSION, 'package.json'))) {
    return { error: `${EXTENSION} is missing: run \`npm run build\` first` };
  }
  // This build of the extension, found through a Jupyter data folder of the benchmark.
  const jupyter = path.join(WORK, 'jupyter');
  const link = path.join(jupyter, 'labextensions', 'jupyterlab-char-attention');
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.rmSync(link, { force: true, recursive: true });
  fs.symlinkSync(EXTENSION, link, 'dir');
  process.env.E2E_JUPYTER_PATH = jupyter;
  process.env.E2E_PYTHONPATH = ROOT;
  process.env.E2E_RUN_DIR = path.join(WORK, 'lab-run');
  process.env.E2E_ARTIFACTS = path.join(WORK, 'lab-artifacts');
  fs.rmSync(process.env.E2E_RUN_DIR, { force: true, recursive: true });
  const lab = await import(path.join(ROOT, 'e2e', 'support', 'lab.mjs'));
  const { reviewsCsv } = await import(
    path.join(ROOT, 'e2e', 'support', 'explorer.mjs')
  );
  const server = await lab.startLab('bench-explorer', {
    settings: { 'jupyterlab-char-attention:lab': { workers: WORKERS } }
  });
  const copy = (from, to) => {
    fs.mkdirSync(path.dirname(path.join(server.rootDir, to)), {
      recursive: true
    });
    fs.copyFileSync(from, path.join(server.rootDir, to));
  };
  copy(MODEL, 'reference.keras');
  copy(TOKENIZER, 'tokenizer.json');
  copy(CSV_10K, 'labelled-10000.csv');
  for (const name of fs.readdirSync(DEMO)) {
    copy(path.join(DEMO, name), path.join('demo', name));
  }
  fs.writeFileSync(
    path.join(server.rootDir, 'demo-100000.csv'),
    reviewsCsv(100000, 5)
  );
  try {
    // The tests' headless Chromium (--disable-gpu: the canvas is drawn on the main thread).
    const software = await session(
      await lab.launchBrowser(),
      lab,
      server,
      process.env.BENCH_ONLY !== 'scroll'
    );
    await lab.closeBrowser();
    // Chromium with its GPU path (SwiftShader standing in for a GPU), as a desktop browser draws canvases.
    const { chromium } = require('playwright-core');
    const { CHROMIUM_PATH } = require(
      path.join(ROOT, 'scripts', 'chromium.js')
    );
    const withGpu = await chromium.launch({
      headless: true,
      executablePath: CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader'
      ]
    });
    const gpu = await session(withGpu, lab, server, false).finally(() =>
      withGpu.close()
    );
    return { ...software, gpuScroll: gpu.scroll };
  } finally {
    await server.stop();
  }
}

/** One browser: the 10,000-row reference run (first browser only), the 100,000-row demo run, the scrolling. */
async function session(browser, lab, server, withReference) {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 }
  });
  const page = await context.newPage();
  try {
    await lab.openLab(page, server);
    const hardware = await page.evaluate(() => navigator.hardwareConcurrency);
    const reference = withReference
      ? await runExplorer(
          page,
          'labelled-10000.csv',
          'reference.keras',
          'tokenizer.json'
        )
      : null;
    const demo = await runExplorer(
      page,
      'demo-100000.csv',
      'demo/demo.h5',
      'demo/tokenizer.json'
    );
    const scroll = await scrollGrid(page);
    return { hardware, reference, demo, scroll };
  } finally {
    await context.close();
  }
}

async function runExplorer(page, file, model, tokenizer) {
  await page.evaluate(
    path =>
      window.jupyterapp.commands.execute('char-attention:open-explorer', {
        path
      }),
    file
  );
  const explorer = page
    .locator(`.jp-CharAttention-explorer[data-state="idle"]`)
    .last();
  await explorer.waitFor({ timeout: 60000 });
  await explorer.locator('.jp-CharAttention-explorerModel').fill(model);
  await explorer.locator('.jp-CharAttention-explorerTokenizer').fill(tokenizer);
  // State changes with their times, from the click on Run.
  await page.evaluate(() => {
    const node = [
      ...document.querySelectorAll('.jp-CharAttention-explorer')
    ].pop();
    window.benchStates = [];
    new MutationObserver(() =>
      window.benchStates.push([node.dataset.state, performance.now()])
    ).observe(node, { attributes: true, attributeFilter: ['data-state'] });
    node
      .querySelector('.jp-CharAttention-explorerRun')
      .addEventListener(
        'click',
        () => (window.benchClick = performance.now()),
        { capture: true }
      );
  });
  await explorer.locator('.jp-CharAttention-explorerRun').click();
  await page.waitForFunction(
    () =>
      ['done', 'error', 'cancelled'].includes(
        [...document.querySelectorAll('.jp-CharAttention-explorer')].pop()
          .dataset.state
      ),
    null,
    { timeout: 1800000 }
  );
  return page.evaluate(() => {
    const node = [
      ...document.querySelectorAll('.jp-CharAttention-explorer')
    ].pop();
    const at = state => (window.benchStates.find(s => s[0] === state) || [])[1];
    const done = at('done');
    return {
      state: node.dataset.state,
      status: node.querySelector('.jp-CharAttention-explorerStatus')
        .textContent,
      rows: Number(node.dataset.rows),
      totalSeconds: (done - window.benchClick) / 1000,
      predictSeconds: (done - at('running')) / 1000,
      accuracy: node.querySelector('[data-fact="accuracy"] b')?.textContent
    };
  });
}

/** Wheel scrolling and scrollbar jumps over the 100,000-row grid, long tasks caught. */
async function scrollGrid(page) {
  const grid = page.locator('.jp-CharAttention-explorerGrid').last();
  const box = await grid.boundingBox();
  await page.evaluate(() => {
    window.benchLong = [];
    window.benchObserver = new PerformanceObserver(list =>
      window.benchLong.push(...list.getEntries().map(e => e.duration))
    );
    window.benchObserver.observe({ type: 'longtask' });
    window.benchFrames = [];
    let last = performance.now();
    const tick = now => {
      window.benchFrames.push(now - last);
      last = now;
      if (!window.benchStop) {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const stopTrace = await traceMainThread(page);
  const steps = QUICK ? 60 : 300;
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(0, i % 50 < 40 ? 900 : -900);
    await page.waitForTimeout(16);
  }
  const wheelLongTasks = await page.evaluate(() => window.benchLong.length);
  // Jumps anywhere in the 100,000 rows, as a dragged scrollbar does.
  const jumps = QUICK ? 20 : 60;
  for (let i = 0; i < jumps; i++) {
    await page.evaluate(
      fraction => {
        const widget = [...window.jupyterapp.shell.widgets('main')]
          .filter(w =>
            w.content?.node?.classList.contains('jp-CharAttention-explorer')
          )
          .pop();
        const grid = widget.content.grid;
        grid.scrollTo(0, fraction * grid.maxScrollY);
      },
      ((i * 7919) % 1000) / 1000
    );
    await page.waitForTimeout(40);
  }
  await page.waitForTimeout(300);
  const thread = await stopTrace();
  const scrolled = await page.evaluate(() => {
    window.benchStop = true;
    const frames = window.benchFrames.slice(1).sort((a, b) => a - b);
    return {
      longTasks: window.benchLong.slice(),
      frames: frames.length,
      p50: frames[Math.floor(frames.length / 2)],
      p99: frames[Math.floor(frames.length * 0.99)],
      maxFrame: frames[frames.length - 1]
    };
  });
  // Sorting and filtering 100,000 rows (one task each), measured apart.
  const timed = async action => {
    await page.evaluate(() => (window.benchLong = []));
    await action();
    await page.waitForTimeout(500);
    return page.evaluate(() => Math.max(0, ...window.benchLong));
  };
  const explorer = page.locator('.jp-CharAttention-explorer').last();
  const sortMs = await timed(() =>
    explorer.locator('.jp-CharAttention-explorerSort').selectOption('loss')
  );
  const filterMs = await timed(() =>
    explorer.locator('.jp-CharAttention-explorerErrors').check()
  );
  const rows = await explorer.evaluate(node => Number(node.dataset.rows));
  return {
    ...scrolled,
    thread,
    wheelLongTasks,
    sortMs,
    filterMs,
    rows,
    steps,
    jumps
  };
}

async function main() {
  prepare();
  const loads = [os.loadavg()[0]];
  const skip = { error: 'BENCH_ONLY=browser' };
  const browserOnly = ['browser', 'scroll'].includes(process.env.BENCH_ONLY);
  const k = browserOnly ? skip : keras();
  loads.push(os.loadavg()[0]);
  const cli10k = browserOnly ? skip : cli(CSV_10K, WORKERS);
  loads.push(os.loadavg()[0]);
  const cli100k = browserOnly ? skip : cli(CSV_100K, WORKERS);
  loads.push(os.loadavg()[0]);
  const web =
    process.env.BENCH_NO_BROWSER === '1'
      ? { error: 'BENCH_NO_BROWSER=1' }
      : await browser().catch(e => ({ error: e.message }));
  loads.push(os.loadavg()[0]);

  console.log(
    `\nEvaluation of 10,000 labelled rows, reference model (T=250, Embedding 100, GRU 250), predictions only; ` +
      `Keras ${k.keras || '?'} on the CPU, node ${process.version}, ${os.cpus().length} CPUs, ${WORKERS} workers\n`
  );
  for (const [name, r] of [
    ['Keras', k],
    ['CLI', cli10k],
    ['CLI 100k', cli100k],
    ['explorer', web]
  ]) {
    if (r.error) {
      console.log(`NOTICE: ${name}: ${r.error}`);
    }
  }
  const ref = web.reference || {};
  table(
    [
      'measure',
      'Keras predict (same file)',
      `CLI evaluate, ${WORKERS} workers`,
      `explorer (Chromium), ${WORKERS} workers`
    ],
    [
      [
        '10,000 rows, wall (s)',
        `${fmt(k.seconds)} (predict ${fmt(k.predictSeconds)})`,
        fmt(cli10k.seconds),
        `${fmt(ref.totalSeconds)} (run ${fmt(ref.predictSeconds)})`
      ],
      [
        'rows/s',
        fmt(10000 / k.seconds, 0),
        fmt(10000 / cli10k.seconds, 0),
        fmt(10000 / ref.totalSeconds, 0)
      ],
      [
        'accuracy',
        fmt(100 * k.accuracy, 2) + '%',
        fmt(100 * (cli10k.summary || {}).accuracy, 2) + '%',
        ref.accuracy || 'n/a'
      ],
      [
        'mean loss',
        fmt(k.meanLoss, 5),
        fmt((cli10k.summary || {}).meanLoss, 5),
        ''
      ],
      ['first prediction', fmt(k.firstPrediction, 6), fmt(cli10k.first, 6), ''],
      ['peak RSS (MB)', '', fmt(cli10k.rssMb, 0), '']
    ]
  );
  const s = web.scroll || {};
  console.log('');
  table(
    ['measure', 'value', 'target', 'result'],
    [
      [
        'CLI evaluate on 100,000 rows: peak RSS',
        `${fmt(cli100k.rssMb, 0)} MB (${fmt(cli100k.seconds)} s)`,
        '<= 400 MB',
        Number.isFinite(cli100k.rssMb)
          ? cli100k.rssMb <= 400
            ? 'pass'
            : 'MISS'
          : 'n/a'
      ],
      ...[
        ['Chromium with a GPU path (SwiftShader)', web.gpuScroll || {}],
        ['headless Chromium --disable-gpu (the tests)', s]
      ].flatMap(([name, g]) => [
        [
          `${name}: tasks over 50 ms scrolling ${g.rows || '?'} rows (${g.steps} wheel steps, ${g.jumps} jumps)`,
          g.longTasks
            ? `${g.longTasks.length}${g.longTasks.length ? ` (longest ${fmt(Math.max(...g.longTasks), 0)} ms)` : ''}, ${g.wheelLongTasks} of them while wheel-scrolling`
            : 'n/a',
          '0',
          g.longTasks ? (g.longTasks.length === 0 ? 'pass' : 'MISS') : 'n/a'
        ],
        [
          `${name}: the same tasks' main-thread CPU time: longest (ms), tasks over 50 ms`,
          g.thread
            ? `${fmt(g.thread.longest, 1)}, ${g.thread.over50} of ${g.thread.tasks}`
            : 'n/a',
          '',
          ''
        ],
        [
          `${name}: frame interval median / p99 / max (ms)`,
          g.frames
            ? `${fmt(g.p50)} / ${fmt(g.p99)} / ${fmt(g.maxFrame)}`
            : 'n/a',
          '',
          ''
        ]
      ]),
      [
        'sort 100,000 rows by loss: longest task (ms)',
        fmt(s.sortMs, 0),
        '',
        ''
      ],
      [
        'filter 100,000 rows to errors: longest task (ms)',
        fmt(s.filterMs, 0),
        '',
        ''
      ],
      [
        'explorer, 100,000 rows of the demo model (s)',
        web.demo
          ? `${fmt(web.demo.totalSeconds)} (run ${fmt(web.demo.predictSeconds)})`
          : 'n/a',
        '',
        ''
      ],
      [
        'CLI vs Keras, same file',
        fmt(k.seconds / cli10k.seconds, 2) + 'x',
        '',
        ''
      ],
      [
        'explorer vs Keras, same file',
        fmt(k.seconds / ref.totalSeconds, 2) + 'x',
        '',
        ''
      ]
    ]
  );
  console.log(
    `\nLoad average (1 min) at each step: ${loads.map(l => fmt(l, 2)).join(', ')} on ${os.cpus().length} CPUs` +
      (Math.max(...loads) > 2.5
        ? ' (other processes competed for the CPU: figures are indicative only).'
        : '.') +
      (web.hardware ? ` Chromium reports ${web.hardware} cores.` : '')
  );
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
