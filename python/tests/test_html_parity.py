"""The Python HTML export (to_html) and the TypeScript one (char-attention render) agree on what they show.

Both are parsed into a normalized structure per table cell: the text a reader
sees (after unescaping; whitespace glyphs included), whether the cell has no
value, whether the model did not see it, and, for a coloured cell, its
background colour; per sample, the header (every field, isolated in <bdi>),
its tooltip and notes, and the legend; and the formatting of numbers. What is
compared, and what is known to differ (class names, colour quantisation), is
listed in docs/html-exports.md.
"""

import html
import html.parser
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
        "text": "signed",
        "attention": [0.988, -0.5, 0, 0.2, -0.1, 0.4],
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


class _Shown(html.parser.HTMLParser):
    """Per sample: header fields (<bdi> texts), header tooltip, notes, legend texts."""

    def __init__(self, classes):
        super().__init__(convert_charrefs=True)
        self.classes = classes  # {"sample": ..., "header": ..., "note": ..., "legend": ...}
        self.samples = []
        self.stack = []
        self.text = None

    def _kind(self, attrs):
        names = (dict(attrs).get("class") or "").split()
        for kind, name in self.classes.items():
            if name in names:
                return kind
        return None

    def handle_starttag(self, tag, attrs):
        kind = self._kind(attrs)
        if kind == "sample":
            self.samples.append({"header": [], "tooltip": None, "notes": [], "legend": []})
        elif kind == "header" and self.samples:
            self.samples[-1]["tooltip"] = dict(attrs).get("title")
        if tag in ("br", "meta", "i") and kind is None:
            return
        self.stack.append((tag, kind))
        if tag in ("bdi", "span") or kind == "note":
            self.text = []

    def handle_endtag(self, tag):
        while any(open_tag == tag for open_tag, _ in self.stack):
            if self.stack.pop()[0] == tag:
                break
        kinds = [kind for _, kind in self.stack]
        if not self.samples or self.text is None:
            return
        text = "".join(self.text)
        if tag == "bdi" and "header" in kinds:
            self.samples[-1]["header"].append(text)
        elif tag == "bdi" and "note" in kinds:
            self.samples[-1]["notes"].append(text)
        elif tag == "span" and "legend" in kinds and text:
            self.samples[-1]["legend"].append(text)
        if tag in ("bdi", "span"):
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def _shown(markup, classes):
    parser = _Shown(classes)
    parser.feed(re.sub(r"<style>.*?</style>", "", markup, flags=re.S))
    return parser.samples


HEADER_PAYLOADS = [
    {
        "version": 1,
        "title": "\u202ebatch",
        "meta": {"method": "integrated-gradients", "rule": "riemann-midpoint", "inferences": ["layer \u202e found"]},
        "samples": [
            {"text": "ab", "attention": [0.1, -0.2], "prediction": 0.9878539443016052, "label": "\u202eevitagen",
             "meta": {"steps": 64, "gap": 0.004058, "gapRelative": 0.004218790337651, "converged": True,
                      "fInput": 0.9999789595963943, "target": 0, "notice": "cut \u2066here\u2069"}},
            {"text": "cd", "attention": [None, None], "prediction": [0.1, 0.2, 0.3, 0.4, 0.5], "title": "plain"},
            {"text": "ef", "series": [{"name": "\u202ehead", "values": [0.5, 1e-7]}], "method": "occlusion (w 3)",
             "meta": {"completenessGapRelative": 0.2891661766545141, "converged": False, "window": 3}},
        ],
    },
    {"version": 1, "text": "x", "attention": [1.7e308], "prediction": 0.99995, "options": {"precision": 2},
     "meta": {"gapRelative": 2.1307978195191732e-05, "steps": 512}},
]


@pytest.mark.parametrize("index", range(len(HEADER_PAYLOADS)))
def test_same_headers_tooltips_notes_and_legends(index):
    payload = HEADER_PAYLOADS[index]
    python_samples = _shown(to_html(payload, standalone=False),
                            {"sample": "cas-sample", "header": "cas-header", "note": "cas-note", "legend": "cas-legend"})
    done = subprocess.run(cli_command() + ["render", "-", "--fragment"], cwd=REPO_ROOT,
                          input=json.dumps(payload, ensure_ascii=False),
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    typescript_samples = _shown(done.stdout, {"sample": "c-s", "header": "c-h", "note": "c-m", "legend": "c-l"})
    assert python_samples == typescript_samples
    assert len(python_samples) == len(payload.get("samples", [payload]))
    for sample in python_samples:
        shown = json.dumps(sample, ensure_ascii=False)
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", shown), shown


def test_the_expected_header_of_adaptive_integrated_gradients():
    samples = _shown(to_html(HEADER_PAYLOADS[0], standalone=False),
                     {"sample": "cas-sample", "header": "cas-header", "note": "cas-note", "legend": "cas-legend"})
    assert samples[0]["header"] == [
        "Sample 1", "integrated gradients", "0.988", "<U+202E>evitagen", "0.422%", "64", "0", "2 characters"
    ]
    assert samples[0]["notes"] == ["cut <U+2066>here<U+2069>"]
    # One scale for the batch: the largest |value| is 0.5 (sample 3).
    assert samples[0]["legend"] == ["RdBu", "-0.5", "0.5", "\u2212 lowers \u00b7 raises +"]
    assert "fInput: 0.9999789595963943" in samples[0]["tooltip"].split("\n")
    assert samples[1]["header"] == ["plain", "0.1, 0.2, 0.3, 0.4, \u2026 (5 values)", "2 characters"]
    assert samples[1]["notes"] == ["No per-character values: only the prediction is shown."]
    assert samples[1]["legend"] == []
    assert samples[2]["header"] == ["Sample 3", "occlusion (w 3)", "28.9%", "not converged", "3", "2 characters, 1 series"]


def test_numbers_are_formatted_alike():
    """Significant digits, plain or exponent form, never a rounded 1 or 0, ties away from zero."""
    import random

    from jupyterlab_char_attention._format import format_value

    rand = random.Random(7)
    values = [0.015625, -0.015625, 0.125, 2.5, 0.99995, 0.9999999, -0.99996, 1, -1, 0, 1e-12, 5e-324, 1.7e308,
              -1.7e308, 12345.6, 123456789, 1e21, 1.5e-7, 0.00095, 0.000949, 0.0041234, 12.5, 99.995, 64]
    values += [rand.random() * 10 ** rand.randint(-12, 12) * rand.choice((1, -1)) for _ in range(400)]
    values += [rand.randint(0, 1000) / 64 for _ in range(100)]
    cases = [(v, p) for v in values for p in (1, 2, 3, 4, 6, 17)]
    script = ("const {formatValue} = require(process.argv[1]);"
              "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(cases.map(([v, p]) => formatValue(v, p))));")
    done = subprocess.run(["node", "-e", script, f"{REPO_ROOT}/lib-node/table/format.js"], input=json.dumps(cases),
                          capture_output=True, text=True, check=True)
    expected = json.loads(done.stdout)
    assert [format_value(v, p) for v, p in cases] == expected
