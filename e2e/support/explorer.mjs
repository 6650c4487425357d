/**
 * Helpers for the Attention Explorer tests and benchmark: a labelled CSV
 * generated with tricky quoting, the demo model copied into a server root,
 * and access to the explorer widget and its grid from the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lab.mjs';

export const DEMO_DIR = path.join(repoRoot, 'examples', 'models', 'demo');
export const MODEL = 'models/demo/demo.h5';
export const TOKENIZER = 'models/demo/tokenizer.json';
export const EXPLORER = '.jp-CharAttention-explorer';

/** A seeded generator (deterministic files). */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

// The demo model flags messages with "refund", "broken" or "terrible" (class 1).
const PLAIN = [
  'great value',
  'works fine',
  'refurbished, fine',
  'terrific',
  'broke the record'
];
const TRIGGER = [
  'arrived broken',
  'terrible',
  'want a refund',
  'refund, now',
  'BROKEN again'
];
const FILL = ['the kettle', 'my order', 'this phone', '"the" box', 'it'];

/** CSV text of `count` labelled reviews (commas, quotes and newlines in quoted fields). */
export function reviewsCsv(count, seed = 1) {
  const rnd = random(seed);
  const pick = list => list[Math.floor(rnd() * list.length)];
  const lines = ['id,text,label'];
  for (let i = 0; i < count; i++) {
    const label = rnd() < 0.5 ? 1 : 0;
    // About one row in six is labelled against its words: errors to find.
    const words = (label === 1) === rnd() < 0.83 ? TRIGGER : PLAIN;
    let text = `${pick(FILL)}: ${pick(words)}`;
    if (rnd() < 0.3) {
      text += `, ${pick(words)}`;
    }
    if (rnd() < 0.05) {
      text += '\nsecond line';
    }
    const field = /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    lines.push(`${i},${field},${label}`);
  }
  return lines.join('\r\n') + '\r\n';
}

/** Copies the demo model into a server root (binary-safe). */
export function copyDemoModel(rootDir) {
  if (!fs.existsSync(path.join(DEMO_DIR, 'demo.h5'))) {
    throw new Error(
      `${DEMO_DIR}/demo.h5 is missing (npm run train-demo makes it)`
    );
  }
  const target = path.join(rootDir, 'models', 'demo');
  fs.mkdirSync(target, { recursive: true });
  for (const name of fs.readdirSync(DEMO_DIR)) {
    fs.copyFileSync(path.join(DEMO_DIR, name), path.join(target, name));
  }
}

/** The explorer's state attributes. */
export async function explorerState(page) {
  return page.evaluate(selector => {
    const node = document.querySelector(selector);
    return node ? { ...node.dataset } : null;
  }, EXPLORER);
}

/** Waits until the explorer's `data-state` is one of `states`. */
export async function waitForState(page, states, timeout = 120000) {
  await page.waitForFunction(
    ([selector, wanted]) =>
      wanted.includes(document.querySelector(selector)?.dataset.state),
    [EXPLORER, states],
    { timeout }
  );
  return explorerState(page);
}

/** Body cells of the explorer's grid (its data model), rows `from..to-1`, column `column`. */
export async function gridColumn(page, column, from, to) {
  return page.evaluate(
    ([selector, column, from, to]) => {
      const app = window.jupyterapp;
      for (const area of ['main', 'right', 'left', 'down']) {
        for (const widget of app.shell.widgets(area)) {
          const content = widget.content;
          if (content?.node?.matches?.(selector)) {
            const model = content.grid.dataModel;
            const titles = [];
            for (let c = 0; c < model.columnCount('body'); c++) {
              titles.push(
                String(model.data('column-header', 0, c)).replace(/ [▲▼]$/, '')
              );
            }
            const index = titles.indexOf(column);
            const end = Math.min(to, model.rowCount('body'));
            const out = [];
            for (let r = from; r < end; r++) {
              out.push(model.data('body', r, index));
            }
            return out;
          }
        }
      }
      return null;
    },
    [EXPLORER, column, from, to]
  );
}

/** The centre of grid body row `row` (visible rows only), in page coordinates. */
export async function gridRowPoint(page, row, x = 120) {
  const box = await page
    .locator(`${EXPLORER} .jp-CharAttention-explorerGrid`)
    .boundingBox();
  return { x: box.x + x, y: box.y + 26 + 22 * row + 11 };
}
