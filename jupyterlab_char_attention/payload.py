"""Build and check ``application/x-char-attention+json`` payloads (version 1).

A payload is plain JSON data. The smallest one is a single sample::

    {"version": 1, "text": "hello", "attention": [0.1, 0.5, 0.2, 0.1, 0.1]}

and a batch holds several samples with shared display options::

    {"version": 1, "samples": [{"text": ..., "attention": ...}, ...],
     "options": {"colormap": "Reds"}}

Each sample has exactly one of ``text`` (split into Unicode code points, as
Keras's char-level tokenizer does) or ``tokens`` (explicit cells), exactly one
of ``attention`` (one number or ``None`` per token) or ``series`` (several
named rows of values), and optionally ``mask`` (``False`` = the model did not
see that character), ``prediction``, ``label``, ``title`` and ``meta``.

:func:`validate_payload` applies the same rules, in the same order and with
the same JSON paths, as the validator of the JupyterLab renderer, so a payload
that passes here renders there. The builders raise ``ValueError`` with those
messages instead of producing a payload the renderer would reject.

Only the standard library is imported. Values may be lists, tuples, numpy
arrays, numpy scalars or tensors exposing ``.numpy()`` (TensorFlow, PyTorch on
CPU); they are converted to plain Python numbers.
"""

import json
import math
from numbers import Integral, Real

__all__ = [
    "COLORMAP_NAMES",
    "MIME_TYPE",
    "NORMALIZE_MODES",
    "PAYLOAD_VERSION",
    "attention_payload",
    "batch_payload",
    "to_plain",
    "validate_payload",
]

MIME_TYPE = "application/x-char-attention+json"
"""The MIME type rendered by the JupyterLab extension."""

PAYLOAD_VERSION = 1
"""The only payload version this package reads and writes."""

COLORMAP_NAMES = (
    "Reds",
    "Blues",
    "Greens",
    "Greys",
    "Oranges",
    "Purples",
    "viridis",
    "magma",
    "RdBu",
)
"""Colour maps known to the renderer and the HTML export (matplotlib names)."""

NORMALIZE_MODES = ("none", "minmax", "max")
"""How values are mapped onto the colour scale."""

_SAMPLE_KEYS = (
    "text",
    "tokens",
    "attention",
    "series",
    "mask",
    "prediction",
    "label",
    "title",
    "method",
    "meta",
)


# --------------------------------------------------------------------------
# Conversion of array-likes
# --------------------------------------------------------------------------


def to_plain(value):
    """Return ``value`` as plain Python data (lists, floats, ints, bools, str, None).

    Tensors with ``.numpy()`` and numpy arrays or scalars (``.tolist()``) are
    converted without importing numpy or TensorFlow; tuples become lists.
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    if hasattr(value, "tolist") and callable(value.tolist):
        value = value.tolist()
        if not isinstance(value, (list, tuple)):
            return to_plain(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    return value


# --------------------------------------------------------------------------
# Validation: the renderer's rules (src/payload/validate.ts), one by one
# --------------------------------------------------------------------------

LIMITS = {
    "MAX_SAMPLES": 10000,
    "MAX_TOKENS": 1000000,
    "MAX_VALUES": 1000000,
    "MAX_TOKEN_LENGTH": 1000,
    "MAX_STRING_LENGTH": 10000,
    "MAX_PREDICTIONS": 1000,
    "MAX_META_DEPTH": 16,
    "MAX_ITEM_PROBLEMS": 5,
    "MAX_PROBLEMS": 200,
    "MAX_CHARS_PER_ROW": 1000,
    "MAX_PRECISION": 17,
}
"""Size limits shared with the renderer's validator."""

DIVERGING_COLORMAPS = ("RdBu",)
"""Colour maps centred on 0; every other known map is sequential."""

_BATCH_KEYS = ("version", "samples", "options", "title", "meta")
_OPTION_KEYS = ("colormap", "vmin", "vmax", "normalize", "shareScale", "charsPerRow", "precision")
_SERIES_KEYS = ("name", "values")


