"""Alignment and encoding, checked against Keras's own preprocessing.

Oracles: the fixtures in test/fixtures/keras-tokenizer (made by
keras_preprocessing 1.1.0) and real Keras 3: ``keras.src.legacy.preprocessing.text.Tokenizer``
(the same char-level Tokenizer) and ``keras.utils.pad_sequences``.
"""

import json
import os

import pytest

from conftest import TOKENIZER_CASES
from jupyterlab_char_attention import align, encode_texts
from jupyterlab_char_attention.align import load_tokenizer

CASES = sorted(
    name for name in os.listdir(TOKENIZER_CASES) if name.startswith("case")
) if os.path.isdir(TOKENIZER_CASES) else []


def _case(name):
    folder = os.path.join(TOKENIZER_CASES, name)
    with open(os.path.join(folder, "tokenizer.json"), encoding="utf-8") as fh:
        tokenizer_json = fh.read()
    with open(os.path.join(folder, "expected.json"), encoding="utf-8") as fh:
        expected = json.load(fh)
    return tokenizer_json, expected


def _pad_settings(key):
    parts = dict(item.split("=") for item in key.split(","))
    return int(parts["maxlen"]), parts["padding"], parts["truncating"]


def test_fixture_cases_exist():
    assert len(CASES) >= 4, f"no keras-tokenizer fixtures under {TOKENIZER_CASES}"


@pytest.mark.parametrize("name", CASES)
def test_texts_to_sequences_matches_keras_fixture(name):
    tokenizer_json, expected = _case(name)
    tok = load_tokenizer(tokenizer_json)
    assert tok.texts_to_sequences(expected["texts"]) == expected["sequences"]


@pytest.mark.parametrize("name", CASES)
def test_pad_sequences_matches_keras_fixture(name):
    tokenizer_json, expected = _case(name)
    assert expected["padded"], "fixture has no padded results"
    for key, padded in expected["padded"].items():
        maxlen, padding, truncating = _pad_settings(key)
        got = encode_texts(expected["texts"], tokenizer_json, maxlen, padding, truncating)
        assert got == padded, key


def _check_alignment_against_padded(texts, padded, tok, payload):
    """Every seen character sits at a model position holding its own Keras index.

    The attention row used is the position number itself, so the aligned value
    of a character tells where the model saw it; Keras's padded output is the
    oracle for what is there.
    """
    for text, row, sample in zip(texts, padded, payload["samples"]):
        assert sample["text"] == text
        assert len(sample["attention"]) == len(text) == len(sample["mask"])
        seen_positions = []
        pieces = tok.lowered_pieces(text)
        # Keras lowers the whole text: the pieces must be exactly that.
        assert "".join(pieces) == (text.lower() if tok.lower else text)
        for ch, piece, value, seen in zip(text, pieces, sample["attention"], sample["mask"]):
            if not seen:
                assert value is None
                continue
            # A one-code-point character: its value is its position.
            if len(piece) == 1:
                position = int(value)
                assert value == position
                lowered = piece
                keras_index = tok.word_index.get(lowered)
                expected_index = (
                    keras_index
                    if keras_index is not None and not (tok.num_words and keras_index >= tok.num_words)
                    else tok.word_index.get(tok.oov_token)
                )
                assert row[position] == expected_index, (text, ch)
                seen_positions.append(position)
        assert seen_positions == sorted(seen_positions)
        non_padding = sum(1 for v in row if v != 0)
        assert sum(sample["mask"]) <= non_padding


@pytest.mark.parametrize("name", CASES)
def test_alignment_lands_on_keras_positions(name):
    tokenizer_json, expected = _case(name)
    tok = load_tokenizer(tokenizer_json)
    for key, padded in expected["padded"].items():
        maxlen, padding, truncating = _pad_settings(key)
        attention = [[float(p) for p in range(maxlen)] for _ in expected["texts"]]
        payload = align(
            expected["texts"], tokenizer_json, maxlen, padding, truncating, attention=attention
        )
        _check_alignment_against_padded(expected["texts"], padded, tok, payload)
        # The number of seen characters equals Keras's non-padding count
        # (every character here lowers to one code point).
        for row, sample in zip(padded, payload["samples"]):
            assert sum(sample["mask"]) == sum(1 for v in row if v != 0), key


