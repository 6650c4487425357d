"""from_keras against the reference attributions of test/fixtures/keras/explain_reference/.

The fixtures (scripts/keras_fixtures/explain_reference.py) were computed with
plain TensorFlow code written apart from jupyterlab_char_attention.explain;
the models are read back from their .h5 files with load_keras_h5 (the Lambda
mapped explicitly, so that the test does not depend on the Python version
that wrote its bytecode).
"""

import json
import os
import warnings

import pytest

from keras_models import keras  # noqa: F401  (fails clearly without TensorFlow/Keras)

from conftest import FIXTURES
from jupyterlab_char_attention import from_keras, load_keras_h5

FOLDER = os.path.join(FIXTURES, "keras", "explain_reference")


@pytest.fixture(scope="module")
def reference():
    with open(os.path.join(FOLDER, "expected.json"), encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return {
            "attention": load_keras_h5(os.path.join(FOLDER, "attention.h5"), lambdas={"lambda": "sum(axis=1)"}),
            "softmax3": load_keras_h5(os.path.join(FOLDER, "softmax3.h5")),
        }


TOKENIZER = os.path.join(FOLDER, "tokenizer.json")


def _shown(values, text):
    """Every character of these texts is in the vocabulary and none is truncated: the last len(text) positions."""
    return values[-len(text):]


@pytest.mark.parametrize("name", ["attention", "softmax3"])
@pytest.mark.parametrize("method, key", [
    ("occlusion", ("occlusion", "1")),
    ("occlusion-3", ("occlusion", "3")),
    ("grad-x-input", ("grad-x-input",)),
    ("integrated-gradients", ("integrated-gradients", "values")),
])
def test_values_equal_the_reference(reference, models, name, method, key):
    kwargs = {"method": method}
    if method == "integrated-gradients":
        kwargs["steps"] = 32  # the reference's fixed midpoint rule
    if method == "occlusion-3":
        kwargs = {"method": "occlusion", "window": 3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the completeness notices are checked below
        payload = from_keras(models[name], reference["texts"], TOKENIZER, **kwargs)
    entry = reference["models"][name]
    for text, sample, expected, prediction in zip(reference["texts"], payload["samples"], entry["samples"],
                                                  entry["predictions"]):
        values = expected
        for part in key:
            values = values[part]
        assert sample["mask"] == [True] * len(text)
        assert sample["attention"] == pytest.approx(_shown(values, text), abs=2e-5), (name, method, text)
        assert sample["meta"]["target"] == expected["target"]
        assert sample["meta"]["f"] == pytest.approx(prediction[expected["target"]], abs=1e-5)


def test_attention_and_completeness_equal_the_reference(reference, models):
    entry = reference["models"]["attention"]
    payload = from_keras(models["attention"], reference["texts"], TOKENIZER)
    for text, sample, row in zip(reference["texts"], payload["samples"], entry["attention"]):
        assert sample["attention"] == pytest.approx(_shown(row, text), abs=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        explained = from_keras(models["attention"], reference["texts"], TOKENIZER, method="integrated-gradients",
                               steps=32)
    noticed = 0
    for index, (sample, expected) in enumerate(zip(explained["samples"], entry["samples"])):
        ig = expected["integrated-gradients"]
        assert sample["meta"]["fBaseline"] == pytest.approx(ig["fBaseline"], abs=1e-5)
        assert sample["meta"]["gap"] == pytest.approx(abs(ig["completenessGap"]), abs=1e-4)
        over = ig["completenessGap"] > 0.05 * abs(ig["f"] - ig["fBaseline"])
        assert ("notice" in sample["meta"]) == over, index
        noticed += over
    assert noticed >= 1  # the reference has texts whose 32-step gap is over 5%
    assert len([w for w in caught if "integrated gradients" in str(w.message)]) == noticed


@pytest.mark.parametrize("name", ["attention", "softmax3"])
def test_adaptive_integrated_gradients_reach_the_tolerance(reference, models, name):
    """Default settings: every text's completeness gap within 1% of |f(x) - f(baseline)|, f(x) Keras's."""
    explained = from_keras(models[name], reference["texts"], TOKENIZER, method="integrated-gradients")
    entry = reference["models"][name]
    for sample, expected, prediction in zip(explained["samples"], entry["samples"], entry["predictions"]):
        meta = sample["meta"]
        assert meta["rule"] == "trapezoid" and meta["converged"] is True
        assert meta["fInput"] == pytest.approx(prediction[expected["target"]], abs=1e-5)
        assert meta["gap"] <= max(0.01 * abs(meta["fInput"] - meta["fBaseline"]), 1e-5)
        assert "notice" not in meta
