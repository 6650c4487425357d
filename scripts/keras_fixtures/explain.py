"""Real-Keras oracles for the explanation methods (occlusion, gradient x input,
integrated gradients) on four small character models.

Each model is saved as `.keras` and legacy `.h5`, with the char Tokenizer
JSON, and `<name>.json` holds, per text: the encoded input, Keras's
prediction, and the explanations computed here with TensorFlow:

- occlusion, window k (1 and 3): window start s = 0..T-1 covers positions
  s..min(s+k, T)-1; its drop d_s = f(x) - f(x with those ids set to 0) is
  spread evenly over the positions it covers; a position's value is the sum
  of the shares it receives;
- gradient x input: sum_e df/dE[t,e] * E[t,e], E = the Embedding output
  (tf.GradientTape on E);
- integrated gradients, baseline E = 0, Riemann midpoint rule with N steps:
  IG[t] = sum_e E[t,e] * (1/N) sum_{i<N} df/dE[t,e] at ((i + 0.5)/N) * E.

`f` is the sigmoid probability (unit 0), or for softmax the predicted class.
The gradients run through each model's own layers called on E with the
Embedding's mask, checked against model.predict.
"""
import json
import os

import numpy as np
import tensorflow as tf
import keras
from keras import layers
from keras.src.legacy.preprocessing.text import Tokenizer
from keras.src.utils import pad_sequences

STEPS = 32
CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "pack my box with five dozen liquor jugs!",
    "how vexingly quick daft zebras jump",
    "sphinx of black quartz, judge my vow.",
]


def texts_for(maxlen):
    # Two short texts and one longer than maxlen (truncated in front).
    long = "a long text that does not fit: " + CORPUS[1] + " " + CORPUS[2]
    assert len(long) > maxlen
    return ["the lazy fox", "judge my box, quick!", long]


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        ws = layer.get_weights()
        if ws:
            layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in ws])


def seed_model(vocab, T):
    """Embedding -> GRU -> Dense(tanh) -> Flatten -> softmax attention -> weighted sum -> Dense(sigmoid)."""
    units = 12
    ids = keras.Input(shape=(T,), name="chars")
    emb = layers.Embedding(vocab, 8, name="embedding")
    gru = layers.GRU(units, return_sequences=True, name="gru")
    score = layers.Dense(1, activation="tanh", name="score")
    flat = layers.Flatten(name="flatten")
    att = layers.Activation("softmax", name="attention_vec")
    rep = layers.RepeatVector(units, name="repeat")
    perm = layers.Permute((2, 1), name="permute")
    mul = layers.Multiply(name="multiply")
    pool = layers.Lambda(lambda x: keras.ops.sum(x, axis=1), output_shape=(units,), name="attention_sum")
    out = layers.Dense(1, activation="sigmoid", name="output")

    def forward(x, e=None):
        e = emb(x) if e is None else e
        h = gru(e)
        a = att(flat(score(h)))
        return out(pool(mul([h, perm(rep(a))])))

    model = keras.Model(ids, forward(ids), name="seed")
    return model, emb, forward


def conv_bilstm_model(vocab, T):
    """Embedding -> Conv1D -> Bidirectional(LSTM) -> Dense(sigmoid); no attention."""
    ids = keras.Input(shape=(T,), name="chars")
    emb = layers.Embedding(vocab, 8, name="embedding")
    conv = layers.Conv1D(8, 3, padding="same", activation="relu", name="conv")
    bi = layers.Bidirectional(layers.LSTM(6), name="bilstm")
    out = layers.Dense(1, activation="sigmoid", name="output")

    def forward(x, e=None):
        e = emb(x) if e is None else e
        return out(bi(conv(e)))

    return keras.Model(ids, forward(ids), name="conv_bilstm"), emb, forward


def gru_softmax_model(vocab, T):
    """Embedding(mask_zero) -> GRU -> Dense(4, softmax): a multi-class classifier."""
    ids = keras.Input(shape=(T,), name="chars")
    emb = layers.Embedding(vocab, 8, mask_zero=True, name="embedding")
    gru = layers.GRU(10, name="gru")
    out = layers.Dense(4, activation="softmax", name="output")

    def forward(x, e=None):
        mask = emb.compute_mask(x)
        e = emb(x) if e is None else e
        return out(gru(e, mask=mask))

    # Sequential: a functional Keras 3 graph would store the mask as a NotEqual op layer.
    return keras.Sequential([ids, emb, gru, out], name="gru_softmax"), emb, forward