def test_accepts_every_tokenizer_form():
    tokenizer_json, expected = _case(CASES[0])
    parsed = json.loads(tokenizer_json)
    forms = [tokenizer_json, tokenizer_json.encode("utf-8"), parsed, parsed["config"]]
    for form in forms:
        assert load_tokenizer(form).texts_to_sequences(expected["texts"]) == expected["sequences"]
    import pathlib

    path = os.path.join(TOKENIZER_CASES, CASES[0], "tokenizer.json")
    for form in (path, pathlib.Path(path)):
        assert load_tokenizer(form).texts_to_sequences(expected["texts"]) == expected["sequences"]
    # A plain {char: index} map is used as is (no lowercasing).
    plain = {"a": 1, "b": 2}
    assert encode_texts(["abAc"], plain) == [[1, 2]]


# --------------------------------------------------------------------------
# Against real Keras 3 (its legacy Tokenizer and pad_sequences)
# --------------------------------------------------------------------------

from keras_oracle import kp_sequence, kp_text  # noqa: E402

TRAIN = [
    "Hello, world! 😀 café",
    "naïve coöperation",  # precomposed
    "cafe\u0301 e\u0301te\u0301",  # combining acute accents
    "İstanbul ΟΔΟΣ σοφός",
    "tab\tnew\nline",
    "文字 emoji 👍🏽 flags 🇫🇷",
]
PROBES = [
    "Hello 😀😀",
    "İİ İstanbul",
    "ΟΔΟΣ Σ ΣΑΣ",
    "cafe\u0301 café",
    "unknown ☃ ✓ Ωmega",
    "👍🏽🇫🇷 文",
    "",
    "x" * 60,
    "<script>alert('x')</script>",
]

TOKENIZER_ARGS = [
    {},
    {"lower": False},
    {"oov_token": "<OOV>"},
    {"num_words": 12, "oov_token": "<OOV>"},
    {"num_words": 12},
    {"oov_token": "o"},  # an OOV token that is also a real character
]


def _keras_tokenizer(args):
    tok = kp_text.Tokenizer(char_level=True, **args)
    tok.fit_on_texts(TRAIN)
    return tok


@pytest.mark.parametrize("args", TOKENIZER_ARGS, ids=lambda a: json.dumps(a))
def test_sequences_match_real_keras(args):
    keras_tok = _keras_tokenizer(args)
    for form in (keras_tok, keras_tok.to_json()):
        assert load_tokenizer(form).texts_to_sequences(PROBES) == keras_tok.texts_to_sequences(PROBES)


@pytest.mark.parametrize("args", TOKENIZER_ARGS, ids=lambda a: json.dumps(a))
@pytest.mark.parametrize("maxlen", [None, 5, 12, 40])
@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_padding_matches_real_keras(args, maxlen, padding, truncating):
    keras_tok = _keras_tokenizer(args)
    expected = kp_sequence.pad_sequences(
        keras_tok.texts_to_sequences(PROBES), maxlen=maxlen, padding=padding, truncating=truncating
    ).tolist()
    got = encode_texts(PROBES, keras_tok.to_json(), maxlen, padding, truncating)
    assert got == expected


@pytest.mark.parametrize("args", TOKENIZER_ARGS, ids=lambda a: json.dumps(a))
@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_alignment_matches_real_keras_positions(args, padding, truncating):
    keras_tok = _keras_tokenizer(args)
    maxlen = 12
    padded = kp_sequence.pad_sequences(
        keras_tok.texts_to_sequences(PROBES), maxlen=maxlen, padding=padding, truncating=truncating
    ).tolist()
    attention = [[float(p) for p in range(maxlen)] for _ in PROBES]
    payload = align(PROBES, keras_tok, maxlen, padding, truncating, attention=attention)
    _check_alignment_against_padded(PROBES, padded, load_tokenizer(keras_tok), payload)


def test_dotted_capital_i_owns_two_code_points_and_sums_them():
    keras_tok = _keras_tokenizer({})
    text = "aİb"
    seq = keras_tok.texts_to_sequences([text])[0]
    # Keras sees 'a', 'i', U+0307, 'b': four positions for three characters.
    assert len(seq) == 4
    payload = align([text], keras_tok, maxlen=4, attention=[[0.1, 0.2, 0.3, 0.4]])
    sample = payload["samples"][0]
    assert sample["text"] == text
    assert sample["mask"] == [True, True, True]
    assert sample["attention"][0] == 0.1
    assert sample["attention"][1] == 0.2 + 0.3
    assert sample["attention"][2] == 0.4


