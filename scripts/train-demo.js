/**
 * Train the demo char-level attention model with TensorFlow.js in Node and
 * save it as a Keras 2.x HDF5 file, a TensorFlow.js layers model and a Keras
 * Tokenizer JSON under examples/models/demo/.
 *
 * Task: short English-like customer messages; positive iff the message
 * contains one of the trigger words "refund", "broken" or "terrible" (any
 * case). Negatives contain near-misses ("refurbished", "broke", "terrific").
 *
 * Architecture (the reference attention model at small size):
 *   Input(80) -> Embedding(V, 16) -> GRU(32, return_sequences, reset_after)
 *   -> TimeDistributed(Dense(1, tanh)) -> Flatten -> softmax 'attention_vec'
 *   -> RepeatVector(32) -> Permute(2, 1) -> Multiply -> Lambda(K.sum(x, axis=1))
 *   -> Dense(1, sigmoid)
 *
 * Stock tfjs refuses GRU reset_after=True, so the GRU here is a custom
 * differentiable op: the recurrence and its backpropagation through time run
 * on Float32Arrays inside `tf.customGrad` (the per-step tfjs path costs
 * ~18 ms per text on the CPU backend; this one is ~20x cheaper). Its
 * gradient is checked against tfjs autodiff of the same equations in
 * test/model-text/demo-gru-grad.spec.ts.
 *
 * Training adds a light attention-supervision term (weight 0.1): minus the
 * log of the attention mass on the last 4 letters of each trigger word and
 * the character after it, in positive texts. Without it
 * (`--attention-weight 0`) the model is as accurate, but its attention, once
 * the GRU has read a trigger word, stays high over the next ~10 characters:
 * the peak lands on the word itself in only ~10% of positive texts.
 * Supervising the whole word (`--attention-letters 0`) makes it light up
 * every 'r' and 'b' instead, since a left-to-right GRU cannot know the word
 * from its first letters.
 *
 * Usage: node scripts/train-demo.js [--out DIR] [--epochs N] [--seed N]
 *          [--attention-weight W] [--quick]
 */
'use strict';

const fs = require('fs');
const path = require('path');

const T = 80;
const EMBED = 16;
const UNITS = 32;
const KERAS_VERSION = '2.15.0';
const TRIGGERS = ['refund', 'broken', 'terrible'];

// marshal.dumps((lambda x: K.sum(x, axis=1)).__code__), base64 as Keras's
// func_dump writes it (made with CPython 3.11, the interpreter tf.keras 2.15
// runs on): this is the stored code of the Lambda layer, not runnable here.
const LAMBDA_CODE =
  '4wEAAAAAAAAAAAAAAAQAAAADAAAA8zoAAACXAHQAAAAAAAAAAAAAAKABAAAAAAAAAAAAAAAAAAAA\n' +
  'AAAAAAB8AGQBrAKmAgAAqwIAAAAAAAAAAFMAKQNO6QEAAAApAdoEYXhpcykC2gFL2gNzdW0pAdoB\n' +
  'eHMBAAAAIPoIPHN0cmluZz76CDxsYW1iZGE+cggAAAAEAAAAcxYAAACAAI1Bj0WKRZAhmCGIRdEM\n' +
  'HNQMHIAA8wAAAAA=\n';

// ---------------------------------------------------------------- random

/** Small seeded generator (mulberry32) so runs are reproducible. */
function makeRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: n => Math.floor(next() * n),
    pick: list => list[Math.floor(next() * list.length)],
    chance: p => next() < p
  };
}

// ---------------------------------------------------------------- data

const SUBJECTS = [
  'my order',
  'the package',
  'this phone',
  'the delivery',
  'the app',
  'my laptop',
  'the screen',
  'our room',
  'the food',
  'the charger',
  'your website',
  'the driver',
  'the box',
  'this kettle',
  'the service',
  'the update',
  'my account',
  'the lamp'
];
const NEUTRAL_PREDICATES = [
  'arrived on time',
  'works fine',
  'is great',
  'came today',
  'looks nice',
  'is as described',
  'was ok',
  'is a bit slow',
  'fits well',
  'is quite loud',
  'arrived early',
  'was lovely',
  'is cheap',
  'needs a manual',
  'was delivered',
  'is blue',
  'is working again',
  'was refurbished',
  'broke the record',
  'is terrific'
];
const TRIGGER_PREDICATES = [
  'is broken',
  'arrived broken',
  'was terrible',
  'is terrible',
  'came broken',
  'looks broken',
  'was broken on arrival',
  'is simply terrible'
];
const NEUTRAL_CLAUSES = [
  'thanks a lot',
  'see you soon',
  'i will order again',
  'five stars',
  'good value',
  'please call me back',
  'can you help',
  'nice packaging',
  'the price was fair',
  'i got a receipt',
  'a brochure was included',
  'my brother liked it',
  'we had a terrific time',
  'i want a replacement',
  'the terrace was sunny',
  'i referred a friend',
  'it broke my heart to wait',
  'great refurbished one',
  'no issues so far',
  'any news on my order'
];
const TRIGGER_CLAUSES = [
  'i want a refund',
  'please refund me',
  'refund please',
  'i need a refund now',
  'can i get a refund',
  'what a terrible day',
  'terrible service',
  'a terrible experience',
  'everything is broken',
  'the lid is broken',
  'send me a refund',
  'refund my money'
];

