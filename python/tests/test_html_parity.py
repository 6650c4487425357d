"""The Python HTML export (to_html) and the TypeScript one (char-attention render) agree on what they show.

Both are parsed into a normalized structure per table cell: the text a reader
sees (after unescaping; whitespace glyphs included), whether the cell has no
value, whether the model did not see it, and, for a coloured cell, its
background colour. What is compared, and what is known to differ (class
names, colour quantisation, sample numbering, number formatting), is listed
in docs/html-exports.md.
"""

import html
import json
import re
import subprocess

import pytest

from conftest import REPO_ROOT, cli_command
from jupyterlab_char_attention import to_html

PAYLOADS = [
    {
        "version": 1,
        "title": "<script>alert(1)</script> & \"quotes\"",
        "samples": [
            {"text": "a<b> &\"'", "attention": [0.1, 0.5, None, 0.9, 0.2, 0, 1, 0.3],
             "mask": [True, True, True, True, False, True, True, True], "prediction": 0.75, "label": "<pos>"},
            {"text": "</td></table>", "attention": [0.05 * i for i in range(13)]},
        ],
    },
    {
        "version": 1,
        "options": {"colormap": "RdBu"},
        "meta": {"method": "occlusion", "window": 2},
        "samples": [{"text": "bad ☃ dog", "attention": [-0.3, 0.1, 0.25, 0.0, None, 0.02, -0.01, 0.3, -0.2],
                     "mask": [True, True, True, True, False, True, True, True, True]}],
    },
    {
        "version": 1,
        "options": {"colormap": "viridis", "charsPerRow": 4},
        "text": "e\u0301😀\tx\ny İ",
        "attention": [0.9, 0.1, 0.4, 0.3, 0.6, 0.2, 0.8, 0.5, 0.7],
    },
]

# Colours of one value differ by the quantisation of the scale (32 steps in
# Python, the exact colour-map entry in TypeScript): at most half a step.
MAX_CHANNEL_DIFFERENCE = 24


def _rgb(color):
    color = color.strip().lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def _cells(markup, rules_pattern, class_pattern, missing_class, masked_class):
    """[(text, missing, masked, background or None)] for every <td> in document order."""
    rules = {m.group(1): m.group(2) for m in re.finditer(rules_pattern, markup)}
    body = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    cells = []
    for match in re.finditer(r"<td([^>]*)>(.*?)(?=<td|</tr|<tr|</tbody|</table|$)", body, flags=re.S):
        attrs, inner = match.group(1), match.group(2)
        classes = (re.search(r'class=(?:"([^"]*)"|([^\s>]+))', attrs) or [None, "", ""])
        names = (classes[1] or classes[2] or "").split() if classes else []
        text = html.unescape(re.sub(r"<[^>]+>", "", inner))
        background = None
        for name in names:
            if re.fullmatch(class_pattern, name) and name in rules:
                background = rules[name]
        cells.append((text, missing_class in names, masked_class in names, background))
    return cells


def _python_cells(payload):
    markup = to_html(payload, standalone=False)
    return _cells(markup, r"td\.(cas-b\d+) \{background:(#[0-9a-f]{6})", r"cas-b\d+", "cas-missing", "cas-masked")


def _typescript_cells(payload, tmp_path):
    source = tmp_path / "payload.json"
    source.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(cli_command() + ["render", str(source), "--fragment"], cwd=REPO_ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return _cells(done.stdout, r"\.[a-z0-9]+ \.([a-z][a-z0-9]*)\{background:(#[0-9a-f]{6})", r"[a-z][a-z0-9]*",
                  "N", "M")


def _tokens(payload):
    samples = payload.get("samples") or [payload]
    return [ch for sample in samples for ch in sample["text"]]


@pytest.mark.parametrize("index", range(len(PAYLOADS)))
def test_same_cells_same_escaping_same_colours(index, tmp_path):
    payload = PAYLOADS[index]
    python_cells = _python_cells(payload)
    typescript_cells = _typescript_cells(payload, tmp_path)
    tokens = _tokens(payload)
    assert len(python_cells) == len(typescript_cells) == len(tokens)
    glyphs = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}
    coloured = 0
    for position, (py, ts, token) in enumerate(zip(python_cells, typescript_cells, tokens)):
        where = f"payload {index}, cell {position} ({token!r})"
        # The character itself (escaped in the markup, the same once unescaped), or the same whitespace glyph.
        # The TypeScript export puts a combining mark on a dotted circle (U+25CC); compared without it.
        assert py[0].replace("\u25cc", "") == ts[0].replace("\u25cc", "") == glyphs.get(token, token), where
        assert py[2] == ts[2], f"{where}: not seen by the model"
        # An unseen cell is drawn as unseen by TypeScript whether or not it has a value.
        if not py[2]:
            assert py[1] == ts[1], f"{where}: missing value"
        if not py[1] and not py[2]:
            assert py[3] is not None and ts[3] is not None, where
            difference = max(abs(a - b) for a, b in zip(_rgb(py[3]), _rgb(ts[3])))
            assert difference <= MAX_CHANNEL_DIFFERENCE, f"{where}: {py[3]} vs {ts[3]}"
            coloured += 1
    assert coloured >= 6


def test_hostile_text_is_never_markup(tmp_path):
    payload = PAYLOADS[0]
    python_markup = to_html(payload, standalone=False)
    source = tmp_path / "payload.json"
    source.write_text(json.dumps(payload), encoding="utf-8")
    done = subprocess.run(cli_command() + ["render", str(source), "--fragment"], cwd=REPO_ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    for markup in (python_markup, done.stdout):
        assert "<script>" not in markup
        assert "</td></table>" not in markup
        assert "&lt;script&gt;" in markup