def validate_payload(payload):
    """Check a payload and return the list of problems (empty when valid).

    Each problem is a dict ``{"path": "samples[2].attention", "message":
    "samples[2].attention has 12 values, text has 13 characters"}``: ``path``
    is the JSON path of the offending value (``""`` for the root, fields
    joined with ``.``, items as ``[i]``) and ``message`` starts with that path.

    The rules, their order, the paths and the messages are those of the
    renderer's validator, so a payload that passes here renders in JupyterLab:

    R1  the payload is an object;
    R2  ``version`` is 1 (a newer version stops validation);
    R3  a root with ``samples`` is a batch of 1..10,000 sample objects (root
        keys version, samples, options, title, meta); otherwise the root is one
        sample plus ``version`` and ``options``;
    R4  unknown keys are problems (root, samples, options, series items);
    R5  exactly one of ``text``/``tokens`` and of ``attention``/``series``, or
        neither with a ``prediction`` (a prediction-only sample);
    R6  ``text`` is split into code points; ``tokens`` are strings of at most
        1,000 UTF-16 units; at most 1,000,000 tokens in all;
    R7  ``attention``, each ``series[i].values`` and ``mask`` have one item per
        token;
    R8  values are finite numbers or null (NaN/Infinity are problems);
    R9  ``mask`` is an array of booleans;
    R10 ``prediction`` is a finite number or 1..1,000 finite numbers; ``label``
        a string, finite number or boolean; ``title`` and ``method`` strings;
    R11 other strings are at most 10,000 UTF-16 units;
    R12 ``options`` has only colormap (a known name), vmin < vmax (finite),
        normalize (none/minmax/max), shareScale (bool), charsPerRow (1..1000),
        precision (0..17);
    R13 with a sequential colour map named in ``options``, no ``vmin`` and
        ``normalize`` absent or 'none', negative values at unmasked positions
        are a problem (once per values array); without a colormap, signed
        values are drawn with RdBu centred on 0 automatically;
    R14 ``meta`` is an object nested at most 16 levels, strings in it at most
        10,000 units;
    R16 at most MAX_VALUES values (attention and series items) in a payload.
    R15 at most 5 item problems per array (then a summary), 200 in total.

    Nothing is raised, whatever the input.
    """
    collector = _Collector()
    try:
        _validate_root(payload, collector)
    except _StopValidation:
        pass
    except Exception as err:  # defensive: a rule bug must not break the notebook
        collector.problems.append({"path": "", "message": f"payload could not be checked: {err}"})
    return collector.problems


class _StopValidation(Exception):
    pass


class _Collector:
    def __init__(self):
        self.problems = []
        self.total_tokens = 0
        self.total_values = 0

    def add(self, path, text):
        if len(self.problems) >= LIMITS["MAX_PROBLEMS"]:
            self.problems.append(
                {"path": "", "message": f"... and more problems (stopped after {LIMITS['MAX_PROBLEMS']})"}
            )
            raise _StopValidation()
        where = "payload" if path == "" else path
        self.problems.append({"path": path, "message": f"{where} {text}"})


def _is_number(value):
    """A JSON number (booleans are not numbers)."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _is_finite_number(value):
    return _is_number(value) and math.isfinite(value)


def _is_integer(value):
    return _is_finite_number(value) and float(value).is_integer()


def _utf16_len(text):
    """Length in UTF-16 code units, as JavaScript's ``String.length``."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_head(text, units):
    encoded = text.encode("utf-16-le", "surrogatepass")[: 2 * units]
    return encoded.decode("utf-16-le", "surrogatepass")


def _js_number(value):
    """A number formatted as JavaScript's ``String(number)``."""
    if isinstance(value, Integral) and not isinstance(value, bool) and abs(value) < 10**21:
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        head = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{head}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def _json_text(value):
    """``JSON.stringify(value)`` for plain data."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _js_number(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(
            json.dumps(str(k), ensure_ascii=False) + ":" + _json_text(value[k]) for k in _js_keys(value)
        ) + "}"
    return str(value)


def _preview(value):
    if _is_number(value) and not math.isfinite(value):
        text = _js_number(value)
    else:
        try:
            text = _json_text(value)
        except Exception:  # pragma: no cover - exotic objects
            text = str(value)
    return _utf16_head(text, 37) + "..." if _utf16_len(text) > 40 else text


def _describe_type(value):
    """The JSON type of a value, as in the renderer's messages."""
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _js_keys(obj):
    """Keys in JavaScript's ``Object.keys`` order (array-index keys first, ascending)."""
    indices, others = [], []
    for key in obj:
        text = str(key)
        if text.isdigit() and text.isascii() and (text == "0" or text[0] != "0") and int(text) < 2**32 - 1:
            indices.append((int(text), key))
        else:
            others.append(key)
    return [key for _, key in sorted(indices, key=lambda item: item[0])] + others