/** Give a trigger word some case variation (the tokenizer lowers texts). */
function styleTrigger(random, clause) {
  if (!random.chance(0.3)) {
    return clause;
  }
  return clause.replace(/refund|broken|terrible/, word =>
    random.chance(0.5)
      ? word.toUpperCase()
      : word[0].toUpperCase() + word.slice(1)
  );
}

function clauseFor(random, positive) {
  if (random.chance(0.5)) {
    const predicate = positive
      ? random.pick(TRIGGER_PREDICATES)
      : random.pick(NEUTRAL_PREDICATES);
    return `${random.pick(SUBJECTS)} ${predicate}`;
  }
  return positive ? random.pick(TRIGGER_CLAUSES) : random.pick(NEUTRAL_CLAUSES);
}

/** One message with its label; positive iff it contains a trigger word. */
function makeText(random, positive) {
  for (;;) {
    const count = 1 + random.int(3);
    const triggerAt = positive ? random.int(count) : -1;
    const clauses = [];
    for (let i = 0; i < count; i++) {
      let clause = clauseFor(random, i === triggerAt);
      if (i === triggerAt) {
        clause = styleTrigger(random, clause);
      }
      clauses.push(clause);
    }
    let text = clauses[0];
    for (let i = 1; i < count; i++) {
      text += random.pick([', ', '. ', ' and ', ' - ', '! ']) + clauses[i];
    }
    text =
      text[0].toUpperCase() +
      text.slice(1) +
      random.pick(['.', '!', '', '?', '...']);
    const isPositive = TRIGGERS.some(word => text.toLowerCase().includes(word));
    if (text.length <= T && isPositive === positive) {
      return { text, label: positive ? 1 : 0 };
    }
  }
}

function makeDataset(random, count) {
  const data = [];
  for (let i = 0; i < count; i++) {
    data.push(makeText(random, random.chance(0.5)));
  }
  return data;
}

// ---------------------------------------------------------------- tokenizer

/** Python `repr` of a float (1 -> 1.0), for values Keras writes as floats. */
class PyFloat {
  constructor(value) {
    this.value = value;
  }
}

/** `json.dumps` with Python's defaults (", "/": " separators, ensure_ascii). */
function pyDumps(value) {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (value instanceof PyFloat) {
    const v = value.value;
    return Number.isInteger(v) ? v.toFixed(1) : String(v);
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
    );
  }
  if (Array.isArray(value)) {
    return '[' + value.map(pyDumps).join(', ') + ']';
  }
  return (
    '{' +
    Object.entries(value)
      .map(([k, v]) => `${pyDumps(k)}: ${pyDumps(v)}`)
      .join(', ') +
    '}'
  );
}

/**
 * Keras `Tokenizer(char_level=True)` fitted on `texts`: the same counting,
 * ordering (count descending, stable) and `to_json()` layout.
 */
function fitTokenizer(texts) {
  const wordCounts = new Map();
  const wordDocs = new Map();
  for (const raw of texts) {
    const seq = Array.from(raw.toLowerCase());
    for (const w of seq) {
      wordCounts.set(w, (wordCounts.get(w) || 0) + 1);
    }
    for (const w of new Set(seq)) {
      wordDocs.set(w, (wordDocs.get(w) || 0) + 1);
    }
  }
  const sorted = Array.from(wordCounts.entries())
    .map((entry, order) => [entry, order])
    .sort((a, b) => b[0][1] - a[0][1] || a[1] - b[1])
    .map(([entry]) => entry[0]);
  const wordIndex = {};
  const indexWord = {};
  sorted.forEach((w, i) => {
    wordIndex[w] = i + 1;
    indexWord[String(i + 1)] = w;
  });
  const indexDocs = {};
  for (const [w, c] of wordDocs) {
    indexDocs[String(wordIndex[w])] = c;
  }
  const config = {
    num_words: null,
    filters: '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n',
    lower: true,
    split: ' ',
    char_level: true,
    oov_token: null,
    document_count: texts.length,
    word_counts: pyDumps(Object.fromEntries(wordCounts)),
    word_docs: pyDumps(Object.fromEntries(wordDocs)),
    index_docs: pyDumps(indexDocs),
    index_word: pyDumps(indexWord),
    word_index: pyDumps(wordIndex)
  };
  return {
    wordIndex,
    size: sorted.length + 1,
    json: pyDumps({ class_name: 'Tokenizer', config })
  };
}

