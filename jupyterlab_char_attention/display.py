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

import html
import json
import os
import re
import tempfile

from ._colors import BUCKETS, load_colormaps, sample_rows, text_color_for
from ._colors import bucket_color as _bucket_color
from ._format import format_value, glyph, visible_controls
from ._static_html import DEFAULT_PRECISION, HtmlWriter, error_html
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

# Kept importable from here for earlier callers: the colour helpers live in ``_colors``.
_COMPAT = (BUCKETS, load_colormaps, text_color_for, _bucket_color)


def _fmt(value, precision):
    """A value as the legend and the header show it (significant digits)."""
    return format_value(value, precision)


_PLAIN_SCALARS = frozenset((float, int, bool, str, type(None)))


def _plain(value):
    """``to_plain``, with lists of plain numbers or strings copied at C speed (a million values)."""
    if type(value) is dict:
        return {str(key): _plain(item) for key, item in value.items()}
    if type(value) is list:
        if set(map(type, value)) <= _PLAIN_SCALARS:
            return list(value)
        return [_plain(item) for item in value]
    return to_plain(value)


def _tokens(sample):
    if "tokens" in sample:
        return list(sample["tokens"])
    return list(sample.get("text", ""))


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
        data = _plain(data)
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
            lines.append(_plain_line(index, sample, precision))
        if len(samples) > 10:
            lines.append(f"  ... {len(samples) - 10} more")
        return "\n".join(lines)


def _plain_line(index, sample, precision):
    """``  1. "text" (N tokens, prediction 0.93, peak "l" at 2 = 0.4)``: samples numbered from 1."""
    tokens = _tokens(sample)
    text = "".join(tokens)
    shown = text if len(text) <= 40 else text[:37] + "..."
    line = f"  {index + 1}. {json.dumps(shown, ensure_ascii=False)} ({len(tokens)} tokens"
    prediction = sample.get("prediction")
    if isinstance(prediction, list):
        line += ", prediction [" + ", ".join(format_value(p, precision) for p in prediction) + "]"
    elif prediction is not None:
        line += f", prediction {format_value(prediction, precision)}"
    if "label" in sample:
        line += f", label {sample['label']}"
    _, values = sample_rows(sample)[0]
    best = max((i for i, v in enumerate(values) if v is not None), key=lambda i: values[i], default=None)
    if best is not None and best < len(tokens):
        line += f", peak {json.dumps(glyph(tokens[best])[0], ensure_ascii=False)} at {best}"
        line += f" = {format_value(values[best], precision)}"
    return line + ")"


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
    if problems:
        # Lone surrogates cannot be encoded: they become U+FFFD, as in the CLI.
        parts = [_LONE_SURROGATE.sub("\ufffd", error_html(problems))]
    else:
        # ASCII markup: every payload string went through glyphs or visible markers.
        parts = HtmlWriter(payload, inline_styles).render()
    doc_title = title or (payload.get("title") if isinstance(payload, dict) else None) or "Character attention"
    if standalone:
        shown_title = html.escape(visible_controls(doc_title)).encode("ascii", "xmlcharrefreplace").decode("ascii")
        parts.insert(
            0,
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{shown_title}</title>"
            "<style>body{margin:16px;background:#fff;color:#111;}</style>"
            "</head><body>\n",
        )
        parts.append("\n</body></html>\n")
    document = "".join(parts)
    del parts
    if path is not None:
        target = os.fspath(path)
        if os.path.isdir(target):
            target = os.path.join(target, export_file_name(doc_title if standalone else title or "attention"))
        _write_atomically(target, document)
    return document


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_WRITE_SLICE = 1 << 20

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
            # In slices: no second copy of a large document as bytes.
            for start in range(0, max(1, len(text)), _WRITE_SLICE):
                fh.write(text[start : start + _WRITE_SLICE])
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
