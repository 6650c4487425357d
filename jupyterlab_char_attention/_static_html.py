"""The static HTML table of a valid payload (``to_html`` and the ``text/html`` fallback).

Shows what the extension shows (``src/table/html.ts``): the same header
(``_header.py``), the same colour maps and convention for signed values, the
same scale, the same glyphs; each header field isolated in ``<bdi>``. Colours
are one CSS class per used step (32 steps), or inline styles for sanitizers
that drop ``<style>``. Every payload string is escaped.

Budget: a million cells within a few seconds and a few hundred MB. The
markup is ASCII (other characters as ``&#NNNN;`` references), so the one
string it is joined into takes one byte per character, not four when a text
holds an emoji; values are formatted a row at a time (``format_values``);
the element id is a hash of the markup, not of the payload's JSON.
"""

import hashlib
import html

from ._colors import (
    BUCKETS,
    DEFAULT_COLORMAP,
    DIVERGING,
    SIGNED_MEANING,
    SIGNED_MEANING_DETAIL,
    bucket_color,
    colormap,
    resolved_colormap,
    sample_rows,
    scale,
    text_color_for,
)
from ._format import code_points, format_value, format_values, glyph, visible_controls
from ._header import meta_notes, meta_tooltip, sample_header

DEFAULT_CHARS_PER_ROW = 50
DEFAULT_PRECISION = 4

