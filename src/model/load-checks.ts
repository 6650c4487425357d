/**
 * What the loader checks and says about a model before and after building
 * it: a Keras 1 file is named as such; weights that are not finite numbers
 * are refused naming the layer and weight; a model whose input is not a
 * sequence of character indices is refused with its input shape; which
 * `hard_sigmoid` definition runs is listed among the inferences. Pure.
 */
import { IGraphLayerSpec, IModelSpec } from './graph/keras-config';
import { activationName } from './layers/activations';
import { IWeight, Shape } from './layers/base';
import { formatCount } from './limits';
import { formatDims } from './shapes';
import { ModelError } from './types';

/** Keras 1 names for what Keras 2 calls `units` / `filters`. */
const KERAS1_FIELDS: Array<[string, string]> = [
  ['output_dim', 'units'],
  ['nb_filter', 'filters']
];
const KERAS1_CLASSES = [
  'Dense',
  'GRU',
  'LSTM',
  'SimpleRNN',
  'Conv1D',
  'Convolution1D'
];

/**
 * Refuses a file Keras 1 wrote: by its recorded version, or by the Keras 1
 * field names in its config (older Keras 1 files record no version).
 */
export function checkNotKeras1(
  file: string,
  kerasVersion: string | undefined,
  spec?: IModelSpec
): void {
  const advice =
    'Keras 1 files are not supported (Keras 2.0 or later is needed): load the model in Keras 2 and save it again';
  if (kerasVersion && /^1\./.test(kerasVersion.trim())) {
    throw new ModelError(
      `${file}: written by Keras ${kerasVersion.trim()}; ${advice}`,
      { file }
    );
  }
  if (!spec) {
    return;
  }
  for (const layer of allLayers(spec)) {
    if (!KERAS1_CLASSES.includes(layer.className)) {
      continue;
    }
    for (const [old, now] of KERAS1_FIELDS) {
      if (old in layer.config && !(now in layer.config)) {
        throw new ModelError(
          `${file}: the config uses Keras 1 field names (layer '${layer.name}' (${layer.className}) has ` +
            `${old}, not ${now}); ${advice}`,
          { file, layer: layer.name }
        );
      }
    }
  }
}

/** Refuses weights holding NaN or infinite values, naming the layer and the weight. */
export function checkFiniteWeights(
  file: string,
  weights: Map<string, IWeight[]>
): void {
  for (const [layer, list] of weights) {
    for (const w of list) {
      let nan = 0;
      let inf = 0;
      let first = -1;
      const data = w.data;
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v - v !== 0) {
          if (v !== v) {
            nan++;
          } else {
            inf++;
          }
          if (first < 0) {
            first = i;
          }
        }
      }
      if (first >= 0) {
        const parts = [
          nan ? `${formatCount(nan)} NaN value${nan === 1 ? '' : 's'}` : '',
          inf ? `${formatCount(inf)} infinite value${inf === 1 ? '' : 's'}` : ''
        ].filter(Boolean);
        throw new ModelError(
          `${file}: layer '${layer}' weight '${w.name}' holds ${parts.join(' and ')} ` +
            `(the first at index ${formatCount(first)} of shape [${w.shape.join(', ')}]): every prediction ` +
            'would be NaN; the file is damaged or was saved from a training run that diverged',
          { file, layer }
        );
      }
    }
  }
}

/**
 * Refuses a model whose input is not a sequence of character indices: an
 * input with a vector per step (one-hot characters, features), or a flat
 * input that no Embedding reads and that declares no integer type (numeric
 * features).
 */
export function checkTokenInput(
  spec: IModelSpec,
  inputShape: Shape,
  hasTokenizer: boolean
): void {
  const shown = `[batch, ${formatDims(inputShape)}]`;
  const expected =
    'expected: [batch, steps] integer character indices read by an Embedding layer';
  if (inputShape.length >= 2) {
    const rest = inputShape.slice(1);
    const per = rest.map(d => (d === null ? 'None' : String(d))).join(' x ');
    const one = rest.length === 1 && rest[0] === 1;
    throw new ModelError(
      `the model's input has shape ${shown}: it takes ${per} number${one ? '' : 's'} at each step ` +
        `(one-hot characters or features), not character indices; ${expected}`
    );
  }
  if (inputShape.length === 0) {
    throw new ModelError(
      `the model's input has shape [batch]: one number per sample, not a sequence of character indices; ${expected}`
    );
  }
  const input = spec.layers.find(l => l.name === spec.inputs[0]?.layer);
  const dtype = String(input?.config.dtype ?? '');
  const declaredInteger = /^u?int\d*$/.test(dtype);
  const embedding = spec.layers.some(l => l.className === 'Embedding');
  if (!embedding && !declaredInteger && !hasTokenizer) {
    const n =
      inputShape[0] === null
        ? 'a variable number of'
        : formatCount(inputShape[0]);
    throw new ModelError(
      `the model's input has shape ${shown} and no Embedding layer reads it: it takes ${n} numeric ` +
        `features${dtype ? ` (${dtype})` : ''}, not character indices; ${expected} ` +
        '(or an input declared with an integer dtype)'
    );
  }
}

/** The `hard_sigmoid` definition in use, as an inference, when a layer uses it. */
export function hardSigmoidInference(
  spec: IModelSpec,
  kerasMajor: number,
  kerasVersion: string | undefined
): string | null {
  const uses: string[] = [];
  for (const layer of spec.layers) {
    for (const [config, prefix] of configsOf(layer)) {
      for (const field of ['activation', 'recurrent_activation']) {
        if (
          field in config &&
          activationName(config[field]).toLowerCase() === 'hard_sigmoid'
        ) {
          uses.push(`'${layer.name}' (${prefix}${field})`);
        }
      }
    }
  }
  if (!uses.length) {
    return null;
  }
  const keras2 = 'clip(0.2 * x + 0.5, 0, 1)';
  const keras3 = 'relu6(x + 3) / 6';
  const by = kerasVersion
    ? `the file records Keras ${kerasVersion}`
    : `the file is a Keras ${kerasMajor} file`;
  return kerasMajor >= 3
    ? `hard_sigmoid in layer ${uses.join(', ')} is Keras 3's ${keras3}, as ${by} (Keras 2 used ${keras2})`
    : `hard_sigmoid in layer ${uses.join(', ')} is Keras 2's ${keras2}, as ${by} (Keras 3 uses ${keras3})`;
}

/** A layer's config and those of the layers it wraps (Bidirectional, TimeDistributed). */
function configsOf(
  layer: IGraphLayerSpec
): Array<[{ [k: string]: unknown }, string]> {
  const out: Array<[{ [k: string]: unknown }, string]> = [[layer.config, '']];
  let wrapped = layer.config.layer as
    { config?: { [k: string]: unknown } } | undefined;
  let prefix = 'layer.';
  while (wrapped && typeof wrapped === 'object' && wrapped.config) {
    out.push([wrapped.config, prefix]);
    wrapped = wrapped.config.layer as typeof wrapped;
    prefix += 'layer.';
  }
  return out;
}

/** Every layer of a spec and of its nested models. */
function allLayers(spec: IModelSpec): IGraphLayerSpec[] {
  const out: IGraphLayerSpec[] = [];
  const stack = [spec];
  while (stack.length) {
    const model = stack.pop()!;
    for (const l of model.layers) {
      out.push(l);
      if (l.model) {
        stack.push(l.model);
      }
    }
  }
  return out;
}