def rnn_pool_model(vocab, T):
    """Embedding(mask_zero) -> SimpleRNN(return_sequences) -> GlobalAveragePooling1D -> Dense(sigmoid)."""
    ids = keras.Input(shape=(T,), name="chars")
    emb = layers.Embedding(vocab, 8, mask_zero=True, name="embedding")
    rnn = layers.SimpleRNN(8, return_sequences=True, name="rnn")
    pool = layers.GlobalAveragePooling1D(name="pool")
    out = layers.Dense(1, activation="sigmoid", name="output")

    def forward(x, e=None):
        mask = emb.compute_mask(x)
        e = emb(x) if e is None else e
        return out(pool(rnn(e, mask=mask), mask=mask))

    return keras.Sequential([ids, emb, rnn, pool, out], name="rnn_pool"), emb, forward


MODELS = [
    ("seed_attention", seed_model, 30, 1),
    ("conv_bilstm", conv_bilstm_model, 28, 2),
    ("gru_softmax", gru_softmax_model, 24, 3),
    ("rnn_pool", rnn_pool_model, 20, 4),
]


def occlusion(predict, x, target, window):
    T = len(x)
    base = predict(x[None])[0, target]
    variants = []
    for s in range(T):
        v = x.copy()
        v[s : min(s + window, T)] = 0
        variants.append(v)
    drops = base - predict(np.stack(variants))[:, target]
    values = np.zeros(T, dtype="float64")
    for s in range(T):
        end = min(s + window, T)
        values[s:end] += float(drops[s]) / (end - s)
    return values


def grad_x_input(forward, emb, x, target):
    ids = tf.constant(x[None])
    e = emb(ids)
    with tf.GradientTape() as tape:
        tape.watch(e)
        y = forward(ids, e)[:, target]
    g = tape.gradient(y, e)
    return tf.reduce_sum(g * e, axis=-1)[0].numpy().astype("float64")


def integrated_gradients(forward, emb, x, target, steps):
    ids = tf.constant(np.repeat(x[None], steps, axis=0))
    e = emb(tf.constant(x[None]))
    alphas = tf.constant(((np.arange(steps) + 0.5) / steps).reshape(steps, 1, 1), dtype="float32")
    scaled = alphas * e
    with tf.GradientTape() as tape:
        tape.watch(scaled)
        y = forward(ids, scaled)[:, target]
    g = tape.gradient(y, scaled)
    ig = tf.reduce_sum(e[0] * tf.reduce_mean(g, axis=0), axis=-1).numpy().astype("float64")
    f_input = float(forward(tf.constant(x[None]), e)[0, target])
    f_base = float(forward(tf.constant(x[None]), tf.zeros_like(e))[0, target])
    return ig, f_input, f_base


def build(out_dir):
    tokenizer = Tokenizer(char_level=True)
    tokenizer.fit_on_texts(CORPUS)
    vocab = len(tokenizer.word_index) + 1
    with open(os.path.join(out_dir, "tokenizer.json"), "w") as f:
        f.write(tokenizer.to_json())
    for name, make, T, seed in MODELS:
        keras.utils.set_random_seed(seed)
        model, emb, forward = make(vocab, T)
        randomize(model, seed)
        model.save(os.path.join(out_dir, f"{name}.keras"))
        model.save(os.path.join(out_dir, f"{name}.h5"))
        texts = texts_for(T)
        seqs = tokenizer.texts_to_sequences(texts)
        x_all = pad_sequences(seqs, maxlen=T).astype("int32")

        def predict(batch):
            return model.predict(batch, verbose=0, batch_size=256)

        samples = []
        for text, seq, x in zip(texts, seqs, x_all):
            prediction = predict(x[None])[0]
            direct = forward(tf.constant(x[None]))[0].numpy()
            assert np.max(np.abs(direct - prediction)) < 1e-5, (name, direct, prediction)
            target = int(np.argmax(prediction)) if prediction.shape[0] > 1 else 0
            ig, f_input, f_base = integrated_gradients(forward, emb, x, target, STEPS)
            samples.append(
                {
                    "text": text,
                    "tokens": len(seq),
                    "input": x.tolist(),
                    "prediction": [float(v) for v in prediction],
                    "target": target,
                    "occlusion": {
                        "1": occlusion(predict, x, target, 1).tolist(),
                        "3": occlusion(predict, x, target, 3).tolist(),
                    },
                    "gradXInput": grad_x_input(forward, emb, x, target).tolist(),
                    "integratedGradients": {
                        "steps": STEPS,
                        "rule": "riemann-midpoint",
                        "values": ig.tolist(),
                        "fInput": f_input,
                        "fBaseline": f_base,
                    },
                }
            )
        info = {
            "model": name,
            "inputLength": T,
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "lambdas": {"attention_sum": "sum(axis=1)"} if name == "seed_attention" else {},
            "samples": samples,
        }
        with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
            json.dump(info, f, indent=1)
        print(f"  {name}: T={T}, {len(samples)} texts", flush=True)