def test_final_sigma_is_lowered_in_context():
    keras_tok = _keras_tokenizer({})
    text = "ΟΔΟΣ ΣΑΣ"
    # Whole-text lowering gives a final sigma at word ends, as Keras sees it.
    assert text.lower() == "οδος σας"
    tok = load_tokenizer(keras_tok)
    assert tok.lowered_pieces(text) == list("οδος σας")
    assert tok.texts_to_sequences([text]) == keras_tok.texts_to_sequences([text])


def test_emoji_and_combining_accents_are_one_cell_per_code_point():
    keras_tok = _keras_tokenizer({"oov_token": "<OOV>"})
    text = "e\u0301😀👍🏽"
    n = len(keras_tok.texts_to_sequences([text])[0])
    assert n == 5
    payload = align(text, keras_tok, maxlen=n, attention=[0.1, 0.2, 0.3, 0.15, 0.25])
    sample = payload["samples"][0]
    assert sample["attention"] == [0.1, 0.2, 0.3, 0.15, 0.25]
    assert sample["mask"] == [True] * 5


def test_unknown_characters_without_oov_are_null_and_masked():
    keras_tok = _keras_tokenizer({})
    payload = align(["a☃b"], keras_tok, maxlen=3, attention=[[0.5, 0.3, 0.2]])
    sample = payload["samples"][0]
    # Keras drops the snowman: 'a' and 'b' are the last two positions (pre padding).
    assert keras_tok.texts_to_sequences(["a☃b"])[0] == [keras_tok.word_index["a"], keras_tok.word_index["b"]]
    assert sample["attention"] == [0.3, None, 0.2]
    assert sample["mask"] == [True, False, True]


def test_truncated_characters_are_null_and_masked():
    payload = align(["abcdef"], {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}, maxlen=4,
                    truncating="pre", attention=[[1, 2, 3, 4]])
    assert payload["samples"][0]["attention"] == [None, None, 1, 2, 3, 4]
    assert payload["samples"][0]["mask"] == [False, False, True, True, True, True]
    payload = align(["abcdef"], {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}, maxlen=4,
                    truncating="post", attention=[[1, 2, 3, 4]])
    assert payload["samples"][0]["attention"] == [1, 2, 3, 4, None, None]


def test_predictions_and_array_likes():
    import numpy as np

    keras_tok = _keras_tokenizer({})
    texts = ["hello", "world"]
    att = np.full((2, 6, 1), 0.25, dtype="float32")
    preds = np.array([[0.75], [0.125]], dtype="float32")
    payload = align(texts, keras_tok, maxlen=6, attention=att, predictions=preds)
    assert [s["prediction"] for s in payload["samples"]] == [0.75, 0.125]
    assert payload["samples"][0]["attention"] == [0.25] * 5
    multi = align(texts, keras_tok, maxlen=6, attention=att[..., 0], predictions=[[0.1, 0.9], [0.5, 0.5]])
    assert multi["samples"][0]["prediction"] == [0.1, 0.9]
    without = align(texts, keras_tok)
    assert without["samples"][0]["attention"] == [None] * 5
    assert without["samples"][0]["mask"] == [True] * 5
    assert set(without["samples"][0]) == {"text", "attention", "mask"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"maxlen": 0}, "maxlen"),
        ({"padding": "middle"}, "padding"),
        ({"truncating": "both"}, "truncating"),
        ({"maxlen": 4, "attention": [[0.1, 0.2, 0.3]]}, "attention[0] has 3 values, maxlen is 4"),
        ({"maxlen": 3, "attention": [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]}, "attention has 2 rows"),
        ({"maxlen": 3, "attention": [[0.1, "x", 0.3]]}, "attention[0][1]"),
        ({"maxlen": 3, "attention": [[0.1, 0.2, 0.3]], "predictions": [1, 2]}, "predictions has 2"),
    ],
)
def test_clear_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        align(["abc"], {"a": 1, "b": 2, "c": 3}, **kwargs)
    assert message in str(info.value)


def test_tokenizer_errors_name_the_field():
    with pytest.raises(ValueError, match="char_level"):
        load_tokenizer({"config": {"char_level": False, "word_index": "{}"}})
    with pytest.raises(ValueError, match="word_index"):
        load_tokenizer({"config": {"word_index": "{not json"}})
    with pytest.raises(ValueError, match="oov_token"):
        load_tokenizer({"config": {"word_index": '{"a": 1}', "oov_token": "<OOV>"}})
    with pytest.raises(ValueError, match="not valid JSON"):
        load_tokenizer("{oops")
    with pytest.raises(ValueError, match="positive integer"):
        load_tokenizer({"a": 0})
    with pytest.raises(ValueError, match="expected a Keras Tokenizer"):
        load_tokenizer(42)
