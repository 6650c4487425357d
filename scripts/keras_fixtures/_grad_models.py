"""The models of the `gradients` fixtures, one builder per gradient-path case.

Each builder returns a `Case`: the Keras model, its Embedding layer (whose
output E the gradients are taken on), and optionally a `probe(model, x, n)`
that records, per sample, the ties or kinks the case is about (n = number of
padding positions in front), plus `check(records)` that asserts the texts
really hit them. Every layer is named, so reruns and module order give the
same files.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import keras
from keras import layers

from keras_fixtures._tie_rules import pool_windows


@dataclass
class Case:
    name: str
    description: str
    model: keras.Model
    embedding: layers.Layer
    embedding_path: str
    randomized: bool = True
    scale: float = 0.5
    probe: Optional[Callable] = None
    check: Optional[Callable] = None
    extra: dict = field(default_factory=dict)
    # The key of each sample's record under which the probe's result goes.
    probe_key: str = "ties"
    # Also save a legacy `.h5` (besides the `.keras`).
    h5: bool = True


def _ids(T, name="chars"):
    return keras.Input((T,), dtype="int32", name=name)


def _probe_model(model, names):
    return keras.Model(model.inputs, [model.get_layer(n).output for n in names])


def _count_ties(values, n_pad, kernel):
    """Per channel of a [steps, C] tensor: its maximum and the steps that reach it;
    a step counts as padding when its whole window (kernel wide) is padding."""
    maxima = values.max(axis=0)
    record = {"maxima": maxima.tolist(), "tiedCounts": [], "tiedAtPadding": [], "tiedInText": []}
    for c in range(values.shape[1]):
        steps = np.flatnonzero(values[:, c] == maxima[c])
        pad = int(np.sum(steps + kernel <= n_pad))
        record["tiedCounts"].append(int(len(steps)))
        record["tiedAtPadding"].append(pad)
        record["tiedInText"].append(int(np.sum(steps >= n_pad)))
    return record


def char_cnn(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, name="embedding")
    conv = layers.Conv1D(10, 3, activation="relu", name="conv")(emb(ids))
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.GlobalMaxPooling1D(name="global_max")(conv))
    model = keras.Model(ids, out, name="char_cnn")
    probe = _probe_model(model, ["conv"])

    def ties(m, x, n_pad):
        return {"layer": "conv", **_count_ties(probe.predict(x[None], verbose=0)[0], n_pad, 3)}

    def check(records):
        # A channel whose positive maximum ties over all-padding windows, and one
        # whose positive maximum ties over two or more windows inside the text.
        pad = any(m > 0 and p >= 2 for r in records for m, p in
                  zip(r["ties"]["maxima"], r["ties"]["tiedAtPadding"]))
        text = any(m > 0 and t >= 2 for r in records for m, t in
                   zip(r["ties"]["maxima"], r["ties"]["tiedInText"]))
        assert pad and text, ("char_cnn ties", pad, text)

    return Case("char_cnn", "Embedding(31, 6) -> Conv1D(10, 3, relu, valid) -> GlobalMaxPooling1D -> "
                "Dense(1, sigmoid); texts with heavy padding and repeated trigrams so that maxima tie",
                model, emb, "embedding", probe=ties, check=check)


def windowed_maxpool(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 4, name="embedding")
    e = emb(ids)
    conv = layers.Conv1D(6, 2, padding="same", activation="relu", name="conv")(e)
    flat = layers.Flatten(name="flatten")(layers.MaxPooling1D(2, name="pool2")(conv))
    dense = layers.Dense(5, name="dense")(e)
    pooled = layers.MaxPooling1D(3, strides=2, padding="same", name="pool3")(dense)
    avg = layers.GlobalAveragePooling1D(name="gap")(pooled)
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.Concatenate(name="concat")([flat, avg]))
    model = keras.Model(ids, out, name="windowed_maxpool")
    probe = _probe_model(model, ["conv", "dense"])
    pools = {"pool2": ("conv", 2, 2, "valid"), "pool3": ("dense", 3, 2, "same")}

    def ties(m, x, n_pad):
        conv_v, dense_v = (v[0] for v in probe.predict(x[None], verbose=0))
        inputs = {"conv": conv_v, "dense": dense_v}
        record = {}
        for pool, (src, size, stride, padding) in pools.items():
            v = inputs[src]
            tied = text = 0
            for lo, hi in pool_windows(v.shape[0], size, stride, padding):
                for c in range(v.shape[1]):
                    w = v[lo:hi, c]
                    hits = np.flatnonzero(w == w.max())
                    if len(hits) > 1 and w.max() > (0 if src == "conv" else -np.inf):
                        tied += 1
                        text += int(lo + hits[-1] >= n_pad)
            record[pool] = {"input": src, "tiedWindows": tied, "tiedWindowsTouchingText": text}
        return record

    def check(records):
        for pool in pools:
            assert sum(r["ties"][pool]["tiedWindows"] for r in records) > 0, pool
            assert sum(r["ties"][pool]["tiedWindowsTouchingText"] for r in records) > 0, pool

    return Case("windowed_maxpool", "Embedding(31, 4) -> [Conv1D(6, 2, same, relu) -> MaxPooling1D(2) -> "
                "Flatten] + [Dense(5) -> MaxPooling1D(3, strides=2, same) -> GlobalAveragePooling1D] -> "
                "Concatenate -> Dense(1, sigmoid); ties inside pooling windows (padding, repeated characters)",
                model, emb, "embedding", probe=ties, check=check)


def _dyadic(rng, values, shape):
    return rng.choice(np.asarray(values, dtype="float32"), size=shape).astype("float32")


def kinks(vocab, T):
    """Hand-set dyadic weights (exact float32 sums) so that values sit exactly on kinks."""
    ids = _ids(T)
    emb = layers.Embedding(vocab, 4, name="embedding")
    e = emb(ids)
    a = layers.Dense(4, name="branch_a")(e)
    b = layers.Dense(4, name="branch_b")(e)
    mx = layers.Maximum(name="maximum")([a, b])
    mn = layers.Minimum(name="minimum")([a, b])
    r0 = layers.ReLU(name="relu")(a)
    rc = layers.ReLU(max_value=0.5, name="relu_clip")(b)
    d = layers.Dense(4, name="pre_relu6")(e)
    r6 = layers.ReLU(max_value=6.0, name="relu6")(d)
    nb = layers.Dense(4, use_bias=False, activation="relu", name="relu_nobias")(e)
    lmax = layers.Lambda(lambda x: keras.ops.max(x, axis=1), name="lambda_max")(mx)
    lmin = layers.Lambda(lambda x: keras.ops.min(x, axis=1), name="lambda_min")(a)
    seq = layers.Concatenate(name="concat_seq")([mx, mn, r0, rc, r6, nb])
    pooled = layers.GlobalAveragePooling1D(name="gap")(seq)
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.Concatenate(name="concat")([pooled, lmax, lmin]))
    model = keras.Model(ids, out, name="kinks")

    rng = np.random.default_rng(5)
    table = _dyadic(rng, [-1, -0.5, 0, 0.5, 1], (vocab, 4))
    table[0] = 0.0  # the padding row: every Dense without bias gives exactly 0 there
    emb.set_weights([table])
    ka, kb = (_dyadic(rng, [-1, -0.5, 0.5, 1], (4, 4)) for _ in range(2))
    ba = _dyadic(rng, [-0.5, 0, 0.5], (4,))
    bb = _dyadic(rng, [-0.5, 0, 0.5], (4,))
    bb[:2] = ba[:2]  # units 0 and 1: the branches are equal on padding
    model.get_layer("branch_a").set_weights([ka, ba])
    model.get_layer("branch_b").set_weights([kb, bb])
    model.get_layer("pre_relu6").set_weights(
        [_dyadic(rng, [-4, -2, 2, 4], (4, 4)), _dyadic(rng, [0, 2, 4, 6], (4,))])
    model.get_layer("relu_nobias").set_weights([_dyadic(rng, [-1, -0.5, 0.5, 1], (4, 4))])
    out_layer = model.get_layer("output")
    out_layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32")
                           for w in out_layer.get_weights()])
    probe = _probe_model(model, ["branch_a", "branch_b", "pre_relu6", "relu_nobias", "maximum"])

    def hits(mask, n_pad):
        return {"text": int(mask[n_pad:].sum()), "padding": int(mask[:n_pad].sum())}

    def record(m, x, n_pad):
        av, bv, dv, nv, mv = (v[0] for v in probe.predict(x[None], verbose=0))
        tmax = mv == mv.max(axis=0)
        return {
            "maximumMinimumTies": hits(av == bv, n_pad),
            "maximumTiesWithDifferentGradients": hits((av == bv) & (ba != bb)[None, :], n_pad),
            "reluAtZero": hits(av == 0, n_pad),
            "reluClipAtBound": hits(bv == 0.5, n_pad),
            "reluClipAtZero": hits(bv == 0, n_pad),
            "relu6AtBound": hits(dv == 6, n_pad),
            "reluNoBiasAtZero": hits(nv == 0, n_pad),
            "lambdaMaxTiedSteps": tmax.sum(axis=0).tolist(),
        }

    def check(records):
        for key in ["maximumTiesWithDifferentGradients", "reluAtZero", "reluClipAtBound",
                    "relu6AtBound", "maximumMinimumTies", "reluNoBiasAtZero"]:
            assert sum(r["ties"][key]["text"] for r in records) > 0, ("kinks", key)
        assert sum(r["ties"]["maximumMinimumTies"]["padding"] for r in records) > 0
        assert any(c > 1 for r in records for c in r["ties"]["lambdaMaxTiedSteps"])

    return Case("kinks", "Hand-set dyadic weights: Embedding(31, 4, padding row 0) -> branch_a, branch_b "
                "= Dense(4) -> Maximum, Minimum, ReLU(branch_a), ReLU(max_value=0.5)(branch_b); Dense(4) -> "
                "ReLU(max_value=6); Dense(4, no bias, relu); Lambda keras.ops.max(x, axis=1) over Maximum, "
                "Lambda keras.ops.min(x, axis=1) over branch_a; GlobalAveragePooling1D; Dense(1, sigmoid) "
                "(random weights)", model, emb, "embedding", randomized=False, probe=record,
                check=check, extra={"lambdas": {"lambda_max": "max(axis=1)", "lambda_min": "min(axis=1)"}})


def norm_act(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, mask_zero=True, name="embedding")
    h = layers.Dense(8, name="dense_1")(emb(ids))
    h = layers.BatchNormalization(name="batch_norm")(h)
    h = layers.ReLU(name="relu")(h)
    h = layers.LayerNormalization(rms_scaling=True, name="rms_norm")(h)
    h = layers.LeakyReLU(negative_slope=0.2, name="leaky_relu")(h)
    h = layers.Dense(8, name="dense_2")(h)
    h = layers.LayerNormalization(center=False, scale=False, name="layer_norm_plain")(h)
    h = layers.PReLU(name="prelu")(h)
    h = layers.ELU(alpha=0.7, name="elu")(h)
    h = layers.LayerNormalization(name="layer_norm")(h)
    h = layers.Dense(4, activation="hard_sigmoid", name="hard_sigmoid")(h)
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.GlobalAveragePooling1D(name="gap")(h))
    return Case("norm_act", "Embedding(31, 6, mask_zero) -> Dense(8) -> BatchNormalization -> ReLU -> "
                "LayerNormalization(rms_scaling) -> LeakyReLU(0.2) -> Dense(8) -> LayerNormalization(center "
                "and scale off) -> PReLU -> ELU(0.7) -> LayerNormalization -> Dense(4, hard_sigmoid) -> "
                "GlobalAveragePooling1D (masked) -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="norm_act"), emb, "embedding", scale=1.0,
                extra={"hardSigmoid": "keras3: relu6(x + 3) / 6 (the file is saved by Keras 3)"})


def attention(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 8, name="embedding")
    e = emb(ids)
    q = layers.Dense(8, name="query")(e)
    parts = [
        layers.Attention(use_scale=True, name="att_dot_scaled")([q, e]),
        layers.Attention(use_scale=True, score_mode="concat", name="att_concat")([q, e, q]),
        layers.Attention(name="att_causal")([q, e], use_causal_mask=True),
        layers.AdditiveAttention(name="att_additive")([q, e]),
        layers.AdditiveAttention(use_scale=False, name="att_additive_noscale")([e, q]),
    ]
    pooled = layers.GlobalAveragePooling1D(name="gap")(layers.Concatenate(name="concat")(parts))
    out = layers.Dense(3, activation="softmax", name="output")(pooled)
    return Case("attention", "Embedding(31, 8) -> query Dense(8); Attention(dot, use_scale), "
                "Attention(concat, use_scale, [q, e, q]), Attention(causal), AdditiveAttention, "
                "AdditiveAttention(use_scale=False, [e, q]) -> Concatenate -> GlobalAveragePooling1D -> "
                "Dense(3, softmax)", keras.Model(ids, out, name="attention"), emb, "embedding")


def mha(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 8, name="embedding")
    e = emb(ids)
    a = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(e, e)
    c = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha_causal")(e, e, use_causal_mask=True)
    pooled = layers.GlobalAveragePooling1D(name="gap")(layers.Concatenate(name="concat")([a, c]))
    out = layers.Dense(1, activation="sigmoid", name="output")(pooled)
    return Case("mha", "Embedding(31, 8) (no mask) -> MultiHeadAttention(2 heads, key_dim 4) self-attention "
                "and MultiHeadAttention(2, 3, use_causal_mask) -> Concatenate -> GlobalAveragePooling1D -> "
                "Dense(1, sigmoid)", keras.Model(ids, out, name="mha"), emb, "embedding")


def mha_masked(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 8, mask_zero=True, name="embedding")
    h = layers.GRU(8, return_sequences=True, name="gru")(emb(ids))
    a = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(h, h)
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.GlobalAveragePooling1D(name="gap")(a))
    return Case("mha_masked", "Embedding(31, 8, mask_zero) -> GRU(8, return_sequences) -> "
                "MultiHeadAttention(2 heads, key_dim 4) self-attention (query and key masks from the "
                "Embedding) -> GlobalAveragePooling1D (masked) -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="mha_masked"), emb, "embedding")


def nested_outer_embedding(vocab, T):
    inner_in = keras.Input((T, 6), name="inner_in")
    h = layers.Conv1D(6, 3, padding="same", activation="relu", name="inner_conv")(inner_in)
    inner_fn = keras.Model(inner_in, layers.Dense(6, activation="tanh", name="inner_dense")(h),
                           name="inner_fn")
    inner_seq = keras.Sequential(
        [keras.Input((T, 6), name="seq_in"), layers.GRU(6, return_sequences=True, name="inner_gru"),
         layers.GlobalAveragePooling1D(name="inner_pool")], name="inner_seq")
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, name="embedding")
    out = layers.Dense(1, activation="sigmoid", name="output")(inner_seq(inner_fn(emb(ids))))
    return Case("nested_outer_embedding", "Embedding(31, 6) -> nested functional model inner_fn "
                "(Conv1D(6, 3, same, relu) -> Dense(6, tanh)) -> nested Sequential inner_seq (GRU(6, "
                "return_sequences) -> GlobalAveragePooling1D) -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="nested_outer_embedding"), emb, "embedding")


def nested_inner_embedding(vocab, T):
    encoder = keras.Sequential(
        [keras.Input((T,), dtype="int32", name="encoder_in"),
         layers.Embedding(vocab, 6, mask_zero=True, name="embedding"),
         layers.GRU(6, return_sequences=True, name="gru"),
         layers.GlobalAveragePooling1D(name="gap")], name="encoder")
    ids = _ids(T)
    out = layers.Dense(3, activation="softmax", name="output")(encoder(ids))
    return Case("nested_inner_embedding", "nested Sequential encoder (Embedding(31, 6, mask_zero) -> "
                "GRU(6, return_sequences) -> GlobalAveragePooling1D, masked) -> Dense(3, softmax)",
                keras.Model(ids, out, name="nested_inner_embedding"), encoder.get_layer("embedding"),
                "encoder/embedding")


def bidirectional(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, mask_zero=True, name="embedding")
    e = emb(ids)
    h = layers.Bidirectional(layers.GRU(5, return_sequences=True), name="bi_gru")(e)
    h = layers.TimeDistributed(layers.Dense(6, activation="tanh"), name="time_dense")(h)
    a = layers.Bidirectional(layers.LSTM(4), name="bi_lstm")(h)
    b = layers.LSTM(4, go_backwards=True, name="lstm_backwards")(h)
    c = layers.GRU(4, go_backwards=True, name="gru_backwards")(e)
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.Concatenate(name="concat")([a, b, c]))
    return Case("bidirectional", "Embedding(31, 6, mask_zero) -> Bidirectional(GRU(5, return_sequences)) "
                "-> TimeDistributed(Dense(6, tanh)) -> [Bidirectional(LSTM(4)), LSTM(4, go_backwards)]; "
                "Embedding -> GRU(4, go_backwards) -> Concatenate -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="bidirectional"), emb, "embedding")


def _attention_head(name, vocab, T, mask_zero):
    """The classic char model's attention head: softmax scores spread with RepeatVector + Permute,
    Multiply with the states, GlobalAveragePooling1D (the engine fuses these)."""
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, mask_zero=mask_zero, name="embedding")
    states = layers.GRU(8, return_sequences=True, name="gru")(emb(ids))
    scores = layers.TimeDistributed(layers.Dense(1, activation="tanh"), name="score")(states)
    attention = layers.Activation("softmax", name="attention_vec")(layers.Flatten(name="flatten")(scores))
    spread = layers.Permute((2, 1), name="permute")(layers.RepeatVector(8, name="repeat")(attention))
    weighted = layers.Multiply(name="multiply")([states, spread])
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.GlobalAveragePooling1D(name="gap")(weighted))
    masked = ", mask_zero" if mask_zero else ""
    return Case(name, f"Embedding(31, 6{masked}) -> GRU(8, return_sequences) -> TimeDistributed(Dense(1, "
                "tanh)) -> Flatten -> Activation(softmax) -> RepeatVector(8) -> Permute((2, 1)) -> Multiply "
                f"with the states -> GlobalAveragePooling1D{' (masked)' if mask_zero else ''} -> Dense(1, "
                "sigmoid)", keras.Model(ids, out, name=name), emb, "embedding")


def attention_head(vocab, T):
    return _attention_head("attention_head", vocab, T, False)


def attention_head_masked(vocab, T):
    return _attention_head("attention_head_masked", vocab, T, True)


def masked_merges(vocab, T):
    """Keras >= 3.4 merge masks: masked entries count as the identity (Multiply: 1; Maximum /
    Minimum: the other operand), the output mask is the OR when every input has one, else none."""
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, mask_zero=True, name="embedding")
    e = emb(ids)
    a = layers.Dense(4, name="a")(e)
    b = layers.Dense(4, activation="tanh", name="b")(e)
    # Reshape does not carry masks: an unmasked operand.
    c = layers.Reshape((T, 4), name="unmasked")(layers.Dense(4, name="c")(e))
    merged = [
        layers.Multiply(name="mul_masked")([a, b]),
        layers.Multiply(name="mul_mixed")([a, c]),
        layers.Maximum(name="max_mixed")([a, c]),
        layers.Minimum(name="min_masked")([a, b]),
        layers.Add(name="add_mixed")([a, c]),
        layers.Average(name="avg_masked")([a, b]),
    ]
    pooled = [layers.GlobalAveragePooling1D(name=f"gap_{m.name.split('/')[0]}_{i}")(m)
              for i, m in enumerate(merged)]
    out = layers.Dense(1, activation="sigmoid", name="output")(
        layers.Concatenate(name="concat")(pooled))
    return Case("masked_merges", "Embedding(31, 6, mask_zero) -> Dense(4) = a, Dense(4, tanh) = b "
                "(masked), Dense(4) -> Reshape = c (unmasked); Multiply(a, b), Multiply(a, c), "
                "Maximum(a, c), Minimum(a, b), Add(a, c), Average(a, b) -> GlobalAveragePooling1D each "
                "-> Concatenate -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="masked_merges"), emb, "embedding")


# name -> (builder, input length, seed, texts key)
CASES = [
    (char_cnn, 40, 205, "cnn"),
    (windowed_maxpool, 24, 102, "short"),
    (kinks, 24, 103, "short"),
    (norm_act, 24, 306, "short"),
    (attention, 20, 105, "short"),
    (mha, 20, 106, "short"),
    (mha_masked, 20, 107, "short"),
    (nested_outer_embedding, 24, 108, "short"),
    (nested_inner_embedding, 24, 109, "short"),
    (bidirectional, 24, 110, "short"),
    (attention_head, 20, 111, "short"),
    (attention_head_masked, 20, 112, "short"),
    (masked_merges, 20, 113, "short"),
]

TEXTS = {
    # heavy padding; repeated trigrams; no repeats and almost no padding; truncated in front
    "cnn": ["abc", "abcabcabc xyz abcabc", "zzz zzz zzz", "sphinx of black quartz, judge my vow.",
            "pack my box with five dozen liquor jugs! how vexingly quick"],
    "short": ["abc", "abcabcabc xyz abcabc", "zzzz zzzz", "judge my vow.", "the quick brown fox jumps over"],
}