def _join_path(path, key):
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _check_unknown_keys(obj, allowed, path, c):
    for key in _js_keys(obj):
        if key not in allowed:
            key = str(key)
            shown = _utf16_head(key, 37) + "..." if _utf16_len(key) > 40 else key
            c.add(_join_path(path, shown), "is not a known field")


def _check_string(value, path, c, limit=LIMITS["MAX_STRING_LENGTH"]):
    if not isinstance(value, str):
        c.add(path, f"must be a string, got {_describe_type(value)}")
    elif _utf16_len(value) > limit:
        c.add(path, f"is {_utf16_len(value)} characters long (at most {limit})")


def _validate_root(payload, c):
    # R1
    if not isinstance(payload, dict):
        c.add("", f"must be a JSON object, got {_describe_type(payload)}")
        return
    # R2
    if "version" not in payload:
        c.add("version", "is missing (expected 1)")
    else:
        version = payload["version"]
        if _is_number(version) and version > PAYLOAD_VERSION:
            c.add("version", f"{_js_number(version)} is newer than this renderer supports ({PAYLOAD_VERSION})")
            return
        if not _is_number(version) or version != PAYLOAD_VERSION:
            c.add("version", f"must be 1, got {_preview(version)}")
    options = payload.get("options")
    options_ok = _validate_options(payload["options"], c) if "options" in payload else True
    colormap = (
        options["colormap"]
        if options_ok and isinstance(options, dict) and isinstance(options.get("colormap"), str)
        else "Reds"
    )
    sign_check = (
        options_ok
        and isinstance(options, dict)
        and isinstance(options.get("colormap"), str)
        and colormap not in DIVERGING_COLORMAPS
        and not (isinstance(options, dict) and "vmin" in options)
        and not (
            isinstance(options, dict)
            and isinstance(options.get("normalize"), str)
            and options["normalize"] != "none"
        )
    )

    if "samples" in payload:
        # R3: a batch
        _check_unknown_keys(payload, _BATCH_KEYS, "", c)
        if "title" in payload:
            _check_string(payload["title"], "title", c)
        if "meta" in payload:
            _validate_meta(payload["meta"], "meta", c)
        samples = payload["samples"]
        if not isinstance(samples, (list, tuple)):
            c.add("samples", f"must be an array, got {_describe_type(samples)}")
            return
        if not samples:
            c.add("samples", "is empty (at least one sample is needed)")
            return
        if len(samples) > LIMITS["MAX_SAMPLES"]:
            c.add("samples", f"has {len(samples)} samples (at most {LIMITS['MAX_SAMPLES']})")
            return
        for index, sample in enumerate(samples):
            _validate_sample(sample, _join_path("samples", index), _SAMPLE_KEYS, sign_check, colormap, c)
    else:
        _validate_sample(payload, "", _SAMPLE_KEYS + ("version", "options"), sign_check, colormap, c)


def _validate_options(options, c):
    """R12; returns whether the options are usable for R13."""
    if not isinstance(options, dict):
        c.add("options", f"must be an object, got {_describe_type(options)}")
        return False
    before = len(c.problems)
    _check_unknown_keys(options, _OPTION_KEYS, "options", c)
    if "colormap" in options:
        name = options["colormap"]
        if not isinstance(name, str):
            c.add("options.colormap", f"must be a string, got {_describe_type(name)}")
        elif name not in COLORMAP_NAMES:
            c.add("options.colormap", f"{_preview(name)} is not known; use one of {', '.join(COLORMAP_NAMES)}")
    for key in ("vmin", "vmax"):
        if key in options and not _is_finite_number(options[key]):
            c.add(f"options.{key}", f"must be a finite number, got {_describe_type(options[key])}")
    vmin, vmax = options.get("vmin"), options.get("vmax")
    if _is_finite_number(vmin) and _is_finite_number(vmax) and not vmin < vmax:
        c.add("options.vmin", f"({_js_number(vmin)}) must be less than options.vmax ({_js_number(vmax)})")
    if "normalize" in options:
        mode = options["normalize"]
        if not isinstance(mode, str) or mode not in NORMALIZE_MODES:
            c.add("options.normalize", f"{_preview(mode)} is not known; use one of {', '.join(NORMALIZE_MODES)}")
    if "shareScale" in options and not isinstance(options["shareScale"], bool):
        c.add("options.shareScale", f"must be a boolean, got {_describe_type(options['shareScale'])}")
    _check_integer(options, "charsPerRow", 1, LIMITS["MAX_CHARS_PER_ROW"], c)
    _check_integer(options, "precision", 0, LIMITS["MAX_PRECISION"], c)
    return len(c.problems) == before


