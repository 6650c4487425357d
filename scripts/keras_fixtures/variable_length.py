"""Real-Keras oracle for a variable-length model, where padding changes the result.

`gru_variable.keras` / `.h5`: Input(shape=(None,)) -> Embedding(31, 6,
mask_zero=False) -> GRU(8) -> Dense(1, sigmoid), seeded random weights; no
mask, so padding ids run through the GRU like characters. `gru_variable.json`
holds, for five texts of different lengths: Keras's prediction for each text
alone (a batch of one at its own length), the predictions when the five are
padded together to the longest (`pad_sequences` without maxlen: pre padding),
the predictions with `pad_sequences(maxlen=MAXLEN)` (pre padding and
truncating), and gradient x input and 256-step integrated gradients of each
text alone (as in the gradients module).
"""
import os

import numpy as np
import keras
from keras import layers
from keras.src.utils import pad_sequences

from keras_fixtures import _oracle as oracle

NAME = "gru_variable"
SEED = 301
MAXLEN = 12
TEXTS = [
    "ok",
    "it was fine",
    "judge my vow.",
    "the lazy dog, the lazy dog!",
    "sphinx of black quartz, judge my vow.",
]


def _model(vocab):
    ids = keras.Input(shape=(None,), dtype="int32", name="chars")
    emb = layers.Embedding(vocab, 6, name="embedding")
    h = layers.GRU(8, name="gru")(emb(ids))
    out = layers.Dense(1, activation="sigmoid", name="output")(h)
    return keras.Model(ids, out, name=NAME), emb


def _batch(model, xs):
    return {"inputs": xs.tolist(), "predictions": model.predict(xs, verbose=0)[:, 0].tolist()}


def build(out_dir):
    with oracle.deterministic():
        _build(out_dir)


def _build(out_dir):
    tokenizer = oracle.char_tokenizer()
    vocab = len(tokenizer.word_index) + 1
    oracle.write_tokenizer(out_dir, tokenizer)
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    model, emb = _model(vocab)
    oracle.randomize(model, SEED)
    files = oracle.save_model(model, out_dir, NAME)
    seqs = tokenizer.texts_to_sequences(TEXTS)
    alone = []
    for text, seq in zip(TEXTS, seqs):
        x = np.asarray(seq, dtype="int32")
        alone.append(oracle.gradient_record(model, emb, text, seq, x, NAME))
    together = pad_sequences(seqs).astype("int32")
    cut = pad_sequences(seqs, maxlen=MAXLEN).astype("int32")
    batched = _batch(model, together)
    moved = [abs(a["prediction"][0] - b) for a, b in zip(alone, batched["predictions"])]
    # The point of the fixture: padding together moves the shorter texts' predictions.
    assert max(moved) > 1e-2 and moved[-1] < 1e-6, moved
    reloaded = {}
    for kind, path in files.items():
        loaded = keras.models.load_model(os.path.join(out_dir, path), compile=False)
        for r in alone:
            got = loaded.predict(np.asarray(r["input"], dtype="int32")[None], verbose=0)[0, 0]
            assert abs(got - r["prediction"][0]) < 1e-6, (path, r["text"])
        reloaded[kind] = True
    gaps = [r["integratedGradients"]["relativeGap"] for r in alone]
    print(f"  {NAME}: largest move by padding {max(moved):.3f}, IG worst relative gap {max(gaps):.2e}")
    oracle.write_json(os.path.join(out_dir, f"{NAME}.json"), {
        "model": NAME,
        "description": "Input(shape=(None,)) -> Embedding(31, 6, mask_zero=False) -> GRU(8) -> "
        "Dense(1, sigmoid); no mask: padding changes the result",
        "files": files,
        "reloadedByKeras": reloaded,
        "tokenizer": "tokenizer.json",
        "inputLength": None,
        **oracle.versions(),
        "target": "sigmoid: unit 0",
        "integratedGradients": oracle.ig_header(),
        "completeness": {"worstRelativeGap": max(gaps), "within1Percent": max(gaps) <= 0.01},
        "texts": TEXTS,
        "alone": alone,
        "paddedTogether": {"rule": "pad_sequences(sequences): pre padding to the longest",
                           "maxlen": int(together.shape[1]), **batched},
        "maxlen": {"rule": "pad_sequences(sequences, maxlen=N): pre padding, pre truncating",
                   "maxlen": MAXLEN, **_batch(model, cut)},
    })
