"""Show attention payloads in notebooks, with or without the JupyterLab extension.

:class:`AttentionView` implements IPython's ``_repr_mimebundle_`` and returns
three representations of the same payload:

``application/x-char-attention+json``
    the payload itself, drawn as an interactive heat table by the JupyterLab
    extension (keyboard navigation, tooltips, virtualised long texts, theme
    aware);
``text/html``
    a static table for every other front end (VS Code, Colab, nbviewer,
    GitHub, ``jupyter nbconvert --to html``): one cell per character, the
    colour of each value from the same colour maps as the extension, text
    colour chosen for contrast, a colour legend with min and max, and a
    tooltip with value, position and code point. All user text is
    HTML-escaped; nothing is loaded from the network and no script runs;
``text/plain``
    a one-line-per-sample summary for consoles and logs.

Front ends pick the richest type they can render, so with the extension
installed the interactive table wins and elsewhere the static table shows.
"""

import hashlib
import html
import json
import math
import os
import re
import tempfile

from .payload import (
    MIME_TYPE,
    PAYLOAD_VERSION,
    attention_payload,
    batch_payload,
    to_plain,
    validate_payload,
    _raise_if_invalid,
)

__all__ = ["AttentionView", "display_attention", "to_html"]

DEFAULT_COLORMAP = "Reds"
DEFAULT_CHARS_PER_ROW = 50
DEFAULT_PRECISION = 4
BUCKETS = 32
"""Colour steps of the static table: each used step is one CSS class."""

_WHITESPACE_GLYPHS = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5", "\r": "\u240d"}

_HERE = os.path.dirname(os.path.abspath(__file__))
_COLORMAP_FILES = (
    os.path.join(_HERE, "colormaps.json"),  # shipped in the wheel
    os.path.join(_HERE, "..", "src", "table", "colormaps.json"),  # a source checkout
)
_colormaps_cache = None


def load_colormaps():
    """Return ``{name: [\"#rrggbb\", ...]}``: the colour maps the extension uses.

    Read from the package's ``colormaps.json`` (or ``src/table/colormaps.json``
    in a source checkout). Raises ``FileNotFoundError`` naming both places
    when neither exists.
    """
    global _colormaps_cache
    if _colormaps_cache is None:
        for path in _COLORMAP_FILES:
            if os.path.exists(path):
                with open(path, encoding="utf-8") as fh:
                    _colormaps_cache = json.load(fh)
                break
        else:
            raise FileNotFoundError(
                "colormaps.json not found in " + " or ".join(os.path.normpath(p) for p in _COLORMAP_FILES)
            )
    return _colormaps_cache


# --------------------------------------------------------------------------
# Colour
# --------------------------------------------------------------------------


def _hex_to_rgb(color):
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def _luminance(color):
    """WCAG relative luminance of a #rrggbb colour."""

    def channel(c):
        c = c / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_color_for(background):
    """Black or white, whichever contrasts more with ``background`` (WCAG)."""
    lum = _luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def _colormap(name):
    maps = load_colormaps()
    return maps.get(name) or maps[DEFAULT_COLORMAP]


def _bucket_color(stops, bucket):
    """Colour of bucket ``bucket`` (0..BUCKETS-1): the map at the bucket's centre."""
    t = (bucket + 0.5) / BUCKETS
    return stops[min(len(stops) - 1, int(t * len(stops)))]


# --------------------------------------------------------------------------
# Scale (mirrors the extension's options)
# --------------------------------------------------------------------------


def _sample_rows(sample):
    """[(name or None, values)] of a sample."""
    if "series" in sample:
        return [(row.get("name"), row.get("values") or []) for row in sample["series"]]
    return [(None, sample.get("attention") or [])]


def _finite_values(sample):
    mask = sample.get("mask")
    for _, values in _sample_rows(sample):
        for i, v in enumerate(values):
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                continue
            if mask is not None and i < len(mask) and mask[i] is False:
                continue
            yield v


