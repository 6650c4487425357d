"""Reading the Python code Keras stores for a Lambda layer, without running it.

The same reader as the TypeScript side (``src/model/layers/lambda-code.ts`` and
``lambda.ts``), rule for rule: the marshalled code object is parsed by hand
(CPython 2.7 and 3.0-3.12 layouts, whatever Python runs this; `code_objects.py`), its instructions
are evaluated symbolically with the opcode table of that version, and only
loads (global, attribute, argument, constant), calls and the return are
understood. A Lambda runs without a mapping only when its code is exactly
``<K|backend|ops|keras.ops|...>.<sum|mean|max|min>(x, axis=N[, keepdims=B])``
or ``tf.reduce_*``; anything else (``-K.sum(x)``, ``K.sum(K.exp(x))``,
``os.system(...) or K.sum(...)``) is refused with the reason. Nothing is
guessed from names. Both sides are checked against the same cases
(``test/fixtures/keras/lambda_cases/cases.json``).
"""

import base64
import binascii
import json
import math
import re

from .code_objects import js_number, js_text, read_marshal_code

__all__ = ["decompile", "describe_op", "expr_text", "format_op", "lambda_code", "lambda_refusal",
           "recognize_lambda"]

# Expressions: ("arg", name), ("global", name), ("attr", obj, name), ("const", value),
# ("call", fn, [args], [(key, value)]).
_NULL = ("null",)


_CLASSIC = {9: "NOP", 83: "RETURN_VALUE", 100: "LOAD_CONST", 101: "LOAD_NAME", 106: "LOAD_ATTR",
            116: "LOAD_GLOBAL", 124: "LOAD_FAST", 131: "CALL_FUNCTION"}
# (wordcode, caches, ops, global_shift, attr_shift) per CPython version family.
_PY2 = (False, False, {**_CLASSIC, 145: "EXTENDED_ARG"}, False, False)
_PY36 = (True, False, {**_CLASSIC, 141: "CALL_FUNCTION_KW", 144: "EXTENDED_ARG", 160: "LOAD_METHOD",
                       161: "CALL_METHOD"}, False, False)
_PY311 = (True, True, {2: "PUSH_NULL", 9: "NOP", 83: "RETURN_VALUE", 100: "LOAD_CONST", 101: "LOAD_NAME",
                       106: "LOAD_ATTR", 116: "LOAD_GLOBAL", 124: "LOAD_FAST", 144: "EXTENDED_ARG",
                       151: "RESUME", 160: "LOAD_METHOD", 166: "PRECALL", 171: "CALL", 172: "KW_NAMES"},
          True, False)
_PY312 = (True, True, {2: "PUSH_NULL", 9: "NOP", 83: "RETURN_VALUE", 100: "LOAD_CONST", 101: "LOAD_NAME",
                       106: "LOAD_ATTR", 116: "LOAD_GLOBAL", 121: "RETURN_CONST", 124: "LOAD_FAST",
                       127: "LOAD_FAST_CHECK", 144: "EXTENDED_ARG", 151: "RESUME", 171: "CALL", 172: "KW_NAMES"},
          True, True)


def _tables_for(layout):
    return {"2": [_PY2], "3.0-3.7": [_PY36, _PY2], "3.8-3.10": [_PY36]}.get(layout, [_PY311, _PY312])


class _Unreadable(Exception):
    pass


