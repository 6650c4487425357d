"""More models of the `gradients` fixtures: the attention, normalization,
softmax / activation and Lambda layers in configurations beyond their
defaults (explicit and partial masks, returned attention scores that feed
the model, fully masked attention rows, MultiHeadAttention's value_dim /
output_shape / use_bias / key / attention_mask, normalization over other
and several axes, the Lambda forms of `src/model/layers/lambda.ts`).

Masks and attention masks are built from the ids with
`keras.ops.not_equal(ids, c)` (Keras 3 saves a `NotEqual` operation layer)
and plain layers (RepeatVector, Permute); probes record, per sample, which
positions the masks hide, computed from the ids alone.
"""
import os

import numpy as np
import keras
from keras import layers

from keras_fixtures import _oracle as oracle
from keras_fixtures._grad_models import Case, _ids

# The id of " " in the fixtures' char Tokenizer (a hidden key / query below).
SPACE = oracle.char_tokenizer().word_index[" "]


def _gap(x, name):
    return layers.GlobalAveragePooling1D(name=name)(x)


def _positions(x, hidden):
    """{"padding": n, "text": n} of the positions where `hidden` is true."""
    pad = x == 0
    return {"padding": int(np.sum(hidden & pad)), "text": int(np.sum(hidden & ~pad))}


def attention_masks(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 8, mask_zero=True, name="embedding")
    e = emb(ids)
    q = layers.Dense(8, name="query")(e)
    explicit = [keras.ops.not_equal(ids, 0), keras.ops.not_equal(ids, SPACE)]
    concat, concat_scores = layers.Attention(score_mode="concat", name="att_explicit")(
        [q, e], mask=explicit, return_attention_scores=True)
    additive, additive_scores = layers.AdditiveAttention(use_scale=False, name="additive_scores")(
        [q, e], return_attention_scores=True)
    # The outputs carry the query masks (the pooling averages the text
    # steps); the scores carry none (every row is averaged).
    parts = {
        "att_causal_masked": layers.Attention(use_scale=True, name="att_causal_masked")(
            [q, e], use_causal_mask=True),
        "additive_masked": layers.AdditiveAttention(name="additive_masked")([q, e]),
        "att_explicit": concat,
        "additive_scores": additive,
        "att_explicit_scores": concat_scores,
        "additive_scores_scores": additive_scores,
    }
    pooled = [_gap(p, f"gap_{name}") for name, p in parts.items()]
    out = layers.Dense(3, activation="softmax", name="output")(layers.Concatenate(name="concat")(pooled))

    def hidden(m, x, n_pad):
        # Keys the explicit value mask hides (spaces); queries of the causal
        # layer that see no key (pre padding: every padding query).
        return {"spaceKeys": _positions(x, x == SPACE),
                "causalQueriesSeeingNoKey": _positions(x, x == 0)}

    def check(records):
        assert any(r["masks"]["spaceKeys"]["text"] > 0 for r in records)
        assert any(r["masks"]["causalQueriesSeeingNoKey"]["padding"] > 0 for r in records)

    return Case("attention_masks", "Embedding(31, 8, mask_zero) -> query Dense(8); with the Embedding's "
                "query and value masks: Attention(use_scale, use_causal_mask), AdditiveAttention, "
                "AdditiveAttention(use_scale=False, return_attention_scores); Attention(concat, "
                "return_attention_scores) with mask=[ids != 0, ids != ' ']; outputs (masked) and scores -> "
                "GlobalAveragePooling1D each -> Concatenate -> Dense(3, softmax)",
                keras.Model(ids, out, name="attention_masks"), emb, "embedding",
                probe=hidden, check=check, probe_key="masks", h5=False)


def attention_mask_merged(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 8, mask_zero=True, name="embedding")
    e = emb(ids)
    a = layers.Attention(use_scale=True, name="att_explicit")(
        [e, e], mask=[keras.ops.not_equal(ids, 0), keras.ops.not_equal(ids, SPACE)])
    # Concatenate merges the two masks: Keras writes that as operation layers
    # (ExpandDims, ZerosLike, LogicalOr, Any) next to the explicit masks.
    merged = layers.Concatenate(name="concat")([a, e])
    out = layers.Dense(1, activation="sigmoid", name="output")(_gap(merged, "gap"))
    return Case("attention_mask_merged", "Embedding(31, 8, mask_zero) -> self-attention Attention(use_scale) "
                "with mask=[ids != 0, ids != ' '] -> Concatenate with the embedding (Keras saves the mask merge as "
                "ExpandDims / ZerosLike / LogicalOr / Any operations) -> GlobalAveragePooling1D (masked) -> "
                "Dense(1, sigmoid)", keras.Model(ids, out, name="attention_mask_merged"), emb, "embedding", h5=False)


