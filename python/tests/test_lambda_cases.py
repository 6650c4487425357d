"""The Lambda code cases shared with the TypeScript reader, and load_keras_h5 on them.

test/fixtures/keras/lambda_cases/cases.json (scripts/keras_fixtures/lambda_cases.py)
holds Lambda configs as Keras stores them and, written by hand from each
lambda's source, the reduction a reader must find or the exact reason it must
refuse; test/model/layers/lambda-cases.spec.ts runs the same cases through the
TypeScript reader.
"""

import json
import os

import pytest

from conftest import FIXTURES
from jupyterlab_char_attention.keras_h5 import translate_keras2_config
from jupyterlab_char_attention.lambda_code import format_op, lambda_refusal, recognize_lambda

with open(os.path.join(FIXTURES, "keras", "lambda_cases", "cases.json"), encoding="utf-8") as _f:
    CASES = json.load(_f)["cases"]


def _read(config):
    found = recognize_lambda(config)
    if found:
        return {"op": format_op(found[0]), "text": found[1]}
    return {"refused": lambda_refusal(config)}


def test_the_cases_cover_both_outcomes():
    assert sum("op" in c["expected"] for c in CASES) > 4
    assert sum("refused" in c["expected"] for c in CASES) > 8


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_case_reads_as_written_by_hand(case):
    assert _read(case["config"]) == case["expected"]


def _model_with(config):
    return {
        "class_name": "Functional",
        "config": {
            "name": "m",
            "layers": [
                {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [None, 4, 3]},
                 "inbound_nodes": []},
                {"class_name": "Lambda", "name": "lam", "config": {**config, "name": "lam"},
                 "inbound_nodes": [[["x", 0, 0, {}]]]},
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["lam", 0, 0]],
        },
    }


@pytest.mark.parametrize("name", ["negated_sum", "sum_of_exp", "os_system_or_sum"])
def test_load_keras_h5_refuses_what_is_not_exactly_a_reduction(name):
    case = next(c for c in CASES if c["name"] == name)
    with pytest.raises(ValueError) as info:
        translate_keras2_config(_model_with(case["config"]))
    message = str(info.value)
    assert message.startswith(f"layer 'lam' (Lambda): {case['expected']['refused']}. ")
    assert "lambdas={'lam': 'sum(axis=1)'}" in message
    assert "sum(axis=1)" not in message.split("e.g.")[0]


def test_load_keras_h5_runs_a_decoded_reduction_and_says_so():
    case = next(c for c in CASES if c["name"] == "k_sum")
    translated, inferences = translate_keras2_config(_model_with(case["config"]))
    layer = translated["config"]["layers"][1]
    assert layer["class_name"] == "CharAttentionLambda"
    assert layer["config"]["op"] == "sum" and layer["config"]["axis"] == 1
    assert inferences == ["layer 'lam' (Lambda): read as sum over axis 1 from its code `K.sum(x, axis=1)`"]


@pytest.mark.parametrize("name, source", [
    ("negated", "lambda x: -keras.ops.sum(x, axis=1)"),
    ("sum_of_exp", "lambda x: keras.ops.sum(keras.ops.exp(x))"),
])
def test_a_real_keras3_h5_with_such_a_lambda_is_refused(repo_root, name, source):
    from keras_models import keras

    from jupyterlab_char_attention import load_keras_h5

    folder = os.path.join(repo_root, ".cache", "pytest-lambda")
    os.makedirs(folder, exist_ok=True)
    inputs = keras.Input((4, 3))
    model = keras.Model(inputs, keras.layers.Lambda(eval(source, {"keras": keras}), name="lam")(inputs))
    path = os.path.join(folder, f"{name}.h5")
    model.save(path)
    with pytest.raises(ValueError, match=r"^layer 'lam' \(Lambda\): its code ") as info:
        load_keras_h5(path)
    assert "Its Python code is not run" in str(info.value)
