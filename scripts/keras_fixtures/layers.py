"""Real-Keras oracles for the layers the engine runs beyond the reference model.

Every case is a tiny model with seeded random weights, saved as a Keras 3
`.keras` archive and (where Keras 3 can) as a legacy `.h5` (`model.save('x.h5')`),
plus `<case>.json`: the inputs, the model outputs and selected intermediate
layer outputs computed by Keras 3 itself.

Two layouts Keras 3 cannot write are written here with h5py, following the
tf.keras 2.x `model.save()` layout (root attributes `keras_version`,
`backend`, `model_config`; `model_weights/<layer>/` groups with `weight_names`;
datasets at `model_weights/<layer>/<weight name>`):
- `cudnn_gru.h5` / `cudnn_lstm.h5`: configs say CuDNNGRU / CuDNNLSTM and hold
  the CuDNN weight layout (CuDNNGRU: bias [6u] = input then recurrent biases;
  CuDNNLSTM: bias [8u] = two biases that are summed). The expected outputs
  come from Keras 3 GRU(reset_after=True) / LSTM given the converted weights.
- `nested_tf2.h5`: a functional model whose middle layer is a nested
  Sequential, in the tf.keras 2.x config and weight layout (weight names
  `<inner layer>/kernel:0` inside the nested model's group).
"""
import json
import os

import h5py
import numpy as np

import keras
import tensorflow as tf
from keras import layers, ops

RNG = np.random.default_rng(20240607)

# Module aliases people use in Lambda code (`from keras import backend as K`, ...).
# They are globals so the stored code loads them by name, as user code does.
K = ops
backend = ops


def _randomize(model, scale=0.6):
    """Seeded random weights (variances kept positive)."""
    for layer in model.layers:
        new = []
        for w in layer.weights:
            shape = tuple(w.shape)
            v = RNG.uniform(-scale, scale, size=shape).astype("float32")
            if "variance" in w.path:
                v = RNG.uniform(0.3, 1.7, size=shape).astype("float32")
            new.append(v)
        if new:
            layer.set_weights(new)
        if hasattr(layer, "layers"):
            _randomize(layer, scale)


def _tolist(x):
    return np.asarray(x).astype("float64").round(8).tolist()


def _save(model, out_dir, name, h5=True):
    model.save(os.path.join(out_dir, f"{name}.keras"))
    if h5:
        model.save(os.path.join(out_dir, f"{name}.h5"))


def _record(model, out_dir, name, inputs, intermediates=(), extra=None):
    """Writes inputs, model outputs and intermediate layer outputs."""
    feed = inputs[0] if len(inputs) == 1 else inputs
    outs = model.predict(feed, verbose=0)
    if not isinstance(outs, (list, tuple)):
        outs = [outs]
    record = {
        "inputs": [_tolist(i) for i in inputs],
        "outputs": [_tolist(o) for o in outs],
        "layers": {},
    }
    if intermediates:
        probe = keras.Model(model.inputs, [model.get_layer(n).output for n in intermediates])
        values = probe.predict(feed, verbose=0)
        if not isinstance(values, (list, tuple)):
            values = [values]
        for n, v in zip(intermediates, values):
            record["layers"][n] = _tolist(v)
    if extra:
        record.update(extra)
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(record, f)


def _tokens(batch, steps, vocab, zeros=True):
    x = RNG.integers(1, vocab, size=(batch, steps))
    if zeros:
        x[0, :2] = 0  # pre-padding
        x[1, -3:] = 0  # post-padding
    return x.astype("int32")


