"""evaluate(): per-row metrics against Keras, faithfulness against explicit model calls, tau-b against SciPy,
the same rows as the Node CLI (``char-attention evaluate --json``) on the same model file, and the results
as a DataFrame (or a list without pandas)."""

import json
import math
import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, cli_command
from keras_models import as_int, attention_model, char_tokenizer, plain_model

import keras
import numpy as np

from jupyterlab_char_attention import evaluate
from jupyterlab_char_attention.align import encode_texts
from jupyterlab_char_attention.faithfulness import _tau_b_by_pairs, bin_sizes, kendall_tau_b

TEXTS = ["great product loved it", "it was bad", "refund please, it arrived broken", "ok 😀", "", "bad bad"]
LABELS = [0, 1, "1", 0, None, "1.0"]
WORK = os.path.join(REPO_ROOT, "artifacts", "test-python-evaluate")


@pytest.fixture(scope="module")
def tok():
    return char_tokenizer()


@pytest.fixture(scope="module")
def model():
    return attention_model(maxlen=24)


def test_rows_have_the_cli_fields_and_keras_predictions_and_loss(model, tok):
    frame = evaluate(model, TEXTS, LABELS, tok, display=False)
    assert list(frame.columns) == [
        "index", "text", "label", "prediction", "predictedClass", "correct", "loss", "explanations", "agreement",
    ]
    x = as_int(encode_texts(TEXTS, tok, 24))
    keras_p = model.predict(x, verbose=0)[:, 0]
    labels = [0, 1, 1, 0, None, 1]
    assert [_plain(v) for v in frame["label"]] == labels
    assert str(frame["label"].dtype) == "Int64" and str(frame["loss"].dtype) == "Float64"
    for i, row in frame.iterrows():
        assert abs(row["prediction"] - keras_p[i]) <= 1e-6
        assert row["predictedClass"] == int(keras_p[i] > 0.5)
        if labels[i] is None:
            assert _plain(row["loss"]) is None and _plain(row["correct"]) is None
        else:
            expected = float(keras.losses.binary_crossentropy([[labels[i]]], [[keras_p[i]]]).numpy()[0])
            assert abs(row["loss"] - expected) <= 1e-4
            assert row["correct"] == (row["predictedClass"] == labels[i])


def _plain(value):
    """A DataFrame cell as Python: <NA> -> None."""
    import pandas

    return None if value is pandas.NA else value


def _f(model, rows, unit=0):
    return model.predict(as_int(rows), verbose=0)[:, unit]


def test_faithfulness_equals_explicit_deletions(model, tok):
    frame = evaluate(model, TEXTS, LABELS, tok, methods=["occlusion", "attention"], display=False)
    x = encode_texts(TEXTS, tok, 24)
    for i, row in frame.iterrows():
        positions = [p for p in range(24) if x[i][p] != 0]
        for method in ("occlusion", "attention"):
            result = row["explanations"][method]
            if not positions:
                assert result["comprehensiveness"] is None and result["sufficiency"] is None
                continue
            # Position values back from the per-character values (no lowering collisions in these texts).
            chars = [c for c, v in zip(row["text"], result["values"]) if v is not None]
            values = {p: v for p, v in zip(positions, [v for v in result["values"] if v is not None])}
            assert len(chars) == len(positions)
            order = sorted(positions, key=lambda p: (-values[p], p))
            comp, suff = [], []
            for k in (1, 5, 10, 20, 50):
                m = max(1, math.ceil(k * len(positions) / 100))
                removed = list(x[i])
                for p in order[:m]:
                    removed[p] = 0
                kept = [0] * 24
                for p in order[:m]:
                    kept[p] = x[i][p]
                comp.append(removed)
                suff.append(kept)
            f0 = _f(model, [x[i]])[0]
            assert abs(result["comprehensiveness"] - np.mean(f0 - _f(model, comp))) <= 1e-6
            assert abs(result["sufficiency"] - np.mean(f0 - _f(model, suff))) <= 1e-6


def test_agreement_is_scipy_tau_b_and_a_method_agrees_with_itself(model, tok):
    from scipy.stats import kendalltau

    frame = evaluate(model, TEXTS[:3], LABELS[:3], tok, methods=["attention", "occlusion"], display=False)
    for _, row in frame.iterrows():
        a = [v for v in row["explanations"]["attention"]["values"] if v is not None]
        b = [v for v in row["explanations"]["occlusion"]["values"] if v is not None]
        assert abs(row["agreement"]["attention~occlusion"] - kendalltau(a, b).statistic) <= 1e-9
        assert kendall_tau_b(a, a) == pytest.approx(1.0, abs=1e-12)


def test_tau_b_without_scipy_counts_pairs_as_scipy_does():
    from scipy.stats import kendalltau

    rng = np.random.default_rng(3)
    for _ in range(50):
        n = int(rng.integers(2, 30))
        x = list(rng.integers(-3, 4, n) / 2)
        y = list(np.round(rng.uniform(-1, 1, n), 1))
        expected = kendalltau(x, y).statistic
        got = _tau_b_by_pairs(x, y)
        if math.isnan(expected):
            assert got is None
        else:
            assert abs(got - expected) <= 1e-12


