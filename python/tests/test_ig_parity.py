"""Adaptive integrated gradients: the Python helper (tf.GradientTape) and the CLI (the TypeScript engine) agree.

Both run the same rule with the same defaults (trapezoid over 32, 64, ...
intervals, doubled until the completeness gap is within 1% of
|f(x) - f(baseline)|) on committed real-Keras models of
test/fixtures/keras/explain/ and explain_reference/ (made by scripts/keras_fixtures/):
the same steps for every text, the same values per character within 1e-4
of the largest, and both gaps within the tolerance. Needs the CLI built
(`npm run build:node`).
"""

import json
import os
import subprocess
import warnings

import pytest

from keras_models import keras  # noqa: F401  (fails clearly without TensorFlow/Keras)

from conftest import FIXTURES, REPO_ROOT, cli_command
from jupyterlab_char_attention import from_keras, load_keras_h5

FOLDER = os.path.join(FIXTURES, "keras", "explain")
TOKENIZER = os.path.join(FOLDER, "tokenizer.json")


def _cli(model_file, tokenizer, texts, lambdas=()):
    args = cli_command() + ["explain", "--model", model_file, "--tokenizer", tokenizer,
                            "--method", "integrated-gradients", "--workers", "2"]
    for mapping in lambdas:
        args += ["--lambda", mapping]
    done = subprocess.run(args + ["--"] + texts, cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _texts(name):
    with open(os.path.join(FOLDER, f"{name}.json"), encoding="utf-8") as fh:
        return [sample["text"] for sample in json.load(fh)["samples"]]


def _explain_model(name):
    """A model of test/fixtures/keras/explain/: (loader, its .keras file, tokenizer, texts, no Lambda)."""
    path = os.path.join(FOLDER, f"{name}.keras")
    return (lambda: keras.models.load_model(path, compile=False)), path, TOKENIZER, _texts(name), ()


def _cases():
    """(model in Python, its .keras file for the CLI, tokenizer, texts, Lambda mappings)."""
    reference = os.path.join(FIXTURES, "keras", "explain_reference")
    with open(os.path.join(reference, "expected.json"), encoding="utf-8") as fh:
        reference_texts = json.load(fh)["texts"]
    return {
        "conv_bilstm": _explain_model("conv_bilstm"),
        # Embedding(mask_zero): the masks reach the GRU and the pooling on both sides.
        "gru_softmax": _explain_model("gru_softmax"),
        "rnn_pool": _explain_model("rnn_pool"),
        "attention": (lambda: load_keras_h5(os.path.join(reference, "attention.h5"), lambdas={"lambda": "sum(axis=1)"}),
                      os.path.join(reference, "attention.keras"), os.path.join(reference, "tokenizer.json"),
                      reference_texts, ("lambda=sum(axis=1)",)),
        "softmax3": (lambda: load_keras_h5(os.path.join(reference, "softmax3.h5")),
                     os.path.join(reference, "softmax3.keras"), os.path.join(reference, "tokenizer.json"),
                     reference_texts, ()),
    }


@pytest.mark.parametrize("name", ["conv_bilstm", "gru_softmax", "rnn_pool", "attention", "softmax3"])
def test_python_and_typescript_adaptive_integrated_gradients_agree(name):
    load, model_file, tokenizer, texts, lambdas = _cases()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = load()
    python = from_keras(model, texts, tokenizer, method="integrated-gradients")
    cli = _cli(model_file, tokenizer, texts, lambdas)
    for ours, theirs in zip(python["samples"], cli["samples"]):
        assert ours["text"] == theirs["text"] and ours["mask"] == theirs["mask"]
        p, t = ours["meta"], theirs["meta"]
        assert (p["rule"], p["steps"], p["converged"]) == ("trapezoid", t["steps"], True) == (
            t["rule"], t["steps"], t["converged"])
        assert p["passes"] == t["passes"] == p["steps"] + 1
        for meta in (p, t):
            assert meta["gap"] <= max(0.01 * abs(meta["fInput"] - meta["fBaseline"]), 1e-5)
        assert p["fInput"] == pytest.approx(t["fInput"], abs=1e-5)
        assert p["fBaseline"] == pytest.approx(t["fBaseline"], abs=1e-5)
        scale = max(abs(v) for v in ours["attention"] if v is not None)
        for a, b in zip(ours["attention"], theirs["attention"]):
            assert (a is None) == (b is None)
            if a is not None:
                assert abs(a - b) <= 1e-4 * scale
    # conv_bilstm's path has kinks: at least one of its texts needs more than one round.
    if name == "conv_bilstm":
        assert max(sample["meta"]["steps"] for sample in cli["samples"]) > 32
