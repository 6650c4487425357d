/* eslint-disable */
/**
 * Run by test/model/scaled-average.spec.ts in a Node started with
 * --experimental-wasm-relaxed-simd (or without it): the fused head's
 * average through the built engine (lib-node) with the WebAssembly kernel
 * of the module that engine uses (relaxed or plain) and without it, on
 * seeded random inputs (masks, rows counted as 1, NaN, infinities, -0,
 * the reference model's 250 units); prints JSON: whether the relaxed
 * module was used, how many kernel calls ran, how many floats differ.
 */
'use strict';
const path = require('path');

const LIB = path.join(__dirname, '..', '..', '..', 'lib-node', 'model');
const { scaleRowsAndAverage } = require(path.join(LIB, 'graph', 'fuse.js'));
const { Kernels, simdKernelCalls } = require(
  path.join(LIB, 'layers', 'kernels.js')
);

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 2 ** 60, -(2 ** 60), 3e-30];

function randomCase(random, batch, steps, units) {
  const value = () =>
    random() < 0.02
      ? SPECIALS[Math.floor(random() * SPECIALS.length)]
      : random() * 2 - 1;
  const x = Float32Array.from({ length: batch * steps * units }, value);
  const scale = Float32Array.from({ length: batch * steps }, value);
  const bits = () =>
    Uint8Array.from({ length: batch * steps }, () => (random() < 0.8 ? 1 : 0));
  return {
    x: { shape: [batch, steps, units], data: x },
    scale: { shape: [batch, steps], data: scale },
    mask: random() < 0.5 ? { batch, steps, data: bits() } : null,
    ones: random() < 0.5 ? { batch, steps, data: bits() } : null
  };
}

const kernels = new Kernels({ relaxed: true });
const random = rng(7);
let differ = 0;
const calls = simdKernelCalls();
const shapes = [
  [1, 1, 4],
  [1, 7, 5],
  [3, 9, 17],
  [2, 250, 250],
  [5, 13, 32]
];
for (let round = 0; round < 20; round++) {
  for (const [batch, steps, units] of shapes) {
    const c = randomCase(random, batch, steps, units);
    const fast = scaleRowsAndAverage(c.x, c.scale, c.mask, c.ones, kernels);
    const plain = scaleRowsAndAverage(c.x, c.scale, c.mask, c.ones, null);
    const a = new Uint32Array(fast.data.buffer);
    const b = new Uint32Array(plain.data.buffer);
    for (let i = 0; i < a.length; i++) {
      const nan = Number.isNaN(fast.data[i]) && Number.isNaN(plain.data[i]);
      if (a[i] !== b[i] && !nan) {
        differ++;
      }
    }
  }
}
process.stdout.write(
  JSON.stringify({
    relaxed: kernels.relaxed,
    simd: kernels.simd,
    kernelCalls: simdKernelCalls() - calls,
    differ
  })
);
