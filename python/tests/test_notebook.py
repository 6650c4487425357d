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
    # The kernel is this interpreter (the venv's, with TensorFlow): its own kernel spec, found first.
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(out_dir), "--name",
                    "char-attention-test"], check=True, capture_output=True, text=True)
    env = dict(os.environ, JUPYTER_PATH=str(out_dir / "share" / "jupyter"), TF_CPP_MIN_LOG_LEVEL="2")
    out = out_dir / "attention.ipynb"
    done = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", NOTEBOOK,
         "--output", str(out), "--ExecutePreprocessor.timeout=300",
         "--ExecutePreprocessor.kernel_name=char-attention-test"],
        cwd=EXAMPLES, capture_output=True, text=True, env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _code_cells(path):
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code"]


@pytest.mark.slow
def test_from_keras_and_explain_cells_ran_with_tensorflow(executed):
    """The kernel has TensorFlow: the demo model ran in Keras and the explanation cell showed tables."""
    cells = _code_cells(executed)
    keras_cell = next(c for c in cells if "payload_from_keras = from_keras(" in "".join(c["source"]))
    text = "".join("".join(o.get("text", "")) for o in keras_cell["outputs"] if o["output_type"] == "stream")
    assert "TensorFlow is not installed" not in text
    rich = [o for o in keras_cell["outputs"] if MIME in o.get("data", {})]
    assert len(rich) == 1
    payload = rich[0]["data"][MIME]
    assert payload["meta"]["attentionLayer"] == "attention_vec"
    assert payload["samples"][0]["prediction"] > 0.9
    explain_cell = next(c for c in cells if 'method="occlusion"' in "".join(c["source"]))
    shown = [o["data"][MIME] for o in explain_cell["outputs"] if MIME in o.get("data", {})]
    assert [p["meta"]["method"] for p in shown] == ["occlusion", "integrated-gradients"]
    # Adaptive steps (the default): the trapezoid rule, doubled until complete within 1%.
    assert shown[1]["meta"]["rule"] == "trapezoid"
    assert shown[1]["samples"][0]["meta"]["converged"] is True
    assert shown[1]["samples"][0]["meta"]["gapRelative"] <= 0.01


@pytest.mark.slow
def test_notebook_executes_and_displays_payloads(executed):
    with open(executed, encoding="utf-8") as fh:
        nb = json.load(fh)
    outputs = [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    rich = [o for o in outputs if MIME in o.get("data", {})]
    # From Keras, two explanations, one text, three more, and the batch tables.
    assert len(rich) >= 8
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