/** texts_to_sequences + pad_sequences(maxlen=T), both 'pre' (Keras defaults). */
function encode(wordIndex, texts) {
  const out = new Int32Array(texts.length * T);
  texts.forEach((text, row) => {
    let seq = Array.from(text.toLowerCase())
      .map(c => wordIndex[c])
      .filter(i => i !== undefined);
    seq = seq.slice(Math.max(0, seq.length - T));
    seq.forEach((index, k) => {
      out[row * T + T - seq.length + k] = index;
    });
  });
  return out;
}

// ---------------------------------------------------------------- model

/**
 * GRU (reset_after=True, Keras gate order z, r, h) over a precomputed input
 * projection `xp` [B, T, 3U] (input bias included), recurrent kernel
 * [U, 3U], recurrent bias [3U]; returns all hidden states [B, T, U].
 * Forward and backward run in plain typed-array loops.
 */
function makeGruOp(tf) {
  const sigmoid = v => 1 / (1 + Math.exp(-v));
  return tf.customGrad((xp, recurrentKernel, recurrentBias, save) => {
    const [B, steps, U3] = xp.shape;
    const U = U3 / 3;
    const X = xp.dataSync();
    const R = recurrentKernel.dataSync();
    const bR = recurrentBias.dataSync();
    const H = new Float32Array(B * steps * U);
    const Z = new Float32Array(B * steps * U);
    const Rg = new Float32Array(B * steps * U);
    const C = new Float32Array(B * steps * U);
    const HH = new Float32Array(B * steps * U); // h_{t-1} R_h + b_h
    const hp = new Float32Array(U3);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < steps; t++) {
        const prev = t > 0 ? (b * steps + t - 1) * U : -1;
        hp.set(bR);
        if (prev >= 0) {
          for (let k = 0; k < U; k++) {
            const hk = H[prev + k];
            if (hk === 0) continue;
            const row = k * U3;
            for (let j = 0; j < U3; j++) hp[j] += hk * R[row + j];
          }
        }
        const xo = (b * steps + t) * U3;
        const o = (b * steps + t) * U;
        for (let j = 0; j < U; j++) {
          const z = sigmoid(X[xo + j] + hp[j]);
          const r = sigmoid(X[xo + U + j] + hp[U + j]);
          const c = Math.tanh(X[xo + 2 * U + j] + r * hp[2 * U + j]);
          const hPrev = prev >= 0 ? H[prev + j] : 0;
          Z[o + j] = z;
          Rg[o + j] = r;
          C[o + j] = c;
          HH[o + j] = hp[2 * U + j];
          H[o + j] = z * hPrev + (1 - z) * c;
        }
      }
    }
    const value = tf.tensor3d(H, [B, steps, U]);
    const gradFunc = dy => {
      const dY = dy.dataSync();
      const dX = new Float32Array(B * steps * U3);
      const dR = new Float32Array(U * U3);
      const dB = new Float32Array(U3);
      const dh = new Float32Array(U);
      const dhp = new Float32Array(U3);
      for (let b = 0; b < B; b++) {
        dh.fill(0);
        for (let t = steps - 1; t >= 0; t--) {
          const o = (b * steps + t) * U;
          const xo = (b * steps + t) * U3;
          const prev = t > 0 ? (b * steps + t - 1) * U : -1;
          for (let j = 0; j < U; j++) {
            const g = dh[j] + dY[o + j];
            const z = Z[o + j];
            const r = Rg[o + j];
            const c = C[o + j];
            const hPrev = prev >= 0 ? H[prev + j] : 0;
            const dz = g * (hPrev - c) * z * (1 - z);
            const dc = g * (1 - z) * (1 - c * c);
            const dr = dc * HH[o + j] * r * (1 - r);
            dX[xo + j] = dz;
            dX[xo + U + j] = dr;
            dX[xo + 2 * U + j] = dc;
            dhp[j] = dz;
            dhp[U + j] = dr;
            dhp[2 * U + j] = dc * r;
            dh[j] = g * z; // direct path through z * h_{t-1}
          }
          for (let j = 0; j < U3; j++) dB[j] += dhp[j];
          if (prev >= 0) {
            for (let k = 0; k < U; k++) {
              const hk = H[prev + k];
              const row = k * U3;
              let acc = 0;
              for (let j = 0; j < U3; j++) {
                dR[row + j] += hk * dhp[j];
                acc += R[row + j] * dhp[j];
              }
              dh[k] += acc;
            }
          }
        }
      }
      return [
        tf.tensor3d(dX, [B, steps, U3]),
        tf.tensor2d(dR, [U, U3]),
        tf.tensor1d(dB)
      ];
    };
    return { value, gradFunc };
  });
}