def _evaluate(code, table):  # noqa: C901 - a symbolic interpreter, one branch per instruction
    wordcode, caches, ops, global_shift, attr_shift = table
    b = code.code
    stack = []
    kw_names = None
    ext = 0

    def byte(i):
        return b[i] if i < len(b) else 0

    def pop():
        if not stack:
            raise _Unreadable("stack underflow")
        return stack.pop()

    def pop_expr():
        value = pop()
        if value is _NULL:
            raise _Unreadable("NULL used as a value")
        return value

    def name(i):
        if i < 0 or i >= len(code.names):
            raise _Unreadable("bad name index")
        return code.names[i]

    def call(fn, args, kw):
        if len(kw) > len(args):
            raise _Unreadable("more keywords than arguments")
        positional = args[:len(args) - len(kw)]
        return ("call", fn, positional, list(zip(kw, args[len(positional):])))

    try:
        at = 0
        while at < len(b):
            op = b[at]
            arg = 0
            if wordcode:
                arg = byte(at + 1) | ext
                at += 2
            elif op >= 90:
                arg = byte(at + 1) | (byte(at + 2) << 8) | ext
                at += 3
            else:
                at += 1
            if op == 0 and caches:
                continue
            opname = ops.get(op)
            if opname is None:
                return None
            if opname == "EXTENDED_ARG":
                ext = (arg << (8 if wordcode else 16)) & 0xFFFFFFFF
                continue
            ext = 0
            if opname in ("NOP", "RESUME", "PRECALL"):
                continue
            if opname == "PUSH_NULL":
                stack.append(_NULL)
            elif opname == "LOAD_CONST":
                if arg >= len(code.consts):
                    return None
                stack.append(("const", code.consts[arg]))
            elif opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                shifted = opname == "LOAD_GLOBAL" and global_shift
                if shifted and arg & 1:
                    stack.append(_NULL)
                stack.append(("global", name(arg >> 1 if shifted else arg)))
            elif opname in ("LOAD_FAST", "LOAD_FAST_CHECK"):
                if arg >= len(code.varnames):
                    return None
                stack.append(("arg", code.varnames[arg]))
            elif opname == "LOAD_ATTR":
                obj = pop_expr()
                if attr_shift and arg & 1:
                    stack.append(_NULL)
                stack.append(("attr", obj, name(arg >> 1 if attr_shift else arg)))
            elif opname == "LOAD_METHOD":
                obj = pop_expr()
                stack.append(_NULL)
                stack.append(("attr", obj, name(arg)))
            elif opname == "KW_NAMES":
                names = code.consts[arg] if arg < len(code.consts) else None
                if not isinstance(names, list):
                    return None
                kw_names = [js_text(n) for n in names]
            elif opname == "CALL_FUNCTION" and not wordcode:
                # 2.7 / 3.0-3.5: low byte positional count, high byte keyword pairs.
                kwargs = []
                for _ in range((arg >> 8) & 0xFF):
                    value = pop_expr()
                    key = pop_expr()
                    if key[0] != "const" or not isinstance(key[1], str):
                        return None
                    kwargs.insert(0, (key[1], value))
                args = []
                for _ in range(arg & 0xFF):
                    args.insert(0, pop_expr())
                stack.append(("call", pop_expr(), args, kwargs))
            elif opname in ("CALL", "CALL_METHOD", "CALL_FUNCTION", "CALL_FUNCTION_KW"):
                kw = []
                if opname == "CALL_FUNCTION_KW":
                    names = pop_expr()
                    if names[0] != "const" or not isinstance(names[1], list):
                        return None
                    kw = [js_text(n) for n in names[1]]
                elif opname == "CALL":
                    kw, kw_names = kw_names or [], None
                args = []
                for _ in range(arg):
                    args.insert(0, pop_expr())
                fn = pop_expr()
                # The NULL / self slot of 3.7+ method calls and 3.11+ calls.
                if stack and stack[-1] is _NULL:
                    stack.pop()
                stack.append(call(fn, args, kw))
            elif opname == "RETURN_VALUE":
                value = pop_expr()
                return value if not stack else None
            else:
                return None
    except (_Unreadable, IndexError):
        return None
    return None


def decompile(code):
    """The expression a one-argument function returns, or ``None`` when not understood."""
    results = [e for e in (_evaluate(code, t) for t in _tables_for(code.layout)) if e is not None]
    # Two opcode tables reading the same bytes differently: refuse.
    return results[0] if len({expr_text(e) for e in results}) == 1 else None


