"""The demo model (examples/models/demo/demo.h5) in real Keras 3, against the Node CLI's engine.

demo.h5 is a Keras 2 file (keras_version 2.15.0). Keras 3 refuses such files
as they are (a GRU's ``time_major`` and the Keras 2 Lambda form, see
jupyterlab_char_attention/keras_h5.py); ``load_keras_h5`` rewrites only the
stored configuration, Keras reads the weights. Keras's prediction and
attention must equal the CLI's (``char-attention predict``) within 1e-5.
"""

import json
import os
import subprocess

import pytest

from keras_models import keras

from conftest import REPO_ROOT, cli_command
from jupyterlab_char_attention import from_keras, load_keras_h5, validate_payload

DEMO = os.path.join(REPO_ROOT, "examples", "models", "demo")
MODEL = os.path.join(DEMO, "demo.h5")
TOKENIZER = os.path.join(DEMO, "tokenizer.json")
TEXTS_FILE = os.path.join(REPO_ROOT, "examples", "demo-texts.txt")


@pytest.fixture(scope="module")
def model():
    with pytest.warns(UserWarning, match="time_major"):
        return load_keras_h5(MODEL)


@pytest.fixture(scope="module")
def texts():
    with open(TEXTS_FILE, encoding="utf-8") as fh:
        lines = [line.rstrip("\n") for line in fh if line.strip()]
    return lines + ["", "x" * 120, "Unknown ☃ and ✓ characters: BROKEN"]


def test_keras3_refuses_the_keras2_file_as_is():
    """Why load_keras_h5 exists: the same error as for any Keras 2 GRU file."""
    with pytest.raises(ValueError, match="time_major"):
        keras.models.load_model(MODEL, compile=False)


def test_the_rewrites_are_listed(model):
    assert model.char_attention_inferences == [
        "demo.h5: layer 'embedding' (Embedding): dropped input_length (deprecated in Keras 3; the model's input "
        "declares the length)",
        "demo.h5: layer 'gru' (GRU): dropped time_major=false (removed in Keras 3)",
        "demo.h5: layer 'lambda' (Lambda): read as sum over axis 1 from its code `K.sum(x, axis=1)`",
    ]


def test_keras_and_the_cli_agree_within_1e_5(model, texts, tmp_path):
    listing = tmp_path / "texts.txt"
    listing.write_text("\n".join(texts) + "\n", encoding="utf-8")
    done = subprocess.run(
        cli_command() + ["predict", "--model", MODEL, "--tokenizer", TOKENIZER, "--json", "--file", str(listing)],
        cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    # --file streams one payload of one sample per line (JSON lines), in input order.
    ours = [json.loads(line)["samples"][0] for line in done.stdout.splitlines() if line.strip()]
    assert len(ours) == len(texts)
    payload = from_keras(model, texts, TOKENIZER)
    assert validate_payload(payload) == []
    assert payload["meta"]["attentionLayer"] == "attention_vec"
    assert payload["meta"]["inferences"] == model.char_attention_inferences
    assert len(ours) == len(texts) == len(payload["samples"])
    worst = 0.0
    for mine, theirs in zip(payload["samples"], ours):
        assert mine["text"] == theirs["text"]
        assert mine["mask"] == theirs["mask"]
        worst = max(worst, abs(mine["prediction"] - theirs["prediction"]))
        for a, b in zip(mine["attention"], theirs["attention"]):
            assert (a is None) == (b is None)
            if a is not None:
                worst = max(worst, abs(a - b))
    assert worst <= 1e-5, f"largest difference {worst}"
    # The model is trained: the first text (with "broken" and "refund") is positive.
    assert payload["samples"][0]["prediction"] > 0.9


def test_occlusion_on_the_demo_model(model, texts):
    payload = from_keras(model, texts[:2], TOKENIZER, method="occlusion", window=3)
    assert payload["meta"]["method"] == "occlusion"
    first = payload["samples"][0]
    peak = max(range(len(first["text"])), key=lambda i: first["attention"][i] or 0.0)
    # Occluding the trigger words lowers the positive prediction most.
    assert first["text"][peak - 6 : peak + 7].lower().count("broken") or first["text"][peak - 6 : peak + 7].lower().count("refund")