def _check_integer(options, key, low, high, c):
    if key not in options:
        return
    value = options[key]
    if not _is_integer(value) or value < low or value > high:
        c.add(f"options.{key}", f"must be an integer from {low} to {high}, got {_preview(value)}")


def _validate_sample(sample, path, allowed_keys, sign_check, colormap, c):
    if not isinstance(sample, dict):
        c.add(path, f"must be an object, got {_describe_type(sample)}")
        return
    _check_unknown_keys(sample, allowed_keys, path, c)

    # R5, R6: tokens
    token_count = -1
    is_text = False
    has_text, has_tokens = "text" in sample, "tokens" in sample
    if has_text and has_tokens:
        c.add(path, "has both text and tokens (give one)")
    elif not has_text and not has_tokens:
        c.add(path, "needs text or tokens")
    elif has_text:
        text = sample["text"]
        text_path = _join_path(path, "text")
        if not isinstance(text, str):
            c.add(text_path, f"must be a string, got {_describe_type(text)}")
        elif _utf16_len(text) > 2 * LIMITS["MAX_TOKENS"]:
            c.add(text_path, f"is {_utf16_len(text)} characters long (at most {LIMITS['MAX_TOKENS']})")
        else:
            token_count = len(text)  # Python strings are sequences of code points
            is_text = True
            if token_count > LIMITS["MAX_TOKENS"]:
                c.add(text_path, f"has {token_count} characters (at most {LIMITS['MAX_TOKENS']})")
                token_count = -1
    else:
        token_count = _validate_tokens(sample["tokens"], _join_path(path, "tokens"), c)
    if token_count >= 0:
        c.total_tokens += token_count
        if c.total_tokens > LIMITS["MAX_TOKENS"] and c.total_tokens - token_count <= LIMITS["MAX_TOKENS"]:
            c.add(path, f"brings the payload to {c.total_tokens} tokens (at most {LIMITS['MAX_TOKENS']} in total)")

    def length_text(count):
        return f"text has {count} characters" if is_text else f"tokens has {count}"

    # R9: mask (read before the values: masked positions are left out of R13)
    mask = None
    if "mask" in sample:
        mask = _validate_mask(sample["mask"], _join_path(path, "mask"), token_count, length_text, c)

    # R5, R7, R8: values
    has_attention, has_series = "attention" in sample, "series" in sample
    if has_attention and has_series:
        c.add(path, "has both attention and series (give one)")
    elif not has_attention and not has_series:
        # A prediction-only sample (a model without attention, run by predict) has neither.
        if "prediction" not in sample:
            c.add(path, "needs attention or series")
    elif has_attention:
        _validate_values(
            sample["attention"], _join_path(path, "attention"), token_count, length_text, mask, sign_check, colormap, c
        )
    else:
        series = sample["series"]
        series_path = _join_path(path, "series")
        if not isinstance(series, (list, tuple)):
            c.add(series_path, f"must be an array, got {_describe_type(series)}")
        elif not series:
            c.add(series_path, "is empty (at least one series is needed)")
        else:
            for index, item in enumerate(series):
                item_path = _join_path(series_path, index)
                if not isinstance(item, dict):
                    c.add(item_path, f"must be an object, got {_describe_type(item)}")
                    continue
                _check_unknown_keys(item, _SERIES_KEYS, item_path, c)
                if "name" not in item:
                    c.add(_join_path(item_path, "name"), "is missing")
                else:
                    _check_string(item["name"], _join_path(item_path, "name"), c)
                if "values" not in item:
                    c.add(_join_path(item_path, "values"), "is missing")
                else:
                    _validate_values(
                        item["values"],
                        _join_path(item_path, "values"),
                        token_count,
                        length_text,
                        mask,
                        sign_check,
                        colormap,
                        c,
                    )

    # R10, R11
    if "prediction" in sample:
        _validate_prediction(sample["prediction"], _join_path(path, "prediction"), c)
    if "label" in sample:
        label = sample["label"]
        label_path = _join_path(path, "label")
        if isinstance(label, str):
            _check_string(label, label_path, c)
        elif _is_number(label):
            if not math.isfinite(label):
                c.add(label_path, f"must be finite, got {_describe_type(label)}")
        elif not isinstance(label, bool):
            c.add(label_path, f"must be a string, number or boolean, got {_describe_type(label)}")
    if "title" in sample:
        _check_string(sample["title"], _join_path(path, "title"), c)
    if "method" in sample:
        _check_string(sample["method"], _join_path(path, "method"), c)
    # R14
    if "meta" in sample:
        _validate_meta(sample["meta"], _join_path(path, "meta"), c)