/** The same GRU written with tfjs ops (reference for the gradient check). */
function gruWithTfOps(tf, xp, recurrentKernel, recurrentBias) {
  const [B, steps, U3] = xp.shape;
  const U = U3 / 3;
  const xs = tf.unstack(xp, 1);
  let h = tf.zeros([B, U]);
  const hs = [];
  for (let t = 0; t < steps; t++) {
    const hp = h.matMul(recurrentKernel).add(recurrentBias);
    const [xz, xr, xh] = tf.split(xs[t], 3, 1);
    const [hz, hr, hh] = tf.split(hp, 3, 1);
    const z = tf.sigmoid(xz.add(hz));
    const r = tf.sigmoid(xr.add(hr));
    const c = tf.tanh(xh.add(r.mul(hh)));
    h = c.add(z.mul(h.sub(c)));
    hs.push(h);
  }
  return tf.stack(hs, 1);
}

/** Trainable weights with Keras's default initialisers. */
function initWeights(tf, vocabularySize, seed) {
  const glorot = (shape, s) =>
    tf.initializers.glorotUniform({ seed: s }).apply(shape);
  return {
    embeddings: tf.variable(
      tf.randomUniform([vocabularySize, EMBED], -0.05, 0.05, 'float32', seed)
    ),
    kernel: tf.variable(glorot([EMBED, 3 * UNITS], seed + 1)),
    recurrentKernel: tf.variable(
      tf.initializers
        .orthogonal({ gain: 1, seed: seed + 2 })
        .apply([UNITS, 3 * UNITS])
    ),
    gruBias: tf.variable(tf.zeros([2, 3 * UNITS])),
    attentionKernel: tf.variable(glorot([UNITS, 1], seed + 3)),
    attentionBias: tf.variable(tf.zeros([1])),
    denseKernel: tf.variable(glorot([UNITS, 1], seed + 4)),
    denseBias: tf.variable(tf.zeros([1]))
  };
}

/** Forward pass: logits [B] and attention [B, T]. */
function forward(tf, gru, w, x) {
  const [B, steps] = x.shape;
  const emb = tf.gather(w.embeddings, x);
  const [inputBias, recurrentBias] = tf.unstack(w.gruBias, 0);
  const xp = emb
    .reshape([B * steps, EMBED])
    .matMul(w.kernel)
    .add(inputBias)
    .reshape([B, steps, 3 * UNITS]);
  const H = gru(xp, w.recurrentKernel, recurrentBias);
  const scores = tf
    .tanh(
      H.reshape([B * steps, UNITS])
        .matMul(w.attentionKernel)
        .add(w.attentionBias)
    )
    .reshape([B, steps]);
  const attention = tf.softmax(scores);
  const context = tf.sum(H.mul(attention.expandDims(2)), 1);
  const logits = context.matMul(w.denseKernel).add(w.denseBias).reshape([B]);
  return { logits, attention };
}

// ---------------------------------------------------------------- evaluation

/** Character span [start, end) of each trigger occurrence in `text`. */
function triggerSpans(text) {
  const lower = text.toLowerCase();
  const spans = [];
  for (const word of TRIGGERS) {
    let at = lower.indexOf(word);
    while (at >= 0) {
      spans.push([at, at + word.length]);
      at = lower.indexOf(word, at + 1);
    }
  }
  return spans;
}

/**
 * Per text, 1 at the model positions of the last `letters` characters of each
 * trigger word and the character right after it, else 0 (0 = the whole
 * word). A left-to-right GRU can only tell "refund" from "refurbished" or
 * "broken" from "broke the" near the end of the word: supervising earlier
 * letters teaches it to light up every 'r' or 'b'. Texts are ASCII and at
 * most T long (pre-padded).
 */
function triggerWindows(data, letters = 0) {
  const out = new Float32Array(data.length * T);
  data.forEach(({ text }, row) => {
    const offset = T - text.length;
    for (const [s, e] of triggerSpans(text)) {
      const from = letters > 0 ? Math.max(s, e - letters) : s;
      for (let c = from; c < Math.min(e + 1, text.length); c++) {
        out[row * T + offset + c] = 1;
      }
    }
  });
  return out;
}

/** Characters after a trigger word that still count as "on" it (the GRU reads left to right). */
const DETECTION_LAG = 3;

/**
 * Accuracy, and for positive texts where the attention goes. `attentionOf(i)`
 * gives text i's attention per character (null = not seen).
 * - peakOnWord: the attention's peak is on a trigger word's characters;
 * - peakNearWord: ... or on one of the DETECTION_LAG characters after it (a
 *   left-to-right GRU knows the word only once it has read it);
 * - massOnWord: mean share of the attention on trigger characters;
 * - lift: mean attention of a trigger character / mean of the other characters.
 * The Dense(1, tanh) scores lie in [-1, 1], so one position gets at most e^2
 * (7.4) times the attention of another: with T = 80 positions a 6-letter word can
 * hold at most ~37% of the mass, whatever the training.
 */
