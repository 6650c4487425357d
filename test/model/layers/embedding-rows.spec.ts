/**
 * Embedding rows gathered when first read (embedding.ts): a layer that
 * folds the table (the GRU of the real-Keras attention head) reads only the
 * ids, so a forward pass need not gather them. Whoever reads the rows gets
 * the table's rows of the ids (checked against the fixture's own table
 * here); ids out of the vocabulary still fail at the call; an Embedding
 * output a pass returns is gathered before the pass ends, so changing the
 * ids array afterwards does not change it.
 */
import { loadModel } from '../../../src/model/engine';
import { runGraph } from '../../../src/model/graph/graph';
import { BufferPool } from '../../../src/model/layers/buffer-pool';
import { fixture } from '../helpers';

const FILE = 'attention_head_masked.keras';
const T = 20;

async function load() {
  return loadModel({ [FILE]: fixture('keras', 'gradients', FILE) });
}

/** Ids of `batch` rows, front-padded, vocabulary 1..30. */
function ids(batch: number): Float32Array {
  const data = new Float32Array(batch * T);
  for (let i = 0; i < data.length; i++) {
    data[i] = i % T < (i / T) % 5 ? 0 : 1 + ((i * 7) % 30);
  }
  return data;
}

describe('Embedding rows', () => {
  it('are the table rows of the ids, also when a pass returns them', async () => {
    const model = await load();
    try {
      const step = model.graph.steps.find(
        s => s.layer.className === 'Embedding'
      )!;
      const table = model.graph.weights.get(step.layer.name)![0].data;
      const width = table.length / 31;
      const data = ids(3);
      const original = Float32Array.from(data);
      const run = runGraph(model.graph, [{ shape: [3, T], data }], {
        outputs: [step.layer.name]
      });
      // The caller reuses its ids array: what the pass returned stays.
      data.fill(1);
      const rows = run.activations[step.layer.name];
      expect(rows.shape).toEqual([3, T, width]);
      const expected = Array.from(original).flatMap(id =>
        Array.from(table.subarray(id * width, (id + 1) * width))
      );
      expect(Array.from(rows.data)).toEqual(expected);
    } finally {
      model.dispose();
    }
  });

  it('are not gathered by a pass that only folds them', async () => {
    const model = await load();
    const scratch = jest.spyOn(BufferPool.prototype, 'scratch');
    try {
      const step = model.graph.steps.find(
        s => s.layer.className === 'Embedding'
      )!;
      const batch = 4;
      const size = batch * T * 6;
      const gathered = () =>
        scratch.mock.calls.filter(([length]) => length === size).length;
      const input = [{ shape: [batch, T], data: ids(batch) }];
      runGraph(model.graph, input);
      expect(gathered()).toBe(0);
      runGraph(model.graph, input, { outputs: [step.layer.name] });
      expect(gathered()).toBe(1);
    } finally {
      scratch.mockRestore();
      model.dispose();
    }
  });

  it('still refuses ids outside the vocabulary at the call', async () => {
    const model = await load();
    try {
      const step = model.graph.steps.find(
        s => s.layer.className === 'Embedding'
      )!;
      const bad = ids(1);
      bad[3] = 31;
      expect(() =>
        step.impl!.call([{ shape: [1, T], data: bad }], [null])
      ).toThrow(/index 31 is outside the vocabulary \[0, 30\]/);
    } finally {
      model.dispose();
    }
  });
});