class _ItemProblems:
    """R15: at most MAX_ITEM_PROBLEMS item problems per array, then a summary."""

    def __init__(self, path, c, noun):
        self.path, self.c, self.noun, self.count = path, c, noun, 0

    def add(self, index, text):
        self.count += 1
        if self.count <= LIMITS["MAX_ITEM_PROBLEMS"]:
            self.c.add(_join_path(self.path, index), text)

    def finish(self):
        if self.count > LIMITS["MAX_ITEM_PROBLEMS"]:
            self.c.add(self.path, f"has {self.count - LIMITS['MAX_ITEM_PROBLEMS']} more {self.noun}")


def _validate_tokens(tokens, path, c):
    if not isinstance(tokens, (list, tuple)):
        c.add(path, f"must be an array of strings, got {_describe_type(tokens)}")
        return -1
    if len(tokens) > LIMITS["MAX_TOKENS"]:
        c.add(path, f"has {len(tokens)} items (at most {LIMITS['MAX_TOKENS']})")
        return -1
    items = _ItemProblems(path, c, "invalid tokens")
    for index, token in enumerate(tokens):
        if not isinstance(token, str):
            items.add(index, f"must be a string, got {_describe_type(token)}")
        elif _utf16_len(token) > LIMITS["MAX_TOKEN_LENGTH"]:
            items.add(
                index,
                f"is {_utf16_len(token)} characters long (a token has at most {LIMITS['MAX_TOKEN_LENGTH']})",
            )
    items.finish()
    return len(tokens)


def _validate_mask(mask, path, token_count, length_text, c):
    if not isinstance(mask, (list, tuple)):
        c.add(path, f"must be an array of booleans, got {_describe_type(mask)}")
        return None
    if token_count >= 0 and len(mask) != token_count:
        c.add(path, f"has {len(mask)} values, {length_text(token_count)}")
    items = _ItemProblems(path, c, "invalid values")
    ok = True
    for index, flag in enumerate(mask):
        if not isinstance(flag, bool):
            items.add(index, f"must be true or false, got {_describe_type(flag)}")
            ok = False
    items.finish()
    return mask if ok else None


def _validate_values(values, path, token_count, length_text, mask, sign_check, colormap, c):
    if not isinstance(values, (list, tuple)):
        c.add(path, f"must be an array of numbers (or null), got {_describe_type(values)}")
        return
    if token_count >= 0 and len(values) != token_count:
        c.add(path, f"has {len(values)} values, {length_text(token_count)}")
    # R16: counted from the length, so a huge payload stops here.
    before = c.total_values
    c.total_values += len(values)
    if c.total_values > LIMITS["MAX_VALUES"]:
        if before <= LIMITS["MAX_VALUES"]:
            c.add(path, f"brings the payload to {c.total_values} values (at most {LIMITS['MAX_VALUES']} in total)")
        return
    items = _ItemProblems(path, c, "invalid values")
    negative_min = 0
    for index, value in enumerate(values):
        if value is None:
            continue
        if not _is_number(value):
            items.add(index, f"must be a number or null, got {_describe_type(value)}")
        elif not math.isfinite(value):
            items.add(index, f"is {_describe_type(value)}; use null for a missing value")
        elif value < negative_min and (mask is None or index >= len(mask) or mask[index] is not False):
            negative_min = value
    items.finish()
    if sign_check and negative_min < 0:
        c.add(
            path,
            f"has negative values (min {_js_number(negative_min)}) but colormap {colormap} is sequential; "
            "use colormap RdBu, set options.vmin, or set options.normalize",
        )


