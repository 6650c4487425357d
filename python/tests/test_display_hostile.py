"""Extreme but valid values, lone surrogates, atomic files and safe export names."""

import html
import os
import re

import pytest

from jupyterlab_char_attention import display as display_module
from jupyterlab_char_attention._colors import colormap
from jupyterlab_char_attention import validate_payload
from jupyterlab_char_attention.display import (
    EXPORT_STEM_MAX_BYTES,
    export_file_name,
    export_stem,
    load_colormaps,
    to_html,
)


def _cell_classes(document):
    return re.findall(r'<td class="([^"]*)"', document)


@pytest.mark.parametrize("options", [{"colormap": "RdBu"}, {"normalize": "minmax"}, {"vmin": -1e308}])
def test_extreme_values_render_at_both_ends_of_the_scale(options):
    payload = {"version": 1, "text": "ab", "attention": [1e308, -1e308], "options": options}
    assert validate_payload(payload) == []
    document = to_html(payload, inline_styles=True)
    # Signed values: RdBu (named or chosen automatically), drawn red for the largest.
    stops = colormap("RdBu")
    assert stops == load_colormaps()["RdBu"][::-1]
    # The largest value takes the last colour step, the smallest the first.
    colours = re.findall(r'<td style="background:(#[0-9a-fA-F]{6})', document)
    top = display_module._bucket_color(stops, display_module.BUCKETS - 1)
    bottom = display_module._bucket_color(stops, 0)
    assert colours == [top, bottom]


def test_extreme_values_in_the_legend_are_printed():
    document = to_html({"version": 1, "text": "ab", "attention": [1.7e308, -1.7e308], "options": {"colormap": "RdBu"}})
    legend = re.search(r'<div class="cas-legend">(.*?)</div>', document).group(1)
    assert display_module._fmt(1.7e308, 4) in legend
    assert display_module._fmt(-1.7e308, 4) in legend


def test_lone_surrogates_become_replacement_characters(tmp_path):
    target = tmp_path / "out.html"
    document = to_html({"version": 1, "text": "a\ud800b", "attention": [1, 2, 3]}, target)
    assert "\ud800" not in document
    # The markup is ASCII: U+FFFD is written as a character reference.
    assert "\ufffd" in html.unescape(document)
    assert "\ufffd" in html.unescape(target.read_text(encoding="utf-8"))


def test_a_failed_write_leaves_no_file_behind(tmp_path, monkeypatch):
    target = tmp_path / "out.html"

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(display_module.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        to_html({"version": 1, "text": "ab", "attention": [1, 2]}, target)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "out.html"
    target.write_text("previous", encoding="utf-8")
    real_fdopen = os.fdopen

    class Broken:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()
            return False

        def write(self, text):
            self.fh.write(text[:10])
            raise OSError("interrupted")

    monkeypatch.setattr(display_module.os, "fdopen", lambda *a, **k: Broken(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="interrupted"):
        to_html({"version": 1, "text": "ab", "attention": [1, 2]}, target)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]


def test_a_folder_gets_a_safe_export_name(tmp_path):
    to_html({"version": 1, "text": "ab", "attention": [1, 2]}, tmp_path, title="run\u202e1:2")
    assert [p.name for p in tmp_path.iterdir()] == ["run_1_2.attention.html"]


@pytest.mark.parametrize(
    "name, stem",
    [
        ("dir/run 1.ipynb", "run 1"),
        ("evil\u202etxt.exe.ipynb", "evil_txt.exe"),
        ("a\u2066b\u2069c\u200fd.ipynb", "a_b_c_d"),
        ("tab\there\x00nul\x7fdel\x9bcsi.ipynb", "tab_here_nul_del_csi"),
        ('w<i>n:d"o|w?s*.ipynb', "w_i_n_d_o_w_s_"),
        ("C:\\Users\\me\\report.ipynb", "report"),
        ("CON.ipynb", "_CON"),
        ("...", "attention"),
        ("\u202e.ipynb", "_"),
        ("trailing dots... .ipynb", "trailing dots"),
        ("lone \ud800 surrogate.ipynb", "lone \ufffd surrogate"),
    ],
)
def test_export_stems(name, stem):
    assert export_stem(name) == stem


def test_long_names_are_cut_at_a_character_boundary():
    stem = export_stem("é" * 300 + ".ipynb")
    assert len(stem.encode("utf-8")) <= EXPORT_STEM_MAX_BYTES
    assert set(stem) == {"é"}
    assert export_stem("\U0001F600" * 100) == "\U0001F600" * 30
    assert len(export_file_name("x" * 1000).encode("utf-8")) <= 255
