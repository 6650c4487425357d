"""The Python validator gives exactly the renderer's problems (paths and messages).

Compiles src/payload/validate.ts with the repository's TypeScript compiler and
runs it with Node on the same payloads.
"""

import json
import math
import os
import shutil
import subprocess

import pytest

from conftest import REPO_ROOT
from jupyterlab_char_attention import validate_payload
from test_payload import RULE_CASES

TSC = os.path.join(REPO_ROOT, "node_modules", ".bin", "tsc")
SOURCE = os.path.join(REPO_ROOT, "src", "payload", "validate.ts")

RUNNER = r"""
const { validatePayload } = require(process.argv[2]);
const revive = (key, value) =>
  value === '__NaN__' ? NaN : value === '__Inf__' ? Infinity : value === '__-Inf__' ? -Infinity : value;
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'), revive);
process.stdout.write(JSON.stringify(cases.map(c => validatePayload(c).problems)));
"""


def _encode(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "__NaN__" if math.isnan(value) else ("__Inf__" if value > 0 else "__-Inf__")
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _extra_cases():
    deep = {}
    node = deep
    for _ in range(20):
        node["x"] = {}
        node = node["x"]
    return [
        {"version": 1, "text": "a" * 10, "attention": ["x"] * 10},
        {"version": 1, "samples": [{"text": "a", "attention": [1], "bad": i} for i in range(300)]},
        {"version": 1, "text": "a", "attention": [1], "meta": deep},
        {"version": 1, "samples": [{"text": "ab", "attention": [1, 1]},
                                   {"text": "ab", "series": [{"name": "x", "values": [1, "a"], "w": 2}]}]},
        {"version": 1, "text": "İ😀e\u0301", "attention": [0.1, None, 0.3, 0.2], "mask": [True, False, True, True],
         "prediction": [0.25, 0.75], "label": 1, "title": "<b>x</b>", "meta": {"2": 1, "1": [1, {"a": None}], "b": "c"}},
        {"version": 1, "samples": [{"text": "ab", "attention": [-0.5, 0.1]}, {"text": "c", "attention": [-2e-7]}],
         "options": {"colormap": "viridis", "vmax": 3}},
        {"version": 1, "samples": [{"text": "a", "attention": [1]}], "options": {"vmin": 2, "vmax": 2, "colormap": 5}},
        {"version": 1, "samples": [{"text": "a", "attention": [1]}], "title": 5, "meta": "x"},
        {"version": 1, "samples": [{"text": "ab", "attention": [1, -1], "method": "occlusion (window 1)"},
                                   {"text": "a", "attention": [1], "method": 3}]},
        {"version": 1.5, "text": "a", "attention": [1]},
        {"version": 0, "text": "a", "attention": [1], "options": {"precision": 18, "charsPerRow": 1000}},
        {"version": 1, "text": 5, "tokens": None, "attention": {}},
        {"version": 1, "tokens": "abc", "series": "x"},
        {"version": 1, "text": "a", "series": [1, {"name": 2, "values": [1]}]},
        {"version": 1, "text": "abc", "attention": [1, 2, 3], "mask": [1, 2, 3, 4, 5, 6, 7]},
        {"version": 1, "text": "a", "attention": [1], "prediction": [1] * 1001},
        {"version": 1, "text": "a", "attention": [1], "prediction": float("inf")},
        {"version": 1, "text": "a", "attention": [1], "label": [1]},
        {"version": 1, "text": "a", "attention": [1], "k" * 60: 1},
        # Prediction-only samples (a model without attention run by predict), and broken ones.
        {"version": 1, "samples": [{"text": "ab", "mask": [True, False], "prediction": 0.25},
                                   {"text": "c", "prediction": [0.1, 0.9], "meta": {"lengths": "own"}},
                                   {"text": "d"},
                                   {"text": "ef", "mask": [True], "prediction": float("nan")}]},
        {"version": 1, "text": "xy", "prediction": 1},
    ]


def _node_results(cases):
    if shutil.which("node") is None or not os.path.exists(TSC):
        pytest.fail("node or node_modules/.bin/tsc is not available (run npm install)")
    if not os.path.exists(SOURCE):
        pytest.fail("src/payload/validate.ts is missing")
    return _compile_and_run(cases)


def _compile_and_run(cases):
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [TSC, "--outDir", out, "--module", "commonjs", "--target", "ES2020", "--strict",
             "--skipLibCheck", "--types", "node", SOURCE],
            check=True, cwd=REPO_ROOT, capture_output=True, text=True,
        )
        runner = os.path.join(out, "runner.js")
        with open(runner, "w") as fh:
            fh.write(RUNNER)
        done = subprocess.run(
            ["node", runner, os.path.join(out, "validate.js")],
            input=json.dumps(_encode(cases)), capture_output=True, text=True, check=True,
        )
        return json.loads(done.stdout)


def test_python_and_typescript_validators_agree():
    cases = [payload for payload, _ in RULE_CASES] + _extra_cases()
    expected = _node_results(cases)
    assert len(expected) == len(cases)
    mismatches = []
    for index, (payload, ts_problems) in enumerate(zip(cases, expected)):
        py_problems = validate_payload(payload)
        if py_problems != ts_problems:
            mismatches.append((index, py_problems, ts_problems))
    assert not mismatches, json.dumps(mismatches[:5], ensure_ascii=False, indent=1)