def test_bins_and_summary(model, tok):
    assert bin_sizes(7) == [1, 1, 1, 2, 4] and bin_sizes(0) == []
    frame = evaluate(model, TEXTS, LABELS, tok, methods=["occlusion"], classes=["neg", "pos"], display=False)
    summary = frame.attrs["summary"]
    labelled = frame[frame["label"].notna()]
    assert summary["count"] == 6 and summary["labelled"] == 5
    assert summary["accuracy"] == pytest.approx(float(labelled["correct"].astype(bool).mean()))
    assert summary["meanLoss"] == pytest.approx(float(labelled["loss"].astype(float).mean()))
    assert sum(map(sum, summary["confusionMatrix"])) == 5
    assert summary["classes"] == ["neg", "pos"]
    assert len(summary["characters"]["occlusion"]) <= 20


def test_labels_are_checked(model, tok):
    with pytest.raises(ValueError, match=r"text 1: label 'pos' is not a class index 0..1"):
        evaluate(model, TEXTS[:2], [0, "pos"], tok, display=False)
    with pytest.raises(ValueError, match=r"text 0: label 2 is not one of 'neg', 'pos' or an index 0..1"):
        evaluate(model, TEXTS[:1], [2], tok, classes=["neg", "pos"], display=False)
    with pytest.raises(ValueError, match="2 labels for 3 texts"):
        evaluate(model, TEXTS[:3], [0, 1], tok, display=False)
    named = evaluate(model, TEXTS[:2], ["neg", "pos"], tok, classes=["neg", "pos"], display=False)
    assert list(named["label"]) == [0, 1]


def test_softmax_models_report_the_class_probability(tok):
    model = plain_model(maxlen=12, classes=3)
    frame = evaluate(model, TEXTS[:4], [0, 2, 1, 2], tok, methods=["occlusion"], display=False)
    probabilities = model.predict(as_int(encode_texts(TEXTS[:4], tok, 12)), verbose=0)
    for i, row in frame.iterrows():
        assert row["predictedClass"] == int(np.argmax(probabilities[i]))
        assert abs(row["prediction"] - probabilities[i].max()) <= 1e-6
        expected = float(keras.losses.categorical_crossentropy(
            np.eye(3)[[[0, 2, 1, 2][i]]], probabilities[i:i + 1]).numpy()[0])
        assert abs(row["loss"] - expected) <= 1e-4