def _scale(samples, options):
    """Return (lo, hi) of the colour scale for a group of samples (as the extension)."""
    values = [v for s in samples for v in _finite_values(s)]
    diverging = options.get("colormap", DEFAULT_COLORMAP) == "RdBu"
    normalize = options.get("normalize", "none")
    if not values:
        lo, hi = (-1.0 if diverging else 0.0), 1.0
    else:
        vmin, vmax = min(values), max(values)
        peak = max(abs(vmin), abs(vmax))
        if normalize == "minmax":
            lo, hi = vmin, vmax
        elif normalize == "max":
            hi = peak
            lo = -peak if diverging or vmin < 0 else 0.0
        elif diverging:
            lo, hi = -peak, peak
        else:
            lo, hi = min(0.0, vmin), vmax
    if "vmin" in options:
        lo = options["vmin"]
    if "vmax" in options:
        hi = options["vmax"]
    if not hi > lo:
        if hi > 0:
            lo = 0.0
        elif lo < 0:
            hi = 0.0
        else:
            hi = lo + 1.0
        if not hi > lo:
            hi = lo + 1.0
    return float(lo), float(hi)


def _bucket(value, lo, hi):
    # Halves first: exact, and ``hi - lo`` cannot overflow for values near +-1.8e308.
    t = (value / 2 - lo / 2) / (hi / 2 - lo / 2)
    t = 0.0 if not t > 0 else 1.0 if t > 1 else t
    return min(BUCKETS - 1, int(t * BUCKETS))


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_CSS = """
#{id} {{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:12px;color:var(--jp-ui-font-color1,inherit);}}
#{id} .cas-sample {{margin:0 0 12px 0;}}
#{id} .cas-header {{display:flex;flex-wrap:wrap;gap:12px;align-items:baseline;margin:0 0 4px 0;}}
#{id} .cas-title {{font-weight:600;font-size:13px;}}
#{id} .cas-meta {{color:var(--jp-ui-font-color2,#616161);}}
#{id} .cas-legend {{display:flex;align-items:center;gap:6px;margin:0 0 4px 0;color:var(--jp-ui-font-color2,#616161);}}
#{id} .cas-bar {{display:inline-block;width:160px;height:10px;border:1px solid var(--jp-border-color2,#e0e0e0);}}
#{id} table.cas-table {{border-collapse:collapse;table-layout:fixed;margin:0 0 4px 0;}}
#{id} .cas-table th {{font-weight:normal;font-size:10px;color:var(--jp-ui-font-color2,#616161);padding:0 4px;text-align:right;background:none;border:none;}}
#{id} .cas-table thead th {{text-align:center;padding:0;font-size:9px;}}
#{id} .cas-table td {{font-family:var(--jp-code-font-family,monospace);font-size:13px;min-width:1.1em;height:1.6em;padding:0 1px;text-align:center;border:1px solid var(--jp-layout-color0,#fff);white-space:pre;}}
#{id} .cas-table td.cas-masked {{opacity:0.45;text-decoration:line-through;}}
#{id} .cas-table td.cas-missing {{background:repeating-linear-gradient(45deg,transparent,transparent 3px,rgba(128,128,128,0.25) 3px,rgba(128,128,128,0.25) 5px);}}
#{id} .cas-ws {{opacity:0.6;}}
{buckets}
"""


def _e(text):
    return html.escape(str(text), quote=True)


def _fmt(value, precision):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.{precision}f}"
    return str(value)


def _fmt_prediction(pred, precision):
    if isinstance(pred, list):
        return "[" + ", ".join(_fmt(v, precision) for v in pred) + "]"
    return _fmt(pred, precision)


def _glyph(token):
    if token in _WHITESPACE_GLYPHS:
        return f'<span class="cas-ws">{_WHITESPACE_GLYPHS[token]}</span>'
    if len(token) == 1 and (ord(token) < 32 or ord(token) == 127):
        return f'<span class="cas-ws">{_e(f"U+{ord(token):04X}")}</span>'
    return _e(token)


def _code_points(token):
    return " ".join(f"U+{ord(ch):04X}" for ch in token)


def _tokens(sample):
    if "tokens" in sample:
        return list(sample["tokens"])
    return list(sample.get("text", ""))


