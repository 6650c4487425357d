"""load_keras_h5: Keras 2 .h5 files in Keras 3, checked against computations from the stored weights.

test/fixtures/dl4j/model_lambda.h5 was written by Keras 2.0.9 under Python 2
(Dense(64, relu) -> Lambda -> Lambda -> Dense(10, softmax)); its Lambda code
is read (CPython 2.7 bytecode) but is arithmetic, so the Lambdas are mapped
explicitly. The
oracle is the same network computed with numpy from the weights read by h5py.
"""

import json
import os

import h5py
import pytest

from keras_models import keras, np, plain_model

from conftest import FIXTURES
from jupyterlab_char_attention import load_keras_h5
from jupyterlab_char_attention.keras_h5 import parse_lambda_form, translate_keras2_config

LAMBDA_MODEL = os.path.join(FIXTURES, "dl4j", "model_lambda.h5")


def test_an_unreadable_lambda_is_named_with_the_way_out():
    with pytest.raises(ValueError) as info:
        load_keras_h5(LAMBDA_MODEL)
    message = str(info.value)
    assert "layer 'lambda_3' (Lambda)" in message
    # lambda x: x ** 2 in CPython 2.7 bytecode: read, and refused (arithmetic), never guessed.
    assert "its code is not a single call this reader understands" in message
    assert "lambdas={'lambda_3': 'sum(axis=1)'}" in message
    assert "scale(C)" in message


def test_mapped_lambdas_compute_what_they_say():
    with pytest.warns(UserWarning, match="computes square, as given"):
        model = load_keras_h5(LAMBDA_MODEL, lambdas={"lambda_3": "x**2", "lambda_4": "scale(3)"})
    assert model.char_attention_inferences == [
        "model_lambda.h5: layer 'lambda_3' (Lambda): computes square, as given",
        "model_lambda.h5: layer 'lambda_4' (Lambda): computes scale(3), as given",
    ]
    with h5py.File(LAMBDA_MODEL, "r") as fh:
        weights = fh["model_weights"]
        k1, b1 = weights["dense_3/dense_3/kernel:0"][()], weights["dense_3/dense_3/bias:0"][()]
        k2, b2 = weights["dense_4/dense_4/kernel:0"][()], weights["dense_4/dense_4/bias:0"][()]
    x = np.random.default_rng(0).random((4, 784)).astype("float32")
    hidden = 3.0 * np.maximum(x @ k1 + b1, 0.0) ** 2
    logits = hidden @ k2 + b2
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    assert np.abs(model.predict(x, verbose=0) - expected).max() <= 1e-5


def test_mapping_mistakes_are_named():
    with pytest.raises(ValueError, match=r"lambdas: no Lambda layer named 'lambda_9'"):
        load_keras_h5(LAMBDA_MODEL, lambdas={"lambda_3": "square", "lambda_4": "square", "lambda_9": "square"})
    with pytest.raises(ValueError, match=r"lambdas\['lambda_3'\] = 'cube' is not understood"):
        load_keras_h5(LAMBDA_MODEL, lambdas={"lambda_3": "cube"})


def test_time_major_true_has_no_keras3_equivalent():
    config = {"class_name": "Functional", "config": {"layers": [
        {"class_name": "GRU", "config": {"name": "gru", "time_major": True, "units": 2}}]}}
    with pytest.raises(ValueError, match=r"layer 'gru' \(GRU\): time_major=True has no Keras 3 equivalent"):
        translate_keras2_config(config)
    config["config"]["layers"][0]["config"]["time_major"] = False
    translated, notes = translate_keras2_config(config)
    assert "time_major" not in translated["config"]["layers"][0]["config"]
    assert notes == ["layer 'gru' (GRU): dropped time_major=false (removed in Keras 3)"]


@pytest.mark.parametrize("text, spec", [
    ("sum(axis=1)", {"op": "sum", "axis": 1, "keepdims": False}),
    ("K.sum(x, axis=1)", {"op": "sum", "axis": 1, "keepdims": False}),
    ("tf.reduce_mean(x, axis=-1, keepdims=True)", {"op": "mean", "axis": -1, "keepdims": True}),
    ("softmax(axis=1)", {"op": "softmax", "axis": 1}),
    ("scale(0.5)", {"op": "scale", "factor": 0.5}),
    ("identity", {"op": "identity"}),
    ("softmax(axis=1, keepdims=true)", None),
    ("x + 1", None),
])
def test_lambda_forms(text, spec):
    assert parse_lambda_form(text) == spec


def test_a_keras3_file_loads_unchanged(tmp_path):
    model = plain_model(maxlen=10)
    path = tmp_path / "plain.h5"
    model.save(path)
    with h5py.File(path, "r") as fh:
        assert json.loads(fh.attrs["model_config"])  # a full model file
        assert fh.attrs["keras_version"].startswith("3.")
    loaded = load_keras_h5(path)
    assert loaded.char_attention_inferences == []
    x = np.arange(20, dtype="int32").reshape(2, 10) % 30
    assert np.abs(loaded.predict(x, verbose=0) - model.predict(x, verbose=0)).max() == 0.0
    assert isinstance(loaded, keras.Model)
