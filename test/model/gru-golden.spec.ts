/**
 * GRU and GRUCell against tf.keras golden outputs (nntrainer fixtures):
 * reset_after true/false, both activation sets, single/multi step, sequences.
 */
import { runGraph } from '../../src/model/graph/graph';
import { IBuildContext } from '../../src/model/layers/base';
import { createGruCell } from '../../src/model/layers/gru';
import { Kernels, simdKernelCalls } from '../../src/model/layers/kernels';
import { createLayer } from '../../src/model/layers/registry';
import { stepCell } from '../../src/model/layers/recurrent';
import {
  chainGraph,
  fixture,
  maxAbsDiff,
  nntrainerRecords,
  weight
} from './helpers';

const FEATURES = 7;
const UNITS = 5;
const BATCH = 3;

const LAYER_CASES = [
  'gru_single_step',
  'gru_single_step_seq',
  'gru_multi_step',
  'gru_multi_step_seq',
  'gru_multi_step_seq_act',
  'gru_reset_after_single_step',
  'gru_reset_after_single_step_seq',
  'gru_reset_after_multi_step',
  'gru_reset_after_multi_step_seq',
  'gru_reset_after_multi_step_seq_act'
];

const CELL_CASES = [
  'grucell_single_step',
  'grucell_single_step_act',
  'grucell_reset_after_single_step'
];

function parse(name: string) {
  const records = nntrainerRecords(
    fixture('nntrainer-gru', `${name}.nnlayergolden`)
  );
  const resetAfter = name.includes('reset_after');
  const [kernel, recurrent] = records;
  const bias = resetAfter
    ? Float32Array.from([...records[2], ...records[3]])
    : records[2];
  const rest = records.slice(resetAfter ? 4 : 3);
  const act = name.endsWith('_act');
  return {
    resetAfter,
    config: {
      name: 'gru',
      units: UNITS,
      reset_after: resetAfter,
      return_sequences: name.includes('_seq'),
      activation: act ? 'sigmoid' : 'tanh',
      recurrent_activation: act ? 'tanh' : 'sigmoid'
    },
    weights: [
      weight('kernel', [FEATURES, 3 * UNITS], kernel),
      weight('recurrent_kernel', [UNITS, 3 * UNITS], recurrent),
      weight('bias', resetAfter ? [2, 3 * UNITS] : [3 * UNITS], bias)
    ],
    rest
  };
}

describe.each([true, false])('nntrainer GRU goldens (simd=%s)', simd => {
  let callsBefore = 0;
  beforeAll(() => {
    callsBefore = simdKernelCalls();
  });
  it.each(LAYER_CASES)('%s', name => {
    const { config, weights, rest } = parse(name);
    const [input, expected] = rest;
    const steps = input.length / (BATCH * FEATURES);
    const graph = chainGraph(
      [steps, FEATURES],
      [{ class_name: 'GRU', config }],
      { gru: weights },
      { simd }
    );
    const out = runGraph(graph, [
      { shape: [BATCH, steps, FEATURES], data: input }
    ]).outputs[0];
    expect(out.shape).toEqual(
      config.return_sequences ? [BATCH, steps, UNITS] : [BATCH, UNITS]
    );
    expect(maxAbsDiff(out.data, expected)).toBeLessThanOrEqual(1e-5);
  });

  it.each(CELL_CASES)('%s', name => {
    const { config, weights, rest } = parse(name);
    const [x, h, expected] = rest;
    const kernels = new Kernels({ simd });
    const context: IBuildContext = {
      kerasMajor: 2,
      lambdas: {},
      kernels,
      createLayer: (s, shapes, w) => createLayer(s, shapes, w, context)
    };
    const cell = createGruCell(
      { name: 'grucell', className: 'GRUCell', config },
      FEATURES,
      weights,
      context
    );
    const [hNew] = stepCell(
      kernels,
      cell,
      { shape: [BATCH, FEATURES], data: x },
      [h]
    );
    expect(maxAbsDiff(hNew, expected)).toBeLessThanOrEqual(1e-5);
  });

  it(
    simd ? 'ran the WebAssembly SIMD kernels' : 'never ran the SIMD kernels',
    () => {
      const calls = simdKernelCalls() - callsBefore;
      if (simd) {
        expect(new Kernels({ simd: true }).simd).toBe(true);
        expect(calls).toBeGreaterThan(0);
      } else {
        expect(calls).toBe(0);
      }
    }
  );
});