class _HtmlWriter:
    """Write the static table of a valid payload."""

    def __init__(self, payload, inline_styles=False):
        self.payload = payload
        self.options = dict(payload.get("options") or {})
        self.inline = inline_styles
        # Derived from the content so that re-running a cell gives the same output.
        digest = hashlib.sha1(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode("ascii"))
        self.id = "cas-" + digest.hexdigest()[:12]
        self.stops = _colormap(self.options.get("colormap", DEFAULT_COLORMAP))
        self.precision = int(self.options.get("precision", DEFAULT_PRECISION))
        self.per_row = int(self.options.get("charsPerRow", DEFAULT_CHARS_PER_ROW))
        self.used = set()

    def samples(self):
        if "samples" in self.payload:
            return list(self.payload["samples"])
        return [{k: v for k, v in self.payload.items() if k not in ("version", "options")}]

    def render(self):
        samples = self.samples()
        if self.options.get("shareScale", True):
            scale = _scale(samples, self.options)
            scales = [scale] * len(samples)
        else:
            scales = [_scale([s], self.options) for s in samples]
        body = []
        if "samples" in self.payload and isinstance(self.payload.get("title"), str):
            body.append(f'<div class="cas-title">{_e(self.payload["title"])}</div>')
        if "samples" in self.payload and isinstance(self.payload.get("meta"), dict):
            body.append(f'<div class="cas-meta">{_e(_meta_text(self.payload["meta"]))}</div>')
        for index, (sample, scale) in enumerate(zip(samples, scales)):
            body.append(self.sample(index, sample, scale))
        css = ""
        if not self.inline:
            css = "<style>" + _CSS.format(id=self.id, buckets=self.bucket_css()) + "</style>"
        return f'<div class="char-attention-static char-attention-fallback" id="{self.id}">{css}{"".join(body)}</div>'

    def bucket_css(self):
        rules = []
        for b in sorted(self.used):
            bg = _bucket_color(self.stops, b)
            rules.append(f"#{self.id} td.cas-b{b} {{background:{bg};color:{text_color_for(bg)};}}")
        return "\n".join(rules)

    def cell_style(self, bucket):
        bg = _bucket_color(self.stops, bucket)
        return f"background:{bg};color:{text_color_for(bg)}"

    def sample(self, index, sample, scale):
        lo, hi = scale
        tokens = _tokens(sample)
        mask = sample.get("mask")
        parts = ['<div class="cas-sample">']
        header = []
        title = sample.get("title")
        if title is None and "samples" in self.payload:
            title = f"Sample {index + 1}"
        if title is not None:
            header.append(f'<span class="cas-title">{_e(title)}</span>')
        if "prediction" in sample:
            header.append(f"<span>prediction: <b>{_e(_fmt_prediction(sample['prediction'], self.precision))}</b></span>")
        if "label" in sample:
            header.append(f"<span>label: <b>{_e(_fmt(sample['label'], self.precision))}</b></span>")
        if isinstance(sample.get("meta"), dict):
            header.append(f'<span class="cas-meta">{_e(_meta_text(sample["meta"]))}</span>')
        parts.append(f'<div class="cas-header">{"".join(header)}</div>')
        parts.append(self.legend(lo, hi))
        rows = _sample_rows(sample)
        width = min(self.per_row, max(1, len(tokens)))
        parts.append('<table class="cas-table"><thead><tr><th></th>')
        parts.append("".join(f"<th>{c}</th>" for c in range(width)))
        parts.append("</tr></thead><tbody>")
        if not tokens:
            parts.append('<tr><th>0</th><td class="cas-missing" title="empty text"></td></tr>')
        for start in range(0, len(tokens), self.per_row):
            for name, values in rows:
                label = str(start) if name is None else f"{name} {start}" if start else name
                cells = [f"<tr><th>{_e(label)}</th>"]
                for pos in range(start, min(start + self.per_row, len(tokens))):
                    value = values[pos] if pos < len(values) else None
                    seen = not (mask is not None and pos < len(mask) and mask[pos] is False)
                    cells.append(self.cell(tokens[pos], pos, value, seen, lo, hi))
                cells.append("</tr>")
                parts.append("".join(cells))
        parts.append("</tbody></table></div>")
        return "".join(parts)

    def cell(self, token, pos, value, seen, lo, hi):
        classes = []
        style = ""
        detail = f"position {pos}, {_code_points(token)}"
        if value is None:
            classes.append("cas-missing")
            tip = f"no value, {detail}"
        else:
            bucket = _bucket(value, lo, hi)
            self.used.add(bucket)
            if self.inline:
                style = f' style="{self.cell_style(bucket)}"'
            else:
                classes.append(f"cas-b{bucket}")
            tip = f"{_fmt(value, self.precision)}, {detail}"
        if not seen:
            classes.append("cas-masked")
            tip += ", not seen by the model"
            if self.inline:
                style = style[:-1] + ';opacity:0.45"' if style else ' style="opacity:0.45"'
        cls = f' class="{" ".join(classes)}"' if classes else ""
        return f'<td{cls}{style} title="{_e(tip)}">{_glyph(token)}</td>'

    def legend(self, lo, hi):
        steps = [self.stops[int(i * (len(self.stops) - 1) / 8)] for i in range(9)]
        gradient = ",".join(steps)
        return (
            '<div class="cas-legend">'
            f"<span>{_e(_fmt(float(lo), self.precision))}</span>"
            f'<span class="cas-bar" style="background:linear-gradient(to right,{gradient})"></span>'
            f"<span>{_e(_fmt(float(hi), self.precision))}</span>"
            "</div>"
        )