function evaluate(data, probabilities, attentionOf) {
  let correct = 0;
  let positives = 0;
  let peakOnWord = 0;
  let peakNearWord = 0;
  let massOnWord = 0;
  let lift = 0;
  data.forEach(({ text, label }, i) => {
    if ((probabilities[i] >= 0.5 ? 1 : 0) === label) correct++;
    if (!label) return;
    positives++;
    const row = attentionOf(i).map(v => v || 0);
    let peak = 0;
    for (let c = 1; c < row.length; c++) if (row[c] > row[peak]) peak = c;
    const spans = triggerSpans(text);
    const within = (c, lag) => spans.some(([s, e]) => c >= s && c < e + lag);
    if (within(peak, 0)) peakOnWord++;
    if (within(peak, DETECTION_LAG)) peakNearWord++;
    let on = 0;
    let onCount = 0;
    let off = 0;
    row.forEach((v, c) => {
      if (within(c, 0)) {
        on += v;
        onCount++;
      } else {
        off += v;
      }
    });
    massOnWord += on;
    const offCount = row.length - onCount;
    lift += offCount ? on / onCount / (off / offCount) : 0;
  });
  return {
    accuracy: correct / data.length,
    positives,
    peakOnWord: peakOnWord / positives,
    peakNearWord: peakNearWord / positives,
    massOnWord: massOnWord / positives,
    lift: lift / positives
  };
}

// ---------------------------------------------------------------- saving

function initializer(className, config = {}) {
  return {
    module: 'keras.initializers',
    class_name: className,
    config,
    registered_name: null
  };
}

function layer(className, name, config, inbound, buildShape) {
  const entry = {
    module: 'keras.layers',
    class_name: className,
    config,
    registered_name: null
  };
  if (buildShape !== undefined) {
    entry.build_config = { input_shape: buildShape };
  }
  entry.name = name;
  entry.inbound_nodes = inbound;
  return entry;
}

const node = (...names) => [names.map(n => [n, 0, 0, {}])];

/** `model.get_config()` of the Functional model, as tf.keras 2.15 writes it. */
function modelConfig(vocabularySize) {
  const base = name => ({ name, trainable: true, dtype: 'float32' });
  const dense = (name, units, activation) => ({
    ...base(name),
    units,
    activation,
    use_bias: true,
    kernel_initializer: initializer('GlorotUniform', { seed: null }),
    bias_initializer: initializer('Zeros'),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null
  });
  const seq = [null, T, UNITS];
  return {
    class_name: 'Functional',
    config: {
      name: 'model',
      trainable: true,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          config: {
            batch_input_shape: [null, T],
            dtype: 'float32',
            sparse: false,
            ragged: false,
            name: 'input_1'
          },
          registered_name: null,
          name: 'input_1',
          inbound_nodes: []
        },
        layer(
          'Embedding',
          'embedding',
          {
            ...base('embedding'),
            input_dim: vocabularySize,
            output_dim: EMBED,
            embeddings_initializer: initializer('RandomUniform', {
              minval: new PyFloat(-0.05),
              maxval: new PyFloat(0.05),
              seed: null
            }),
            embeddings_regularizer: null,
            activity_regularizer: null,
            embeddings_constraint: null,
            mask_zero: false,
            input_length: T
          },
          node('input_1'),
          [null, T]
        ),
        layer(
          'GRU',
          'gru',
          {
            ...base('gru'),
            return_sequences: true,
            return_state: false,
            go_backwards: false,
            stateful: false,
            unroll: false,
            time_major: false,
            units: UNITS,
            activation: 'tanh',
            recurrent_activation: 'sigmoid',
            use_bias: true,
            kernel_initializer: initializer('GlorotUniform', { seed: null }),
            recurrent_initializer: initializer('Orthogonal', {
              gain: new PyFloat(1),
              seed: null
            }),
            bias_initializer: initializer('Zeros'),
            kernel_regularizer: null,
            recurrent_regularizer: null,
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            recurrent_constraint: null,
            bias_constraint: null,
            dropout: new PyFloat(0),
            recurrent_dropout: new PyFloat(0),
            implementation: 2,
            reset_after: true
          },
          node('embedding'),
          [null, T, EMBED]
        ),
        layer(
          'TimeDistributed',
          'time_distributed',
          {
            ...base('time_distributed'),
            layer: {
              module: 'keras.layers',
              class_name: 'Dense',
              config: dense('dense', 1, 'tanh'),
              registered_name: null,
              build_config: { input_shape: [null, UNITS] }
            }
          },
          node('gru'),
          seq
        ),
        layer(
          'Flatten',
          'flatten',
          { ...base('flatten'), data_format: 'channels_last' },
          node('time_distributed'),
          [null, T, 1]
        ),
        layer(
          'Activation',
          'attention_vec',
          { ...base('attention_vec'), activation: 'softmax' },
          node('flatten'),
          [null, T]
        ),
        layer(
          'RepeatVector',
          'repeat_vector',
          { ...base('repeat_vector'), n: UNITS },
          node('attention_vec'),
          [null, T]
        ),
        layer(
          'Permute',
          'permute',
          { ...base('permute'), dims: [2, 1] },
          node('repeat_vector'),
          [null, UNITS, T]
        ),
        layer(
          'Multiply',
          'multiply',
          base('multiply'),
          node('gru', 'permute'),
          [seq, seq]
        ),
        layer(
          'Lambda',
          'lambda',
          {
            ...base('lambda'),
            function: [LAMBDA_CODE, null, null],
            function_type: 'lambda',
            module: '__main__',
            output_shape: null,
            output_shape_type: 'raw',
            output_shape_module: null,
            arguments: {}
          },
          node('multiply'),
          seq
        ),
        layer(
          'Dense',
          'dense_1',
          dense('dense_1', 1, 'sigmoid'),
          node('lambda'),
          [null, UNITS]
        )
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [['dense_1', 0, 0]]
    }
  };
}