def norm_and_activations(out_dir):
    inp = keras.Input((6, 4), name="x")
    h = layers.Dense(5, name="dense")(inp)
    h = layers.BatchNormalization(epsilon=1e-3, name="bn")(h)
    a = layers.BatchNormalization(center=False, scale=False, name="bn_plain")(h)
    b = layers.BatchNormalization(axis=1, name="bn_axis1")(h)
    c = layers.LayerNormalization(name="ln")(h)
    d = layers.LayerNormalization(center=False, epsilon=1e-2, name="ln_noc")(h)
    e = layers.LayerNormalization(rms_scaling=True, name="ln_rms")(h)
    f = layers.LayerNormalization(axis=[1, 2], name="ln_2axes")(h)
    r1 = layers.ReLU(max_value=0.8, negative_slope=0.1, threshold=0.2, name="relu")(h)
    r2 = layers.ReLU(name="relu_plain")(h)
    l1 = layers.LeakyReLU(negative_slope=0.25, name="leaky")(h)
    p1 = layers.PReLU(name="prelu")(h)
    p2 = layers.PReLU(shared_axes=[1], name="prelu_shared")(h)
    e1 = layers.ELU(alpha=0.7, name="elu")(h)
    out = layers.Concatenate(name="concat")([a, b, c, d, e, f, r1, r2, l1, p1, p2, e1])
    model = keras.Model(inp, out)
    _randomize(model)
    _save(model, out_dir, "norm_act")
    x = RNG.normal(size=(3, 6, 4)).astype("float32") * 2
    names = ["bn", "bn_plain", "bn_axis1", "ln", "ln_noc", "ln_rms", "ln_2axes", "relu",
             "relu_plain", "leaky", "prelu", "prelu_shared", "elu"]
    _record(model, out_dir, "norm_act", [x], names)


def conv(out_dir):
    inp = keras.Input((9, 3), name="x")
    a = layers.Conv1D(4, 3, dilation_rate=2, padding="causal", name="conv_causal")(inp)
    b = layers.Conv1D(4, 3, dilation_rate=2, padding="same", name="conv_same")(inp)
    c = layers.Conv1D(4, 2, dilation_rate=3, padding="valid", name="conv_valid")(inp)
    d = layers.Conv1D(2, 3, strides=2, padding="causal", activation="relu", name="conv_stride")(inp)
    out = layers.Concatenate(axis=1, name="concat")(
        [layers.GlobalMaxPooling1D()(t) for t in (a, b, c)]
        + [layers.Dense(4)(layers.Flatten()(d))]
    )
    model = keras.Model(inp, out)
    _randomize(model)
    _save(model, out_dir, "conv")
    x = RNG.normal(size=(2, 9, 3)).astype("float32")
    _record(model, out_dir, "conv", [x], ["conv_causal", "conv_same", "conv_valid", "conv_stride"])


def mask_chain(out_dir):
    """mask_zero through Dense, LayerNormalization, Dropout, Bidirectional GRU,
    Attention, MultiHeadAttention, GlobalAveragePooling1D; and Conv1D, which drops it."""
    inp = keras.Input((8,), dtype="int32", name="tokens")
    e = layers.Embedding(12, 6, mask_zero=True, name="emb")(inp)
    h = layers.Dense(6, activation="tanh", name="dense")(e)
    h = layers.LayerNormalization(name="ln")(h)
    h = layers.Dropout(0.3, name="drop")(h)
    h = layers.Bidirectional(layers.GRU(4, return_sequences=True), name="bigru")(h)
    att = layers.Attention(use_scale=True, name="dot_att")([h, h])
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(att, att)
    pooled = layers.GlobalAveragePooling1D(name="gap")(mha)
    conv = layers.Conv1D(3, 2, padding="causal", name="conv")(e)
    cpool = layers.GlobalAveragePooling1D(name="gap_conv")(conv)
    lstm = layers.LSTM(3, name="lstm")(h)
    out = layers.Dense(1, activation="sigmoid", name="out")(
        layers.Concatenate(name="concat")([pooled, cpool, lstm])
    )
    model = keras.Model(inp, out)
    _randomize(model)
    _save(model, out_dir, "mask_chain")
    x = _tokens(3, 8, 12)
    _record(model, out_dir, "mask_chain", [x],
            ["emb", "dense", "ln", "bigru", "dot_att", "mha", "gap", "conv", "gap_conv", "lstm"])


