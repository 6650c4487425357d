"""R16: the total number of values in a payload is capped, the same in Python and TypeScript."""

from jupyterlab_char_attention import validate_payload
from jupyterlab_char_attention.payload import LIMITS
import json
import os
import subprocess
import tempfile

from conftest import REPO_ROOT
from test_validator_parity import RUNNER, SOURCE, TSC

N = 200_000


def _wide(series_count):
    values = [0] * N
    return {
        "version": 1,
        "text": "a" * N,
        "series": [{"name": f"s{i}", "values": values} for i in range(series_count)],
    }


def test_the_value_cap_is_reported_once_where_it_is_crossed():
    assert LIMITS["MAX_VALUES"] == 1_000_000
    assert LIMITS["MAX_TOKENS"] == 1_000_000
    problems = validate_payload(_wide(30))
    assert problems == [
        {
            "path": "series[5].values",
            "message": "series[5].values brings the payload to 1200000 values (at most 1000000 in total)",
        }
    ]


def test_the_value_cap_counts_across_samples_and_stops_item_checks():
    sample = {"text": "ab", "attention": ["x", "y"]}
    big = {"text": "a" * N, "attention": [0] * N}
    payload = {"version": 1, "samples": [big] * 5 + [sample]}
    assert validate_payload(payload) == [
        {
            "path": "samples[5]",
            "message": "samples[5] brings the payload to 1000002 tokens (at most 1000000 in total)",
        },
        {
            "path": "samples[5].attention",
            "message": "samples[5].attention brings the payload to 1000002 values (at most 1000000 in total)",
        }
    ]


def _typescript_problems(cases):
    """The TypeScript validator's problems (cases hold no NaN: plain JSON)."""
    assert os.path.exists(TSC), "node_modules/.bin/tsc is missing: run npm install"
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
            input=json.dumps(cases), capture_output=True, text=True, check=True,
        )
        return json.loads(done.stdout)


def test_python_and_typescript_agree_on_the_value_cap():
    cases = [
        _wide(6),
        {"version": 1, "samples": [{"text": "a" * N, "attention": [0] * N}] * 5 + [{"text": "a", "attention": ["x"]}]},
    ]
    assert _typescript_problems(cases) == [validate_payload(c) for c in cases]
