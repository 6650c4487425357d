"""Payload building and validation (the renderer's rules, mirrored)."""

import json
import math

import pytest

from jupyterlab_char_attention import MIME_TYPE, attention_payload, batch_payload, validate_payload
from jupyterlab_char_attention.payload import LIMITS, _js_number


def messages(payload):
    return [p["message"] for p in validate_payload(payload)]


def paths(payload):
    return [p["path"] for p in validate_payload(payload)]


def test_mime_type():
    assert MIME_TYPE == "application/x-char-attention+json"


def test_single_sample_payload_is_json_ready():
    payload = attention_payload("héllo 😀", [0.1, 0.2, 0.3, 0.1, 0.1, 0.0, 0.2], prediction=0.93,
                                label="spam", title="first", options={"colormap": "Blues"})
    assert payload == {
        "version": 1,
        "text": "héllo 😀",
        "attention": [0.1, 0.2, 0.3, 0.1, 0.1, 0.0, 0.2],
        "prediction": 0.93,
        "label": "spam",
        "title": "first",
        "options": {"colormap": "Blues"},
    }
    assert json.loads(json.dumps(payload)) == payload
    assert validate_payload(payload) == []


def test_array_likes_are_converted_without_numpy_in_the_payload():
    import numpy as np

    class FakeTensor:
        def __init__(self, array):
            self.array = array

        def numpy(self):
            return self.array

    att = np.array([0.25, 0.5, 0.25], dtype="float32")
    for given in (att, FakeTensor(att), att.reshape(3, 1), list(att)):
        payload = attention_payload("abc", given, prediction=np.array([0.75], dtype="float32"),
                                    mask=np.array([True, True, False]))
        assert payload["attention"] == [0.25, 0.5, 0.25]
        assert all(type(v) is float for v in payload["attention"])
        assert payload["prediction"] == 0.75 and type(payload["prediction"]) is float
        assert payload["mask"] == [True, True, False]
        json.dumps(payload)


def test_tokens_and_series():
    payload = attention_payload(["He", "llo"], series={"layer 1": [0.2, 0.8], "layer 2": [0.5, 0.5]})
    assert payload["tokens"] == ["He", "llo"]
    assert payload["series"] == [
        {"name": "layer 1", "values": [0.2, 0.8]},
        {"name": "layer 2", "values": [0.5, 0.5]},
    ]
    assert validate_payload(payload) == []


def test_length_mismatch_raises_clear_error():
    with pytest.raises(ValueError) as info:
        attention_payload("abcd", [0.1, 0.2, 0.3])
    assert "attention has 3 values, text has 4 characters" in str(info.value)


def test_padded_attention_hint():
    with pytest.raises(ValueError, match="align"):
        attention_payload("abc", [0.0] * 250)


def test_nan_is_rejected_with_path():
    with pytest.raises(ValueError) as info:
        attention_payload("abc", [0.1, float("nan"), 0.3])
    assert "attention[1] is NaN; use null for a missing value" in str(info.value)


def test_batch_payload_from_mixed_items():
    one = attention_payload("ab", [0.5, 0.5], options={"colormap": "Greens"})
    two = {"text": "cd", "attention": [None, 1.0]}
    three = {"version": 1, "samples": [{"text": "e", "attention": [1.0]}, {"tokens": ["f"], "attention": [0.0]}]}
    batch = batch_payload([one, two, three, ("gh", [0.3, 0.7])], title="All", meta={"model": "demo"})
    assert batch["version"] == 1
    assert [s.get("text", s.get("tokens")) for s in batch["samples"]] == ["ab", "cd", "e", ["f"], "gh"]
    assert batch["options"] == {"colormap": "Greens"}
    assert batch["title"] == "All" and batch["meta"] == {"model": "demo"}
    assert validate_payload(batch) == []
    explicit = batch_payload([one], options={"colormap": "RdBu"})
    assert explicit["options"] == {"colormap": "RdBu"}


def test_batch_payload_rejects_bad_items():
    with pytest.raises(ValueError, match=r"samples\[0\]"):
        batch_payload([42])
    with pytest.raises(ValueError, match="samples is empty"):
        batch_payload([])


# --------------------------------------------------------------------------
# Rule by rule (messages as the renderer writes them)
# --------------------------------------------------------------------------