def mask_concat(out_dir):
    """Concatenate's masks: OR along features (a missing mask counts as all
    true), concatenated along time."""
    inp = keras.Input((6,), dtype="int32", name="tokens")
    e = layers.Embedding(9, 4, mask_zero=True, name="emb")(inp)
    a = layers.Dense(3, name="dense")(e)
    b = layers.Conv1D(3, 2, padding="causal", name="conv")(e)
    feat = layers.Concatenate(name="cat_feat")([a, b])
    feat_pool = layers.GlobalAveragePooling1D(name="gap_feat")(feat)
    e2 = layers.Embedding(9, 3, mask_zero=True, name="emb2")(inp)
    both = layers.Concatenate(axis=-1, name="cat_masked")([a, e2])
    both_pool = layers.GlobalAveragePooling1D(name="gap_masked")(both)
    time = layers.Concatenate(axis=1, name="cat_time")([a, layers.Dense(3, name="d2")(e2)])
    time_pool = layers.GlobalAveragePooling1D(name="gap_time")(time)
    out = layers.Concatenate(name="out")([feat_pool, both_pool, time_pool])
    model = keras.Model(inp, out)
    _randomize(model)
    _save(model, out_dir, "mask_concat")
    x = _tokens(3, 6, 9)
    _record(model, out_dir, "mask_concat", [x], ["gap_feat", "gap_masked", "gap_time"])


def attention_layers(out_dir):
    """Attention (dot / concat, scale), AdditiveAttention, MHA self-attention
    with value_dim / output_shape / no bias; scores of the MHA recorded."""
    inp = keras.Input((7,), dtype="int32", name="tokens")
    e = layers.Embedding(10, 4, name="emb")(inp)
    q = layers.Dense(4, name="q")(e)
    a1 = layers.Attention(name="att_dot")([q, e])
    a2 = layers.Attention(use_scale=True, score_mode="concat", name="att_concat")([q, e, q])
    a3 = layers.AdditiveAttention(name="att_add")([q, e])
    a4 = layers.AdditiveAttention(use_scale=False, name="att_add_noscale")([q, e])
    a5 = layers.Attention(name="att_causal")([q, e], use_causal_mask=True)
    mha = layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5, output_shape=6,
                                    name="mha")
    m1 = mha(e, e)
    mha2 = layers.MultiHeadAttention(num_heads=2, key_dim=3, use_bias=False, name="mha_nobias")
    m2 = mha2(q, e, e)
    mha3 = layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha_causal")
    m3 = mha3(e, e, use_causal_mask=True)
    cat = layers.Concatenate(name="concat")([a1, a2, a3, a4, a5, m1, m2, m3])
    pooled = layers.GlobalAveragePooling1D(name="gap")(cat)
    out = layers.Dense(2, activation="softmax", name="out")(pooled)
    model = keras.Model(inp, out)
    _randomize(model)
    _save(model, out_dir, "attention")
    x = _tokens(2, 7, 10, zeros=False)
    # Scores: the same layer called eagerly with return_attention_scores.
    pe = model.get_layer("emb")(x)
    _, scores = mha(pe, pe, return_attention_scores=True)
    s = np.asarray(scores)  # [batch, heads, queries, keys]
    _record(model, out_dir, "attention", [x],
            ["att_dot", "att_concat", "att_add", "att_add_noscale", "att_causal", "mha",
             "mha_nobias", "mha_causal"],
            {"mha_scores": _tolist(s), "mha_key_weight": _tolist(s.mean(axis=(1, 2)))})


def nested(out_dir):
    """A functional model with a nested Sequential and a nested functional model;
    a Sequential holding a nested Sequential."""
    inner_seq = keras.Sequential(
        [keras.Input((6, 4)), layers.Dense(5, activation="tanh", name="inner_dense"),
         layers.GRU(3, return_sequences=True, name="inner_gru")],
        name="inner_seq",
    )
    f_in = keras.Input((6, 3))
    f_a = layers.Dense(2, name="fa")(f_in)
    f_b = layers.Dense(2, name="fb")(f_in)
    inner_fn = keras.Model(f_in, layers.Add(name="fadd")([f_a, f_b]), name="inner_fn")
    inp = keras.Input((6,), dtype="int32", name="tokens")
    e = layers.Embedding(9, 4, name="emb")(inp)
    h = inner_seq(e)
    h = inner_fn(h)
    att = layers.Softmax(axis=1, name="attention_vec")(layers.Flatten()(layers.Dense(1)(h)))
    out = layers.Dense(1, activation="sigmoid", name="out")(
        layers.Concatenate(name="cat")([att, layers.GlobalAveragePooling1D()(h)]))
    model = keras.Model(inp, out)
    _randomize(model)
    _save(model, out_dir, "nested")
    x = _tokens(2, 6, 9, zeros=False)
    _record(model, out_dir, "nested", [x], ["emb", "attention_vec"])

    seq = keras.Sequential(
        [keras.Input((5,), dtype="int32"), layers.Embedding(8, 3, name="s_emb"),
         keras.Sequential([layers.Dense(4, activation="relu", name="s_inner_dense")],
                          name="s_inner"),
         layers.GlobalMaxPooling1D(name="s_pool"), layers.Dense(2, name="s_out")],
        name="outer_seq",
    )
    _randomize(seq)
    _save(seq, out_dir, "nested_seq")
    _record(seq, out_dir, "nested_seq", [_tokens(2, 5, 8, zeros=False)])
    _nested_tf2(out_dir)


