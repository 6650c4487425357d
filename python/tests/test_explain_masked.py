"""The gradient methods on models whose Embedding has ``mask_zero``, against the values Keras computed.

The oracle is test/fixtures/keras/explain/ (scripts/keras_fixtures/explain.py):
TensorFlow's gradient x input and 32-step midpoint integrated gradients,
taken with tf.GradientTape on the Embedding output while every layer gets
the Embedding's mask. The helper must pass that mask on as well: without
it the GRU and the pooling see the padding, and the values differ.
"""

import json
import os
import warnings

import pytest

from keras_models import keras

from conftest import FIXTURES
from jupyterlab_char_attention import load_keras_h5
from jupyterlab_char_attention.explain import explain_sequences

FOLDER = os.path.join(FIXTURES, "keras", "explain")
MASKED = ["gru_softmax", "rnn_pool"]


def _oracle(name):
    with open(os.path.join(FOLDER, f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _load(name, kind):
    path = os.path.join(FOLDER, f"{name}.{kind}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if kind == "keras":
            return keras.models.load_model(path, compile=False)
        return load_keras_h5(path)


def _relative_error(actual, expected):
    scale = max(abs(v) for v in expected)
    assert len(actual) == len(expected)
    return max(abs(a - e) for a, e in zip(actual, expected)) / scale


@pytest.mark.parametrize("kind", ["keras", "h5"])
@pytest.mark.parametrize("name", MASKED)
def test_gradient_methods_equal_keras_on_masked_models(name, kind):
    oracle = _oracle(name)
    model = _load(name, kind)
    assert model.get_layer("embedding").mask_zero
    inputs = [sample["input"] for sample in oracle["samples"]]
    # The fixtures hold texts with padding (the mask matters) and without.
    assert any(0 in row for row in inputs)
    gxi, predictions, gxi_meta, _ = explain_sequences(model, inputs, "grad-x-input")
    ig, _, ig_meta, _ = explain_sequences(model, inputs, "integrated-gradients", steps=32)
    for k, sample in enumerate(oracle["samples"]):
        assert sample["integratedGradients"]["steps"] == 32
        assert sample["integratedGradients"]["rule"] == "riemann-midpoint"
        assert predictions[k] == pytest.approx(sample["prediction"], abs=1e-5)
        assert gxi_meta[k]["target"] == ig_meta[k]["target"] == sample["target"]
        assert _relative_error(gxi[k], sample["gradXInput"]) <= 1e-4, (name, kind, sample["text"])
        expected = sample["integratedGradients"]
        assert _relative_error(ig[k], expected["values"]) <= 1e-4, (name, kind, sample["text"])
        assert ig_meta[k]["fInput"] == pytest.approx(expected["fInput"], abs=1e-5)
        assert ig_meta[k]["fBaseline"] == pytest.approx(expected["fBaseline"], abs=1e-5)
