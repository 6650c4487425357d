"""What a reader sees of numbers and strings, exactly as the extension shows them.

Mirrors ``src/table/format.ts`` (values with significant digits, in the shorter
of plain and exponent notation, rounded as JavaScript rounds) and
``src/table/glyphs.ts`` (a cell's glyph; header text with bidirectional
controls shown as ``<U+202E>`` markers). ``python/tests/test_html_parity.py``
compares both sides.
"""

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .payload import _js_number

MAX_DIGITS = 17


def _rounded(value, digits):
    """(mantissa digits, exponent) of ``|value|`` to ``digits`` significant digits.

    JavaScript's ``toPrecision`` / ``toExponential`` round the exact binary
    value with ties away from zero; ``'%e'`` rounds ties to even. A tie needs
    the exact value to end one digit past the last kept one, which a double
    with a denominator of ``2**k`` only can when ``k`` is small: only then is
    the value rounded exactly with ``Decimal``.
    """
    a = abs(value)
    text = "%.*e" % (digits - 1, a)
    exponent = int(text[text.index("e") + 1 :])
    if a.as_integer_ratio()[1].bit_length() - 1 <= digits - exponent and _is_tie(a, digits):
        exact = Decimal(a)
        exponent = exact.adjusted()
        with localcontext() as context:
            context.prec = 800  # every digit of a double: no rounding before ours
            n = int(exact.scaleb(digits - 1 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if n >= 10**digits:
            n //= 10
            exponent += 1
        return str(n), exponent
    return (text[0] + text[2 : digits + 1] if digits > 1 else text[0]), exponent


def _is_tie(a, digits):
    """Whether ``a`` is exactly halfway between two values of ``digits`` significant digits."""
    longer = "%.*e" % (digits, a)
    return longer[digits + 1] == "5" and float(longer) == a


def _to_precision(value, digits):
    """JavaScript's ``value.toPrecision(digits)``."""
    sign = "-" if value < 0 else ""
    mantissa, e = _rounded(value, digits)
    if e < -6 or e >= digits:
        tail = "." + mantissa[1:] if digits > 1 else ""
        return f"{sign}{mantissa[0]}{tail}e{'+' if e >= 0 else '-'}{abs(e)}"
    if e >= 0:
        whole, fraction = mantissa[: e + 1], mantissa[e + 1 :]
        return sign + whole + ("." + fraction if fraction else "")
    return sign + "0." + "0" * (-e - 1) + mantissa


def _trim_zeros(text):
    """``12.50`` -> ``12.5``, ``3.000`` -> ``3`` (only after a decimal point)."""
    if "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def _scientific(value, digits):
    """``1.235e-5`` style, without trailing zeros or a ``+``."""
    mantissa, e = _rounded(value, digits)
    sign = "-" if value < 0 else ""
    body = mantissa[0] + ("." + mantissa[1:] if digits > 1 else "")
    return f"{sign}{_trim_zeros(body)}e{e}"


def _format_digits(value, digits):
    if not math.isfinite(value):
        return _js_number(value)
    if value == 0:
        return "0"
    if digits <= 15 and abs(value) < 0.00095:
        return _scientific(value, digits)
    fixed = _to_precision(value, digits)
    if "e" not in fixed:
        plain = _trim_zeros(fixed)
        zeros = fixed.startswith("-0.000") if value < 0 else fixed.startswith("0.000")
        if not zeros:
            return plain
        exponent = _scientific(value, digits)
        return exponent if len(exponent) < len(plain) else plain
    plain = _js_number(float(fixed))
    exponent = _scientific(value, digits)
    return exponent if len(exponent) < len(plain) else plain


def format_value(value, precision):
    """A value with ``precision`` significant digits, as the extension shows it.

    ``0.0041234`` -> ``0.004123``, ``12.5`` -> ``12.5``, ``0.000012345`` ->
    ``1.235e-5``; a value that is not exactly +-1 never shows as ``1``
    (digits are added until it differs).
    """
    value = float(value)
    digits = max(1, min(MAX_DIGITS, int(math.floor(precision))))
    if value.is_integer() and abs(value) < 10 ** min(digits, 15):
        return str(int(value))  # nothing to round (steps, windows, targets)
    text = _format_digits(value, digits)
    if abs(value) != 1:
        more = digits + 1
        while more <= MAX_DIGITS and text in ("1", "-1"):
            text = _format_digits(value, more)
            more += 1
    return text


_NEGATIVE_EXPONENT = re.compile(r"e-0*(?=\d)")
_ONE = ("1", "-1")
_LEADING_ZEROS = ("0.000", "-0.000")


def format_values(values, precision):
    """``format_value`` of many values at once, for table cells.

    One C-level ``%g`` formatting for the whole list, and one substitution
    that writes its exponents as the extension does (``1.2e-05`` ->
    ``1.2e-5``); the values ``%g`` shows otherwise (a positive exponent, a
    leading ``0.000``, a rounded ``1``) go through ``format_value``. The one
    difference left: a value exactly halfway between two roundings (0.015625
    to 4 digits) is rounded to even here (0.01562), away from zero by
    JavaScript (0.01563).
    """
    if not values:
        return []
    digits = max(1, min(MAX_DIGITS, int(math.floor(precision))))
    if digits > 15:
        return [format_value(value, digits) for value in values]
    joined = (f"%.{digits}g\x00" * len(values)) % tuple(values)
    texts = _NEGATIVE_EXPONENT.sub("e-", joined).split("\x00")
    return [
        format_value(value, digits)
        if text in _ONE or "e+" in text or text.startswith(_LEADING_ZEROS)
        else text
        for value, text in zip(values, texts)
    ]


MIN_PERCENT = 0.01


def format_percent(fraction):
    """A fraction as a percentage with 3 significant digits: 0.2891 -> ``28.9%``; below 0.01%, ``< 0.01%``."""
    percent = float(fraction) * 100
    if percent != 0 and abs(percent) < MIN_PERCENT:
        return "< 0.01%"
    return format_value(percent, 3) + "%"


def code_point_name(char):
    return f"U+{ord(char):04X}"


def code_points(token):
    """``U+0068`` for each code point of a token (at most 8, then ``…``)."""
    if not token:
        return "empty"
    shown = " ".join(code_point_name(ch) for ch in token[:8])
    return shown + (" …" if len(token) > 8 else "")


_HIDDEN_CONTROLS = re.compile(
    "[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def visible_controls(text):
    """Header text: bidirectional controls and other controls as ``<U+202E>`` markers.

    Tabs and line breaks become spaces; everything else is kept (joiners,
    combining marks and right-to-left letters are text).
    """
    return _HIDDEN_CONTROLS.sub(
        lambda m: " " if m.group() in "\t\n\r" else f"<{code_point_name(m.group())}>", str(text)
    )


_NAMED = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5", "\r": "\u240d", "\u00a0": "\u237d", "\u007f": "\u2421"}
# JavaScript's /\s/u: white space and line terminators.
_JS_SPACE = set("\t\n\u000b\u000c\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)
}


def _invisible(code):
    return (
        code in (0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0xFEFF)
        or 0x180B <= code <= 0x180F
        or 0x200B <= code <= 0x200F
        or 0x202A <= code <= 0x202E
        or 0x2060 <= code <= 0x206F
        or 0xFE00 <= code <= 0xFE0F
    )


def _point_glyph(point):
    """(glyph, special) of one code point."""
    if point in _NAMED:
        return _NAMED[point], True
    code = ord(point)
    if code < 0x20:
        return chr(0x2400 + code), True
    if 0x80 <= code < 0xA0:
        return "\u00b7", True
    if point in _JS_SPACE:
        return "\u2423", True
    if _invisible(code):
        return "\u00b7", True
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd", True  # a lone surrogate cannot be shown
    return point, False


def glyph(token):
    """(glyph, whitespace) of a token, as the extension draws it in a cell."""
    if token == "":
        return "", False
    shown = [_point_glyph(point) for point in token]
    text = "".join(g for g, _ in shown)
    if unicodedata.category(text[0]).startswith("M"):
        text = "\u25cc" + text  # a lone combining mark would attach to the cell border
    return text, all(special for _, special in shown)