def _meta_text(meta):
    return ", ".join(f"{k}: {v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}" for k, v in meta.items())


def _error_html(problems):
    items = "".join(f"<li>{_e(p['message'])}</li>" for p in problems)
    return f'<div class="char-attention-static-error"><p>Invalid char-attention payload:</p><ul>{items}</ul></div>'


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _coerce_payload(data, attention=None, **kwargs):
    """A payload from whatever display_attention / to_html / AttentionView got."""
    if isinstance(data, AttentionView):
        return data.payload
    if isinstance(data, dict):
        if attention is not None or kwargs:
            raise ValueError("give either a payload dict or a text with attention, not both")
        data = to_plain(data)
        if "version" not in data and "samples" not in data and ("text" in data or "tokens" in data):
            data = {"version": PAYLOAD_VERSION, **data}  # one sample taken out of a batch
        return data
    if isinstance(data, (list, tuple)) and data and all(
        isinstance(item, (dict, AttentionView)) for item in data
    ):
        return batch_payload(data, **{k: v for k, v in kwargs.items() if k in ("options", "title", "meta")})
    if attention is None and "series" not in kwargs:
        raise ValueError("attention is required with a text (or pass a payload dict)")
    rows = to_plain(attention)
    if (
        isinstance(data, (list, tuple))
        and all(isinstance(text, str) for text in data)
        and isinstance(rows, list)
        and rows
        and all(isinstance(row, list) for row in rows)
        and not all(len(row) == 1 for row in rows)  # an (n, 1) column is one sample
    ):
        return _batch_from_lists(list(data), rows, **kwargs)
    return attention_payload(data, attention, **kwargs)


_PER_SAMPLE = {"predictions": "prediction", "labels": "label", "masks": "mask", "titles": "title"}


