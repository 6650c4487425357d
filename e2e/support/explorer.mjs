/**
 * Helpers for the Attention Explorer tests and benchmark: a labelled CSV
 * generated with tricky quoting, access to the explorer widget and its grid
 * from the page (the demo model comes from `demo.mjs`).
 */

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

/** Page function: the explorer widget (any area), or null. */
export const EXPLORER_WIDGET = `(selector => {
  for (const area of ['main', 'right', 'left', 'down']) {
    for (const widget of window.jupyterapp.shell.widgets(area)) {
      if (widget.content?.node?.matches?.(selector)) return widget.content;
    }
  }
  return null;
})`;

/** The payload of the tables the explorer shows. */
export async function explorerPayload(page) {
  return page.evaluate(
    ([find, selector]) => eval(find)(selector)?.payload ?? null,
    [EXPLORER_WIDGET, EXPLORER]
  );
}

/** Waits until the explorer's details show `count` explained rows. */
export async function waitForExplained(page, count, timeout = 120000) {
  await page.waitForFunction(
    ([selector, n]) =>
      document.querySelector(selector)?.dataset.explained === String(n),
    [`${EXPLORER} .jp-CharAttention-explorerDetails`, count],
    { timeout }
  );
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
    ([find, selector, column, from, to]) => {
      const content = eval(find)(selector);
      if (!content) {
        return null;
      }
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
    },
    [EXPLORER_WIDGET, EXPLORER, column, from, to]
  );
}

/** The title of grid column `column` (with the sort arrow). */
export async function gridHeader(page, column) {
  return page.evaluate(
    ([find, selector, column]) =>
      eval(find)(selector)?.grid.dataModel.data('column-header', 0, column),
    [EXPLORER_WIDGET, EXPLORER, column]
  );
}

/** The centre of grid body row `row` (visible rows only), in page coordinates. */
export async function gridRowPoint(page, row, x = 120) {
  const box = await page
    .locator(`${EXPLORER} .jp-CharAttention-explorerGrid`)
    .boundingBox();
  return { x: box.x + x, y: box.y + 26 + 22 * row + 11 };
}
