/**
 * Arrays reused from one forward pass to the next (buffer-pool.ts): lent
 * only inside a pass, taken back at its end unless a returned tensor views
 * them, zeroed when asked. On a real-Keras model (Embedding with
 * mask_zero -> GRU -> the pooled attention head), passes that reuse the
 * arrays of earlier passes give the floats of a freshly loaded model bit
 * for bit, and what a pass returned stays as it was after later passes.
 */
import { loadModel } from '../../src/model/engine';
import { graphGradients } from '../../src/model/graph/backward';
import { runGraph } from '../../src/model/graph/graph';
import { BufferPool } from '../../src/model/layers/buffer-pool';
import { fixture } from './helpers';

const BIG = 1 << 15;

describe('BufferPool', () => {
  it('makes fresh arrays outside a pass', () => {
    const pool = new BufferPool();
    const a = pool.zeros(BIG);
    pool.open();
    pool.close([]);
    expect(pool.freeCount).toBe(0);
    expect(pool.zeros(BIG)).not.toBe(a);
  });

  it('takes back at the end of a pass what the pass does not return, zeroed on reuse', () => {
    const pool = new BufferPool();
    pool.open();
    const dropped = pool.scratch(BIG).fill(7);
    const returned = pool.zeros(BIG).fill(5);
    pool.close([returned.subarray(10, 20)]);
    expect(pool.freeCount).toBe(1);
    pool.open();
    const again = pool.zeros(BIG);
    expect(again).toBe(dropped);
    expect(again.every(v => v === 0)).toBe(true);
    // The returned array is never lent again.
    const other = pool.zeros(BIG);
    expect(other).not.toBe(returned);
    pool.close([]);
    expect(returned.every(v => v === 5)).toBe(true);
  });

  it('takes back everything of a pass that throws', () => {
    const pool = new BufferPool();
    expect(() =>
      pool.within(
        () => {
          pool.zeros(BIG);
          throw new Error('layer failed');
        },
        () => []
      )
    ).toThrow('layer failed');
    expect(pool.freeCount).toBe(1);
    const kept = pool.within(
      () => pool.zeros(BIG),
      array => [array]
    );
    expect(pool.freeCount).toBe(0);
    expect(kept.length).toBe(BIG);
  });

  it('lends small arrays fresh and decides at the outermost close', () => {
    const pool = new BufferPool();
    pool.open();
    pool.zeros(16);
    pool.open();
    pool.zeros(BIG);
    pool.close([]);
    expect(pool.freeCount).toBe(0);
    pool.close([]);
    expect(pool.freeCount).toBe(1);
  });
});

describe('forward passes reusing arrays', () => {
  const file = 'attention_head_masked.keras';
  const T = 20;
  const batch = 160;

  /** Ids with `pad(b)` leading zeros in row b (mask_zero masks them). */
  function ids(pad: (b: number) => number, seed: number) {
    const data = new Float32Array(batch * T);
    for (let b = 0; b < batch; b++) {
      for (let t = pad(b); t < T; t++) {
        data[b * T + t] = 1 + ((b * 7 + t * 3 + seed) % 30);
      }
    }
    return [{ shape: [batch, T], data }];
  }

  it('gives the floats of a fresh model, and leaves returned tensors alone', async () => {
    const load = () =>
      loadModel({ [file]: fixture('keras', 'gradients', file) });
    const reused = await load();
    const fresh = await load();
    try {
      const full = ids(() => 0, 1);
      const padded = ids(b => b % T, 2);
      const first = runGraph(reused.graph, full, { outputs: ['gru'] });
      const firstBits = Array.from(first.activations.gru.data);
      // Nothing asked for: the GRU output and the score's product come back.
      runGraph(reused.graph, full);
      expect(reused.graph.buffers.freeCount).toBeGreaterThanOrEqual(2);
      // Padded rows: their outputs before the first id are the zeros a reused array must get again.
      const second = runGraph(reused.graph, padded, { outputs: ['gru'] });
      const expected = runGraph(fresh.graph, padded, { outputs: ['gru'] });
      expect(
        Buffer.from(second.activations.gru.data.buffer).equals(
          Buffer.from(expected.activations.gru.data.buffer)
        )
      ).toBe(true);
      expect(Array.from(second.outputs[0].data)).toEqual(
        Array.from(expected.outputs[0].data)
      );
      expect(second.activations.gru.data[T * 8]).toBe(0);
      expect(Array.from(first.activations.gru.data)).toEqual(firstBits);
    } finally {
      reused.dispose();
      fresh.dispose();
    }
  });
});

describe('gradient passes reusing arrays', () => {
  // Embedding(mask_zero) -> GRU -> the pooled attention head, and a model
  // whose GRU reads the Embedding directly (the sequence gradient returned).
  it.each(['attention_head_masked.keras', 'attention_head.keras'])(
    '%s: gradients of a fresh model bit for bit; returned arrays left alone',
    async file => {
      const load = () =>
        loadModel({ [file]: fixture('keras', 'gradients', file) });
      const reused = await load();
      const fresh = await load();
      try {
        const full = Array.from({ length: 20 }, (_, t) => 1 + ((t * 7) % 30));
        const padded = full.map((id, t) => (t < 6 ? 0 : id));
        // Enough points for the tapes and gradients to be pooled (large arrays only).
        const alphas = Array.from({ length: 64 }, (_, p) => (p + 0.5) / 64);
        const pass = graphGradients(reused.graph);
        const first = pass.run(full, alphas, 0);
        const firstBits = Buffer.from(first.gradient.slice().buffer);
        const firstEmbedded = first.embedded.slice();
        pass.run(full, alphas, 0);
        expect(reused.graph.buffers.freeCount).toBeGreaterThanOrEqual(2);
        // Padded rows need the zeros (masked steps' tapes and gradients)
        // that a reused array must get again.
        const second = pass.run(padded, alphas, 0);
        const expected = graphGradients(fresh.graph).run(padded, alphas, 0);
        expect(
          Buffer.from(
            second.gradient.buffer,
            second.gradient.byteOffset,
            second.gradient.byteLength
          )
        ).toEqual(
          Buffer.from(
            expected.gradient.buffer,
            expected.gradient.byteOffset,
            expected.gradient.byteLength
          )
        );
        expect(Array.from(second.f)).toEqual(Array.from(expected.f));
        expect(Buffer.from(first.gradient.slice().buffer)).toEqual(firstBits);
        expect(first.embedded).toEqual(firstEmbedded);
      } finally {
        reused.dispose();
        fresh.dispose();
      }
    }
  );
});