def _validate_prediction(value, path, c):
    if _is_number(value):
        if not math.isfinite(value):
            c.add(path, f"must be finite, got {_describe_type(value)}")
        return
    if not isinstance(value, (list, tuple)):
        c.add(path, f"must be a number or an array of numbers, got {_describe_type(value)}")
        return
    if not value or len(value) > LIMITS["MAX_PREDICTIONS"]:
        c.add(path, f"has {len(value)} values (1 to {LIMITS['MAX_PREDICTIONS']} expected)")
        return
    items = _ItemProblems(path, c, "invalid values")
    for index, item in enumerate(value):
        if not _is_finite_number(item):
            items.add(index, f"must be a finite number, got {_describe_type(item)}")
    items.finish()


def _validate_meta(meta, path, c):
    if not isinstance(meta, dict):
        c.add(path, f"must be an object, got {_describe_type(meta)}")
        return
    # Iterative walk: deeply nested junk must not overflow the stack.
    stack = [(meta, path, 1)]
    reported_depth = False
    long_strings = 0
    limit = LIMITS["MAX_STRING_LENGTH"]
    while stack:
        value, here, depth = stack.pop()
        if isinstance(value, str):
            if _utf16_len(value) > limit:
                long_strings += 1
                if long_strings <= LIMITS["MAX_ITEM_PROBLEMS"]:
                    c.add(here, f"is {_utf16_len(value)} characters long (at most {limit})")
            continue
        if not isinstance(value, (list, tuple, dict)):
            continue
        if depth > LIMITS["MAX_META_DEPTH"]:
            if not reported_depth:
                c.add(path, f"is nested more than {LIMITS['MAX_META_DEPTH']} levels deep (at {here})")
                reported_depth = True
            continue
        if isinstance(value, dict):
            keys = _js_keys(value)
            for key in reversed(keys):
                stack.append((value[key], _join_path(here, str(key)), depth + 1))
        else:
            for index in range(len(value) - 1, -1, -1):
                stack.append((value[index], _join_path(here, index), depth + 1))
    if long_strings > LIMITS["MAX_ITEM_PROBLEMS"]:
        c.add(path, f"has {long_strings - LIMITS['MAX_ITEM_PROBLEMS']} more too-long strings")