def attention_partial_mask(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 8, mask_zero=True, name="embedding")
    e = emb(ids)
    not_space = keras.ops.not_equal(ids, SPACE)
    # An explicit mask list replaces the masks the inputs carry: None = no mask.
    value_only = layers.AdditiveAttention(name="additive_value_mask_only")([e, e], mask=[None, not_space])
    query_only = layers.Attention(use_scale=True, name="att_query_mask_only")([e, e], mask=[not_space, None])
    out = layers.Dense(1, activation="sigmoid", name="output")(layers.Concatenate(name="concat")(
        [_gap(value_only, "gap_value_mask_only"), _gap(query_only, "gap_query_mask_only")]))
    return Case("attention_partial_mask", "Embedding(31, 8, mask_zero) -> self-attention: "
                "AdditiveAttention with mask=[None, ids != ' '] (no query mask; spaces hidden as keys, "
                "padding keys visible) and Attention(use_scale) with mask=[ids != ' ', None] (space queries "
                "zeroed, every key visible) -> GlobalAveragePooling1D each -> Concatenate -> "
                "Dense(1, sigmoid)", keras.Model(ids, out, name="attention_partial_mask"), emb, "embedding", h5=False)


def mha_config(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 8, name="embedding")
    e = emb(ids)
    key = layers.Dense(6, name="key")(e)
    # attention_mask[b, i, j] = ids[b, j] != 0; with the causal mask a
    # padding query (pre padding) sees no key.
    key_padding = layers.RepeatVector(T, name="key_padding")(keras.ops.not_equal(ids, 0))
    a = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=5, output_shape=7, use_bias=False,
                                  name="mha_config")(e, e, key=key, attention_mask=key_padding,
                                                     use_causal_mask=True)
    # attention_mask[b, i, j] = ids[b, i] != ' ': a space query sees no key.
    space_rows = layers.Permute((2, 1), name="space_rows")(
        layers.RepeatVector(T, name="repeat_not_space")(keras.ops.not_equal(ids, SPACE)))
    b, scores = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha_scores")(
        e, e, attention_mask=space_rows, return_attention_scores=True)
    score_rows = layers.Reshape((2 * T, T), name="score_rows")(scores)
    out = layers.Dense(1, activation="sigmoid", name="output")(layers.Concatenate(name="concat")(
        [_gap(a, "gap_config"), _gap(b, "gap_scores"), _gap(score_rows, "gap_score_rows")]))

    def hidden(m, x, n_pad):
        return {"mhaConfigQueriesSeeingNoKey": _positions(x, x == 0),
                "mhaScoresQueriesSeeingNoKey": _positions(x, x == SPACE)}

    def check(records):
        assert any(r["masks"]["mhaConfigQueriesSeeingNoKey"]["padding"] > 0 for r in records)
        assert any(r["masks"]["mhaScoresQueriesSeeingNoKey"]["text"] > 0 for r in records)

    return Case("mha_config", "Embedding(31, 8) (no mask); key Dense(6); MultiHeadAttention(2 heads, "
                "key_dim 3, value_dim 5, output_shape 7, use_bias=False)(query e, value e, key Dense, "
                "attention_mask RepeatVector(20)(ids != 0), use_causal_mask): padding queries see no key; "
                "MultiHeadAttention(2, 4)(e, e, attention_mask Permute((2, 1))(RepeatVector(20)(ids != ' ')), "
                "return_attention_scores): space queries see no key; output, output and scores (Reshape "
                "[40, 20]) -> GlobalAveragePooling1D -> Concatenate -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="mha_config"), emb, "embedding",
                probe=hidden, check=check, probe_key="masks", h5=False)


