/**
 * Every layer class the engine runs has a gradient or states why not, and
 * the layers it builds agree with what the registry says: built from the
 * real Keras fixture models (every file must load) and, for classes no
 * fixture holds, from small specs here. A class added to the registry
 * without a sample here or in a fixture fails "covers every class".
 */
import { loadGraph } from '../../../src/model/engine';
import {
  IBuildContext,
  ILayer,
  ILayerSpec,
  IWeight,
  Shape
} from '../../../src/model/layers/base';
import { Kernels } from '../../../src/model/layers/kernels';
import {
  createLayer,
  LAYER_REGISTRY
} from '../../../src/model/layers/registry';
import { fixture, fixtureJson } from '../helpers';

/** Fixture models (folder, file): the layers they build. */
const FIXTURE_MODELS: Array<[string, string]> = [
  ['gradients', 'attention.keras'],
  ['gradients', 'attention_mask_merged.keras'],
  ['gradients', 'attention_masks.keras'],
  ['gradients', 'attention_partial_mask.keras'],
  ['gradients', 'bidirectional.keras'],
  ['gradients', 'char_cnn.keras'],
  ['gradients', 'cudnn_gru.h5'],
  ['gradients', 'cudnn_lstm.h5'],
  ['gradients', 'kinks.keras'],
  ['gradients', 'lambdas.keras'],
  ['gradients', 'mha.keras'],
  ['gradients', 'mha_config.keras'],
  ['gradients', 'mha_masked.keras'],
  ['gradients', 'nested_inner_embedding.keras'],
  ['gradients', 'nested_outer_embedding.keras'],
  ['gradients', 'norm_act.keras'],
  ['gradients', 'norm_axes.keras'],
  ['gradients', 'softmax_activation.keras'],
  ['gradients', 'windowed_maxpool.keras'],
  ['explain', 'seed_attention.keras'],
  ['explain', 'conv_bilstm.keras'],
  ['layers', 'conv.keras'],
  ['layers', 'norm_act.keras'],
  ['layers', 'attention.keras'],
  ['layers', 'mask_chain.keras'],
  ['layers', 'mask_concat.keras'],
  ['layers', 'initial_state.keras']
];

const CONTEXT: IBuildContext = {
  kerasMajor: 3,
  lambdas: {},
  kernels: new Kernels({ simd: false }),
  createLayer: (s, shapes, w) => createLayer(s, shapes, w, CONTEXT)
};

/** Small specs of the classes no fixture model holds. */
const SAMPLES: Array<{
  spec: ILayerSpec;
  shapes: Shape[];
  weights?: IWeight[];
}> = [
  { spec: spec('Masking', { mask_value: 0 }), shapes: [[4, 3]] },
  { spec: spec('AveragePooling1D', { pool_size: 2 }), shapes: [[4, 3]] },
  { spec: spec('Reshape', { target_shape: [12] }), shapes: [[4, 3]] },
  { spec: spec('Add', {}), shapes: [[3], [3]] },
  { spec: spec('Subtract', {}), shapes: [[3], [3]] },
  { spec: spec('Softmax', { axis: -1 }), shapes: [[4, 3]] },
  { spec: spec('Average', {}), shapes: [[3], [3]] },
  { spec: spec('Dot', { axes: -1 }), shapes: [[3], [3]] },
  {
    spec: {
      ...spec('Equal', {}),
      call: { inputKwargs: [null], args: { '#args': [null, 0] } }
    },
    shapes: [[4]]
  },
  ...[
    'SpatialDropout1D',
    'GaussianNoise',
    'GaussianDropout',
    'AlphaDropout',
    'ActivityRegularization'
  ].map(name => ({ spec: spec(name, {}), shapes: [[4, 3]] as Shape[] }))
];

function spec(className: string, config: object): ILayerSpec {
  return { name: `sample_${className.toLowerCase()}`, className, config };
}

/** Every layer the fixtures and samples build, with where it came from. */
function builtLayers(): Array<{ layer: ILayer; from: string }> {
  const out: Array<{ layer: ILayer; from: string }> = [];
  for (const [folder, file] of FIXTURE_MODELS) {
    const json = file.replace(/\.(keras|h5)$/, '.json');
    const lambdas = fixtureJson('keras', folder, json).lambdas ?? {};
    const { graph } = loadGraph(
      { [file]: fixture('keras', folder, file) },
      { lambdas }
    );
    graph.steps.forEach(s => {
      if (s.impl) {
        out.push({ layer: s.impl, from: `${folder}/${file}` });
      }
    });
    graph.kernels.dispose();
  }
  for (const sample of SAMPLES) {
    out.push({
      layer: createLayer(
        sample.spec,
        sample.shapes,
        sample.weights ?? [],
        CONTEXT
      ),
      from: 'a sample spec'
    });
  }
  return out;
}

describe('layer gradients in the registry', () => {
  const built = builtLayers();

  it('every registered class has a gradient or a stated reason', () => {
    for (const [name, entry] of Object.entries(LAYER_REGISTRY)) {
      const declared =
        'gradient' in entry
          ? entry.gradient === 'native'
          : typeof entry.noGradient === 'string' && entry.noGradient.length > 0;
      expect({ name, declared }).toEqual({ name, declared: true });
    }
  });

  it('covers every class with a built layer (fixture or sample)', () => {
    const seen = new Set(built.map(b => b.layer.className));
    const missing = Object.keys(LAYER_REGISTRY).filter(c => !seen.has(c));
    expect(missing).toEqual([]);
  });

  it('builds layers that agree with the registry: a gradient, or the reason given', () => {
    const disagree = built
      .filter(({ layer }) => {
        const entry = LAYER_REGISTRY[layer.className];
        if (!entry) {
          return true;
        }
        if ('noGradient' in entry) {
          return (
            layer.callForGradient !== undefined ||
            layer.noGradient !== entry.noGradient
          );
        }
        // A native class may still refuse one configuration, in words.
        return !layer.callForGradient && !layer.noGradient;
      })
      .map(
        ({ layer, from }) => `${layer.name} (${layer.className}) from ${from}`
      );
    expect(disagree).toEqual([]);
  });

  it('leaves no gradient refusal without a stated reason', () => {
    const refusals = built.filter(({ layer }) => !layer.callForGradient);
    refusals.forEach(({ layer }) =>
      expect(typeof layer.noGradient).toBe('string')
    );
  });
});