def _raise_if_invalid(payload):
    problems = validate_payload(payload)
    if problems:
        lines = "\n".join(f"  {p['message']}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ValueError(f"invalid char-attention payload:\n{lines}{more}")
    return payload

# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------


def _sample_fields(
    text_or_tokens,
    attention,
    prediction=None,
    label=None,
    title=None,
    mask=None,
    series=None,
    meta=None,
):
    sample = {}
    if isinstance(text_or_tokens, str):
        sample["text"] = text_or_tokens
    else:
        tokens = to_plain(text_or_tokens)
        if not isinstance(tokens, list):
            raise ValueError(
                f"text_or_tokens must be a string or a list of strings, got {type(text_or_tokens).__name__}"
            )
        sample["tokens"] = tokens
    if series is not None:
        if attention is not None:
            raise ValueError("give attention or series, not both")
        sample["series"] = _series_list(series)
    else:
        values = to_plain(attention)
        if isinstance(values, list) and values and all(
            isinstance(v, list) and len(v) == 1 for v in values
        ):
            values = [v[0] for v in values]  # a (n, 1) column
        sample["attention"] = values
        _hint_model_positions(sample)
    if mask is not None:
        flags = to_plain(mask)
        sample["mask"] = [bool(m) for m in flags] if isinstance(flags, list) else flags
    if prediction is not None:
        pred = to_plain(prediction)
        if isinstance(pred, list) and len(pred) == 1 and not isinstance(pred[0], list):
            pred = pred[0]
        sample["prediction"] = pred
    if label is not None:
        sample["label"] = to_plain(label)
    if title is not None:
        sample["title"] = title
    if meta is not None:
        sample["meta"] = to_plain(meta)
    return sample


def _series_list(series):
    if isinstance(series, dict):
        return [{"name": str(name), "values": to_plain(values)} for name, values in series.items()]
    rows = []
    for i, row in enumerate(series):
        if isinstance(row, dict):
            rows.append({"name": row.get("name"), "values": to_plain(row.get("values"))})
        elif isinstance(row, (list, tuple)) and len(row) == 2 and isinstance(row[0], str):
            rows.append({"name": row[0], "values": to_plain(row[1])})
        else:
            raise ValueError(f"series[{i}]: expected {{'name': ..., 'values': [...]}} or (name, values)")
    return rows


def _hint_model_positions(sample):
    """Explain the most common mistake: passing the model's padded attention row."""
    values = sample.get("attention")
    text = sample.get("text")
    if isinstance(values, list) and isinstance(text, str) and len(values) > len(text):
        raise ValueError(
            f"attention has {len(values)} values, text has {len(text)} characters. "
            "If these are the model's padded positions (maxlen), map them to characters "
            "with align(texts, tokenizer, maxlen, attention=...) or use from_keras(...)"
        )


def attention_payload(
    text_or_tokens,
    attention=None,
    *,
    prediction=None,
    label=None,
    title=None,
    mask=None,
    series=None,
    options=None,
    meta=None,
):
    """Build a single-sample payload v1.

    Parameters
    ----------
    text_or_tokens:
        The text (one table cell per Unicode code point) or a list of token
        strings (one cell each).
    attention:
        One value per character/token: numbers, ``None`` (missing), a numpy
        array or a tensor. Leave it out when giving ``series``.
    prediction:
        The model output for this text: a number, or a list for several outputs
        (a one-element list/array is stored as its number).
    label, title:
        A ground-truth label (string, number or boolean) and a heading.
    mask:
        One boolean per character; ``False`` marks characters the model did
        not see (unknown, truncated).
    series:
        Several rows instead of ``attention``: ``{"layer 1": values, ...}`` or a
        list of ``{"name": ..., "values": ...}`` / ``(name, values)``.
    options:
        Display options: ``colormap`` (``Reds``, ``Blues``, ``Greens``,
        ``Greys``, ``Oranges``, ``Purples``, ``viridis``, ``magma``, ``RdBu``),
        ``vmin``, ``vmax``, ``normalize`` (``none``, ``minmax``, ``max``),
        ``shareScale``, ``charsPerRow`` (default 50), ``precision`` (default 4).
    meta:
        Free-form metadata shown as text (model name, layer, ...).

    Returns
    -------
    dict
        ``{"version": 1, "text": ..., "attention": [...], ...}``, JSON-ready.

    Raises
    ------
    ValueError
        with every problem found (``attention has 12 values, text has 13``,
        ``attention[3] is NaN; use null for a missing value``, ...).
    """
    payload = {"version": PAYLOAD_VERSION}
    payload.update(
        _sample_fields(text_or_tokens, attention, prediction, label, title, mask, series, meta)
    )
    if options is not None:
        payload["options"] = to_plain(options)
    return _raise_if_invalid(payload)


def batch_payload(samples, *, options=None, title=None, meta=None):
    """Build a batch payload v1 from several samples.

    ``samples`` is an iterable whose items are any of:

    * a single-sample payload (from :func:`attention_payload`) or a sample dict;
    * a batch payload (its samples are appended, e.g. the result of
      :func:`~jupyterlab_char_attention.align` or ``from_keras``);
    * an :class:`~jupyterlab_char_attention.AttentionView`;
    * a ``(text_or_tokens, attention)`` pair.

    ``options`` apply to the whole batch (with ``shareScale`` true, the
    default, every sample uses one colour scale). When ``options`` is not
    given, the options carried by the given payloads are merged in order.

    Returns the batch dict; raises ``ValueError`` listing the problems when the
    result is not a valid payload.
    """
    collected = []
    merged_options = {}
    for i, item in enumerate(samples):
        item = getattr(item, "payload", item)
        if isinstance(item, (tuple, list)) and len(item) == 2:
            collected.append(_sample_fields(item[0], item[1]))
            continue
        if not isinstance(item, dict):
            raise ValueError(
                f"samples[{i}]: expected a payload, a sample dict or a (text, attention) pair, "
                f"got {type(item).__name__}"
            )
        if isinstance(item.get("options"), dict):
            merged_options.update(item["options"])
        if "samples" in item and isinstance(item["samples"], (list, tuple)):
            collected.extend(dict(s) if isinstance(s, dict) else s for s in item["samples"])
        else:
            collected.append({k: v for k, v in item.items() if k not in ("version", "options")})
    payload = {"version": PAYLOAD_VERSION, "samples": collected}
    if options is not None:
        payload["options"] = to_plain(options)
    elif merged_options:
        payload["options"] = merged_options
    if title is not None:
        payload["title"] = title
    if meta is not None:
        payload["meta"] = to_plain(meta)
    return _raise_if_invalid(payload)
