"""examples/attention.ipynb executes top to bottom, and its HTML export shows the static table."""

import html
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

EXAMPLES = os.path.join(REPO_ROOT, "examples")
NOTEBOOK = os.path.join(EXAMPLES, "attention.ipynb")
TOKENIZER = os.path.join(EXAMPLES, "models", "demo", "tokenizer.json")
MIME = "application/x-char-attention+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    if not os.path.exists(TOKENIZER):
        pytest.fail("examples/models/demo/tokenizer.json (the demo model's tokenizer) is missing")
    out_dir = tmp_path_factory.mktemp("notebook")
    out = out_dir / "attention.ipynb"
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", NOTEBOOK,
         "--output", str(out), "--ExecutePreprocessor.timeout=120"],
        cwd=EXAMPLES, check=True, capture_output=True, text=True,
    )
    return out


@pytest.mark.slow
def test_notebook_executes_and_displays_payloads(executed):
    with open(executed, encoding="utf-8") as fh:
        nb = json.load(fh)
    outputs = [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    rich = [o for o in outputs if MIME in o.get("data", {})]
    # One text, three more, and the batch table.
    assert len(rich) >= 5
    for output in rich:
        assert "text/html" in output["data"] and "text/plain" in output["data"]


@pytest.mark.slow
def test_html_export_shows_the_static_table(executed, tmp_path):
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", str(executed), "--output-dir", str(tmp_path)],
        check=True, capture_output=True, text=True,
    )
    page = (tmp_path / "attention.html").read_text(encoding="utf-8")
    assert page.count('<table class="cas-table">') >= 5
    assert "char-attention-static" in page
    with open(os.path.join(EXAMPLES, "demo-attention.json"), encoding="utf-8") as fh:
        first_text = json.load(fh)["samples"][0]["text"]
    # Every character of the first text is in a table cell.
    for ch in set(first_text) - {" "}:
        assert f">{html.escape(ch, quote=True)}</td>" in page, ch
