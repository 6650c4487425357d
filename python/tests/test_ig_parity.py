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


def _cases():
    """(model in Python, its .keras file for the CLI, tokenizer, texts, Lambda mappings)."""
    with open(os.path.join(FOLDER, "conv_bilstm.json"), encoding="utf-8") as fh:
        texts = [sample["text"] for sample in json.load(fh)["samples"]]
    reference = os.path.join(FIXTURES, "keras", "explain_reference")
    with open(os.path.join(reference, "expected.json"), encoding="utf-8") as fh:
        reference_texts = json.load(fh)["texts"]
    return {
        "conv_bilstm": (lambda: keras.models.load_model(os.path.join(FOLDER, "conv_bilstm.keras"), compile=False),
                        os.path.join(FOLDER, "conv_bilstm.keras"), TOKENIZER, texts, ()),
        "attention": (lambda: load_keras_h5(os.path.join(reference, "attention.h5"), lambdas={"lambda": "sum(axis=1)"}),
                      os.path.join(reference, "attention.keras"), os.path.join(reference, "tokenizer.json"),
                      reference_texts, ("lambda=sum(axis=1)",)),
        "softmax3": (lambda: load_keras_h5(os.path.join(reference, "softmax3.h5")),
                     os.path.join(reference, "softmax3.keras"), os.path.join(reference, "tokenizer.json"),
                     reference_texts, ()),
    }


# Models whose Embedding has mask_zero (gru_softmax, rnn_pool) are left out: the helper differentiates
# keras.Model(embedding.output, ...), which runs without the Embedding's mask (a limitation of the Python side).
@pytest.mark.parametrize("name", ["conv_bilstm", "attention", "softmax3"])
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
