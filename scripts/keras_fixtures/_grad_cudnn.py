"""CuDNNGRU / CuDNNLSTM models for the gradient fixtures.

Keras 3 cannot write these layers, so the file is written with h5py in the
tf.keras 2.x `model.save()` layout, exactly as `layers.py` writes
`cudnn_gru.h5` (its `_write_tf2_h5`): a Sequential Embedding(31, 6) ->
CuDNNGRU(8) / CuDNNLSTM(8) -> Dense(1, sigmoid). The oracle is the same model
in Keras 3 with the converted weights: GRU(reset_after=True) with the CuDNN
bias [6u] reshaped to [2, 3u] (input bias, recurrent bias), or LSTM with the
two CuDNN biases [8u] summed; kernels are in Keras's gate order in both.
"""
import os

import numpy as np
import keras
from keras import layers

from keras_fixtures.layers import _write_tf2_h5

UNITS = 8
FEATURES = 6


def _tf2_config(kind, vocab, T):
    cls = "CuDNNGRU" if kind == "gru" else "CuDNNLSTM"
    lname = "cu_dnngru" if kind == "gru" else "cu_dnnlstm"
    config = {
        "class_name": "Sequential",
        "config": {"name": "sequential", "layers": [
            {"class_name": "Embedding",
             "config": {"name": "embedding", "trainable": True, "batch_input_shape": [None, T],
                        "dtype": "float32", "input_dim": vocab, "output_dim": FEATURES,
                        "mask_zero": False, "input_length": T}},
            {"class_name": cls,
             "config": {"name": lname, "trainable": True, "dtype": "float32",
                        "return_sequences": False, "return_state": False, "go_backwards": False,
                        "stateful": False, "units": UNITS}},
            {"class_name": "Dense",
             "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 1,
                        "activation": "sigmoid", "use_bias": True}},
        ]},
    }
    return config, lname


def cudnn_case(kind, vocab, T, seed, out_dir):
    """Writes `cudnn_<kind>.h5`; returns (Keras 3 oracle model, its Embedding, files)."""
    rng = np.random.default_rng(seed)
    gates = 3 if kind == "gru" else 4
    emb_w = rng.normal(0, 0.5, (vocab, FEATURES)).astype("float32")
    k = rng.normal(0, 0.5, (FEATURES, gates * UNITS)).astype("float32")
    r = rng.normal(0, 0.5, (UNITS, gates * UNITS)).astype("float32")
    b = rng.normal(0, 0.5, (2 * gates * UNITS,)).astype("float32")
    dk = rng.normal(0, 0.5, (UNITS, 1)).astype("float32")
    db = rng.normal(0, 0.5, (1,)).astype("float32")
    if kind == "gru":
        rnn = layers.GRU(UNITS, reset_after=True, name="gru")
        converted = [k, r, b.reshape(2, gates * UNITS)]
    else:
        rnn = layers.LSTM(UNITS, name="lstm")
        converted = [k, r, b[: gates * UNITS] + b[gates * UNITS:]]
    emb = layers.Embedding(vocab, FEATURES, name="embedding")
    model = keras.Sequential([keras.Input((T,), dtype="int32", name="chars"), emb, rnn,
                              layers.Dense(1, activation="sigmoid", name="dense")],
                             name=f"cudnn_{kind}_oracle")
    emb.set_weights([emb_w])
    rnn.set_weights(converted)
    model.get_layer("dense").set_weights([dk, db])
    config, lname = _tf2_config(kind, vocab, T)
    name = f"cudnn_{kind}"
    _write_tf2_h5(
        os.path.join(out_dir, f"{name}.h5"),
        config,
        [("embedding", [("embedding/embeddings:0", emb_w)]),
         (lname, [(f"{lname}/kernel:0", k), (f"{lname}/recurrent_kernel:0", r),
                  (f"{lname}/bias:0", b)]),
         ("dense", [("dense/kernel:0", dk), ("dense/bias:0", db)])],
        keras_version="2.2.4-tf",
    )
    return model, emb, {"h5": f"{name}.h5"}