def _const_text(v):
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (int, float)):
        return js_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "(" + ", ".join(_const_text(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    return "..."


def expr_text(e):
    """Python-like text of an expression (``K.sum(x, axis=1)``)."""
    kind = e[0]
    if kind in ("arg", "global"):
        return e[1]
    if kind == "attr":
        return f"{expr_text(e[1])}.{e[2]}"
    if kind == "const":
        return _const_text(e[1])
    return f"{expr_text(e[1])}(" + ", ".join([expr_text(a) for a in e[2]] +
                                              [f"{k}={expr_text(v)}" for k, v in e[3]]) + ")"


def _js_truthy(value):
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def _code_bytes(code):
    compact = re.sub(r"\s+", "", code)
    if re.fullmatch(r"[A-Za-z0-9+/]+=*", compact) and len(compact) % 4 == 0 and len(compact) >= 8:
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            pass
    return bytes(ord(c) & 0xFF for c in code)


def lambda_code(config):
    """What a Lambda config's stored function is: ``{text, expr, arg, problem}``."""

    def fail(problem):
        return {"text": None, "expr": None, "arg": None, "problem": problem}

    fn = config.get("function")
    code, closure = None, None
    if config.get("function_type") == "function" and isinstance(fn, str):
        return fail(f"it calls the Python function '{fn}', whose code the file does not hold")
    if isinstance(fn, list):
        code = fn[0] if len(fn) > 0 else None
        closure = fn[2] if len(fn) > 2 else None
    elif isinstance(fn, dict):
        inner = fn.get("config")
        if fn.get("class_name") == "function" or isinstance(inner, str):
            return fail(f"it calls the Python function '{js_text(inner)}', whose code the file does not hold")
        inner = inner if isinstance(inner, dict) else {}
        code = inner.get("code") if inner.get("code") is not None else fn.get("code")
        closure = inner.get("closure")
    elif isinstance(fn, str):
        code = fn
    if not isinstance(code, str):
        return fail("the file holds no code for it")
    parsed = read_marshal_code(_code_bytes(code))
    if parsed is None:
        return fail("its stored code could not be read")
    if _js_truthy(closure) or parsed.freevars:
        return fail("its code uses variables of the enclosing Python function")
    expr = decompile(parsed) if parsed.argcount == 1 else None
    if expr is None:
        return fail("its code is not a single call this reader understands (only loads, calls and the return are read)")
    return {"text": expr_text(expr), "expr": expr, "arg": parsed.varnames[0] if parsed.varnames else None,
            "problem": None}


_REDUCTION_MODULES = {"K": "", "backend": "", "keras.backend": "", "tf.keras.backend": "", "ops": "",
                      "keras.ops": "", "tf": "reduce_", "tf.math": "reduce_", "tensorflow": "reduce_",
                      "tensorflow.math": "reduce_"}


def _match_reduction(expr, arg):  # noqa: C901 - the exact form, field by field
    if expr[0] != "call":
        return None
    chain = []
    f = expr[1]
    while f[0] == "attr":
        chain.insert(0, f[2])
        f = f[1]
    if f[0] != "global" or not chain:
        return None
    prefix = _REDUCTION_MODULES.get(".".join([f[1], *chain[:-1]]))
    fname = chain[-1]
    if prefix is None or not fname.startswith(prefix):
        return None
    kind = fname[len(prefix):]
    if kind not in ("sum", "mean", "max", "min"):
        return None
    args = expr[2]
    if not args or args[0][0] != "arg" or args[0][1] != arg:
        return None
    rest = args[1:]
    positional = ["axis", "keepdims"]
    if len(rest) > len(positional):
        return None
    values = dict(zip(positional, rest))
    for k, v in expr[3]:
        if k not in positional or k in values:
            return None
        values[k] = v
    axis, keep = values.get("axis"), values.get("keepdims")
    if axis is None or axis[0] != "const" or isinstance(axis[1], bool) or not isinstance(axis[1], (int, float)) \
            or axis[1] != int(axis[1]):
        return None
    if keep is not None and (keep[0] != "const" or not isinstance(keep[1], bool)):
        return None
    return {"op": kind, "axis": int(axis[1]), "keepdims": bool(keep[1]) if keep is not None else False}


def recognize_lambda(config):
    """``(spec, code text)`` for a Lambda whose stored code is exactly a known reduction, else ``None``."""
    code = lambda_code(config)
    if code["expr"] is None or code["arg"] is None:
        return None
    if isinstance(config.get("arguments"), dict) and config["arguments"]:
        return None
    spec = _match_reduction(code["expr"], code["arg"])
    return (spec, code["text"]) if spec else None


def lambda_refusal(config):
    """Why a Lambda is not run without a mapping (the TypeScript side's words)."""
    code = lambda_code(config)
    if code["text"]:
        return (f"its code `{code['text']}` is not one of the forms run without a mapping "
                "(K./ops./backend. sum, mean, max or min, tf.reduce_*, over a constant axis)")
    return code["problem"] or "its operation could not be read"


def format_op(spec):
    """Canonical text of a reduction (``sum(axis=1)``, ``mean(axis=1, keepdims=true)``)."""
    return f"{spec['op']}(axis={spec['axis']}{', keepdims=true' if spec.get('keepdims') else ''})"


def describe_op(spec):
    """A reduction in words, as the TypeScript side reports it (``sum over axis 1``)."""
    return f"{spec['op']} over axis {spec['axis']}{' (keeping the axis)' if spec.get('keepdims') else ''}"
