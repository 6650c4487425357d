"""Python's align() and the TypeScript CLI `char-attention align` build the same payload.

Runs `node bin/char-attention.js align ...` from the repository root (build it
first with `npm run build:node`). The texts, tokenizers, maxlen, padding,
truncating, attention values and predictions are the same on both sides; the
payloads are compared as parsed JSON.
"""

import json
import os
import random
import subprocess

import pytest

from conftest import REPO_ROOT, TOKENIZER_CASES, cli_command
from jupyterlab_char_attention import align, encode_texts
from jupyterlab_char_attention.align import load_tokenizer

def _cli_command():
    return cli_command()


def _run_cli(tmp_path, tokenizer, texts, attention, predictions, maxlen, padding, truncating):
    tok_file = tmp_path / "tokenizer.json"
    att_file = tmp_path / "attention.json"
    tok_file.write_text(tokenizer if isinstance(tokenizer, str) else json.dumps(tokenizer), encoding="utf-8")
    att_file.write_text(json.dumps(attention), encoding="utf-8")
    args = _cli_command() + ["align", "--tokenizer", str(tok_file), "--attention", str(att_file),
                             "--padding", padding, "--truncating", truncating]
    if maxlen is not None:
        args += ["--maxlen", str(maxlen)]
    if predictions is not None:
        pred_file = tmp_path / "predictions.json"
        pred_file.write_text(json.dumps(predictions), encoding="utf-8")
        args += ["--predictions", str(pred_file)]
    done = subprocess.run(args + ["--"] + texts, cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _attention(rng, n_texts, maxlen):
    rows = []
    for _ in range(n_texts):
        raw = [rng.random() for _ in range(maxlen)]
        total = sum(raw)
        rows.append([v / total for v in raw])  # softmax-like, full double precision
    return rows


def _predictions(rng, n_texts):
    kinds = [lambda: rng.random(), lambda: [rng.random()], lambda: [rng.random(), rng.random()]]
    return [kinds[i % 3]() for i in range(n_texts)]


def _fixture_cases():
    cases = []
    for name in sorted(os.listdir(TOKENIZER_CASES)):
        folder = os.path.join(TOKENIZER_CASES, name)
        if not name.startswith("case") or not os.path.isdir(folder):
            continue  # LICENSE and other files beside the cases
        with open(os.path.join(folder, "tokenizer.json"), encoding="utf-8") as fh:
            tokenizer = fh.read()
        with open(os.path.join(folder, "expected.json"), encoding="utf-8") as fh:
            texts = json.load(fh)["texts"]
        cases.append((name, tokenizer, texts))
    return cases


def _keras_cases():
    from keras_oracle import kp_text
    train = ["Hello, world! 😀 café", "cafe\u0301 naïve", "İstanbul ΟΔΟΣ σοφός", "tab\tnew line 文字 👍🏽"]
    texts = ["İİ İstanbul", "ΟΔΟΣ Σ ΣΑΣ", "cafe\u0301 café 😀", "unknown ☃ ✓ Ωmega", "", "x" * 30, "<b>&amp;</b>"]
    cases = []
    for label, args in [("default", {}), ("oov", {"oov_token": "<OOV>"}), ("num_words", {"num_words": 10, "oov_token": "~"}),
                        ("upper", {"lower": False})]:
        tok = kp_text.Tokenizer(char_level=True, **args)
        tok.fit_on_texts(train + (["~"] if "~" in args.values() else []))
        cases.append((f"keras-{label}", tok.to_json(), texts))
    cases.append(("plain-map", json.dumps({"a": 1, "b": 2, "c": 3, "😀": 4, "\u0301": 5}), ["abc", "a😀b\u0301c", "xyz", "CAB"]))
    return cases


SETTINGS = [(10, "pre", "pre"), (10, "post", "post"), (50, "pre", "post"), (50, "post", "pre")]


def test_cli_and_python_build_equal_payloads(tmp_path):
    _cli_command()
    rng = random.Random(1234)
    compared = 0
    for name, tokenizer, texts in _fixture_cases() + _keras_cases():
        for maxlen, padding, truncating in SETTINGS:
            attention = _attention(rng, len(texts), maxlen)
            predictions = _predictions(rng, len(texts))
            expected = align(texts, tokenizer, maxlen, padding, truncating, attention=attention,
                             predictions=predictions)
            got = _run_cli(tmp_path, tokenizer, texts, attention, predictions, maxlen, padding, truncating)
            assert got == expected, f"{name} maxlen={maxlen} padding={padding} truncating={truncating}"
            compared += len(texts)
    assert compared > 100


def test_default_maxlen_and_no_predictions_agree(tmp_path):
    _cli_command()
    name, tokenizer, texts = _keras_cases()[1]
    longest = max(len(row) for row in encode_texts(texts, tokenizer))
    attention = _attention(random.Random(7), len(texts), longest)
    expected = align(texts, tokenizer, attention=attention)
    got = _run_cli(tmp_path, tokenizer, texts, attention, None, None, "pre", "pre")
    assert got == expected
    assert all("prediction" not in sample for sample in got["samples"])


def test_lowering_edge_cases_agree(tmp_path):
    """'İ' lowers to two code points (their attention is summed); final sigma is contextual."""
    _cli_command()
    tokenizer = _keras_cases()[0][1]
    texts = ["İ", "aİb", "ΟΔΟΣ", "ΣΑΣ ΣΑΣ."]
    tok = load_tokenizer(tokenizer)
    assert len(tok.texts_to_sequences(["İ"])[0]) == 2
    attention = _attention(random.Random(3), len(texts), 8)
    expected = align(texts, tokenizer, 8, attention=attention)
    got = _run_cli(tmp_path, tokenizer, texts, attention, None, 8, "pre", "pre")
    assert got == expected
    assert got["samples"][0]["attention"][0] == attention[0][6] + attention[0][7]
