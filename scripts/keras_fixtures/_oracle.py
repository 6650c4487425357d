"""Shared helpers of the gradient-oriented fixture modules (gradients,
variable_length, faithfulness): the char Tokenizer, seeded weights, saving
with stable bytes, the gradient oracles and compact JSON.

The gradients are taken with ``tf.GradientTape`` on the Embedding output E:
while the model runs, the Embedding layer's ``call`` returns the given tensor
instead of looking the ids up, so every other layer (masks included: the
Embedding still computes its mask from the ids) runs exactly as in the model
graph, nested models too.
"""
import contextlib
import json
import os
import re
import zipfile

import numpy as np
import tensorflow as tf
import keras
from keras.src.legacy.preprocessing.text import Tokenizer
from keras.src.utils import pad_sequences

IG_STEPS = 256
CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "pack my box with five dozen liquor jugs!",
    "how vexingly quick daft zebras jump",
    "sphinx of black quartz, judge my vow.",
]
# Fixed date written into every .keras archive (see save_model).
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DATE_SAVED = "1980-01-01@00:00:00"


@contextlib.contextmanager
def deterministic():
    """Run-to-run identical TensorFlow ops while active (seeds nothing by
    itself); the previous setting is restored for the modules that run next."""
    from tensorflow.python.framework import config as tf_config

    was = tf_config.is_op_determinism_enabled()
    tf_config.enable_op_determinism()
    try:
        yield
    finally:
        if not was:
            tf_config.disable_op_determinism()


def char_tokenizer():
    """The char-level Tokenizer of every gradient fixture (30 characters, ids 1..30)."""
    tokenizer = Tokenizer(char_level=True)
    tokenizer.fit_on_texts(CORPUS)
    return tokenizer


def write_tokenizer(out_dir, tokenizer):
    """`Tokenizer.to_json()`, with `word_docs` / `index_docs` (filled from a
    Python set, so in hash order) put in `word_index` order first."""
    order = list(tokenizer.word_index)
    tokenizer.word_docs = {w: tokenizer.word_docs[w] for w in order}
    tokenizer.index_docs = {tokenizer.word_index[w]: tokenizer.index_docs[tokenizer.word_index[w]]
                            for w in order}
    with open(os.path.join(out_dir, "tokenizer.json"), "w") as f:
        f.write(tokenizer.to_json())


def encode(tokenizer, texts, maxlen):
    """Ids as Keras's Tokenizer + pad_sequences (pre padding, pre truncating) give them."""
    seqs = tokenizer.texts_to_sequences(texts)
    return seqs, pad_sequences(seqs, maxlen=maxlen).astype("int32")


def randomize(model, seed, scale=0.5):
    """Seeded random weights for every variable (nested models included);
    BatchNormalization variances drawn positive."""
    rng = np.random.default_rng(seed)
    for v in model.weights:
        shape = tuple(v.shape)
        if "variance" in v.path:
            v.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
        else:
            v.assign(rng.normal(0.0, scale, shape).astype("float32"))


def _renumber_shared_objects(config_text):
    """Keras writes id(obj) (a memory address) as `shared_object_id`; only
    equality matters when loading, so number them 1, 2, ... by first use."""
    numbers = {}

    def renumber(m):
        return f'"shared_object_id": {numbers.setdefault(m.group(1), len(numbers) + 1)}'

    return re.sub(r'"shared_object_id": (\d+)', renumber, config_text)


def _stabilize_keras_zip(path):
    """Rewrites a .keras archive so that a rerun writes identical bytes: fixed
    entry times and `date_saved`, `shared_object_id`s renumbered; everything
    else (config, weights) is Keras's, byte for byte."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in entries:
            if info.filename == "metadata.json":
                meta = json.loads(data)
                meta["date_saved"] = FIXED_DATE_SAVED
                data = json.dumps(meta).encode()
            elif info.filename == "config.json":
                data = _renumber_shared_objects(data.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            z.writestr(fixed, data)


def save_model(model, out_dir, name, h5=True):
    """`<name>.keras` and (legacy) `<name>.h5`, both written by Keras."""
    path = os.path.join(out_dir, f"{name}.keras")
    model.save(path)
    _stabilize_keras_zip(path)
    files = {"keras": f"{name}.keras"}
    if h5:
        model.save(os.path.join(out_dir, f"{name}.h5"))
        files["h5"] = f"{name}.h5"
    return files


def verify_saved(model, out_dir, files, xs):
    """Loads each saved file back with Keras and checks it predicts what the
    model predicts. Returns, per file, True or why Keras could not load it
    (Keras 3 cannot read back some of its own legacy .h5 files). Models with
    Lambda layers are not reloaded: a loaded Lambda's code cannot see the
    `keras` module it was written with."""
    if any(isinstance(layer, keras.layers.Lambda) for layer in model._flatten_layers()):
        return {kind: "not checked (Lambda layers)" for kind in files}
    want = model.predict(xs, verbose=0)
    result = {}
    for kind, path in files.items():
        try:
            loaded = keras.models.load_model(os.path.join(out_dir, path), compile=False)
        except (ValueError, TypeError) as err:
            assert kind == "h5", (path, err)
            why = re.sub(r" at 0x[0-9a-f]+", "", str(err.__cause__ or err)).split(". ")[0]
            result[kind] = f"Keras {keras.__version__} cannot load it: {type(err).__name__}: {why}"
            continue
        got = loaded.predict(xs, verbose=0)
        assert np.max(np.abs(got - want)) < 1e-6, (path, got, want)
        result[kind] = True
    return result


@contextlib.contextmanager
def embedding_returns(embedding, value):
    """While active, `embedding` outputs `value` (its mask still comes from the ids)."""
    had_own = "call" in embedding.__dict__
    own = embedding.__dict__.get("call")
    embedding.call = lambda *args, **kwargs: value
    try:
        yield
    finally:
        if had_own:
            embedding.call = own
        else:
            del embedding.call


def model_on_embedding(model, embedding, ids, e):
    """The model's output for ids whose Embedding output is replaced by e."""
    with embedding_returns(embedding, e):
        return model(ids, training=False)


