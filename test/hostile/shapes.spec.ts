/** Unknown dimensions print as `None`, as Keras prints them. */
import { chooseAttention } from '../../src/model/graph/attention-choice';
import { formatDims } from '../../src/model/shapes';
import { chainGraph, weight } from '../model/helpers';

describe('shapes in messages', () => {
  it('prints unknown dimensions as None', () => {
    expect(formatDims([null, 41])).toBe('None, 41');
    expect(formatDims([12, null, undefined])).toBe('12, None, None');
    expect(formatDims([])).toBe('');
  });

  it('a variable-length model names its time axis None', () => {
    // Input (None,) -> Embedding(5, 2) -> Dense(3): output (None, None, 3).
    const graph = chainGraph(
      [null],
      [
        {
          class_name: 'Embedding',
          config: { name: 'embed', input_dim: 5, output_dim: 2 }
        },
        {
          class_name: 'Dense',
          config: { name: 'wide', units: 3, activation: 'linear' }
        }
      ],
      {
        embed: [weight('embeddings', [5, 2], new Array(10).fill(0.1))],
        wide: [
          weight('kernel', [2, 3], new Array(6).fill(0.1)),
          weight('bias', [3], [0, 0, 0])
        ]
      }
    );
    let message = '';
    try {
      chooseAttention(graph, 'wide');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('[batch, None, 3]');
    expect(message).not.toMatch(/, ,|\[batch, ,/);
    graph.kernels.dispose();
  });
});
