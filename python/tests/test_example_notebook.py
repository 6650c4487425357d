"""examples/attention.ipynb as committed: outputs free of log noise and warnings, made by the current
helper (tables, headers, colours) with adaptive integrated gradients, and the UI names it gives (menus,
commands, settings) exactly as the extension spells them."""

import json
import os
import re

from conftest import REPO_ROOT
from jupyterlab_char_attention import MIME_TYPE, AttentionView

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


def _payload_outputs(nb):
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
            if MIME_TYPE in o.get("data", {})]


def _joined(value):
    return "".join(value) if isinstance(value, list) else value


def _drawn(html):
    """The markup without tooltips and element ids: the notebook file stores a payload's keys sorted, and
    the tooltip lists meta keys in their order (the id hashes the markup)."""
    return re.sub(r'cas-[0-9a-f]{12}', "cas-ID", re.sub(r' title="[^"]*"', "", html))


def test_outputs_are_what_the_current_helper_draws():
    """Each table's static text/html and text/plain are today's: colours, legend, headers numbered from 1."""
    outputs = _payload_outputs(_notebook())
    assert len(outputs) >= 8
    for output in outputs:
        bundle = AttentionView(output["data"][MIME_TYPE])._repr_mimebundle_()
        assert _drawn(_joined(output["data"]["text/html"])) == _drawn(bundle["text/html"])
        assert _joined(output["data"]["text/plain"]) == bundle["text/plain"]
    drawn = "".join(_joined(o["data"]["text/html"]) for o in outputs)
    assert "Sample 1" in drawn and "Sample 0" not in drawn
    # The legend of signed values, "− lowers · raises +", as escaped in the markup.
    assert "&#8722; lowers &#183; raises +" in drawn


def test_integrated_gradients_chose_their_steps():
    """The example's integrated gradients are adaptive (no fixed steps): the trapezoid rule, converged."""
    shown = [o["data"][MIME_TYPE] for o in _payload_outputs(_notebook())]
    ig = [p for p in shown if p.get("meta", {}).get("method") == "integrated-gradients"]
    assert len(ig) == 1
    assert "steps" not in ig[0]["meta"] and ig[0]["meta"]["rule"] == "trapezoid"
    sample = ig[0]["samples"][0]["meta"]
    assert sample["converged"] is True and sample["gapRelative"] <= 0.01
    printed = json.dumps([o for c in _notebook()["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
                          if o["output_type"] == "stream"])
    assert f"{sample['steps']} intervals chosen automatically (trapezoid rule)" in printed
    assert "256 steps" not in printed