def norm_axes(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, name="embedding")
    h = layers.Dense(6, name="dense_1")(emb(ids))
    h = layers.BatchNormalization(axis=1, name="batch_norm_time")(h)
    h = layers.LayerNormalization(axis=[1, 2], name="layer_norm_time_features")(h)
    h = layers.Dense(6, activation="tanh", name="dense_2")(h)
    h = layers.LayerNormalization(axis=1, name="layer_norm_time")(h)
    out = layers.Dense(1, activation="sigmoid", name="output")(_gap(h, "gap"))
    return Case("norm_axes", "Embedding(31, 6) -> Dense(6) -> BatchNormalization(axis=1: per time step) -> "
                "LayerNormalization(axis=[1, 2]) -> Dense(6, tanh) -> LayerNormalization(axis=1) -> "
                "GlobalAveragePooling1D -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="norm_axes"), emb, "embedding", scale=1.0, h5=False)


def softmax_activation(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, name="embedding")
    e = emb(ids)
    h = layers.Activation("tanh", name="tanh")(layers.Dense(6, name="dense_h")(e))
    scores = layers.Reshape((T,), name="scores")(layers.Dense(1, name="score")(h))
    weights = layers.Softmax(name="softmax_masked")(scores, mask=keras.ops.not_equal(ids, 0))
    pooled_masked = layers.Dot(axes=1, name="pool_masked")([weights, h])
    over_time = layers.Softmax(axis=1, name="softmax_time")(layers.Dense(1, name="score_time")(e))
    pooled_time = layers.Flatten(name="flat_time")(layers.Dot(axes=1, name="pool_time")([over_time, h]))
    d = layers.Dense(4, name="dense_4")(e)
    act_softmax = layers.Activation("softmax", name="act_softmax")(d)
    gelu = layers.Activation("gelu", name="act_gelu")(d)
    features = layers.Softmax(name="softmax_features")(h)
    sequences = layers.Concatenate(name="concat_seq")([act_softmax, gelu, features])
    out = layers.Dense(3, activation="softmax", name="output")(layers.Concatenate(name="concat")(
        [pooled_masked, pooled_time, _gap(sequences, "gap")]))
    return Case("softmax_activation", "Embedding(31, 6) -> Dense(6) -> Activation(tanh) = h; Dense(1) -> "
                "Reshape [20] -> Softmax(mask=ids != 0) -> Dot(axes=1) with h; Dense(1) on the embedding -> "
                "Softmax(axis=1) -> Dot(axes=1) with h -> Flatten; Activation(softmax) and Activation(gelu) "
                "on a Dense(4), Softmax (last axis) on h -> Concatenate -> GlobalAveragePooling1D; "
                "Concatenate -> Dense(3, softmax)", keras.Model(ids, out, name="softmax_activation"), emb,
                "embedding", h5=False)


# The Lambda layers' code (as written in the model) and the form that maps it
# where the engine does not read it from the code (it reads reductions only).
LAMBDAS = {
    "lambda_sum": (lambda x: keras.ops.sum(x, axis=1), None),
    "lambda_mean": (lambda x: keras.ops.mean(x, axis=1, keepdims=True), None),
    "lambda_weighted_sum": (lambda x: keras.ops.sum(x, axis=1), None),
    "lambda_softmax": (lambda x: keras.ops.softmax(x, axis=1), "softmax(axis=1)"),
    "lambda_expand_dims": (lambda x: keras.ops.expand_dims(x, axis=1), "expand_dims(axis=1)"),
    "lambda_squeeze": (lambda x: keras.ops.squeeze(x, axis=1), "squeeze(axis=1)"),
    "lambda_square": (lambda x: keras.ops.square(x), "square"),
    "lambda_scale": (lambda x: 0.5 * x, "scale(0.5)"),
}


# Keras marshals a Lambda's code object, file name included: the name
# relative to the repository keeps the bytes independent of the checkout.
_SOURCE = os.path.relpath(__file__, os.path.join(os.path.dirname(__file__), "..", ".."))


def _lambda(name):
    fn = LAMBDAS[name][0]
    fn.__code__ = fn.__code__.replace(co_filename=_SOURCE)
    return layers.Lambda(fn, name=name)


def lambdas(vocab, T):
    ids = _ids(T)
    emb = layers.Embedding(vocab, 6, name="embedding")
    d = layers.Dense(4, name="dense")(emb(ids))
    sums = layers.Flatten(name="flat")(_lambda("lambda_expand_dims")(_lambda("lambda_sum")(d)))
    means = _lambda("lambda_squeeze")(_lambda("lambda_mean")(d))
    weighted = _lambda("lambda_weighted_sum")(
        layers.Multiply(name="weigh")([_lambda("lambda_softmax")(d), d]))
    squares = _gap(_lambda("lambda_square")(d), "gap_square")
    parts = [sums, means, weighted, squares]
    out = layers.Dense(1, activation="sigmoid", name="output")(
        _lambda("lambda_scale")(layers.Concatenate(name="concat")(parts)))
    return Case("lambdas", "Embedding(31, 6) -> Dense(4) = d; Lambda keras.ops.sum(x, axis=1) -> Lambda "
                "keras.ops.expand_dims(x, axis=1) -> Flatten; Lambda keras.ops.mean(x, axis=1, keepdims=True) "
                "-> Lambda keras.ops.squeeze(x, axis=1); Lambda keras.ops.softmax(x, axis=1) on d -> Multiply "
                "with d -> Lambda keras.ops.sum(x, axis=1); Lambda keras.ops.square(x) -> "
                "GlobalAveragePooling1D; Concatenate -> Lambda 0.5 * x -> Dense(1, sigmoid)",
                keras.Model(ids, out, name="lambdas"), emb, "embedding",
                h5=False, extra={"lambdas": {n: form for n, (_, form) in LAMBDAS.items() if form}})


# builder, input length, seed, texts key (as `_grad_models.CASES`)
CASES = [
    (attention_masks, 20, 120, "short"),
    (attention_partial_mask, 20, 125, "short"),
    (attention_mask_merged, 20, 126, "short"),
    (mha_config, 20, 121, "short"),
    (norm_axes, 24, 122, "short"),
    (softmax_activation, 20, 123, "short"),
    (lambdas, 20, 124, "short"),
]
