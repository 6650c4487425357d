"""from_keras with real Keras 3 / TensorFlow models (tiny, built in memory).

Oracles: Keras's own Tokenizer and pad_sequences for the encoding, and the
attention layer's output computed by Keras (a separate Model over the same
layers) for the values.
"""

import subprocess
import sys

import pytest

from keras_models import as_int, attention_model, char_tokenizer, keras, np, plain_model

from conftest import REPO_ROOT
from jupyterlab_char_attention import display_attention, from_keras, validate_payload
from jupyterlab_char_attention.keras import build_attention_model, find_attention_layer, model_maxlen

TEXTS = ["Great product, loved it 😀", "İt was ΑΩΣ", "bad"]
MAXLEN = 16


def _keras_encoding(tok, texts, maxlen, padding="pre", truncating="pre"):
    return keras.utils.pad_sequences(
        tok.texts_to_sequences(texts), maxlen=maxlen, padding=padding, truncating=truncating
    )


def _keras_attention(model, layer, x):
    """The attention layer's output and the prediction, computed by Keras directly."""
    probe = keras.Model(model.inputs[0], [model.outputs[0], model.get_layer(layer).output])
    prediction, attention = probe.predict(as_int(x), verbose=0)
    return prediction.reshape(len(x), -1), attention.reshape(len(x), -1)


@pytest.fixture(scope="module")
def tok():
    return char_tokenizer()


@pytest.fixture(scope="module")
def seed_model():
    return attention_model(maxlen=MAXLEN)


@pytest.mark.parametrize("with_lambda", [True, False])
@pytest.mark.parametrize("padding,truncating", [("pre", "pre"), ("post", "post")])
def test_attention_matches_the_layer_output(tok, with_lambda, padding, truncating):
    model = attention_model(maxlen=MAXLEN, with_lambda=with_lambda)
    payload = from_keras(model, TEXTS, tok.to_json(), padding=padding, truncating=truncating)
    assert validate_payload(payload) == []
    x = _keras_encoding(tok, TEXTS, MAXLEN, padding, truncating)
    prediction, attention = _keras_attention(model, "attention_vec", x)
    assert payload["meta"]["attentionLayer"] == "attention_vec"
    assert payload["meta"]["attentionChosenBy"] == "auto"
    assert payload["meta"]["method"] == "attention"
    for t, (text, sample) in enumerate(zip(TEXTS, payload["samples"])):
        assert sample["text"] == text
        assert sample["prediction"] == pytest.approx(float(prediction[t, 0]), abs=1e-6)
        # Each seen code point's position: walk Keras's padded row from the kept end.
        seen = [p for p in range(MAXLEN) if x[t, p] != 0]
        assert sum(v for v in sample["attention"] if v is not None) == pytest.approx(
            float(attention[t, seen].sum()), abs=1e-6
        )
        assert sum(sample["mask"]) <= len(seen)
    # The long first text was truncated: 'pre' drops its first characters, 'post' its last.
    first = payload["samples"][0]
    if truncating == "pre":
        assert first["mask"][0] is False and first["mask"][-1] is True and first["attention"][0] is None
    else:
        assert first["mask"][0] is True and first["mask"][-1] is False and first["attention"][-1] is None


def test_one_character_one_position(tok, seed_model):
    """'bad' with padding 'pre': its characters are the last three positions, in order."""
    payload = from_keras(seed_model, "bad", tok)
    x = _keras_encoding(tok, ["bad"], MAXLEN)
    _, attention = _keras_attention(seed_model, "attention_vec", x)
    assert payload["samples"][0]["attention"] == pytest.approx(attention[0, -3:].tolist(), abs=1e-7)
    assert payload["samples"][0]["mask"] == [True, True, True]