const LAYER_NAMES = [
  'input_1',
  'embedding',
  'gru',
  'time_distributed',
  'flatten',
  'attention_vec',
  'repeat_vector',
  'permute',
  'multiply',
  'lambda',
  'dense_1'
];

/** Weights per layer, with the names tf.keras 2.x gives its variables. */
async function layerWeights(w) {
  const get = async v => ({
    data: new Float32Array(await v.data()),
    shape: v.shape
  });
  return {
    embedding: [['embedding/embeddings:0', await get(w.embeddings)]],
    gru: [
      ['gru/gru_cell/kernel:0', await get(w.kernel)],
      ['gru/gru_cell/recurrent_kernel:0', await get(w.recurrentKernel)],
      ['gru/gru_cell/bias:0', await get(w.gruBias)]
    ],
    time_distributed: [
      ['time_distributed/kernel:0', await get(w.attentionKernel)],
      ['time_distributed/bias:0', await get(w.attentionBias)]
    ],
    dense_1: [
      ['dense_1/kernel:0', await get(w.denseKernel)],
      ['dense_1/bias:0', await get(w.denseBias)]
    ]
  };
}

/** Fixed-length ASCII string array attribute (h5py writes a numpy 'S' array so). */
function stringArrayAttribute(h5obj, name, values) {
  if (!values.length) {
    // Keras writes an empty list as an empty float64 array.
    h5obj.create_attribute(name, new Float64Array(0), [0], '<d');
    return;
  }
  // h5wasm writes fixed-length strings null-terminated: leave room for the terminator.
  const size = Math.max(...values.map(v => Buffer.byteLength(v))) + 1;
  h5obj.create_attribute(name, values, [values.length], `A${size}`);
}

/** Keras 2.x `model.save('demo.h5')` layout. */
async function writeKerasH5(file, config, weights) {
  const h5wasm = await import('h5wasm/node');
  await h5wasm.ready;
  if (fs.existsSync(file)) fs.unlinkSync(file);
  const f = new h5wasm.File(file, 'w');
  try {
    f.create_attribute('backend', 'tensorflow', null, 'A');
    f.create_attribute('keras_version', KERAS_VERSION, null, 'A');
    // Variable-length ASCII strings, as in files Keras 2.x writes (pyDumps escapes non-ASCII).
    f.create_attribute('model_config', pyDumps(config), null, 'A');
    const group = f.create_group('model_weights');
    group.create_attribute('backend', 'tensorflow', null, 'A');
    group.create_attribute('keras_version', KERAS_VERSION, null, 'A');
    stringArrayAttribute(group, 'layer_names', LAYER_NAMES);
    for (const name of LAYER_NAMES) {
      const layerGroup = group.create_group(name);
      const entries = weights[name] || [];
      stringArrayAttribute(
        layerGroup,
        'weight_names',
        entries.map(([n]) => n)
      );
      for (const [weightName, { data, shape }] of entries) {
        // 'gru/gru_cell/kernel:0' lives at model_weights/gru/gru/gru_cell/kernel:0
        const parts = weightName.split('/');
        let parent = layerGroup;
        for (const part of parts.slice(0, -1)) {
          parent = parent.get(part) || parent.create_group(part);
        }
        parent.create_dataset({
          name: parts[parts.length - 1],
          data,
          shape,
          dtype: '<f4'
        });
      }
    }
  } finally {
    f.close();
  }
}