RULE_CASES = [
        # R1
        ([], ["payload must be a JSON object, got array"]),
        (None, ["payload must be a JSON object, got null"]),
        ("x", ["payload must be a JSON object, got string"]),
        # R2
        ({"text": "a", "attention": [1]}, ["version is missing (expected 1)"]),
        ({"version": 2, "text": "a"}, ["version 2 is newer than this renderer supports (1)"]),
        ({"version": "1", "text": "a", "attention": [1]}, ['version must be 1, got "1"']),
        ({"version": True, "text": "a", "attention": [1]}, ["version must be 1, got true"]),
        # R3
        ({"version": 1, "samples": []}, ["samples is empty (at least one sample is needed)"]),
        ({"version": 1, "samples": {}}, ["samples must be an array, got object"]),
        ({"version": 1, "samples": [3]}, ["samples[0] must be an object, got number"]),
        # R4
        ({"version": 1, "samples": [{"text": "a", "attention": [1], "colour": "x"}], "extra": 1},
         ["extra is not a known field", "samples[0].colour is not a known field"]),
        ({"version": 1, "text": "a", "attention": [1], "samples_": 1}, ["samples_ is not a known field"]),
        # R5
        ({"version": 1, "attention": []}, ["payload needs text or tokens"]),
        ({"version": 1, "text": "", "tokens": [], "attention": []}, ["payload has both text and tokens (give one)"]),
        ({"version": 1, "text": "ab"}, ["payload needs attention or series"]),
        ({"version": 1, "text": "ab", "mask": [True, False], "prediction": 0.5}, []),
        ({"version": 1, "text": "ab", "mask": [True], "prediction": [0.5, 0.5]},
         ["mask has 1 values, text has 2 characters"]),
        ({"version": 1, "samples": [{"text": "a", "attention": [1], "series": []}]},
         ["samples[0] has both attention and series (give one)"]),
        ({"version": 1, "text": "a", "series": []}, ["series is empty (at least one series is needed)"]),
        ({"version": 1, "text": "a", "series": [{"values": [1]}]}, ["series[0].name is missing"]),
        ({"version": 1, "text": "a", "series": [{"name": "x"}]}, ["series[0].values is missing"]),
        # R6
        ({"version": 1, "tokens": ["a", 3], "attention": [1, 1]}, ["tokens[1] must be a string, got number"]),
        ({"version": 1, "tokens": ["x" * 1001], "attention": [1]},
         ["tokens[0] is 1001 characters long (a token has at most 1000)"]),
        # R7
        ({"version": 1, "samples": [{"tokens": list("abcdefghijklm"), "attention": [0.1] * 12}]},
         ["samples[2].attention has 12 values, tokens has 13".replace("[2]", "[0]")]),
        ({"version": 1, "text": "a😀", "attention": [1, 1, 1]}, ["attention has 3 values, text has 2 characters"]),
        ({"version": 1, "text": "ab", "attention": [1, 1], "mask": [True]},
         ["mask has 1 values, text has 2 characters"]),
        # R8
        ({"version": 1, "text": "abc", "attention": [1, "x", float("inf")]},
         ["attention[1] must be a number or null, got string", "attention[2] is Infinity; use null for a missing value"]),
        ({"version": 1, "text": "ab", "attention": [True, None]}, ["attention[0] must be a number or null, got boolean"]),
        # R9
        ({"version": 1, "text": "ab", "attention": [1, 1], "mask": [True, 1]}, ["mask[1] must be true or false, got number"]),
        ({"version": 1, "text": "ab", "attention": [1, 1], "mask": "yes"}, ["mask must be an array of booleans, got string"]),
        # R10
        ({"version": 1, "text": "a", "attention": [1], "prediction": []}, ["prediction has 0 values (1 to 1000 expected)"]),
        ({"version": 1, "text": "a", "attention": [1], "prediction": "high"},
         ["prediction must be a number or an array of numbers, got string"]),
        ({"version": 1, "text": "a", "attention": [1], "prediction": [0.5, None]},
         ["prediction[1] must be a finite number, got null"]),
        ({"version": 1, "text": "a", "attention": [1], "label": None}, ["label must be a string, number or boolean, got null"]),
        ({"version": 1, "text": "a", "attention": [1], "label": float("nan")}, ["label must be finite, got NaN"]),
        ({"version": 1, "text": "a", "attention": [1], "title": 3}, ["title must be a string, got number"]),
        # R11
        ({"version": 1, "text": "a", "attention": [1], "title": "t" * 10001},
         ["title is 10001 characters long (at most 10000)"]),
        # R12
        ({"version": 1, "text": "a", "attention": [1], "options": {"colormap": "Jet"}},
         ['options.colormap "Jet" is not known; use one of Reds, Blues, Greens, Greys, Oranges, Purples, viridis, magma, RdBu']),
        ({"version": 1, "text": "a", "attention": [1], "options": {"vmin": 1, "vmax": 0.5}},
         ["options.vmin (1) must be less than options.vmax (0.5)"]),
        ({"version": 1, "text": "a", "attention": [1], "options": {"normalize": "z"}},
         ['options.normalize "z" is not known; use one of none, minmax, max']),
        ({"version": 1, "text": "a", "attention": [1], "options": {"charsPerRow": 0, "precision": 2.5, "shareScale": 1}},
         ["options.shareScale must be a boolean, got number", "options.charsPerRow must be an integer from 1 to 1000, got 0",
          "options.precision must be an integer from 0 to 17, got 2.5"]),
        ({"version": 1, "text": "a", "attention": [1], "options": []}, ["options must be an object, got array"]),
        ({"version": 1, "text": "a", "attention": [1], "options": {"size": 3}}, ["options.size is not a known field"]),
        # R13
        ({"version": 1, "text": "abc", "attention": [0.5, -0.3, -0.1]}, []),
        ({"version": 1, "text": "abc", "attention": [0.5, -0.3, -0.1], "options": {"colormap": "Reds"}},
         ["attention has negative values (min -0.3) but colormap Reds is sequential; use colormap RdBu, set options.vmin, or set options.normalize"]),
        ({"version": 1, "text": "abc", "attention": [0.5, -0.3, 0.1], "mask": [True, False, True]}, []),
        ({"version": 1, "text": "abc", "attention": [0.5, -0.3, 0.1], "options": {"colormap": "RdBu"}}, []),
        ({"version": 1, "text": "abc", "attention": [0.5, -0.3, 0.1], "options": {"normalize": "minmax"}}, []),
        ({"version": 1, "text": "abc", "attention": [0.5, -0.3, 0.1], "options": {"vmin": -1}}, []),
        # R14
        ({"version": 1, "text": "a", "attention": [1], "meta": [1]}, ["meta must be an object, got array"]),
        ({"version": 1, "samples": [{"text": "a", "attention": [1]}], "meta": {"a": {"b": "x" * 10001}}},
         ["meta.a.b is 10001 characters long (at most 10000)"]),
]


