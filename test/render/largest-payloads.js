/**
 * The largest payloads the validator accepts, in the shapes that cost the
 * renderer and the exports the most, for the budget tests (TypeScript:
 * test/render/budget.spec.ts, Python: python/tests/test_budget.py):
 *
 * - `one-text`: one text of MAX_TOKENS characters (every script, emoji,
 *   controls, bidirectional characters, spaces), tiny signed values (printed
 *   in exponent form), missing values and a mask;
 * - `batch`: MAX_SAMPLES samples sharing MAX_VALUES values, each with a title,
 *   a prediction and the meta of adaptive integrated gradients;
 * - `series`: MAX_VALUES / 5 characters with 5 named series.
 *
 *   node test/render/largest-payloads.js OUT_DIR   (writes OUT_DIR/<name>.json)
 *
 * Deterministic (a fixed seed); CommonJS so that Node, jest and pytest run it.
 */
'use strict';
const fs = require('fs');
const path = require('path');

/** The caps of src/payload/validate.ts (the budget test checks they match). */
const MAX_VALUES = 1000000;
const MAX_SAMPLES = 10000;

const ALPHABET = Array.from(
  'The quick brown fox, 漢字かなカナ한글 שלום مرحبا 😀👍🏽 e\u0301 <&>"\' \t\n\u202e\u200d'
);

/** mulberry32: a small deterministic generator. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function text(rand, length) {
  let out = '';
  for (let i = 0; i < length; i++) {
    out += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  }
  return out;
}

function largestPayloads() {
  const rand = random(20240611);
  const n = MAX_VALUES;
  const attention = new Array(n);
  const mask = new Array(n);
  for (let i = 0; i < n; i++) {
    attention[i] = i % 13 === 0 ? null : (rand() - 0.5) * 2e-5;
    mask[i] = i % 7 !== 0;
  }
  const perSample = MAX_VALUES / MAX_SAMPLES;
  const samples = [];
  for (let s = 0; s < MAX_SAMPLES; s++) {
    const values = [];
    for (let i = 0; i < perSample; i++) {
      values.push(rand() * 2 - 1);
    }
    samples.push({
      title: `review ${s + 1}`,
      text: text(rand, perSample),
      attention: values,
      prediction: rand(),
      meta: {
        method: 'integrated-gradients',
        steps: 64,
        gapRelative: rand() / 100,
        converged: true,
        fInput: rand(),
        target: 0
      }
    });
  }
  const seriesLength = MAX_VALUES / 5;
  return {
    'one-text': {
      version: 1,
      title: '\u202eone text at the cap',
      text: text(rand, n),
      attention,
      mask,
      prediction: 0.987654321,
      label: 'negative'
    },
    batch: { version: 1, title: 'A batch at the cap', samples },
    series: {
      version: 1,
      text: text(rand, seriesLength),
      series: Array.from({ length: 5 }, (_, k) => ({
        name: `layer ${k + 1}`,
        values: Array.from({ length: seriesLength }, () => rand())
      }))
    }
  };
}

/** Write each payload to `<dir>/<name>.json`; returns {name: file}. */
function writeLargestPayloads(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const files = {};
  for (const [name, payload] of Object.entries(largestPayloads())) {
    files[name] = path.join(dir, `${name}.json`);
    fs.writeFileSync(files[name], JSON.stringify(payload));
  }
  return files;
}

module.exports = {
  MAX_SAMPLES,
  MAX_VALUES,
  largestPayloads,
  writeLargestPayloads
};

if (require.main === module) {
  const files = writeLargestPayloads(path.resolve(process.argv[2] || '.'));
  process.stdout.write(JSON.stringify(files) + '\n');
}
