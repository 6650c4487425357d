"""Lambda code cases both readers (TypeScript and Python) must decode or refuse alike.

``cases.json``: each case is a Lambda layer config as Keras stores it (the
function's code marshalled and base64-encoded as Keras 2's ``func_dump`` and
Keras 3's ``__lambda__`` write it, by the Python running this script), and
what a reader must make of it: the reduction and the code's text, or the
exact reason for refusing it. The expectations are written here by hand from
the source of each lambda; test/model/layers/lambda-cases.spec.ts and
python/tests/test_lambda_cases.py run both readers on them.

A CPython 2.7 code object (``lambda x: K.sum(x, axis=1)``) is assembled byte
by byte (no Python 2 here), following the 2.7 marshal format.
"""
import base64
import codecs
import json
import marshal
import os
import struct
import types

NOT_A_CALL = "its code is not a single call this reader understands (only loads, calls and the return are read)"
FORMS = ("is not one of the forms run without a mapping (K./ops./backend. sum, mean, max or min, "
         "tf.reduce_*, over a constant axis)")


def _code_of(source):
    module = compile(source, "<lambda>", "eval")
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


def _keras2(code, closure=None):
    """The config Keras 2 writes: function = [base64 code, defaults, closure]."""
    dumped = codecs.encode(marshal.dumps(code), "base64").decode("ascii")
    return {"name": "lam", "function": [dumped, None, closure], "function_type": "lambda",
            "module": "__main__", "output_shape": None, "arguments": {}}


def _keras3(code):
    """The config Keras 3 writes: function = {class_name: __lambda__, config: {code, ...}}."""
    dumped = codecs.encode(marshal.dumps(code), "base64").decode("ascii")
    return {"name": "lam", "function": {"class_name": "__lambda__",
                                        "config": {"code": dumped, "defaults": None, "closure": None}},
            "arguments": {}}


def _py27_sum():
    """``lambda x: K.sum(x, axis=1)`` as CPython 2.7 marshals it."""
    def i32(v):
        return b"i" + struct.pack("<i", v)

    def s(b):
        return b"s" + struct.pack("<i", len(b)) + b

    def t(text):
        return b"t" + struct.pack("<i", len(text)) + text.encode()

    def tup(*items):
        return b"(" + struct.pack("<i", len(items)) + b"".join(items)

    code = bytes([116, 0, 0, 106, 1, 0, 124, 0, 0, 100, 1, 0, 100, 2, 0, 131, 1, 1, 83])
    body = (b"c" + struct.pack("<4i", 1, 1, 3, 67) + s(code) + tup(b"N", t("axis"), i32(1))
            + tup(t("K"), t("sum")) + tup(t("x")) + tup() + tup() + s(b"<stdin>") + t("<lambda>")
            + struct.pack("<i", 1) + s(b""))
    return base64.b64encode(body).decode("ascii")


def cases():
    def accepted(op, text):
        return {"op": op, "text": text}

    def refused(reason):
        return {"refused": reason}

    def outer(a):
        return lambda x: K.sum(x, axis=a)  # noqa: F821 - only compiled, never run

    out = [
        ("k_sum", "lambda x: K.sum(x, axis=1)", _keras2(_code_of("lambda x: K.sum(x, axis=1)")),
         accepted("sum(axis=1)", "K.sum(x, axis=1)")),
        ("keras3_ops_sum", "lambda x: ops.sum(x, axis=-2)", _keras3(_code_of("lambda x: ops.sum(x, axis=-2)")),
         accepted("sum(axis=-2)", "ops.sum(x, axis=-2)")),
        ("mean_keepdims", "lambda x: K.mean(x, axis=1, keepdims=True)",
         _keras2(_code_of("lambda x: K.mean(x, axis=1, keepdims=True)")),
         accepted("mean(axis=1, keepdims=true)", "K.mean(x, axis=1, keepdims=True)")),
        ("tf_reduce_max", "lambda x: tf.reduce_max(x, axis=-1)",
         _keras2(_code_of("lambda x: tf.reduce_max(x, axis=-1)")),
         accepted("max(axis=-1)", "tf.reduce_max(x, axis=-1)")),
        ("keras_ops_min_positional", "lambda x: keras.ops.min(x, 1)",
         _keras2(_code_of("lambda x: keras.ops.min(x, 1)")), accepted("min(axis=1)", "keras.ops.min(x, 1)")),
        ("negated_sum", "lambda x: -K.sum(x)", _keras2(_code_of("lambda x: -K.sum(x)")), refused(NOT_A_CALL)),
        ("sum_of_exp", "lambda x: K.sum(K.exp(x))", _keras2(_code_of("lambda x: K.sum(K.exp(x))")),
         refused(f"its code `K.sum(K.exp(x))` {FORMS}")),
        ("os_system_or_sum", "lambda x: os.system('echo owned') or K.sum(x, axis=1)",
         _keras2(_code_of("lambda x: os.system('echo owned') or K.sum(x, axis=1)")), refused(NOT_A_CALL)),
        ("sum_without_axis", "lambda x: K.sum(x)", _keras2(_code_of("lambda x: K.sum(x)")),
         refused(f"its code `K.sum(x)` {FORMS}")),
        ("sum_of_a_global", "lambda x: K.sum(y, axis=1)", _keras2(_code_of("lambda x: K.sum(y, axis=1)")),
         refused(f"its code `K.sum(y, axis=1)` {FORMS}")),
        ("sum_of_squares", "lambda x: K.sum(x * x, axis=1)", _keras2(_code_of("lambda x: K.sum(x * x, axis=1)")),
         refused(NOT_A_CALL)),
        ("unknown_module", "lambda x: np.sum(x, axis=1)", _keras2(_code_of("lambda x: np.sum(x, axis=1)")),
         refused(f"its code `np.sum(x, axis=1)` {FORMS}")),
        ("closure", "lambda x: K.sum(x, axis=a) inside def outer(a)", _keras2(outer(1).__code__, [1]),
         refused("its code uses variables of the enclosing Python function")),
        ("named_function", "def log_sum_exp(x): ...",
         {"name": "lam", "function": "log_sum_exp", "function_type": "function", "module": "__main__"},
         refused("it calls the Python function 'log_sum_exp', whose code the file does not hold")),
        ("not_marshal", "base64 of text that is not a code object",
         {"name": "lam", "function": ["aGVsbG8gd29ybGQ=", None, None], "function_type": "lambda"},
         refused("its stored code could not be read")),
        ("python27_sum", "lambda x: K.sum(x, axis=1) under CPython 2.7",
         {"name": "lam", "function": [_py27_sum(), None, None], "function_type": "lambda"},
         accepted("sum(axis=1)", "K.sum(x, axis=1)")),
    ]
    return [{"name": n, "source": src, "config": cfg, "expected": exp} for n, src, cfg, exp in out]


def build(out_dir):
    import sys

    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump({"python": sys.version.split()[0], "cases": cases()}, f, indent=1)
