"""Reference attributions computed by TensorFlow for two tiny char-level models.

Writes into test/fixtures/keras/explain_reference/:

- ``attention.keras`` / ``attention.h5``: Input(24) -> Embedding(V, 8) -> GRU(8, return_sequences)
  -> TimeDistributed(Dense(1, tanh)) -> Flatten -> Activation(softmax, name='attention_vec')
  -> RepeatVector -> Permute -> Multiply -> Lambda(sum over time) -> Dense(1, sigmoid);
- ``softmax3.keras`` / ``softmax3.h5``: Input(24) -> Embedding(V, 8) -> GRU(8) -> Dense(3, softmax), no attention;
- ``tokenizer.json``: the char-level Tokenizer (Keras 3's legacy Tokenizer, ``to_json()``);
- ``expected.json``: texts, their padded sequences (``pad_sequences``, pre), and per model the predictions,
  the attention (first model), and per method the values per model position:
  occlusion (window 1 and 3), grad-x-input, integrated-gradients (32 steps, midpoint rule, zero-embedding
  baseline) with f(x), f(baseline) and the completeness gap.

Both models are trained for a few epochs on synthetic texts (positive when they contain "bad", or, for the
3-class model, the class of the first of "bad", "good" found, else 2) so that the attributions are not tiny.
The attributions are computed here with plain TensorFlow (GradientTape, explicit model calls), following the
definitions in jupyterlab_char_attention/explain.py, independently of that module.
"""

import json
import os
import random

import numpy as np
import tensorflow as tf
import keras
from keras import layers
from keras.src.legacy.preprocessing.text import Tokenizer

MAXLEN = 24
WORDS = ["bad", "good", "fine", "odd", "bag", "dog", "food", "gold", "bead", "a", "the", "was", "it", "so"]
TEXTS = ["it was bad", "so good", "the dog ate food", "odd bag, bad gold", "fine", "a bead was good but bad"]
STEPS = 32


def _corpus(rng, count):
    texts = []
    for _ in range(count):
        texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))))
    return texts


def _labels3(text):
    found = [(text.find(w), i) for i, w in enumerate(("bad", "good")) if w in text]
    return min(found)[1] if found else 2


def _attention_model(vocab):
    inp = keras.Input((MAXLEN,), dtype="int32", name="chars")
    emb = layers.Embedding(vocab, 8, name="embedding")(inp)
    seq = layers.GRU(8, return_sequences=True, name="gru")(emb)
    score = layers.TimeDistributed(layers.Dense(1, activation="tanh"), name="score")(seq)
    score = layers.Flatten(name="flatten")(score)
    attention = layers.Activation("softmax", name="attention_vec")(score)
    weights = layers.RepeatVector(8, name="repeat")(attention)
    weights = layers.Permute((2, 1), name="permute")(weights)
    weighted = layers.Multiply(name="multiply")([seq, weights])
    pooled = layers.Lambda(lambda x: keras.ops.sum(x, axis=1), name="lambda")(weighted)
    out = layers.Dense(1, activation="sigmoid", name="output")(pooled)
    return keras.Model(inp, out, name="attention")


def _softmax_model(vocab):
    return keras.Sequential(
        [
            keras.Input((MAXLEN,), dtype="int32", name="chars"),
            layers.Embedding(vocab, 8, name="embedding"),
            layers.GRU(8, name="gru"),
            layers.Dense(3, activation="softmax", name="output"),
        ],
        name="softmax3",
    )


def _rest(model):
    return keras.Model(model.get_layer("embedding").output, model.outputs[0])


def _f(model, x, unit):
    return model(np.asarray(x, dtype="int32"), training=False).numpy().reshape(len(x), -1)[:, unit].astype("float64")


def _occlusion(model, x, unit, window):
    f_x = _f(model, [x], unit)[0]
    values = np.zeros(MAXLEN)
    for start in range(MAXLEN):
        end = min(MAXLEN, start + window)
        occluded = np.array(x)
        occluded[start:end] = 0
        values[start:end] += (f_x - _f(model, [occluded], unit)[0]) / (end - start)
    return values.tolist()


def _gradient(rest, embedded, unit):
    e = tf.convert_to_tensor(embedded, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(e)
        f = tf.reduce_sum(tf.reshape(rest(e, training=False), (tf.shape(e)[0], -1))[:, unit])
    return tape.gradient(f, e).numpy().astype("float64")


def _explain(model, x, unit):
    rest = _rest(model)
    embedded = model.get_layer("embedding")(np.asarray([x], dtype="int32")).numpy()
    grad = _gradient(rest, embedded, unit)[0]
    gxi = (grad * embedded[0]).sum(axis=-1)
    alphas = (np.arange(STEPS) + 0.5) / STEPS
    path = np.stack([a * embedded[0] for a in alphas]).astype("float32")
    ig = (embedded[0].astype("float64") * _gradient(rest, path, unit).mean(axis=0)).sum(axis=-1)
    f_x = float(rest(embedded).numpy().ravel()[unit])
    f_0 = float(rest(np.zeros_like(embedded)).numpy().ravel()[unit])
    return {
        "target": unit,
        "occlusion": {"1": _occlusion(model, x, unit, 1), "3": _occlusion(model, x, unit, 3)},
        "grad-x-input": gxi.tolist(),
        "integrated-gradients": {
            "steps": STEPS,
            "rule": "riemann-midpoint",
            "values": ig.tolist(),
            "f": f_x,
            "fBaseline": f_0,
            "completenessGap": abs(float(ig.sum()) - (f_x - f_0)),
        },
    }


def build(out_dir):
    keras.utils.set_random_seed(20261127)
    rng = random.Random(7)
    train = _corpus(rng, 1200)
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(train + TEXTS)
    vocab = len(tok.word_index) + 1
    x_train = keras.utils.pad_sequences(tok.texts_to_sequences(train), maxlen=MAXLEN)
    x = keras.utils.pad_sequences(tok.texts_to_sequences(TEXTS), maxlen=MAXLEN)

    binary = _attention_model(vocab)
    binary.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    binary.fit(x_train, np.array([1.0 if "bad" in t else 0.0 for t in train]), epochs=4, batch_size=32, verbose=0)
    three = _softmax_model(vocab)
    three.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    three.fit(x_train, np.array([_labels3(t) for t in train]), epochs=4, batch_size=32, verbose=0)

    expected = {"maxlen": MAXLEN, "padding": "pre", "truncating": "pre", "texts": TEXTS, "sequences": x.tolist(),
                "models": {}}
    for model in (binary, three):
        model.save(os.path.join(out_dir, f"{model.name}.keras"))
        model.save(os.path.join(out_dir, f"{model.name}.h5"))
        outputs = model(np.asarray(x, dtype="int32"), training=False).numpy().astype("float64")
        entry = {"predictions": outputs.tolist(), "samples": []}
        if model is binary:
            probe = keras.Model(model.inputs[0], model.get_layer("attention_vec").output)
            entry["attention"] = probe(np.asarray(x, dtype="int32")).numpy().astype("float64").tolist()
        for row, out in zip(x, outputs):
            unit = int(np.argmax(out)) if out.shape[0] > 1 else 0
            entry["samples"].append(_explain(model, row, unit))
        expected["models"][model.name] = entry
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as fh:
        fh.write(tok.to_json())
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as fh:
        json.dump(expected, fh, indent=1)
        fh.write("\n")