def target_of(prediction):
    """Sigmoid (one unit): unit 0; softmax: the predicted class (first on ties)."""
    return int(np.argmax(prediction)) if prediction.shape[-1] > 1 else 0


def grad_x_input(model, embedding, x, target):
    """sum_e E[t,e] * dF/dE[t,e] for one sample x (ids), F = output unit `target`."""
    ids = tf.constant(x[None])
    e = tf.convert_to_tensor(embedding(ids))
    with tf.GradientTape() as tape:
        tape.watch(e)
        y = model_on_embedding(model, embedding, ids, e)[:, target]
    g = tape.gradient(y, e)
    return tf.reduce_sum(g * e, axis=-1)[0].numpy().astype("float64")


def integrated_gradients(model, embedding, x, target, steps=IG_STEPS):
    """Baseline E = 0, Riemann midpoint rule: alpha_i = (i + 0.5) / steps."""
    ids1 = tf.constant(x[None])
    e = tf.convert_to_tensor(embedding(ids1))
    ids = tf.constant(np.repeat(x[None], steps, axis=0))
    alphas = tf.constant(((np.arange(steps) + 0.5) / steps).reshape(steps, 1, 1), dtype="float32")
    scaled = alphas * e
    with tf.GradientTape() as tape:
        tape.watch(scaled)
        y = model_on_embedding(model, embedding, ids, scaled)[:, target]
    g = tape.gradient(y, scaled)
    mean_grad = tf.reduce_mean(tf.cast(g, "float64"), axis=0)
    values = tf.reduce_sum(tf.cast(e[0], "float64") * mean_grad, axis=-1).numpy()
    f_input = float(model_on_embedding(model, embedding, ids1, e)[0, target])
    f_base = float(model_on_embedding(model, embedding, ids1, tf.zeros_like(e))[0, target])
    total = float(values.sum())
    delta = f_input - f_base
    return {
        "values": values,
        "fInput": f_input,
        "fBaseline": f_base,
        "sum": total,
        "gap": total - delta,
        "relativeGap": abs(total - delta) / abs(delta) if delta != 0 else None,
    }


def check_substitution(model, embedding, x, prediction, name):
    """The substituted run with E = Embedding(ids) must be the model's prediction."""
    ids = tf.constant(x[None])
    direct = model_on_embedding(model, embedding, ids, embedding(ids))[0].numpy()
    err = float(np.max(np.abs(direct - prediction)))
    assert err < 1e-5, (name, direct, prediction)
    return err


def gradient_record(model, embedding, text, seq, x, name):
    """One sample: ids, Keras predict, target, gradient x input, 256-step IG."""
    prediction = model.predict(x[None], verbose=0)[0]
    check_substitution(model, embedding, x, prediction, name)
    target = target_of(prediction)
    ig = integrated_gradients(model, embedding, x, target)
    assert abs(ig["fInput"] - float(prediction[target])) < 1e-5, (name, text)
    return {
        "text": text,
        "tokens": len(seq),
        "input": x.tolist(),
        "prediction": prediction.astype("float64").tolist(),
        "target": target,
        "gradXInput": grad_x_input(model, embedding, x, target).tolist(),
        "integratedGradients": {**ig, "values": ig["values"].tolist()},
    }


def ig_header():
    return {
        "steps": IG_STEPS,
        "rule": "riemann-midpoint",
        "alphas": "(i + 0.5) / steps, i = 0..steps-1",
        "baseline": "embedding output 0",
        "gap": "sum - (fInput - fBaseline)",
        "relativeGap": "|gap| / |fInput - fBaseline|",
    }


def versions():
    return {"keras": keras.__version__, "tensorflow": tf.__version__}


def _round(obj):
    if isinstance(obj, float):
        return float(f"{obj:.9g}")
    if isinstance(obj, (np.floating,)):
        return float(f"{float(obj):.9g}")
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _round(obj.tolist())
    return obj


def _is_number(v):
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _dumps(obj, level=0):
    """JSON with one-space indentation, lists of numbers on one line."""
    pad, inner = " " * level, " " * (level + 1)
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(k)}: {_dumps(v, level + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj and not all(_is_number(v) for v in obj):
        items = [inner + _dumps(v, level + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_json(path, obj):
    """Numbers rounded to 9 significant digits; lists of numbers on one line."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(_dumps(_round(obj)) + "\n")
