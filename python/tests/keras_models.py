"""Tiny real Keras 3 models for the tests (built in memory, seeded, in well under a second each).

Importing this module imports TensorFlow and Keras; a missing installation
fails with a message naming what is missing (the development venv, made by
``bash scripts/venv.sh``, has both).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

try:
    import numpy as np
    import tensorflow as tf  # noqa: F401  (the gradient methods need the TensorFlow backend)
    import keras
    from keras import layers
except ImportError as err:  # pragma: no cover - the CI venv has them
    raise ImportError(
        f"these tests need TensorFlow and Keras 3 ({err}); run them with the development venv: "
        "bash scripts/venv.sh && .venv/bin/python -m pytest python/tests"
    ) from None

TRAIN_TEXTS = ["great product loved it", "it was bad", "refund please, it arrived broken", "ok 😀"]


def char_tokenizer(oov_token=None):
    """A real Keras char-level Tokenizer fitted on a few texts."""
    from keras.src.legacy.preprocessing.text import Tokenizer

    tok = Tokenizer(char_level=True, oov_token=oov_token)
    tok.fit_on_texts(TRAIN_TEXTS)
    return tok


def _seeded(seed):
    keras.utils.set_random_seed(seed)


def attention_model(maxlen=16, vocab=40, dim=6, units=5, with_lambda=True, name="attention_vec", seed=1,
                    dtype="float32"):
    """The reference model at tiny size: Embedding -> GRU -> Dense(tanh) -> softmax over time -> ... -> sigmoid.

    ``with_lambda=False`` replaces the Lambda(sum over time) by a
    ``GlobalAveragePooling1D`` times ``maxlen`` (the same sum, without a Lambda).
    """
    _seeded(seed)
    inp = keras.Input((maxlen,), dtype="int32")
    emb = layers.Embedding(vocab, dim, dtype=dtype, name="embedding")(inp)
    seq = layers.GRU(units, return_sequences=True, dtype=dtype, name="gru")(emb)
    score = layers.TimeDistributed(layers.Dense(1, activation="tanh", dtype=dtype), dtype=dtype)(seq)
    score = layers.Flatten(dtype=dtype)(score)
    attention = layers.Activation("softmax", name=name, dtype=dtype)(score)
    weights = layers.RepeatVector(units, dtype=dtype)(attention)
    weights = layers.Permute((2, 1), dtype=dtype)(weights)
    weighted = layers.Multiply(dtype=dtype)([seq, weights])
    if with_lambda:
        pooled = layers.Lambda(lambda x: keras.ops.sum(x, axis=1), dtype=dtype)(weighted)
    else:
        pooled = layers.GlobalAveragePooling1D(dtype=dtype)(weighted)
    out = layers.Dense(1, activation="sigmoid", dtype=dtype)(pooled)
    return keras.Model(inp, out, name="char_attention_classifier")


def plain_model(maxlen=12, vocab=40, dim=4, classes=1, seed=2, dtype="float32"):
    """No attention layer: Embedding -> GRU -> Dense (sigmoid, or softmax over ``classes``)."""
    _seeded(seed)
    activation = "sigmoid" if classes == 1 else "softmax"
    model = keras.Sequential(
        [
            keras.Input((maxlen,), dtype="int32"),
            layers.Embedding(vocab, dim, dtype=dtype),
            layers.GRU(5, dtype=dtype),
            layers.Dense(classes, activation=activation, dtype=dtype),
        ],
        name="plain_classifier",
    )
    return model


def linear_model(maxlen=8, vocab=40, dim=3, seed=3):
    """Embedding -> Flatten -> Dense(1, sigmoid): its gradients are known in closed form."""
    _seeded(seed)
    inp = keras.Input((maxlen,), dtype="int32")
    emb = layers.Embedding(vocab, dim, name="embedding")(inp)
    flat = layers.Flatten()(emb)
    out = layers.Dense(1, activation="sigmoid", name="head")(flat)
    model = keras.Model(inp, out, name="linear")
    # Larger weights than the initializer's, so that the output is far from 0.5.
    kernel, bias = model.get_layer("head").get_weights()
    model.get_layer("head").set_weights([kernel * 4.0, bias + 0.3])
    return model


def as_int(x):
    return np.asarray(x, dtype="int32")
