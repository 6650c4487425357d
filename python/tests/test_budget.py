"""The payload budget in Python: ``to_html`` of the largest payloads the validator accepts
takes less than 5 s of CPU and 500 MB, measured in a child process.

The payloads are those of the TypeScript budget test (``test/render/largest-payloads.js``,
run with Node): one text of a million characters of every script, a batch of 10,000
samples, five series. The child loads the JSON, then ``to_html`` validates it and writes a
standalone document to a file; the child reports the CPU time of ``to_html`` and its own
peak memory (the loaded payload included).
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_ROOT
from jupyterlab_char_attention.payload import LIMITS

MAX_CPU_SECONDS = 5
MAX_RSS_MB = 500
GENERATOR = os.path.join(REPO_ROOT, "test", "render", "largest-payloads.js")
WORK = os.path.join(REPO_ROOT, "artifacts", "budget-python")

# CPU time of to_html (validation, export and writing the file), peak memory of the whole child.
CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from jupyterlab_char_attention import to_html
with open(sys.argv[1], encoding="utf-8") as fh:
    payload = json.load(fh)
start = time.process_time()
document = to_html(payload, sys.argv[2])
cpu = time.process_time() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
# Peak memory of this program: VmHWM starts again at exec, ru_maxrss keeps
# the size of the (forked) test process on Linux.
peak_kb = usage.ru_maxrss
try:
    with open("/proc/self/status") as fh:
        peak_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
except OSError:
    pass
print(json.dumps({"cpu": cpu, "process_cpu": usage.ru_utime + usage.ru_stime, "rss_mb": peak_kb / 1024,
                  "cells": document.count("<td")}))
"""


@pytest.fixture(scope="module")
def payloads():
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the largest payloads are made by test/render/largest-payloads.js")
    shutil.rmtree(WORK, ignore_errors=True)
    done = subprocess.run(["node", GENERATOR, WORK], capture_output=True, text=True, check=True)
    yield json.loads(done.stdout)
    shutil.rmtree(WORK, ignore_errors=True)


def test_the_generator_makes_payloads_at_the_caps():
    with open(GENERATOR, encoding="utf-8") as fh:
        source = fh.read()
    assert f"const MAX_VALUES = {LIMITS['MAX_VALUES']};" in source
    assert LIMITS["MAX_TOKENS"] == LIMITS["MAX_VALUES"]
    assert f"const MAX_SAMPLES = {LIMITS['MAX_SAMPLES']};" in source


@pytest.mark.parametrize("name", ["one-text", "batch", "series"])
def test_to_html_of_the_largest_payloads_stays_within_budget(payloads, name):
    out = os.path.join(WORK, f"{name}.html")
    done = subprocess.run([sys.executable, "-c", CHILD, payloads[name], out, REPO_ROOT],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    figures = (f"to_html {measured['cpu']:.2f} s CPU (the child with loading the JSON "
               f"{measured['process_cpu']:.2f} s), {measured['rss_mb']:.0f} MB peak RSS")
    assert measured["cpu"] < MAX_CPU_SECONDS, figures
    assert measured["rss_mb"] < MAX_RSS_MB, figures
    assert measured["cells"] == LIMITS["MAX_VALUES"], figures
    with open(out, encoding="utf-8") as fh:
        assert fh.read(64).startswith("<!DOCTYPE html>")
    print(f"{name}: {figures}")
