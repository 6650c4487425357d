"""The notebook display: MIME bundle, static HTML fallback (escaping, parsing), summary."""

import html
import html.parser
import json
import re

import pytest

from jupyterlab_char_attention import (
    MIME_TYPE,
    AttentionView,
    attention_payload,
    batch_payload,
    display_attention,
    to_html,
)
from jupyterlab_char_attention._format import glyph
from jupyterlab_char_attention.display import load_colormaps, text_color_for

HOSTILE = [
    "<script>alert(1)</script>",
    "</table><b>broken</b>",
    '" onmouseover="alert(2)',
    "&amp; &lt; &#x41;",
    "' onclick='x'",
]


class CellCollector(html.parser.HTMLParser):
    """Collects the text of each <td>, the tags seen, and attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells = []
        self.tags = []
        self.attrs = []
        self.stack = []
        self._cell = None
        self.titles = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "td":
            self._cell = []
            self.titles.append(dict(attrs).get("title"))
        if tag not in ("meta", "br", "img", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> (open: {self.stack[-3:]})"
        self.stack.pop()
        if tag == "td":
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(markup):
    parser = CellCollector()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed tags: {parser.stack}"
    return parser


def visible(ch):
    return glyph(ch)[0]


def test_mime_bundle_has_three_representations():
    view = AttentionView("hello", [0.1, 0.2, 0.4, 0.2, 0.1], prediction=0.93)
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {MIME_TYPE, "text/html", "text/plain"}
    assert bundle[MIME_TYPE] == {"version": 1, "text": "hello", "attention": [0.1, 0.2, 0.4, 0.2, 0.1], "prediction": 0.93}
    json.dumps(bundle[MIME_TYPE])
    assert "<table" in bundle["text/html"]
    assert "<!DOCTYPE" not in bundle["text/html"]  # a fragment inside the notebook
    assert "prediction 0.93," in bundle["text/plain"]
    assert 'peak "l" at 2' in bundle["text/plain"]
    assert set(view._repr_mimebundle_(include=[MIME_TYPE])) == {MIME_TYPE}
    assert set(view._repr_mimebundle_(exclude=["text/html"])) == {MIME_TYPE, "text/plain"}


@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_is_escaped_everywhere(text):
    attention = [1.0 / len(text)] * len(text)
    payload = attention_payload(text, attention, title=text, label=text, meta={"note": text})
    batch = batch_payload([payload], title=text)
    for markup in (to_html(payload), to_html(batch, standalone=False), to_html(payload, inline_styles=True)):
        parsed = parse(markup)
        # No element or attribute came from the user's text.
        assert "script" not in parsed.tags and "b" != text and "onmouseover" not in dict(parsed.attrs)
        assert not any(name.startswith("on") for name, _ in parsed.attrs)
        assert [c for c in parsed.cells] == [visible(ch) for ch in text]
        assert markup.count("<table") == markup.count("</table>") == 1
    if "&amp;" in text:
        assert "&amp;amp;" in to_html(payload)  # '&amp;' in the title is shown literally


def test_static_table_parses_and_contains_every_character():
    texts = ["Hello, world! 😀", "tab\tnew\nline  spaces", "İstanbul ΟΔΟΣ e\u0301", "x" * 120]
    samples = [attention_payload(t, [i / max(1, len(t)) for i in range(len(t))]) for t in texts]
    markup = to_html(batch_payload(samples, options={"charsPerRow": 40}), standalone=True)
    parsed = parse(markup)
    expected = [visible(ch) for t in texts for ch in t]
    assert parsed.cells == expected
    # Long texts wrap at charsPerRow: 120 characters are 3 rows.
    assert markup.count("<tr><th>80</th>") == 1
    # Tooltips give value, position and code point.
    assert "0, position 0, U+0048" in parsed.titles
    assert any("U+1F600" in t for t in parsed.titles)


def test_colours_come_from_the_colormap_with_contrasting_text():
    maps = load_colormaps()
    markup = to_html({"version": 1, "text": "ab", "attention": [0.0, 1.0], "options": {"colormap": "viridis"}},
                     standalone=False)
    lowest, highest = maps["viridis"][0], maps["viridis"][-1]
    assert text_color_for(lowest) == "#ffffff"  # dark purple: white text
    assert text_color_for(highest) == "#000000"  # yellow: black text
    # The cells use colours of the map, not invented ones.
    used = [part.split(";")[0] for part in markup.split("background:")[1:] if part.startswith("#")]
    assert used and all(color in maps["viridis"] for color in used)
    inline = to_html({"version": 1, "text": "ab", "attention": [0.0, 1.0]}, standalone=False, inline_styles=True)
    assert 'style="background:#' in inline and "<style>" not in inline


def test_bucket_classes_are_defined_once():
    text = "a" * 500
    markup = to_html(attention_payload(text, [0.5] * 500), standalone=False)
    bucket_class = [c for c in markup.split('<td class="')[1:]][0].split('"')[0]
    assert bucket_class.startswith("cas-b")
    assert markup.count(f"td.{bucket_class} {{") == 1
    # Compact: far below a pandas Styler's ~190 bytes per character.
    assert len(markup) / len(text) < 100


def test_masked_and_missing_cells():
    markup = to_html({"version": 1, "text": "abc", "attention": [0.5, None, 0.1], "mask": [True, False, True]},
                     standalone=False)
    assert "cas-missing cas-masked" in markup
    assert "not seen by the model" in markup
    inline = to_html({"version": 1, "text": "abc", "attention": [0.5, 0.2, 0.1], "mask": [True, False, True]},
                     standalone=False, inline_styles=True)
    assert parse(inline).cells == ["a", "b", "c"]
    assert inline.count(";opacity:0.45\"") == 1


def test_series_rows_are_named():
    payload = attention_payload("ab", series=[("head 1", [0.1, 0.9]), ("head <2>", [0.5, 0.5])])
    markup = to_html(payload, standalone=False)
    assert "<th><bdi>head 1</bdi></th>" in markup and "<th><bdi>head &lt;2&gt;</bdi></th>" in markup
    assert parse(markup).cells == ["a", "b", "a", "b"]


def test_invalid_payload_gives_escaped_problem_list_not_an_exception():
    markup = to_html({"version": 1, "text": "<x>", "attention": [1]})
    assert "attention has 1 values, text has 3 characters" in markup
    with pytest.raises(ValueError, match="attention has 1 values"):
        AttentionView({"version": 1, "text": "<x>", "attention": [1]})


def test_to_html_writes_a_standalone_file(tmp_path):
    target = tmp_path / "attention.html"
    markup = to_html("abc", attention=[0.2, 0.3, 0.5], path=target, title="My <model>")
    assert target.read_text(encoding="utf-8") == markup
    assert markup.startswith("<!DOCTYPE html>")
    assert "<title>My &lt;model&gt;</title>" in markup
    assert "http://" not in markup and "https://" not in markup  # works offline


def test_output_is_deterministic():
    payload = attention_payload("abc", [0.2, 0.3, 0.5])
    assert to_html(payload) == to_html(payload)


def test_display_attention_publishes_the_bundle(monkeypatch):
    import IPython.display as display_module
    shown = []
    monkeypatch.setattr(display_module, "display", lambda obj: shown.append(obj))
    assert display_attention("hi", [0.4, 0.6], prediction=[0.2, 0.8]) is None
    assert len(shown) == 1 and isinstance(shown[0], AttentionView)
    assert shown[0].payload["prediction"] == [0.2, 0.8]
    display_attention([attention_payload("a", [1.0]), attention_payload("b", [0.5])], title="two")
    assert shown[1].payload["title"] == "two" and len(shown[1].payload["samples"]) == 2


def test_display_attention_in_a_real_ipython_shell():
    import IPython.core.interactiveshell as core
    shell = core.InteractiveShell.instance()
    formatted, _ = shell.display_formatter.format(AttentionView("ab", [0.5, 0.5]))
    assert MIME_TYPE in formatted and "text/html" in formatted


def test_a_sample_taken_from_a_batch_displays_on_its_own():
    batch = batch_payload([attention_payload("ab", [0.5, 0.5], prediction=0.1), attention_payload("c", [1.0])])
    view = AttentionView(batch["samples"][0])
    assert view.payload == {"version": 1, "text": "ab", "attention": [0.5, 0.5], "prediction": 0.1}


def test_several_texts_from_parallel_lists():
    import numpy as np
    texts = ["good", "bad!"]
    attention = np.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]])
    view = AttentionView(texts, attention, predictions=np.array([[0.9], [0.2]]), labels=["pos", "neg"],
                         title="Reviews", options={"colormap": "Blues"})
    assert view.payload == {
        "version": 1,
        "samples": [
            {"text": "good", "attention": [0.1, 0.2, 0.3, 0.4], "prediction": 0.9, "label": "pos"},
            {"text": "bad!", "attention": [0.25, 0.25, 0.25, 0.25], "prediction": 0.2, "label": "neg"},
        ],
        "options": {"colormap": "Blues"},
        "title": "Reviews",
    }
    # A list of tokens with one value each is still a single sample.
    single = AttentionView(["go", "od"], [0.5, 0.5])
    assert single.payload["tokens"] == ["go", "od"]
    with pytest.raises(ValueError, match=r"(?s)texts\[1\]: .*attention has 3 values, text has 4 characters"):
        AttentionView(texts, [[0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3]])
    with pytest.raises(ValueError, match="labels has 1 entries, there are 2 texts"):
        AttentionView(texts, attention, labels=["x"])
    with pytest.raises(ValueError, match="unexpected keyword"):
        AttentionView(texts, attention, prediction=[1, 2])


def _rgb(color):
    return tuple(int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))


def _inline_colours(markup):
    import re

    return re.findall(r'<td style="background:(#[0-9a-f]{6})', markup)


def test_signed_values_are_red_when_they_raise_the_output_and_blue_when_they_lower_it():
    markup = to_html({"version": 1, "text": "abc", "attention": [0.988, -0.5, 0.0]}, standalone=False,
                     inline_styles=True)
    raises, lowers, zero = (_rgb(c) for c in _inline_colours(markup))
    assert raises[0] > raises[2] + 50
    assert lowers[2] > lowers[0] + 50
    assert min(zero) > 230
    # The legend says so, in the extension's words.
    assert "RdBu" in markup and "&#8722; lowers &#183; raises +" in markup
    assert "blue (&#8722;) lowers the explained output, red (+) raises it" in markup
    unsigned = to_html({"version": 1, "text": "ab", "attention": [0.2, 0.1]}, standalone=False)
    assert "lowers" not in unsigned and "Reds" in unsigned


@pytest.mark.parametrize("options", [{}, {"colormap": "RdBu"}, {"normalize": "minmax"}, {"normalize": "max"}])
def test_min_zero_and_max_get_three_colours_at_the_ends_of_the_double_range(options):
    markup = to_html({"version": 1, "text": "abc", "attention": [-1e308, 0.0, 1e308], "options": options},
                     standalone=False, inline_styles=True)
    assert len(set(_inline_colours(markup))) == 3


def test_the_header_is_readable_and_samples_are_numbered_from_1():
    meta = {"method": "integrated-gradients", "steps": 64, "gapRelative": 0.004218790337651, "converged": True,
            "fInput": 0.9878539443016052, "target": 0, "rule": "riemann-midpoint"}
    batch = batch_payload([attention_payload("ab", [0.1, 0.2], prediction=0.9878539443016052, meta=meta),
                           attention_payload("cd", [0.3, 0.4])])
    markup = to_html(batch, standalone=False)
    text = html.unescape(markup)
    assert "Sample 1" in text and "Sample 2" in text and "Sample 0" not in text
    header = re.search(r'<div class="cas-header" title="([^"]*)">(.*?)</div>', markup)
    shown = re.sub(r"<[^>]+>", "", header.group(2))
    assert html.unescape(shown) == (
        "Sample 1integrated gradientsprediction 0.988completeness gap 0.422%steps 64target 02 characters"
    )
    tooltip = html.unescape(header.group(1)).split("\n")
    assert "fInput: 0.9878539443016052" in tooltip and "rule: riemann-midpoint" in tooltip
    assert "fInput" not in shown and "\u2026" not in shown
    assert "  1. \"ab\"" in AttentionView(batch)._plain_text()


def test_bidirectional_controls_never_reverse_the_header():
    rlo = "\u202e"
    payload = attention_payload("ab", [0.1, 0.2], title=f"{rlo}evitagen", label=f"{rlo}evitagen",
                                meta={"notice": f"{rlo}cut", "x": f"\u2066y\u2069"})
    for markup in (to_html(payload), to_html(batch_payload([payload], title=f"{rlo}batch"), standalone=False)):
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", html.unescape(markup))
        assert "<bdi>&lt;U+202E&gt;evitagen</bdi>" in markup
        assert "<bdi>&lt;U+202E&gt;cut</bdi>" in markup
        assert "x: &lt;U+2066&gt;y&lt;U+2069&gt;" in markup
    assert "<title>&lt;U+202E&gt;evitagen</title>" in to_html(payload)


def test_a_sample_without_values_is_plain_text_with_its_prediction():
    markup = to_html(batch_payload([attention_payload("ab", [None, None], prediction=0.25),
                                    attention_payload("cd", [0.5, 1.0])]), standalone=False)
    first = markup.split('<div class="cas-sample">')[1]
    assert "No per-character values: only the prediction is shown." in first
    assert "cas-legend" not in first and "cas-missing" not in first
    assert "prediction <b><bdi>0.25</bdi></b>" in first
    assert parse(markup).cells == ["a", "b", "c", "d"]


def test_the_markup_is_ascii_whatever_the_text():
    markup = to_html(attention_payload("漢字 😀 é", [0.1] * 6), standalone=True)
    assert markup.isascii()
    assert parse(markup).cells == [visible(ch) for ch in "漢字 😀 é"]
