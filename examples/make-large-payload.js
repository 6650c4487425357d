#!/usr/bin/env node
/**
 * Write a large payload (default 100,000 characters) for benchmarks and
 * manual testing: `node examples/make-large-payload.js [CHARS] [OUT.json]`
 * (default OUT: examples/review-<CHARS>.large.json, not committed).
 * Deterministic: the same CHARS always gives the same file.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const SENTENCES = [
  'Ordered the stainless kettle after the old one died.',
  'It boils fast and looks great, but the lid hinge snapped after three weeks.',
  'Support never answered my emails.',
  'Absolutely love this blender, smoothies in seconds!',
  'Arrived broken.\nReturned it the same day.',
  "It's fine.\tNothing special, does the job.",
  'Would not buy again: disappointed 😞',
  'Five stars, the battery lasts for days.'
];

/** A small deterministic generator (mulberry32). */
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

/** Tokens, softmax attention (sums to 1) and a mask for `chars` characters. */
function makeSample(chars, seed = 1) {
  const rand = random(seed);
  const tokens = [];
  let s = 0;
  while (tokens.length < chars) {
    for (const ch of Array.from(SENTENCES[s % SENTENCES.length] + ' ')) {
      if (tokens.length < chars) {
        tokens.push(ch);
      }
    }
    s += 1 + Math.floor(rand() * 3);
  }
  const logits = new Float64Array(chars);
  let state = 0;
  for (let i = 0; i < chars; i++) {
    const burst = rand() < 0.02 ? 3 + rand() * 2 : 0;
    state = 0.7 * state + 0.3 * (burst + (rand() - 0.5));
    logits[i] = state * 2;
  }
  let max = -Infinity;
  for (const x of logits) {
    max = Math.max(max, x);
  }
  let sum = 0;
  const weights = Array.from(logits, x => {
    const e = Math.exp(x - max);
    sum += e;
    return e;
  });
  const attention = weights.map(w => Number((w / sum).toPrecision(6)));
  // The last 1% of positions were truncated by the model.
  const mask = tokens.map((_, i) => i < chars - Math.floor(chars / 100));
  return { tokens, attention, mask };
}

function main() {
  const chars = Number(process.argv[2] || 100000);
  if (!Number.isInteger(chars) || chars < 1) {
    process.stderr.write('usage: make-large-payload.js [CHARS] [OUT.json]\n');
    process.exit(2);
  }
  const out =
    process.argv[3] || path.join(__dirname, `review-${chars}.large.json`);
  const sample = makeSample(chars);
  const payload = {
    version: 1,
    title: `Synthetic reviews (${chars.toLocaleString('en-US')} characters)`,
    ...sample,
    prediction: 0.5,
    label: 'synthetic'
  };
  fs.writeFileSync(out, JSON.stringify(payload));
  process.stdout.write(`wrote ${out} (${fs.statSync(out).size} bytes)\n`);
}

module.exports = { makeSample };

if (require.main === module) {
  main();
}