def _write_tf2_h5(path, config, layer_weights, keras_version="2.15.0"):
    """A `model.save()` file in the tf.keras 2.x layout."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        g = f.create_group("model_weights")
        g.attrs["keras_version"] = keras_version
        g.attrs["backend"] = "tensorflow"
        g.attrs["layer_names"] = np.array([n.encode() for n, _ in layer_weights])
        for name, weights in layer_weights:
            lg = g.create_group(name)
            lg.attrs["weight_names"] = np.array([w.encode() for w, _ in weights])
            for wname, value in weights:
                lg.create_dataset(wname, data=np.asarray(value, dtype="float32"))


def _nested_tf2(out_dir):
    """tf.keras 2.x layout of Input -> Embedding -> nested Sequential(Dense, GRU) -> Dense."""
    emb = RNG.uniform(-0.5, 0.5, (9, 4)).astype("float32")
    dk = RNG.uniform(-0.5, 0.5, (4, 5)).astype("float32")
    db = RNG.uniform(-0.5, 0.5, (5,)).astype("float32")
    gk = RNG.uniform(-0.5, 0.5, (5, 9)).astype("float32")
    gr = RNG.uniform(-0.5, 0.5, (3, 9)).astype("float32")
    gb = RNG.uniform(-0.5, 0.5, (2, 9)).astype("float32")
    ok = RNG.uniform(-0.5, 0.5, (3, 1)).astype("float32")
    ob = RNG.uniform(-0.5, 0.5, (1,)).astype("float32")
    # Oracle: the same model in Keras 3.
    inner = keras.Sequential([keras.Input((6, 4)), layers.Dense(5, activation="tanh"),
                              layers.GRU(3)])
    inp = keras.Input((6,), dtype="int32")
    m3 = keras.Model(inp, layers.Dense(1, activation="sigmoid")(
        inner(layers.Embedding(9, 4)(inp))))
    m3.layers[1].set_weights([emb])
    inner.layers[0].set_weights([dk, db])
    inner.layers[1].set_weights([gk, gr, gb])
    m3.layers[3].set_weights([ok, ob])
    config = {
        "class_name": "Functional",
        "config": {
            "name": "model",
            "layers": [
                {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
                 "config": {"batch_input_shape": [None, 6], "dtype": "int32", "sparse": False,
                            "ragged": False, "name": "input_1"}},
                {"class_name": "Embedding", "name": "embedding",
                 "inbound_nodes": [[["input_1", 0, 0, {}]]],
                 "config": {"name": "embedding", "trainable": True, "dtype": "float32",
                            "batch_input_shape": [None, 6], "input_dim": 9, "output_dim": 4,
                            "mask_zero": False, "input_length": 6}},
                {"class_name": "Sequential", "name": "sequential",
                 "inbound_nodes": [[["embedding", 0, 0, {}]]],
                 "config": {"name": "sequential", "layers": [
                     {"class_name": "InputLayer",
                      "config": {"batch_input_shape": [None, 6, 4], "dtype": "float32",
                                 "sparse": False, "ragged": False, "name": "dense_input"}},
                     {"class_name": "Dense",
                      "config": {"name": "dense", "trainable": True, "dtype": "float32",
                                 "units": 5, "activation": "tanh", "use_bias": True}},
                     {"class_name": "GRU",
                      "config": {"name": "gru", "trainable": True, "dtype": "float32",
                                 "return_sequences": False, "return_state": False,
                                 "go_backwards": False, "stateful": False, "unroll": False,
                                 "time_major": False, "units": 3, "activation": "tanh",
                                 "recurrent_activation": "sigmoid", "use_bias": True,
                                 "reset_after": True}}]}},
                {"class_name": "Dense", "name": "dense_1",
                 "inbound_nodes": [[["sequential", 1, 0, {}]]],
                 "config": {"name": "dense_1", "trainable": True, "dtype": "float32",
                            "units": 1, "activation": "sigmoid", "use_bias": True}},
            ],
            "input_layers": [["input_1", 0, 0]],
            "output_layers": [["dense_1", 0, 0]],
        },
    }
    _write_tf2_h5(
        os.path.join(out_dir, "nested_tf2.h5"),
        config,
        [
            ("input_1", []),
            ("embedding", [("embedding/embeddings:0", emb)]),
            ("sequential", [("dense/kernel:0", dk), ("dense/bias:0", db),
                            ("gru/gru_cell/kernel:0", gk),
                            ("gru/gru_cell/recurrent_kernel:0", gr),
                            ("gru/gru_cell/bias:0", gb)]),
            ("dense_1", [("dense_1/kernel:0", ok), ("dense_1/bias:0", ob)]),
        ],
    )
    x = _tokens(2, 6, 9, zeros=False)
    _record(m3, out_dir, "nested_tf2", [x])


def _nested_functional_tf2(out_dir):
    """tf.keras 2.x layout of Input -> Embedding -> nested functional
    (Dense -> MultiHeadAttention, `value` passed by keyword) -> pooling -> Dense."""
    in2 = keras.Input((6, 4))
    dense = layers.Dense(4)
    h = dense(in2)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    inner = keras.Model(in2, mha(h, h))
    inp = keras.Input((6,), dtype="int32")
    emb = layers.Embedding(9, 4)
    out_dense = layers.Dense(1)
    m3 = keras.Model(inp, out_dense(layers.GlobalAveragePooling1D()(inner(emb(inp)))))
    _randomize(m3)
    _randomize(inner)
    parts = {
        "query": mha._query_dense, "key": mha._key_dense,
        "value": mha._value_dense, "attention_output": mha._output_dense,
    }
    mha_weights = []
    for part, sub in parts.items():
        mha_weights += [(f"mha/{part}/kernel:0", np.asarray(sub.kernel)),
                        (f"mha/{part}/bias:0", np.asarray(sub.bias))]
    config = {
        "class_name": "Functional",
        "config": {
            "name": "model",
            "layers": [
                {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
                 "config": {"batch_input_shape": [None, 6], "dtype": "int32", "name": "input_1"}},
                {"class_name": "Embedding", "name": "embedding",
                 "inbound_nodes": [[["input_1", 0, 0, {}]]],
                 "config": {"name": "embedding", "input_dim": 9, "output_dim": 4,
                            "mask_zero": False, "input_length": None}},
                {"class_name": "Functional", "name": "inner",
                 "inbound_nodes": [[["embedding", 0, 0, {}]]],
                 "config": {"name": "inner", "layers": [
                     {"class_name": "InputLayer", "name": "input_2", "inbound_nodes": [],
                      "config": {"batch_input_shape": [None, 6, 4], "dtype": "float32",
                                 "name": "input_2"}},
                     {"class_name": "Dense", "name": "dense",
                      "inbound_nodes": [[["input_2", 0, 0, {}]]],
                      "config": {"name": "dense", "units": 4, "activation": "linear",
                                 "use_bias": True}},
                     {"class_name": "MultiHeadAttention", "name": "mha",
                      "inbound_nodes": [[["dense", 0, 0, {"value": ["dense", 0, 0]}]]],
                      "config": {"name": "mha", "num_heads": 2, "key_dim": 3, "value_dim": 3,
                                 "dropout": 0.0, "use_bias": True, "output_shape": None,
                                 "attention_axes": [1]}}],
                     "input_layers": [["input_2", 0, 0]],
                     "output_layers": [["mha", 0, 0]]}},
                {"class_name": "GlobalAveragePooling1D", "name": "gap",
                 "inbound_nodes": [[["inner", 1, 0, {}]]],
                 "config": {"name": "gap", "data_format": "channels_last"}},
                {"class_name": "Dense", "name": "dense_1",
                 "inbound_nodes": [[["gap", 0, 0, {}]]],
                 "config": {"name": "dense_1", "units": 1, "activation": "linear",
                            "use_bias": True}},
            ],
            "input_layers": [["input_1", 0, 0]],
            "output_layers": [["dense_1", 0, 0]],
        },
    }
    _write_tf2_h5(
        os.path.join(out_dir, "nested_fn_tf2.h5"),
        config,
        [
            ("input_1", []),
            ("embedding", [("embedding/embeddings:0", np.asarray(emb.embeddings))]),
            ("inner", [("dense/kernel:0", np.asarray(dense.kernel)),
                       ("dense/bias:0", np.asarray(dense.bias))] + mha_weights),
            ("gap", []),
            ("dense_1", [("dense_1/kernel:0", np.asarray(out_dense.kernel)),
                         ("dense_1/bias:0", np.asarray(out_dense.bias))]),
        ],
    )
    _record(m3, out_dir, "nested_fn_tf2", [_tokens(2, 6, 9, zeros=False)])


def text_vectorization(out_dir):
    texts = ["Hello, World!", "Ünïcode ÄÖ straße", "tabs\tand  spaces", "x-y_z (ok)."]
    tv = layers.TextVectorization(split="character", output_sequence_length=12, name="tv")
    tv.adapt(texts[:3])
    si = keras.Input((1,), dtype="string", name="text")
    ids = tv(si)
    e = layers.Embedding(len(tv.get_vocabulary()), 4, name="emb")(ids)
    h = layers.GRU(3, return_sequences=True, name="gru")(e)
    att = layers.Softmax(axis=1, name="attention_vec")(layers.Flatten()(layers.Dense(1)(h)))
    out = layers.Dense(1, activation="sigmoid", name="out")(att)
    model = keras.Model(si, out)
    _randomize(model)
    model.save(os.path.join(out_dir, "text_vectorization.keras"))
    probe = ["Hello, World!", "HELLO?? wörld", "straße 123 ÄÖ", "", "a" * 20, "tabs\tand  spaces"]
    x = tf.constant(probe)[:, None]  # string tensors run eagerly (predict() refuses them)
    ids_out = np.asarray(tv(x))
    att_out = np.asarray(keras.Model(si, model.get_layer("attention_vec").output)(x))
    pred = np.asarray(model(x))
    with open(os.path.join(out_dir, "text_vectorization.json"), "w") as f:
        json.dump({"texts": probe, "ids": _tolist(ids_out), "attention": _tolist(att_out),
                   "outputs": [_tolist(pred)], "vocabulary": [str(v) for v in tv.get_vocabulary()]},
                  f, ensure_ascii=False)


def initial_state(out_dir):
    """A seq2seq-style decoder: GRU / LSTM / SimpleRNN started from encoder states
    (return_state), one integer input."""
    inp = keras.Input((6,), dtype="int32", name="tokens")
    e = layers.Embedding(9, 4, name="emb")(inp)
    _, h = layers.GRU(3, return_state=True, name="enc_gru")(e)
    d1 = layers.GRU(3, return_sequences=True, name="dec_gru")(e, initial_state=h)
    _, hh, cc = layers.LSTM(3, return_state=True, name="enc_lstm")(e)
    d2 = layers.LSTM(3, return_sequences=True, name="dec_lstm")(e, initial_state=[hh, cc])
    s_seq, s_h = layers.SimpleRNN(3, return_sequences=True, return_state=True, name="enc_rnn")(e)
    d3 = layers.SimpleRNN(3, name="dec_rnn", go_backwards=True)(s_seq, initial_state=[s_h])
    out = layers.Dense(2, name="out")(layers.Concatenate(name="cat")(
        [layers.GlobalAveragePooling1D()(d1), layers.GlobalAveragePooling1D()(d2), d3, hh]))
    model = keras.Model(inp, out)
    _randomize(model)
    _save(model, out_dir, "initial_state")
    x = _tokens(2, 6, 9, zeros=False)
    _record(model, out_dir, "initial_state", [x], ["dec_gru", "dec_lstm", "dec_rnn"])


def cudnn(out_dir):
    """CuDNNGRU / CuDNNLSTM weight layouts (tf.keras 2.x files written with h5py);
    expected outputs from Keras 3 GRU / LSTM given the converted weights."""
    steps, feats, units, vocab = 5, 3, 4, 7
    emb = RNG.uniform(-0.8, 0.8, (vocab, feats)).astype("float32")
    x = _tokens(2, steps, vocab, zeros=False)
    for kind in ("gru", "lstm"):
        gates = 3 if kind == "gru" else 4
        k = RNG.uniform(-0.6, 0.6, (feats, gates * units)).astype("float32")
        r = RNG.uniform(-0.6, 0.6, (units, gates * units)).astype("float32")
        b = RNG.uniform(-0.6, 0.6, (2 * gates * units,)).astype("float32")
        inp = keras.Input((steps,), dtype="int32")
        e = layers.Embedding(vocab, feats)(inp)
        if kind == "gru":
            rnn = layers.GRU(units, return_sequences=True, reset_after=True)
            converted = [k, r, b.reshape(2, gates * units)]
        else:
            rnn = layers.LSTM(units, return_sequences=True)
            converted = [k, r, b[: gates * units] + b[gates * units:]]
        model = keras.Model(inp, rnn(e))
        model.layers[1].set_weights([emb])
        rnn.set_weights(converted)
        cls = "CuDNNGRU" if kind == "gru" else "CuDNNLSTM"
        lname = "cu_dnngru" if kind == "gru" else "cu_dnnlstm"
        config = {
            "class_name": "Sequential",
            "config": {"name": "sequential", "layers": [
                {"class_name": "Embedding",
                 "config": {"name": "embedding", "trainable": True,
                            "batch_input_shape": [None, steps], "dtype": "float32",
                            "input_dim": vocab, "output_dim": feats, "mask_zero": False,
                            "input_length": steps}},
                {"class_name": cls,
                 "config": {"name": lname, "trainable": True, "dtype": "float32",
                            "return_sequences": True, "return_state": False,
                            "go_backwards": False, "stateful": False, "units": units}},
            ]},
        }
        _write_tf2_h5(
            os.path.join(out_dir, f"cudnn_{kind}.h5"),
            config,
            [("embedding", [("embedding/embeddings:0", emb)]),
             (lname, [(f"{lname}/kernel:0", k), (f"{lname}/recurrent_kernel:0", r),
                      (f"{lname}/bias:0", b)])],
            keras_version="2.2.4-tf",
        )
        _record(model, out_dir, f"cudnn_{kind}", [x])


def lambdas(out_dir):
    """The reference model's sum over time written in the forms people use;
    and functions that must not be guessed."""
    forms = {
        "lam_ops": lambda x: ops.sum(x, axis=1),
        "lam_keras_ops": lambda x: keras.ops.sum(x, axis=1),
        "lam_k_neg": lambda x: K.sum(x, axis=-2),
        "lam_tf": lambda x: tf.reduce_sum(x, axis=1),
        "lam_backend": lambda x: backend.sum(x, axis=1),
        "lam_mean_keep": lambda x: K.mean(x, axis=1, keepdims=True),
        "lam_pos_axis": lambda x: K.max(x, 1),
    }
    inp = keras.Input((5,), dtype="int32", name="tokens")
    e = layers.Embedding(8, 3, name="emb")(inp)
    outs = [layers.Flatten()(layers.Lambda(fn, name=n)(e)) for n, fn in forms.items()]
    model = keras.Model(inp, layers.Concatenate(name="cat")(outs))
    _randomize(model)
    _save(model, out_dir, "lambda_forms")
    x = _tokens(2, 5, 8, zeros=False)
    _record(model, out_dir, "lambda_forms", [x], list(forms))

    def log_sum_exp(x):
        return ops.log(ops.sum(ops.exp(x), axis=1))

    for name, fn in {
        "lambda_named_fn": log_sum_exp,
        "lambda_lse": lambda x: ops.log(ops.sum(ops.exp(x), axis=1)),
        "lambda_sum_sq": lambda x: K.sum(x * x, axis=1),
    }.items():
        m = keras.Model(inp, layers.Lambda(fn, name="lam")(e))
        _save(m, out_dir, name)


def build(out_dir):
    keras.utils.set_random_seed(7)
    for fn in (norm_and_activations, conv, mask_chain, attention_layers, nested,
               text_vectorization, initial_state, cudnn, lambdas, mask_concat,
               _nested_functional_tf2):
        print("  ", fn.__name__, flush=True)
        fn(out_dir)
