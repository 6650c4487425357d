"""The header of one sample, exactly as the extension shows it (``src/table/header.ts``).

Title, method, rounded prediction, label, a few named facts from ``meta``
(completeness gap as a %, not converged, steps, window, target), a summary;
notes (a notice, what was inferred, no per-character values); every meta key
at full precision for the tooltip. Every payload string has its
bidirectional controls made visible.
"""

import math

from ._format import format_percent, format_value, visible_controls
from .payload import _js_keys, _js_number, _json_text

HEADER_DIGITS = 3
HEADER_PREDICTIONS = 4
TOOLTIP_VALUE_LENGTH = 1000

_METHOD_NAMES = {
    "attention": "attention",
    "occlusion": "occlusion",
    "grad-x-input": "gradient \u00d7 input",
    "integrated-gradients": "integrated gradients",
}


def _finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(value):
    return format_value(value, 17) if _finite(value) else None


def _target(value):
    if _finite(value):
        return format_value(value, 17)
    return visible_controls(value) if isinstance(value, str) else None


# (keys, name, format): the facts shown in the header, in this order.
_FACTS = (
    (("gapRelative", "completenessGapRelative"), "completeness gap",
     lambda v: format_percent(v) if _finite(v) else None),
    (("converged",), "", lambda v: "not converged" if v is False else None),
    (("steps",), "steps", _count),
    (("window",), "window", _count),
    (("target",), "target", _target),
)


def sample_name(index):
    """``Sample 1`` for index 0: samples are numbered from 1 for people."""
    return f"Sample {index + 1}"


def method_name(method, meta, batch_meta):
    """The payload's ``method`` text, else ``meta.method`` in words, else ``attention``."""
    if isinstance(method, str):
        return visible_controls(method)
    key = None
    for source in (meta, batch_meta):
        if isinstance(source, dict) and isinstance(source.get("method"), str):
            key = source["method"]
            break
    key = key or "attention"
    return _METHOD_NAMES.get(key) or visible_controls(key)


def _label_text(label):
    if isinstance(label, bool):
        return "true" if label else "false"
    if isinstance(label, (int, float)):
        return _js_number(label)
    return visible_controls(label)


def merged_meta(meta, batch_meta):
    """The batch's meta overridden by the sample's, in JavaScript's key order."""
    merged = {}
    for source in (batch_meta, meta):
        if isinstance(source, dict):
            for key in _js_keys(source):
                merged[key] = source[key]
    return {key: merged[key] for key in _js_keys(merged)}


def _tooltip_value(value):
    text = value if isinstance(value, str) else _json_text(value)
    if len(text) > TOOLTIP_VALUE_LENGTH:
        text = text[: TOOLTIP_VALUE_LENGTH - 1] + "\u2026"
    return visible_controls(text)


def meta_tooltip(meta):
    """Every key of a meta object at full precision, one ``key: value`` per line."""
    return "\n".join(f"{visible_controls(key)}: {_tooltip_value(meta[key])}" for key in _js_keys(meta))


def meta_notes(meta):
    """``notice`` and ``inferences`` of a meta object: shown, never only in a tooltip."""
    notes = []
    if not isinstance(meta, dict):
        return notes
    if isinstance(meta.get("notice"), str) and meta["notice"]:
        notes.append(visible_controls(meta["notice"]))
    inferred = meta.get("inferences")
    if isinstance(inferred, list) and inferred:
        items = [item if isinstance(item, str) else _tooltip_value(item) for item in inferred]
        notes.append("inferred: " + visible_controls("; ".join(items)))
    return notes


def sample_header(sample, *, index, is_batch, batch_meta, precision, token_count, masked_count, valueless):
    """``{"fields": [(kind, name, value, key)], "notes": [...], "tooltip": str, "line": str}``."""
    meta = sample.get("meta") if isinstance(sample.get("meta"), dict) else None
    merged = merged_meta(meta, batch_meta)
    fields = []
    if isinstance(sample.get("title"), str):
        title = visible_controls(sample["title"])
    else:
        title = sample_name(index) if is_batch else ""
    if title:
        fields.append(("title", "", title, None))
    # Without values, no method made them: named only when the sample says so.
    if not valueless or isinstance(sample.get("method"), str):
        fields.append(("method", "", method_name(sample.get("method"), meta, batch_meta), None))
    prediction = _predictions(sample.get("prediction"))
    digits = max(1, min(HEADER_DIGITS, precision))
    if prediction:
        shown = ", ".join(format_value(p, digits) for p in prediction[:HEADER_PREDICTIONS])
        if len(prediction) > HEADER_PREDICTIONS:
            shown = f"{shown}, \u2026 ({len(prediction)} values)"
        fields.append(("prediction", "prediction", shown, None))
    if "label" in sample and isinstance(sample["label"], (str, int, float, bool)):
        fields.append(("label", "label", _label_text(sample["label"]), None))
    for keys, name, format_fact in _FACTS:
        key = next((k for k in keys if k in merged), None)
        value = None if key is None else format_fact(merged[key])
        if value is not None:
            fields.append(("fact", name, value, key))
    fields.append(("summary", "", _summary(token_count, masked_count, sample), None))
    notes = meta_notes(meta)
    if valueless:
        notes.append(
            "No per-character values: only the prediction is shown." if prediction else "No per-character values."
        )
    tooltip = []
    if prediction:
        tooltip.append("prediction: " + ", ".join(_js_number(p) for p in prediction))
    if merged:
        tooltip.append(meta_tooltip(merged))
    return {
        "fields": fields,
        "notes": notes,
        "tooltip": "\n".join(tooltip),
        "line": " \u00b7 ".join(f"{name} {value}" if name else value for _, name, value, _ in fields),
    }


def _predictions(prediction):
    if _finite(prediction):
        return [prediction]
    if isinstance(prediction, list):
        return [p for p in prediction if _finite(p)]
    return []


def _summary(token_count, masked_count, sample):
    parts = [f"{token_count} character" + ("" if token_count == 1 else "s")]
    if masked_count > 0:
        parts.append(f"{masked_count} masked")
    if "series" in sample:
        parts.append(f"{len(sample['series'])} series")
    return ", ".join(parts)