def _batch_from_lists(texts, rows, *, options=None, title=None, meta=None, **per_sample):
    """A batch from parallel lists: texts, attention rows, predictions, labels, ..."""
    unknown = set(per_sample) - set(_PER_SAMPLE)
    if unknown:
        raise ValueError(
            f"unexpected keyword(s) for several texts: {', '.join(sorted(unknown))} "
            f"(use {', '.join(_PER_SAMPLE)}, options, title, meta)"
        )
    if len(rows) != len(texts):
        raise ValueError(f"attention has {len(rows)} rows, there are {len(texts)} texts")
    columns = {}
    for plural, singular in _PER_SAMPLE.items():
        if per_sample.get(plural) is not None:
            values = to_plain(per_sample[plural])
            if not isinstance(values, list) or len(values) != len(texts):
                count = len(values) if isinstance(values, list) else 1
                raise ValueError(f"{plural} has {count} entries, there are {len(texts)} texts")
            columns[singular] = values
    samples = []
    for index, (text, row) in enumerate(zip(texts, rows)):
        fields = {name: values[index] for name, values in columns.items()}
        try:
            samples.append(attention_payload(text, row, **fields))
        except ValueError as err:
            raise ValueError(f"texts[{index}]: {err}") from None
    return batch_payload(samples, options=options, title=title, meta=meta)


class AttentionView:
    """A payload that displays itself as a character heat table.

    ``AttentionView(payload)`` takes a payload dict (from
    :func:`~jupyterlab_char_attention.attention_payload`,
    :func:`~jupyterlab_char_attention.batch_payload`,
    :func:`~jupyterlab_char_attention.align` or ``from_keras``); it is checked
    with :func:`~jupyterlab_char_attention.validate_payload` and ``ValueError``
    lists the problems. ``AttentionView(text, attention, prediction=..., ...)``
    builds the payload first (same keywords as ``attention_payload``);
    ``AttentionView(texts, rows, predictions=..., labels=...)`` builds a batch
    from parallel lists (one attention row per text).

    As the last expression of a cell it renders; ``.to_html()`` returns the
    static HTML and ``.payload`` the JSON-ready dict.
    """

    def __init__(self, data, attention=None, **kwargs):
        self.payload = _raise_if_invalid(_coerce_payload(data, attention, **kwargs))

    def __repr__(self):
        return self._plain_text()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {
            MIME_TYPE: self.payload,
            "text/html": self.to_html(standalone=False),
            "text/plain": self._plain_text(),
        }
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle

    def to_html(self, path=None, *, standalone=True, title=None, inline_styles=False):
        """The static table; see :func:`to_html`."""
        return to_html(self, path, standalone=standalone, title=title, inline_styles=inline_styles)

    def _plain_text(self):
        samples = (
            self.payload["samples"]
            if "samples" in self.payload
            else [{k: v for k, v in self.payload.items() if k not in ("version", "options")}]
        )
        lines = [f"<char attention: {len(samples)} sample{'s' if len(samples) != 1 else ''}>"]
        precision = int((self.payload.get("options") or {}).get("precision", DEFAULT_PRECISION))
        for index, sample in enumerate(samples[:10]):
            tokens = _tokens(sample)
            text = "".join(tokens)
            shown = text if len(text) <= 40 else text[:37] + "..."
            line = f"  [{index}] {json.dumps(shown, ensure_ascii=False)} ({len(tokens)} tokens"
            if "prediction" in sample:
                line += f", prediction {_fmt_prediction(sample['prediction'], precision)}"
            if "label" in sample:
                line += f", label {_fmt(sample['label'], precision)}"
            _, values = _sample_rows(sample)[0]
            best = max(
                (i for i, v in enumerate(values) if v is not None),
                key=lambda i: values[i],
                default=None,
            )
            if best is not None and best < len(tokens):
                line += f", peak {json.dumps(tokens[best], ensure_ascii=False)} at {best} = {_fmt(values[best], precision)}"
            lines.append(line + ")")
        if len(samples) > 10:
            lines.append(f"  ... {len(samples) - 10} more")
        return "\n".join(lines)