@pytest.mark.parametrize("payload, expected", RULE_CASES)
def test_rules(payload, expected):
    assert messages(payload) == expected


def test_paths_are_json_paths():
    payload = {"version": 1, "samples": [{"text": "ab", "attention": [1, 1]},
                                         {"text": "ab", "series": [{"name": "x", "values": [1, "a"]}]}]}
    assert paths(payload) == ["samples[1].series[0].values[1]"]


def test_meta_depth_limit():
    deep = {}
    node = deep
    for _ in range(20):
        node["x"] = {}
        node = node["x"]
    problems = messages({"version": 1, "text": "a", "attention": [1], "meta": deep})
    assert problems == ["meta is nested more than 16 levels deep (at meta" + ".x" * 16 + ")"]


def test_item_problem_limit_and_summary():
    payload = {"version": 1, "text": "a" * 10, "attention": ["x"] * 10}
    problems = messages(payload)
    assert len(problems) == 6
    assert problems[-1] == "attention has 5 more invalid values"


def test_total_problem_limit():
    samples = [{"text": "a", "attention": [1], "bad": i} for i in range(300)]
    problems = validate_payload({"version": 1, "samples": samples})
    assert len(problems) == LIMITS["MAX_PROBLEMS"] + 1
    assert problems[-1]["message"] == "... and more problems (stopped after 200)"


def test_validator_never_raises():
    class Weird:
        pass

    for junk in (Weird(), {"version": 1, "text": Weird(), "attention": Weird()}, {"version": float("nan")}):
        assert isinstance(validate_payload(junk), list)


@pytest.mark.parametrize(
    "value, text",
    [(1, "1"), (1.0, "1"), (0.5, "0.5"), (-0.3, "-0.3"), (1e-7, "1e-7"), (0.000001, "0.000001"),
     (1e21, "1e+21"), (123456789012345680000.0, "123456789012345680000"), (1.5e-10, "1.5e-10"),
     (float("nan"), "NaN"), (float("-inf"), "-Infinity"), (0.1 + 0.2, "0.30000000000000004")],
)
def test_numbers_are_formatted_like_javascript(value, text):
    assert _js_number(value) == text


def test_built_payloads_match_the_json_schema():
    """Everything the builders produce is valid against src/payload/char-attention.v1.schema.json."""
    import os

    import jsonschema  # in the development venv (a dependency of JupyterLab)
    from conftest import REPO_ROOT

    schema_path = os.path.join(REPO_ROOT, "src", "payload", "char-attention.v1.schema.json")
    assert os.path.exists(schema_path), "src/payload/char-attention.v1.schema.json is missing"
    with open(schema_path, encoding="utf-8") as fh:
        schema = json.load(fh)
    from jupyterlab_char_attention import align

    payloads = [
        attention_payload("héllo 😀", [0.1, 0.2, 0.3, 0.1, 0.1, 0.0, None], prediction=[0.1, 0.9], label=True,
                          title="t", mask=[True] * 6 + [False], options={"colormap": "RdBu", "precision": 2},
                          meta={"layer": "attention_vec"}),
        attention_payload(["a", "bc"], series=[("x", [0.5, 0.5])]),
        batch_payload([attention_payload("ab", [0.5, 0.5]), ("cd", [0.1, 0.9])], title="b", meta={"k": [1]}),
        align(["abc", "İx"], {"a": 1, "b": 2, "c": 3, "i": 4, "\u0307": 5}, 4, attention=[[0.1] * 4, [0.25] * 4],
              predictions=[0.5, [0.2, 0.8]]),
    ]
    validator = jsonschema.Draft7Validator(schema)
    for payload in payloads:
        errors = [e.message for e in validator.iter_errors(json.loads(json.dumps(payload)))]
        assert errors == [], errors
    # And the schema rejects what the validator rejects for shape reasons.
    assert list(validator.iter_errors({"version": 2, "text": "a", "attention": [1]}))
