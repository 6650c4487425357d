/**
 * Which of the module's two one-row products (two 16-column panels or one
 * per pass over k: the same floats) an engine runs faster, timed once per
 * engine and module kind on a product of the reference model's shape.
 * Which is faster depends on the engine's register allocation: with
 * relaxed SIMD, Node 20's V8 spills an accumulator of the two-panel one;
 * Chromium's does not.
 */

import { KernelMemory } from './memory';

type Kernel = (...args: number[]) => void;

const choices = new Map<string, 'wide' | 'narrow'>();

/**
 * The faster one-row product. Runs at the start of a fresh memory, before
 * anything lives there, and leaves the bytes it used zero.
 */
export function fasterOneRow(
  wide: Kernel,
  narrow: Kernel,
  memory: KernelMemory,
  kind: string
): 'wide' | 'narrow' {
  let choice = choices.get(kind);
  if (choice) {
    return choice;
  }
  const k = 256;
  const np = 768;
  const bytes = (k + k * np + np) * 4;
  memory.ensure(bytes);
  const time = (kernel: Kernel) => {
    const start = performance.now();
    for (let i = 0; i < 100; i++) {
      const out = (k + k * np) * 4;
      kernel(0, 1, k, k * 4, np, out, out, 0);
    }
    return performance.now() - start;
  };
  let wideMs = Infinity;
  let narrowMs = Infinity;
  for (let round = 0; round < 3; round++) {
    wideMs = Math.min(wideMs, time(wide));
    narrowMs = Math.min(narrowMs, time(narrow));
  }
  choice = narrowMs < wideMs ? 'narrow' : 'wide';
  choices.set(kind, choice);
  new Uint8Array(memory.buffer, 0, bytes).fill(0);
  return choice;
}
