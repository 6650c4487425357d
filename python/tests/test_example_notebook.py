"""examples/attention.ipynb as committed: outputs free of log noise and warnings, and the UI names it
gives (menus, commands, settings) exactly as the extension spells them."""

import json
import os
import re

from conftest import REPO_ROOT

NOTEBOOK = os.path.join(REPO_ROOT, "examples", "attention.ipynb")
COMMANDS = os.path.join(REPO_ROOT, "src", "lab", "commands.ts")
SCHEMA = os.path.join(REPO_ROOT, "schema", "lab.json")


def _notebook():
    with open(NOTEBOOK, encoding="utf-8") as fh:
        return json.load(fh)


def _markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _ui_names():
    """Command labels (every translated string of commands.ts) and the settings titles."""
    with open(COMMANDS, encoding="utf-8") as fh:
        labels = set(re.findall(r"trans\.__\(\s*'([^']+)'", fh.read()))
    with open(SCHEMA, encoding="utf-8") as fh:
        schema = json.load(fh)
    titles = {schema["title"]} | {p["title"] for p in schema["properties"].values()}
    return labels | titles


def test_outputs_have_no_log_noise_or_warnings():
    nb = _notebook()
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert outputs, "the example is committed with its outputs"
    assert [o for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr"] == []
    assert [o for o in outputs if o["output_type"] == "error"] == []
    text = json.dumps(outputs)
    for noise in ("Warning", "absl", "I0000", "oneDNN", "retracing", "tf.function"):
        assert noise not in text, noise


def test_ui_names_are_spelled_as_in_the_extension():
    markdown = _markdown(_notebook())
    ui = _ui_names()
    named = [
        "Visualize Attention",
        "Visualize Attention…",
        "Open Attention in Viewer",
        "Export Attention as HTML…",
        "Copy Attention as HTML",
        "Copy Attention Values as TSV",
        "Character Attention: model runner",
        "Default model",
    ]
    for name in named:
        assert name in ui, f"{name!r} is not a label of the extension"
        assert name in markdown, f"{name!r} is not in the notebook"
    for wrong in ('"Visualize attention"', "*Export as HTML*", "*Copy as TSV*", "*Settings → Character\n  Attention*"):
        assert wrong not in markdown, wrong


def test_colours_are_described_as_drawn():
    markdown = _markdown(_notebook())
    assert "red where a character raises the\nexplained output, blue where it lowers it" in markdown
    assert "− lowers · raises +" in markdown
