"""Python code objects read from ``marshal`` bytes by hand, for any CPython version.

Keras stores a Lambda's function as its marshalled code object; the layout of
that object differs between CPython 2.7, 3.0-3.7, 3.8-3.10 and 3.11+, and
``marshal.loads`` only reads the running version's. This reader follows
``src/model/layers/lambda-code.ts`` rule for rule (strings and numbers are
turned into text as JavaScript does, so both readers print the same code).
Nothing is executed.
"""

import math
import struct

__all__ = ["CodeObject", "ELLIPSIS", "js_number", "js_text", "read_marshal_code"]

ELLIPSIS = ("ellipsis",)


class CodeObject:
    """The fields of a code object used here."""

    def __init__(self, layout, argcount, code, consts, names, varnames, freevars, name):
        self.layout, self.argcount, self.code = layout, argcount, code
        self.consts, self.names, self.varnames, self.freevars, self.name = consts, names, varnames, freevars, name


def js_text(value):
    """``String(value)`` as JavaScript writes it (names are strings in practice)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, (bytes, bytearray)):
        return ",".join(str(b) for b in value)
    if isinstance(value, list):
        return ",".join("" if v is None else js_text(v) for v in value)
    return "[object Object]"


def js_number(v):
    """``String(number)`` in JavaScript: shortest round-trip digits, exponent outside [1e-6, 1e21)."""
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        if v == 0:
            return "0"
    if isinstance(v, int) and abs(v) < 10 ** 21:
        return str(v)
    sign = "-" if v < 0 else ""
    digits, exponent = _shortest(abs(float(v)))
    n = exponent + 1  # position of the decimal point after the first digit
    if 1e-6 <= abs(v) < 1e21:
        if n <= 0:
            return f"{sign}0.{'0' * -n}{digits}"
        if n >= len(digits):
            return f"{sign}{digits}{'0' * (n - len(digits))}"
        return f"{sign}{digits[:n]}.{digits[n:]}"
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def _shortest(x):
    """Shortest round-trip significant digits of a positive float and its decimal exponent."""
    mantissa, _, exp = f"{x:.17e}".partition("e")
    for precision in range(1, 18):
        text = f"{x:.{precision - 1}e}"
        if float(text) == x:
            mantissa, _, exp = text.partition("e")
            break
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    return digits, int(exp)


class _Reader:
    """A ``marshal`` stream, as far as code objects need."""

    def __init__(self, data):
        self._b, self._at, self._refs, self._interned = data, 0, [], []

    def read(self):
        raw = self._byte()
        flag = (raw & 0x80) != 0
        kind = chr(raw & 0x7F)
        slot = -1
        if flag:
            slot = len(self._refs)
            self._refs.append(None)
        value = self._value(kind)
        if flag:
            self._refs[slot] = value
        return value

    def _value(self, kind):  # noqa: C901 - one branch per marshal type, as the format lists them
        if kind in "NS":
            return None
        if kind == "F":
            return False
        if kind == "T":
            return True
        if kind == ".":
            return ELLIPSIS
        if kind == "i":
            return self._i32()
        if kind == "I":
            lo = self._i32() & 0xFFFFFFFF
            return self._i32() * 4294967296 + lo
        if kind == "l":
            n = self._i32()
            value, scale = 0, 1
            for _ in range(abs(n)):
                value += self._u16() * scale
                scale *= 32768
            return -value if n < 0 else value
        if kind == "g":
            return struct.unpack("<d", self._bytes(8))[0]
        if kind == "f":
            return float(self._text(self._byte()))
        if kind == "y":
            self._bytes(16)
            return None
        if kind == "x":
            self._text(self._byte())
            self._text(self._byte())
            return None
        if kind == "s":
            return self._bytes(self._i32())
        if kind == "t":
            text = self._text(self._i32())
            self._interned.append(text)
            return text
        if kind == "u":
            return self._bytes(self._i32()).decode("utf-8", "replace")
        if kind in "aA":
            return self._text(self._i32())
        if kind in "zZ":
            return self._text(self._byte())
        if kind == "R":
            i = self._i32()
            return self._interned[i] if 0 <= i < len(self._interned) else None
        if kind == "r":
            i = self._i32()
            if not 0 <= i < len(self._refs):
                raise ValueError("bad ref")
            return self._refs[i]
        if kind in "([<>":
            return self._seq(self._i32())
        if kind == ")":
            return self._seq(self._byte())
        if kind == "{":
            out = []
            while True:
                if self._at < len(self._b) and chr(self._b[self._at] & 0x7F) == "0":
                    self._at += 1
                    return out
                out.extend([self.read(), self.read()])
        if kind == "c":
            return self._code()
        raise ValueError(f"marshal type {kind}")

    def _code(self):
        start = self._at
        for ints in (5, 6, 4):
            self._at = start
            at = start + 4 * ints
            if at >= len(self._b) or (self._b[at] & 0x7F) != 0x73:
                continue
            try:
                return self._code_body(ints)
            except Exception:  # noqa: BLE001 - another layout may fit
                continue
        raise ValueError("unknown code object layout")

    def _code_body(self, ints):
        head = [self._i32() for _ in range(ints)]
        code, consts, names, a, b = self.read(), self.read(), self.read(), self.read(), self.read()
        if not isinstance(code, bytes) or not isinstance(consts, list):
            raise ValueError("not code")

        def strings(v):
            return [js_text(s) for s in v] if isinstance(v, list) else []

        if ints == 5 and isinstance(b, bytes):
            # 3.11+: localsplusnames, localspluskinds, filename, name, ...; kind 0x80 = free variable.
            self.read()
            name = self.read()
            every = strings(a)
            kinds = b
            local = [n for i, n in enumerate(every) if not (kinds[i] if i < len(kinds) else 0) & 0x80]
            free = [n for i, n in enumerate(every) if (kinds[i] if i < len(kinds) else 0) & 0x80]
            return CodeObject("3.11+", head[0], code, consts, strings(names), local, free, js_text(name))
        # 2.x / 3.0-3.10: varnames, freevars, cellvars, filename, name, ...
        self.read()
        self.read()
        name = self.read()
        layout = "2" if ints == 4 else "3.0-3.7" if ints == 5 else "3.8-3.10"
        return CodeObject(layout, head[0], code, consts, strings(names), strings(a), strings(b), js_text(name))

    def _seq(self, n):
        return [self.read() for _ in range(n)]

    def _byte(self):
        if self._at >= len(self._b):
            raise ValueError("truncated")
        self._at += 1
        return self._b[self._at - 1]

    def _u16(self):
        return self._byte() | (self._byte() << 8)

    def _i32(self):
        v = self._byte() | (self._byte() << 8) | (self._byte() << 16) | (self._byte() << 24)
        return v - (1 << 32) if v & 0x80000000 else v

    def _bytes(self, n):
        if n < 0 or self._at + n > len(self._b):
            raise ValueError("truncated")
        self._at += n
        return bytes(self._b[self._at - n:self._at])

    def _text(self, n):
        return self._bytes(n).decode("latin-1")


def read_marshal_code(data):
    """The code object in marshalled bytes, or ``None``."""
    try:
        value = _Reader(data).read()
    except Exception:  # noqa: BLE001 - any damage means "not readable"
        return None
    return value if isinstance(value, CodeObject) else None