_CSS = """
#{id} {{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:12px;color:var(--jp-ui-font-color1,inherit);}}
#{id} bdi {{unicode-bidi:isolate;}}
#{id} .cas-sample {{margin:0 0 12px 0;}}
#{id} .cas-header {{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;margin:0 0 4px 0;color:var(--jp-ui-font-color2,#616161);}}
#{id} .cas-header b {{font-weight:600;color:var(--jp-ui-font-color1,inherit);}}
#{id} .cas-title {{font-weight:600;font-size:13px;color:var(--jp-ui-font-color1,inherit);}}
#{id} .cas-note, #{id} .cas-meta {{color:var(--jp-ui-font-color2,#616161);margin:0 0 4px 0;}}
#{id} .cas-legend {{display:flex;align-items:center;gap:6px;margin:0 0 4px 0;color:var(--jp-ui-font-color2,#616161);}}
#{id} .cas-meaning {{margin-left:6px;color:var(--jp-ui-font-color1,inherit);}}
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
    """Escaped, as ASCII: other characters become numeric character references."""
    return html.escape(str(text), quote=True).encode("ascii", "xmlcharrefreplace").decode("ascii")


def _tokens(sample):
    """The tokens, or the text itself (a ``str`` is indexed by code point: no list of a million strings)."""
    if "tokens" in sample:
        return sample["tokens"]
    return sample.get("text", "")


class _TokenCells:
    """Per distinct token: its escaped glyph and its code points (texts repeat their characters)."""

    def __init__(self):
        self.cache = {}

    def __call__(self, token):
        shown, whitespace = glyph(token)
        markup = f'<span class="cas-ws">{_e(shown)}</span>' if whitespace else _e(shown)
        hit = (markup, _e(code_points(token)))
        if len(self.cache) < 100000:
            self.cache[token] = hit
        return hit


class HtmlWriter:
    """Write the static table of a valid payload."""

    def __init__(self, payload, inline_styles=False):
        self.payload = payload
        self.options = dict(payload.get("options") or {})
        self.inline = inline_styles
        self.batch = "samples" in payload
        self.batch_meta = payload.get("meta") if self.batch and isinstance(payload.get("meta"), dict) else None
        self.precision = int(self.options.get("precision", DEFAULT_PRECISION))
        self.per_row = int(self.options.get("charsPerRow", DEFAULT_CHARS_PER_ROW))
        self.used = set()
        self.cells = _TokenCells()
        self.legends = {}

    def samples(self):
        if self.batch:
            return list(self.payload["samples"])
        return [{k: v for k, v in self.payload.items() if k not in ("version", "options")}]

    def render(self):
        """The markup as a list of ASCII strings, to be joined."""
        samples = self.samples()
        self.colormap = resolved_colormap(samples, self.options)
        self.stops = colormap(self.colormap)
        if self.options.get("shareScale", True):
            scales = [scale(samples, self.options, self.colormap)] * len(samples)
        else:
            scales = [scale([s], self.options, self.colormap) for s in samples]
        out = []
        if self.batch and isinstance(self.payload.get("title"), str):
            out.append(f'<div class="cas-title"><bdi>{_e(visible_controls(self.payload["title"]))}</bdi></div>')
        if self.batch_meta:
            tooltip = _e(meta_tooltip(self.batch_meta))
            for note in meta_notes(self.batch_meta):
                out.append(f'<div class="cas-meta" title="{tooltip}"><bdi>{_e(note)}</bdi></div>')
        for index, (sample, sample_scale) in enumerate(zip(samples, scales)):
            self.sample(index, sample, sample_scale, out)
        # The id comes from the content (re-running a cell gives the same output):
        # a hash of the markup and its colours, which the payload decides.
        digest = hashlib.sha1(self.bucket_css("#ID").encode("ascii"))
        for part in out:
            digest.update(part.encode("ascii"))
        element_id = "cas-" + digest.hexdigest()[:12]
        css = ""
        if not self.inline:
            css = "<style>" + _CSS.format(id=element_id, buckets=self.bucket_css("#" + element_id)) + "</style>"
        out.insert(0, f'<div class="char-attention-static char-attention-fallback" id="{element_id}">{css}')
        out.append("</div>")
        return out

    def bucket_css(self, scope):
        rules = []
        for b in sorted(self.used):
            bg = bucket_color(self.stops, b)
            rules.append(f"{scope} td.cas-b{b} {{background:{bg};color:{text_color_for(bg)};}}")
        return "\n".join(rules)

    def sample(self, index, sample, sample_scale, out):
        tokens = _tokens(sample)
        mask = sample.get("mask")
        rows = sample_rows(sample)
        count = len(tokens)
        masked = sum(1 for m in (mask or [])[:count] if m is False)
        valueless = all(v is None for _, values in rows for v in values[:count])
        header = sample_header(
            sample, index=index, is_batch=self.batch, batch_meta=self.batch_meta, precision=self.precision,
            token_count=count, masked_count=masked, valueless=valueless,
        )
        out.append('<div class="cas-sample">')
        out.append(self.header_html(header))
        if not valueless:
            if sample_scale not in self.legends:
                self.legends[sample_scale] = self.legend(*sample_scale)
            out.append(self.legends[sample_scale])
        width = min(self.per_row, max(1, count))
        out.append('<table class="cas-table"><thead><tr><th></th>')
        out.append("".join(f"<th>{c}</th>" for c in range(width)))
        out.append("</tr></thead><tbody>")
        if not tokens:
            out.append('<tr><th>0</th><td class="cas-missing" title="empty text"></td></tr>')
        names = [None if name is None else f"<bdi>{_e(visible_controls(name))}</bdi>" for name, _ in rows]
        for start in range(0, count, self.per_row):
            end = min(start + self.per_row, count)
            for (_, values), name in zip(rows, names):
                label = str(start) if name is None else f"{name} {start}" if start else name
                out.append(f"<tr><th>{label}</th>")
                out.append(self.row(tokens, values, mask, start, end, sample_scale, valueless))
                out.append("</tr>")
        out.append("</tbody></table></div>")

    def header_html(self, header):
        tooltip = f' title="{_e(header["tooltip"])}"' if header["tooltip"] else ""
        parts = [f'<div class="cas-header"{tooltip}>']
        for kind, name, value, _ in header["fields"]:
            shown = f"<bdi>{_e(value)}</bdi>"
            if kind == "title":
                parts.append(f'<span class="cas-title">{shown}</span>')
            elif kind == "summary":
                parts.append(f'<span class="cas-summary">{shown}</span>')
            elif name:
                parts.append(f'<span class="cas-{kind}">{_e(name)} <b>{shown}</b></span>')
            else:
                parts.append(f'<span class="cas-{kind}"><b>{shown}</b></span>')
        parts.append("</div>")
        parts.extend(f'<div class="cas-note"><bdi>{_e(note)}</bdi></div>' for note in header["notes"])
        return "".join(parts)

    def row(self, tokens, values, mask, start, end, sample_scale, valueless):
        """The cells of one row: the value's colour step, a tooltip, the glyph."""
        lo2, hi2 = sample_scale[0] / 2, sample_scale[1] / 2
        span2 = hi2 - lo2
        used, cells, cached = self.used, self.cells, self.cells.cache
        shown = list(values[start:end])
        shown += [None] * (end - start - len(shown))
        seen = [True] * (end - start) if mask is None else [m is not False for m in mask[start:end]]
        seen += [True] * (end - start - len(seen))
        texts = iter(format_values([v for v in shown if v is not None], self.precision))
        parts = []
        for pos, value, visible in zip(range(start, end), shown, seen):
            token = tokens[pos]
            markup, points = cached.get(token) or cells(token)
            if value is not None:
                t = (value / 2 - lo2) / span2
                step = 0 if not t > 0 else BUCKETS - 1 if t >= 1 else int(t * BUCKETS)
                used.add(step)
                # The tooltip holds digits and code point names only: nothing to escape.
                tip = f"{next(texts)}, position {pos}, {points}"
                if visible and not self.inline:
                    parts.append(f'<td class="cas-b{step}" title="{tip}">{markup}</td>')
                    continue
                parts.append(self.cell(step, tip, visible, markup))
            elif valueless:
                # A sample without values is plain text, not a row of gaps.
                parts.append(self.cell(None, f"position {pos}, {points}", visible, markup, ""))
            else:
                parts.append(self.cell(None, f"no value, position {pos}, {points}", visible, markup))
        return "".join(parts)

    def cell(self, step, tip, visible, markup, missing="cas-missing"):
        """A cell other than a plain coloured one: inline colours, masked, without a value."""
        classes, style = [], ""
        if step is None:
            if missing:
                classes.append(missing)
        elif self.inline:
            bg = bucket_color(self.stops, step)
            style = f"background:{bg};color:{text_color_for(bg)}"
        else:
            classes.append(f"cas-b{step}")
        if not visible:
            classes.append("cas-masked")
            tip += ", not seen by the model"
            if self.inline:
                style = f"{style};opacity:0.45" if style else "opacity:0.45"
        cls = f' class="{" ".join(classes)}"' if classes else ""
        sty = f' style="{style}"' if style else ""
        return f'<td{cls}{sty} title="{tip}">{markup}</td>'

    def legend(self, lo, hi):
        steps = [self.stops[int(i * (len(self.stops) - 1) / 8 + 0.5)] for i in range(9)]
        meaning = ""
        if self.colormap in DIVERGING:
            meaning = f'<span class="cas-meaning" title="{_e(SIGNED_MEANING_DETAIL)}">{_e(SIGNED_MEANING)}</span>'
        return (
            '<div class="cas-legend">'
            f"<span>{_e(self.colormap)}</span>"
            f"<span>{_e(format_value(lo, self.precision))}</span>"
            f'<span class="cas-bar" style="background:linear-gradient(to right,{",".join(steps)})"></span>'
            f"<span>{_e(format_value(hi, self.precision))}</span>"
            f"{meaning}</div>"
        )


def error_html(problems):
    items = "".join(f"<li>{_e(p['message'])}</li>" for p in problems)
    return f'<div class="char-attention-static-error"><p>Invalid char-attention payload:</p><ul>{items}</ul></div>'


__all__ = ["DEFAULT_CHARS_PER_ROW", "DEFAULT_COLORMAP", "DEFAULT_PRECISION", "HtmlWriter", "error_html"]