def test_without_pandas_a_list_with_the_summary(model, tok, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    rows = evaluate(model, TEXTS[:2], [0, 1], tok, display=False)
    assert isinstance(rows, list) and rows[1]["label"] == 1
    assert rows.summary["count"] == 2


def test_display_shows_the_summary_and_the_worst_rows(model, tok, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    evaluate(model, TEXTS, LABELS, tok, methods=["attention"], display=True, worst=2)
    assert "Evaluation" in shown[0]["text/html"] and "confusion" not in shown[0]["text/plain"]
    payload = shown[1]._repr_mimebundle_()["application/x-char-attention+json"]
    assert len(payload["samples"]) == 2
    assert "comprehensiveness" in payload["samples"][0]["title"]


def test_same_rows_as_the_cli_on_the_same_model_file(model, tok):
    command = cli_command()
    os.makedirs(WORK, exist_ok=True)
    model_path = os.path.join(WORK, "model.keras")
    model.save(model_path)
    tokenizer_path = os.path.join(WORK, "tokenizer.json")
    with open(tokenizer_path, "w", encoding="utf-8") as handle:
        handle.write(tok.to_json())
    data = os.path.join(WORK, "rows.jsonl")
    with open(data, "w", encoding="utf-8") as handle:
        for text, label in zip(TEXTS, LABELS):
            handle.write(json.dumps({"text": text, "label": label}) + "\n")
    out = subprocess.run(
        command + ["evaluate", "--model", model_path, "--tokenizer", tokenizer_path, "--file", data,
                   "--method", "occlusion,attention", "--workers", "1"],
        capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.strip().split("\n")]
    cli_rows, cli_summary = lines[:-1], lines[-1]["summary"]
    frame = evaluate(model, TEXTS, LABELS, tok, methods=["occlusion", "attention"], display=False)
    assert len(cli_rows) == len(frame)
    for (_, row), cli in zip(frame.iterrows(), cli_rows):
        assert cli["index"] == row["index"] and cli["text"] == row["text"] and cli["label"] == _plain(row["label"])
        assert abs(cli["prediction"] - row["prediction"]) <= 1e-5
        assert cli["predictedClass"] == row["predictedClass"]
        if _plain(row["loss"]) is not None:
            assert abs(cli["loss"] - row["loss"]) <= 1e-4
        for method in ("occlusion", "attention"):
            ours, theirs = row["explanations"][method], cli["explanations"][method]
            for a, b in zip(ours["values"], theirs["values"]):
                assert (a is None) == (b is None)
                if a is not None:
                    assert abs(a - b) <= 1e-5
            if ours["comprehensiveness"] is None:
                assert theirs["comprehensiveness"] is None
            else:
                assert abs(ours["comprehensiveness"] - theirs["comprehensiveness"]) <= 1e-5
                assert abs(ours["sufficiency"] - theirs["sufficiency"]) <= 1e-5
    assert cli_summary["count"] == frame.attrs["summary"]["count"]
    assert cli_summary["confusionMatrix"] == frame.attrs["summary"]["confusionMatrix"]


def test_integrated_gradients_meta_and_values_as_the_cli(model, tok):
    """Fixed steps: the same values, rule, steps and completeness gap as the CLI's JSON lines (its
    gradients are its own, these TensorFlow's); adaptive steps say their tolerance and convergence."""
    command = cli_command()
    os.makedirs(WORK, exist_ok=True)
    model_path = os.path.join(WORK, "model-ig.keras")
    model.save(model_path)
    tokenizer_path = os.path.join(WORK, "tokenizer-ig.json")
    with open(tokenizer_path, "w", encoding="utf-8") as handle:
        handle.write(tok.to_json())
    data = os.path.join(WORK, "rows-ig.jsonl")
    texts, labels = TEXTS[:3], LABELS[:3]
    with open(data, "w", encoding="utf-8") as handle:
        for text, label in zip(texts, labels):
            handle.write(json.dumps({"text": text, "label": label}) + "\n")
    out = subprocess.run(
        command + ["evaluate", "--model", model_path, "--tokenizer", tokenizer_path, "--file", data,
                   "--method", "integrated-gradients", "--steps", "32", "--workers", "1"],
        capture_output=True, text=True, check=False,
    )
    assert out.returncode == 0, out.stderr
    cli_rows = [json.loads(line) for line in out.stdout.strip().split("\n")][:-1]
    frame = evaluate(model, texts, labels, tok, methods=["integrated-gradients"], steps=32, display=False)
    for (_, row), cli in zip(frame.iterrows(), cli_rows):
        ours, theirs = row["explanations"]["integrated-gradients"], cli["explanations"]["integrated-gradients"]
        assert ours["meta"]["steps"] == theirs["meta"]["steps"] == 32
        assert ours["meta"]["rule"] == theirs["meta"]["rule"] == "riemann-midpoint"
        assert abs(ours["meta"]["gapRelative"] - theirs["meta"]["gapRelative"]) <= 1e-3
        for a, b in zip(ours["values"], theirs["values"]):
            assert (a is None) == (b is None)
            if a is not None:
                assert abs(a - b) <= 1e-4
    adaptive = evaluate(model, texts[:1], labels[:1], tok, methods=["integrated-gradients"], display=False)
    meta = adaptive.iloc[0]["explanations"]["integrated-gradients"]["meta"]
    assert meta["rule"] == "trapezoid" and meta["tolerance"] == 0.01 and isinstance(meta["converged"], bool)
    assert meta["steps"] >= 32 and "gapRelative" in meta


def test_python_definitions_match_the_keras_fixture():
    """The fixture script's rankings, bins and scores (scripts/keras_fixtures/faithfulness.py) from ours."""
    from jupyterlab_char_attention.faithfulness import (
        deletion_set,
        faithfulness_scores,
        rank_positions,
    )

    folder = os.path.join(REPO_ROOT, "test", "fixtures", "keras", "faithfulness")
    oracle = json.load(open(os.path.join(folder, "faith_sigmoid.json"), encoding="utf-8"))
    fixture_model = keras.models.load_model(os.path.join(folder, "faith_sigmoid.keras"))
    for sample in oracle["samples"]:
        for method, result in sample["methods"].items():
            ranking = rank_positions(result["values"], sample["positions"])
            assert ranking == result["ranking"], (sample["text"], method)
            sizes, removed, kept = deletion_set(sample["input"], ranking)
            assert sizes == [b["m"] for b in result["bins"]]
            f = fixture_model.predict(as_int([sample["input"]] + removed + kept), verbose=0)[:, 0]
            comp, suff = faithfulness_scores(float(f[0]), list(f[1:1 + len(sizes)]), list(f[1 + len(sizes):]))
            assert abs(comp - result["comprehensiveness"]) <= 1e-6
            assert abs(suff - result["sufficiency"]) <= 1e-6
        for pair, tau in sample["agreement"].items():
            a, b = pair.split("~")
            ours = kendall_tau_b(
                [sample["methods"][a]["values"][p] for p in sample["positions"]],
                [sample["methods"][b]["values"][p] for p in sample["positions"]],
            )
            assert (ours is None) == (tau is None)
            if tau is not None:
                assert abs(ours - tau) <= 1e-9
