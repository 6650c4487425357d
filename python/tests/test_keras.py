"""from_keras around the Keras calls, with stand-in model objects.

TensorFlow/Keras cannot be installed here: the model objects below are
stand-ins whose ``predict`` returns fixed arrays, and a stand-in ``keras``
module records how the two-output model is built. The encoding they receive
is checked against Keras's own preprocessing (keras_oracle.py).
"""

import sys
import types

import pytest

import keras_oracle as kp_sequence
import keras_oracle as kp_text
import numpy as np

from jupyterlab_char_attention import display_attention, from_keras, validate_payload  # noqa: E402
from jupyterlab_char_attention.keras import build_attention_model, model_maxlen  # noqa: E402

TEXTS = ["Great product, loved it 😀", "İt was ΑΩΣ"]
MAXLEN = 16


def _tokenizer():
    tok = kp_text.Tokenizer(char_level=True, oov_token="<OOV>")
    tok.fit_on_texts(["great product loved it", "it was bad", "😀 ok"])
    return tok


class FakeLayer:
    def __init__(self, name):
        self.name = name
        self.output = f"<output of {name}>"


class FakeTwoOutputModel:
    """What Model(model.input, [model.output, attention]) returns: predict gives two arrays."""

    def __init__(self, n_texts, maxlen):
        self.calls = []
        rng = np.random.default_rng(0)
        scores = rng.random((n_texts, maxlen)).astype("float32")
        self.attention = scores / scores.sum(axis=1, keepdims=True)
        self.prediction = np.linspace(0.1, 0.9, n_texts, dtype="float32").reshape(n_texts, 1)

    def predict(self, x, verbose=0, batch_size=None):
        self.calls.append((x, verbose, batch_size))
        return [self.prediction, self.attention]


class FakeModel:
    """A stand-in for the user's trained model (Input(MAXLEN) ... Dense(1))."""

    __module__ = "keras.src.models.functional"

    def __init__(self):
        self.name = "char_attention_classifier"
        self.input = "<model input>"
        self.output = "<model output>"
        self.input_shape = (None, MAXLEN)
        self.layers = [FakeLayer("input_1"), FakeLayer("embedding"), FakeLayer("attention_vec"), FakeLayer("dense")]

    def get_layer(self, name):
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}")


@pytest.fixture
def fake_keras(monkeypatch):
    built = []

    class Model:
        def __init__(self, inputs, outputs):
            built.append((inputs, outputs))
            self.inner = FakeTwoOutputModel(len(TEXTS), MAXLEN)

        def predict(self, x, **kwargs):
            return self.inner.predict(x, **kwargs)

    module = types.ModuleType("keras")
    module.Model = Model
    monkeypatch.setitem(sys.modules, "keras", module)
    return built


def test_two_output_model_is_built_from_the_attention_layer(fake_keras):
    model = FakeModel()
    build_attention_model(model, "attention_vec")
    assert fake_keras == [("<model input>", ["<model output>", "<output of attention_vec>"])]


def test_unknown_layer_lists_the_layers(fake_keras):
    with pytest.raises(ValueError) as info:
        build_attention_model(FakeModel(), "attention")
    assert "layer 'attention' not found" in str(info.value)
    assert "attention_vec" in str(info.value)


def test_from_keras_encodes_like_keras_and_aligns(fake_keras, monkeypatch):
    tok = _tokenizer()
    model = FakeModel()
    captured = {}
    original = FakeTwoOutputModel.predict

    def spy(self, x, **kwargs):
        captured["x"] = x
        captured["self"] = self
        return original(self, x, **kwargs)

    monkeypatch.setattr(FakeTwoOutputModel, "predict", spy)
    payload = from_keras(model, TEXTS, tok.to_json())
    # The model got exactly Keras's encoding, with maxlen from Input(MAXLEN).
    expected_x = kp_sequence.pad_sequences(tok.texts_to_sequences(TEXTS), maxlen=MAXLEN)
    assert captured["x"].dtype == np.int32
    assert captured["x"].tolist() == expected_x.tolist()
    assert validate_payload(payload) == []
    assert payload["meta"] == {"model": "char_attention_classifier", "layer": "attention_vec", "maxlen": MAXLEN,
                               "padding": "pre", "truncating": "pre"}
    inner = captured["self"]
    for t, (text, sample) in enumerate(zip(TEXTS, payload["samples"])):
        assert sample["text"] == text
        assert sample["prediction"] == pytest.approx(float(inner.prediction[t, 0]))
        # Every seen code point's attention is accounted for; padding is dropped.
        n_seen = int((expected_x[t] != 0).sum())
        seen_attention = float(inner.attention[t, MAXLEN - n_seen:].sum())
        assert sum(v for v in sample["attention"] if v is not None) == pytest.approx(seen_attention, rel=1e-6)
    # The long first text was truncated at the front ('pre'): its first characters are masked.
    first = payload["samples"][0]
    assert first["mask"][0] is False and first["mask"][-1] is True


def test_single_text_and_prebuilt_two_output_model():
    tok = _tokenizer()
    two = FakeTwoOutputModel(1, 12)
    two.attention = two.attention.reshape(1, 12, 1)  # (batch, time, 1) is accepted
    payload = from_keras(two, "it was bad", tok, layer=None, maxlen=12)
    assert len(payload["samples"]) == 1
    assert "layer" not in payload["meta"]
    assert payload["samples"][0]["mask"] == [True] * len("it was bad")


def test_wrong_attention_shape_is_explained():
    tok = _tokenizer()
    two = FakeTwoOutputModel(2, 5)
    with pytest.raises(ValueError, match="expected one per model position"):
        from_keras(two, TEXTS, tok, layer=None, maxlen=12)


def test_maxlen_must_match_the_model():
    with pytest.raises(ValueError, match="model's input has length 16"):
        from_keras(FakeModel(), TEXTS, _tokenizer(), maxlen=20)


def test_model_maxlen():
    assert model_maxlen(FakeModel()) == MAXLEN
    variable = FakeModel()
    variable.input_shape = (None, None)
    assert model_maxlen(variable) is None
    several = FakeModel()
    several.input_shape = [(None, 3), (None, 4)]
    with pytest.raises(ValueError, match="2 inputs"):
        model_maxlen(several)


def test_from_keras_result_displays(fake_keras, monkeypatch):
    import IPython.display as display_module
    shown = []
    monkeypatch.setattr(display_module, "display", shown.append)
    display_attention(from_keras(FakeModel(), TEXTS, _tokenizer()))
    assert len(shown) == 1


def test_importing_the_package_does_not_import_tensorflow():
    import subprocess

    code = (
        "import sys; sys.path.insert(0, '.'); import jupyterlab_char_attention; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules))"
    )
    from conftest import REPO_ROOT

    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
