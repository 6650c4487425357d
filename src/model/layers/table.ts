/**
 * The README's table of supported and unsupported layers, generated from
 * the layer registry, with whether each has a gradient
 * (`scripts/layer-table.js` writes it into README.md; a test checks that
 * the README matches).
 */
import { LAYER_REGISTRY } from './registry';

/** What each registered layer runs, in a few words. */
export const LAYER_NOTES: { [className: string]: string } = {
  Dense: 'any rank (last axis), every activation of `Activation`',
  Embedding: '`mask_zero` (the mask reaches every mask-aware layer)',
  Masking: '`mask_value`',
  GRU: '`reset_after` true/false, `go_backwards`, `return_sequences`, `return_state`, `initial_state`',
  LSTM: '`go_backwards`, `return_sequences`, `return_state`, `initial_state`',
  SimpleRNN:
    '`go_backwards`, `return_sequences`, `return_state`, `initial_state`',
  CuDNNGRU:
    'Keras 2 GPU layer: run as GRU(reset_after=True) from its CuDNN biases',
  CuDNNLSTM: 'Keras 2 GPU layer: run as LSTM, its two biases summed',
  Bidirectional: '`merge_mode` concat, sum, mul, ave; masks',
  TimeDistributed: 'any wrapped layer',
  Conv1D:
    '`padding` valid, same, causal; `strides`; `dilation_rate`; channels_last',
  MaxPooling1D: '`pool_size`, `strides`, `padding`',
  AveragePooling1D: '`pool_size`, `strides`, `padding`',
  GlobalMaxPooling1D: '`keepdims`',
  GlobalAveragePooling1D: '`keepdims`; masked steps left out, as Keras does',
  Flatten: '',
  RepeatVector: '',
  Permute: '',
  Reshape: 'one unknown dimension (-1)',
  Multiply: 'broadcasting of size-1 axes; masks combined',
  Add: 'broadcasting of size-1 axes; masks combined',
  Subtract: 'two inputs',
  Average: '',
  Maximum: '',
  Minimum: '',
  Concatenate: 'any axis',
  Dot: 'rank 2 and 3 inputs, `normalize`',
  Activation:
    'linear, relu, relu6, sigmoid, hard_sigmoid (Keras 2 and 3), tanh, softmax, softplus, softsign, elu, selu, exponential, swish/silu, gelu, leaky_relu',
  Softmax: '`axis`; masked positions get weight 0',
  ReLU: '`max_value`, `negative_slope`, `threshold`',
  LeakyReLU: '`negative_slope` (Keras 3) or `alpha` (Keras 2)',
  PReLU: '`shared_axes`',
  ELU: '`alpha`',
  BatchNormalization:
    'inference (moving mean / variance), `axis` (one or several), `epsilon`, `center`, `scale`',
  LayerNormalization:
    '`axis` (one or several), `epsilon`, `center`, `scale`, Keras 3 `rms_scaling`',
  Lambda:
    'only when mapped (`--lambda`) or when its stored code is exactly a sum / mean / max / min over a constant axis (reported)',
  Attention:
    '`use_scale`, `score_mode` dot / concat, masks, `use_causal_mask`, `return_attention_scores`',
  AdditiveAttention: '`use_scale`, masks, `use_causal_mask`',
  MultiHeadAttention:
    '`num_heads`, `key_dim`, `value_dim`, `output_shape`, `use_bias`, masks, `attention_mask`, `use_causal_mask`; time axis only',
  NotEqual: 'the mask Keras 3 saves as an operation (`tokens != 0`)',
  Equal: 'comparison with a constant',
  ConvertToTensor: 'Keras 3 mask operation',
  ExpandDims:
    "Keras 3 mask operation (a Concatenate's mask merge); one integer `axis`",
  ZerosLike: "Keras 3 mask operation (a Concatenate's mask merge)",
  OnesLike: "Keras 3 mask operation (a Concatenate's mask merge)",
  LogicalOr:
    "Keras 3 mask operation (a Concatenate's mask merge); broadcasting",
  Any: "Keras 3 mask operation (a Concatenate's mask merge); one integer `axis`, `keepdims`",
  Dropout: 'identity at inference',
  SpatialDropout1D: 'identity at inference',
  GaussianNoise: 'identity at inference',
  GaussianDropout: 'identity at inference',
  AlphaDropout: 'identity at inference',
  ActivityRegularization: 'identity at inference'
};