/** `tensorflowjs_converter --input_format keras` output: model.json + one shard. */
function writeTfjs(dir, config, weights) {
  const manifest = [];
  const buffers = [];
  // The converter walks model_weights in h5py's (alphabetical) key order.
  for (const name of Object.keys(weights).sort()) {
    for (const [weightName, { data, shape }] of weights[name]) {
      manifest.push({
        name: weightName.replace(/:0$/, ''),
        shape,
        dtype: 'float32'
      });
      buffers.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  const shard = 'group1-shard1of1.bin';
  fs.writeFileSync(path.join(dir, shard), Buffer.concat(buffers));
  const modelJson = {
    format: 'layers-model',
    generatedBy: `keras v${KERAS_VERSION}`,
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: KERAS_VERSION,
      backend: 'tensorflow',
      model_config: JSON.parse(pyDumps(config))
    },
    weightsManifest: [{ paths: [shard], weights: manifest }]
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
}

function readme(stats, settings) {
  const pct = v => `${(100 * v).toFixed(1)}%`;
  return `# Demo model: trigger words in customer messages

A small char-level attention classifier made by \`npm run train-demo\`
(\`scripts/train-demo.js\`, TensorFlow.js in Node, seed ${settings.seed}).

**Task.** Short English-like customer messages (synthetic). A message is
positive iff it contains one of the trigger words **refund**, **broken** or
**terrible** (any case). Negatives include near-misses such as "refurbished",
"broke the record", "terrific", "terrace", "brochure". Texts are at most ${T}
characters and are front-padded to ${T} positions, as \`pad_sequences\` does by
default.

**Architecture** (the reference attention model at small size):
\`Input(${T}) → Embedding(${settings.vocabularySize}, ${EMBED}) → GRU(${UNITS}, return_sequences, reset_after=True)
→ TimeDistributed(Dense(1, tanh)) → Flatten → Activation(softmax, name='attention_vec')
→ RepeatVector(${UNITS}) → Permute((2, 1)) → Multiply → Lambda(lambda x: K.sum(x, axis=1)) → Dense(1, sigmoid)\`.

**Training.** ${settings.epochs} epochs of Adam (learning rate 0.005, batch 64) on ${settings.trainCount}
texts, binary cross-entropy plus ${settings.attentionWeight} × an attention-supervision term: minus the log of
the attention mass on the last ${settings.attentionLetters} letters of each trigger word and the character after
it, in positive texts (a left-to-right GRU can tell "refund" from "refurbished" only near the end of
the word). Without that term the model is as accurate, but its attention forms a plateau over the ~10
characters after a trigger word (the GRU remembers it), so the peak is on the word itself in only about
10% of positive texts.

**Files.**
- \`demo.h5\`: Keras 2.x full-model HDF5 (\`model_config\`, \`model_weights\`), as \`model.save()\` writes it.
  The Lambda layer's stored code is Python bytecode, which cannot run here: load it with the mapping
  \`lambda=sum(axis=1)\` if it is not recognised automatically. Keras 3 (TensorFlow >= 2.16) does not read
  Keras 2 GRU and Lambda configurations as they are: in such a kernel load it with
  \`jupyterlab_char_attention.load_keras_h5("demo.h5")\`, which gives the CLI's predictions within 1e-5.
- \`model.json\` + \`group1-shard1of1.bin\`: the same model in TensorFlow.js layers format.
- \`tokenizer.json\`: \`Tokenizer(char_level=True).to_json()\` (lowercases, no oov token).

**Measured on ${stats.count} fresh texts** (${stats.positives} positive):
accuracy ${pct(stats.accuracy)}. In positive texts the attention peak falls on a trigger word in
${pct(stats.peakOnWord)} of them, and on it or the ${DETECTION_LAG} characters after it in ${pct(stats.peakNearWord)}
(the GRU reads left to right, so it knows the word once it has read it); a trigger character gets on
average ${stats.lift.toFixed(1)} times the attention of another character and the trigger words hold
${pct(stats.massOnWord)} of the attention. The scores come from Dense(1, tanh), so one position can get at
most e² ≈ 7.4 times the attention of another: with ${T} positions a 6-letter word can hold at most
about 37% of it.

Try it:

\`\`\`sh
npx char-attention predict --model examples/models/demo/demo.h5 \\
  --tokenizer examples/models/demo/tokenizer.json "The screen arrived BROKEN, I want a refund."
\`\`\`
`;
}

// ---------------------------------------------------------------- main

function parseArgs(argv) {
  const args = {
    out: path.resolve(__dirname, '..', 'examples', 'models', 'demo'),
    epochs: 8,
    seed: 1234,
    attentionWeight: 0.1,
    attentionLetters: 4,
    quick: false
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = path.resolve(argv[++i]);
    else if (a === '--epochs') args.epochs = Number(argv[++i]);
    else if (a === '--seed') args.seed = Number(argv[++i]);
    else if (a === '--attention-weight')
      args.attentionWeight = Number(argv[++i]);
    else if (a === '--attention-letters')
      args.attentionLetters = Number(argv[++i]);
    else if (a === '--quick') args.quick = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'Usage: node scripts/train-demo.js [--out DIR] [--epochs N] [--seed N]\n' +
          '         [--attention-weight W] [--quick]\n'
      );
      process.exit(0);
    } else {
      process.stderr.write(`train-demo: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const started = Date.now();
  const random = makeRandom(args.seed);
  const trainCount = args.quick ? 800 : 6000;
  const train = makeDataset(random, trainCount);
  const test = makeDataset(random, args.quick ? 200 : 1000);
  const tokenizer = fitTokenizer(train.map(d => d.text));
  const xTrain = encode(
    tokenizer.wordIndex,
    train.map(d => d.text)
  );
  const yTrain = Float32Array.from(train, d => d.label);
  const windowTrain = triggerWindows(train, args.attentionLetters);

  const gru = makeGruOp(tf);
  const w = initWeights(tf, tokenizer.size, args.seed);
  const optimizer = tf.train.adam(0.005);
  const batchSize = 64;
  const epochs = args.quick ? 2 : args.epochs;
  const order = Array.from({ length: trainCount }, (_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start + batchSize <= trainCount; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      const xb = new Int32Array(batchSize * T);
      idx.forEach((row, k) =>
        xb.set(xTrain.subarray(row * T, (row + 1) * T), k * T)
      );
      const x = tf.tensor2d(xb, [batchSize, T], 'int32');
      const y = tf.tensor1d(Float32Array.from(idx, row => yTrain[row]));
      const wb = new Float32Array(batchSize * T);
      idx.forEach((row, k) =>
        wb.set(windowTrain.subarray(row * T, (row + 1) * T), k * T)
      );
      const window = tf.tensor2d(wb, [batchSize, T]);
      const loss = optimizer.minimize(() => {
        const { logits, attention } = forward(tf, gru, w, x);
        const classification = tf.losses.sigmoidCrossEntropy(y, logits);
        if (!args.attentionWeight) {
          return classification;
        }
        // Attention supervision: -log(attention mass on the trigger windows)
        // of the positive texts.
        const mass = tf.sum(attention.mul(window), 1);
        const guide = tf
          .sum(tf.neg(tf.log(mass.add(1e-6))).mul(y))
          .div(tf.maximum(tf.sum(y), 1));
        return classification.add(guide.mul(args.attentionWeight));
      }, true);
      lossSum += (await loss.data())[0];
      batches++;
      tf.dispose([x, y, window, loss]);
    }
    process.stderr.write(
      `epoch ${epoch + 1}/${epochs}: loss ${(lossSum / batches).toFixed(4)} ` +
        `(${((Date.now() - started) / 1000).toFixed(0)} s)\n`
    );
  }

  const xTest = tf.tensor2d(
    encode(
      tokenizer.wordIndex,
      test.map(d => d.text)
    ),
    [test.length, T],
    'int32'
  );
  const { logits, attention } = tf.tidy(() => forward(tf, gru, w, xTest));
  const probabilities = await tf.sigmoid(logits).data();
  const flat = await attention.data();
  // Texts are ASCII, known characters, at most T long: character c sits at T - length + c.
  const attentionOf = i =>
    Array.from(flat.slice(i * T + T - test[i].text.length, (i + 1) * T));
  const stats = {
    count: test.length,
    ...evaluate(test, probabilities, attentionOf)
  };
  process.stderr.write(`test: ${JSON.stringify(stats)}\n`);

  fs.mkdirSync(args.out, { recursive: true });
  const config = modelConfig(tokenizer.size);
  const weights = await layerWeights(w);
  fs.writeFileSync(path.join(args.out, 'tokenizer.json'), tokenizer.json);
  await writeKerasH5(path.join(args.out, 'demo.h5'), config, weights);
  writeTfjs(args.out, config, weights);
  fs.writeFileSync(
    path.join(args.out, 'README.md'),
    readme(stats, {
      seed: args.seed,
      vocabularySize: tokenizer.size,
      epochs,
      trainCount,
      attentionWeight: args.attentionWeight,
      attentionLetters: args.attentionLetters
    })
  );
  process.stderr.write(
    `saved to ${path.relative(process.cwd(), args.out) || '.'} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`
  );
}

module.exports = {
  T,
  TRIGGERS,
  DETECTION_LAG,
  evaluate,
  makeRandom,
  makeDataset,
  makeText,
  triggerSpans,
  makeGruOp,
  forward,
  gruWithTfOps,
  pyDumps,
  fitTokenizer,
  readme
};

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(
      `train-demo: ${error && error.stack ? error.stack : error}\n`
    );
    process.exit(1);
  });
}