def test_layer_by_name_and_automatically(tok):
    model = attention_model(maxlen=MAXLEN, name="scores_softmax")
    assert find_attention_layer(model) == "scores_softmax"
    auto = from_keras(model, TEXTS, tok)
    named = from_keras(model, TEXTS, tok, layer="scores_softmax")
    assert named["meta"]["attentionChosenBy"] == "name"
    assert auto["meta"]["attentionChosenBy"] == "auto"
    assert [s["attention"] for s in auto["samples"]] == [s["attention"] for s in named["samples"]]


def test_a_layer_that_is_not_attention_is_refused(tok, seed_model):
    with pytest.raises(ValueError, match=r"layer 'gru' \(GRU\) is not an attention over time: its output is "
                       r"\[batch, 16, 5\], expected one value per model position"):
        from_keras(seed_model, TEXTS, tok, layer="gru")


def test_unknown_layer_lists_the_layers(seed_model):
    with pytest.raises(ValueError) as info:
        build_attention_model(seed_model, "attention")
    assert "layer 'attention' not found" in str(info.value)
    assert "attention_vec" in str(info.value)


def test_prebuilt_two_output_model(tok, seed_model):
    two = build_attention_model(seed_model, "attention_vec")
    payload = from_keras(two, "it was bad", tok, layer=None, maxlen=MAXLEN)
    assert "attentionLayer" not in payload["meta"]
    assert payload["samples"][0]["mask"] == [True] * len("it was bad")
    again = from_keras(seed_model, "it was bad", tok)
    assert payload["samples"][0]["attention"] == again["samples"][0]["attention"]


def test_no_attention_layer(tok):
    model = plain_model(maxlen=12)
    assert find_attention_layer(model) is None
    with pytest.raises(ValueError, match="No attention layer found"):
        from_keras(model, TEXTS, tok, method="attention")
    payload = from_keras(model, TEXTS, tok)
    assert payload["meta"]["method"] == "occlusion"
    assert payload["meta"]["methodChosenBy"].startswith("auto")


def test_maxlen_must_match_the_model(tok, seed_model):
    with pytest.raises(ValueError, match="model's input has length 16"):
        from_keras(seed_model, TEXTS, tok, maxlen=20)


def test_model_maxlen(seed_model):
    assert model_maxlen(seed_model) == MAXLEN
    variable = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(5, 2)])
    assert model_maxlen(variable) is None


def test_from_keras_result_displays(tok, seed_model, monkeypatch):
    import IPython.display as display_module

    shown = []
    monkeypatch.setattr(display_module, "display", shown.append)
    display_attention(from_keras(seed_model, TEXTS, tok))
    assert len(shown) == 1


def test_importing_the_package_does_not_import_tensorflow():
    code = (
        "import sys; sys.path.insert(0, '.'); import jupyterlab_char_attention; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'numpy', 'h5py') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_works_with_the_standard_library_only(tmp_path):
    """Payloads, alignment and HTML without numpy/TensorFlow: imports of them are made to fail."""
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, globals=None, locals=None, fromlist=(), level=0):\n"
        "    if level == 0 and name.split('.')[0] in ('numpy', 'tensorflow', 'keras', 'h5py', 'IPython'):\n"
        "        raise ImportError('blocked ' + name)\n"
        "    return real(name, globals, locals, fromlist, level)\n"
        "builtins.__import__ = guard\n"
        "sys.path.insert(0, '.')\n"
        "from jupyterlab_char_attention import align, to_html, display_attention\n"
        "p = align(['abc'], {'a': 1, 'b': 2, 'c': 3}, 5, attention=[[0, 0, .2, .3, .5]])\n"
        "assert '<table' in to_html(p)\n"
        "display_attention(p)\n"
        "from jupyterlab_char_attention import from_keras\n"
        "try:\n"
        "    from_keras(object(), 'abc', {'a': 1}, method='grad-x-input', maxlen=3)\n"
        "except ImportError as err:\n"
        "    print('ImportError', err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "<char attention: 1 sample>" in out.stdout
    assert "ImportError" in out.stdout and "numpy" in out.stdout