/** What the gradient does where TensorFlow's choice matters (ties, ids, comparisons). */
export const GRADIENT_NOTES: { [className: string]: string } = {
  Embedding: 'at its output (the gradient methods take it there)',
  GlobalMaxPooling1D: 'tied maxima share it equally, as TensorFlow',
  MaxPooling1D: "each window's first maximum takes it, as TensorFlow",
  Maximum: 'a tie goes to the first input, as TensorFlow',
  Minimum: 'a tie goes to the first input, as TensorFlow',
  Lambda: 'max / min: tied extrema share it equally, as TensorFlow',
  NotEqual: 'zero (a comparison)',
  Equal: 'zero (a comparison)',
  ZerosLike: 'zero (a constant)',
  OnesLike: 'zero (a constant)',
  LogicalOr: 'zero (a logical operation)',
  Any: 'zero (a logical operation)'
};

/** Layers handled by the loader rather than the registry: name, gradients, note. */
export const LOADER_LAYERS: Array<[string, string, string]> = [
  ['`InputLayer`', 'n/a', 'model inputs'],
  [
    '`Sequential`, `Functional` / `Model` used as a layer',
    "its layers'",
    'inlined into the outer model; Keras 3 `.keras` and `.h5`, tf.keras 2.x `.h5`'
  ],
  [
    '`TextVectorization`',
    'n/a',
    '`split="character"`, `output_mode="int"`, standardize `lower_and_strip_punctuation` / `lower` / `strip_punctuation` / none, at the model input of a `.keras` file: becomes the tokenizer'
  ]
];

/** Layers people ask for that are not run, and why. */
export const UNSUPPORTED_LAYERS: Array<[string, string]> = [
  [
    'Conv2D, Conv3D, pooling 2D / 3D',
    'image layers: not for character sequences'
  ],
  ['ConvLSTM1D / 2D, LocallyConnected1D', 'not implemented'],
  ['GroupNormalization, UnitNormalization, Normalization', 'not implemented'],
  ['Cropping1D, ZeroPadding1D, UpSampling1D', 'not implemented'],
  [
    'StringLookup, IntegerLookup, Hashing, TextVectorization (word split)',
    'not implemented: give a tokenizer instead'
  ],
  ['RNN with a custom cell, StackedRNNCells', 'not implemented'],
  [
    'Custom layers (`registered_name` / `Custom>`)',
    'their Python code cannot run here'
  ],
  ['TFOpLambda (tf.keras `tf.*` calls in the graph)', 'not implemented']
];

/** The markdown table (without the README markers). */
export function layerTable(): string {
  const rows: string[][] = [];
  for (const name of Object.keys(LAYER_REGISTRY).sort()) {
    const entry = LAYER_REGISTRY[name];
    const note = GRADIENT_NOTES[name];
    const gradient =
      'noGradient' in entry
        ? `no: ${entry.noGradient}`
        : note
          ? `yes: ${note}`
          : 'yes';
    rows.push([`\`${name}\``, 'yes', gradient, LAYER_NOTES[name] ?? '']);
  }
  for (const [name, gradient, note] of LOADER_LAYERS) {
    rows.push([name, 'yes', gradient, note]);
  }
  for (const [name, why] of UNSUPPORTED_LAYERS) {
    rows.push([name, 'no', '', why]);
  }
  const header = ['Layer', 'Runs', 'Gradients', 'What is supported / why not'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length))
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(header),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.map(line)
  ].join('\n');
}

/** README markers around the generated table. */
export const TABLE_START = '<!-- layers:start -->';
export const TABLE_END = '<!-- layers:end -->';

/** The README text with the table between the markers replaced. */
export function withLayerTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no ${TABLE_START} ... ${TABLE_END} markers`);
  }
  return (
    readme.slice(0, start + TABLE_START.length) +
    '\n\n' +
    layerTable() +
    '\n\n' +
    readme.slice(end)
  );
}