def to_html(data, path=None, *, standalone=True, title=None, inline_styles=False, **kwargs):
    """Render a payload (or text + attention) as static HTML.

    Parameters
    ----------
    data:
        A payload dict, an :class:`AttentionView`, a list of payloads/views (a
        batch), or a text/tokens followed by ``attention=...`` and the keywords
        of ``attention_payload``.
    path:
        When given, the HTML is also written to this file (UTF-8).
    standalone:
        ``True`` (default): a complete HTML document that opens in any browser,
        offline. ``False``: a fragment to embed (the ``text/html`` fallback).
    title:
        The document title (standalone only).
    inline_styles:
        Put each cell's colours in a ``style`` attribute instead of one CSS
        class per colour step: larger, but survives sanitizers that drop
        ``<style>`` elements.

    Returns the HTML string. An invalid payload gives an HTML list of its
    problems (escaped) instead of raising, so a notebook never breaks on it.
    """
    attention = kwargs.pop("attention", None)
    payload = _coerce_payload(data, attention, **kwargs)
    problems = validate_payload(payload)
    fragment = _error_html(problems) if problems else _HtmlWriter(payload, inline_styles).render()
    if standalone:
        doc_title = title or (payload.get("title") if isinstance(payload, dict) else None) or "Character attention"
        document = (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(doc_title)}</title>"
            "<style>body{margin:16px;background:#fff;color:#111;}</style>"
            f"</head><body>\n{fragment}\n</body></html>\n"
        )
    else:
        document = fragment
    # Lone surrogates cannot be encoded: they become U+FFFD, as in the CLI.
    document = _LONE_SURROGATE.sub("\ufffd", document)
    if path is not None:
        target = os.fspath(path)
        if os.path.isdir(target):
            target = os.path.join(target, export_file_name(doc_title if standalone else title or "attention"))
        _write_atomically(target, document)
    return document


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Characters that make a file name misleading or unusable: C0/C1 controls,
# bidirectional overrides and isolates, zero-width and line separators, and
# the characters Windows refuses.
_UNSAFE_NAME = re.compile(
    "[\\\\/:*?\"<>|\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+"
)
_RESERVED_NAME = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)

EXPORT_STEM_MAX_BYTES = 120
"""A file-name stem is cut to this many UTF-8 bytes (names are limited to 255)."""


def export_stem(path_or_title):
    """A safe file-name stem from a document path or title (as the extension's export).

    The folder and extension are dropped; controls, bidirectional overrides,
    zero-width characters and characters file systems refuse become ``_``; the
    stem is cut to ``EXPORT_STEM_MAX_BYTES`` UTF-8 bytes without splitting a
    character; an empty or reserved (``CON``, ``NUL``, ...) stem is replaced.
    """
    base = _LONE_SURROGATE.sub("\ufffd", str(path_or_title)).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"\.[^.]*$", "", base)
    safe = _UNSAFE_NAME.sub("_", base).strip().rstrip(". ")
    encoded = safe.encode("utf-8")
    if len(encoded) > EXPORT_STEM_MAX_BYTES:
        safe = encoded[:EXPORT_STEM_MAX_BYTES].decode("utf-8", errors="ignore").rstrip(". ")
    if not safe:
        return "attention"
    if _RESERVED_NAME.match(safe):
        return "_" + safe
    return safe


def export_file_name(path_or_title):
    """``<stem>.attention.html`` for a document path or title (see :func:`export_stem`)."""
    return export_stem(path_or_title) + ".attention.html"


def _write_atomically(path, text):
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder.

    The file appears whole or not at all: on any failure the temporary file is
    removed and ``path`` is left as it was.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".attention-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def display_attention(data, attention=None, **kwargs):
    """Display attention over text in the notebook (and return nothing).

    Accepts the same arguments as :class:`AttentionView`:

    * a payload dict (for example from ``align(...)`` or ``from_keras(...)``)
      or a list of payloads;
    * one text: ``display_attention(text, attention, prediction=0.93,
      label='spam', title=..., mask=..., options={'colormap': 'Blues'})``
      (``attention`` has one value per character);
    * several texts as one table: ``display_attention(texts, attention,
      predictions=..., labels=..., masks=..., titles=..., options=...,
      title=...)`` with one attention row per text.

    With the JupyterLab extension the interactive table is shown; in other
    front ends and exported notebooks the static HTML table; outside IPython
    the text summary is printed. Raises ``ValueError`` (listing every problem)
    for an invalid payload.
    """
    view = AttentionView(data, attention, **kwargs)
    try:
        from IPython.display import display
    except ImportError:  # plain Python: no rich display available
        print(view._plain_text())
        return None
    display(view)
    return None
