"""Load a Keras 2 ``.h5`` model (``model.save('weights.best.hdf5')``) in a Keras 3 kernel.

Keras 3 (TensorFlow >= 2.16) cannot load the HDF5 files that Keras 2 wrote
for the reference attention model, for two reasons that are not about the
weights:

* Keras 2 stores ``"time_major": false`` in every GRU/LSTM/SimpleRNN config;
  Keras 3 removed that argument and rejects it ("Unrecognized keyword
  arguments passed to GRU: {'time_major': False}").
* A Keras 2 ``Lambda`` stores its Python bytecode as ``function: [code,
  defaults, closure]`` with ``function_type``/``module`` fields; Keras 3
  reads only its own ``__lambda__`` form and rejects those fields.

:func:`load_keras_h5` rewrites the stored *configuration* only: it drops
``time_major`` when it is false, and replaces each Lambda by a small layer
that performs the mapped operation (``sum(axis=1)`` ...), given explicitly in
``lambdas`` or read from the stored code when that code is exactly a known
reduction (:mod:`.lambda_code`, the TypeScript side's reader: the code is
decoded, never run, never guessed from names; ``-K.sum(x)`` or
``K.sum(K.exp(x))`` are refused). The weights are read by Keras itself from the
original file's ``model_weights``. Every rewrite is listed in the returned
model's ``char_attention_inferences`` (and in ``from_keras``'s payload meta)
and announced with a warning. In files written by Keras 3 only Lambdas are
replaced (so that no stored bytecode runs, and no ``safe_mode=False`` is
needed); a file that needs no rewrite is loaded by ``keras.models.load_model``
as it is.

The accepted Lambda forms are the TypeScript side's: ``sum|mean|max|min(axis=N[,
keepdims=true])``, ``softmax(axis=N)``, ``expand_dims(axis=N)``,
``squeeze(axis=N)``, ``identity``, ``square``, ``scale(C)``; ``axis`` counts
the batch axis, as in Keras code.
"""

import json
import os
import re
import shutil
import tempfile
import warnings

from .lambda_code import describe_op, lambda_refusal, recognize_lambda

__all__ = ["LAMBDA_FORMS", "load_keras_h5", "parse_lambda_form", "translate_keras2_config"]

LAMBDA_FORMS = (
    "sum(axis=N)",
    "mean(axis=N)",
    "max(axis=N)",
    "min(axis=N)",
    "sum(axis=N, keepdims=true)",
    "softmax(axis=N)",
    "expand_dims(axis=N)",
    "squeeze(axis=N)",
    "identity",
    "square",
    "scale(C)",
)

_RNN_CLASSES = ("GRU", "LSTM", "SimpleRNN", "CuDNNGRU", "CuDNNLSTM", "RNN")
_LAYER_NAME = "CharAttentionLambda"


def parse_lambda_form(text):
    """Parse one mapping (``'sum(axis=1)'``, ``'K.sum(x, axis=1)'``, ...) into a dict, or ``None``."""
    s = re.sub(r"\s+", "", str(text))
    s = re.sub(r"^(keras\.ops\.|keras\.backend\.|K\.|tf\.math\.|tf\.|np\.|ops\.)", "", s)
    s = re.sub(r"^reduce_", "", s)
    if re.fullmatch(r"(?i)identity|x|lambdax:x", s):
        return {"op": "identity"}
    if re.fullmatch(r"(?i)square|x\*\*2|pow\(2\)", s):
        return {"op": "square"}
    m = re.fullmatch(r"(?i)(?:scale|multiply)\((-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\)", s)
    if m:
        return {"op": "scale", "factor": float(m.group(1))}
    m = re.fullmatch(
        r"(?i)(sum|mean|max|min|softmax|expand_dims|squeeze)\((?:x,)?(?:axis=)?(-?\d+)(?:,keepdims=(true|false))?\)", s
    )
    if not m:
        return None
    kind, axis = m.group(1).lower(), int(m.group(2))
    if kind in ("softmax", "expand_dims", "squeeze"):
        return None if m.group(3) else {"op": kind, "axis": axis}
    return {"op": kind, "axis": axis, "keepdims": (m.group(3) or "").lower() == "true"}


def _format(spec):
    op = spec["op"]
    if op in ("identity", "square"):
        return op
    if op == "scale":
        return f"scale({spec['factor']:g})"
    keep = ", keepdims=true" if spec.get("keepdims") else ""
    return f"{op}(axis={spec['axis']}{keep})"


def translate_keras2_config(model_config, lambdas=None):
    """Rewrite a Keras 2 (or Keras 3) ``model_config`` dict for Keras 3; return (config, inferences).

    Raises ``ValueError`` naming the layer when a Lambda is neither mapped in
    ``lambdas`` nor recognised, or when an RNN uses ``time_major=True``.
    """
    lambdas = dict(lambdas or {})
    inferences = []
    used = set()

    def visit(layer):
        if not isinstance(layer, dict):
            return layer
        class_name = layer.get("class_name")
        config = layer.get("config")
        if not isinstance(config, dict):
            return layer
        name = config.get("name", layer.get("name"))
        if class_name in _RNN_CLASSES and "time_major" in config:
            if config["time_major"]:
                raise ValueError(f"layer {name!r} ({class_name}): time_major=True has no Keras 3 equivalent")
            config = {k: v for k, v in config.items() if k != "time_major"}
            inferences.append(f"layer {name!r} ({class_name}): dropped time_major=false (removed in Keras 3)")
        if class_name == "Embedding" and "input_length" in config:
            config = {k: v for k, v in config.items() if k != "input_length"}
            inferences.append(f"layer {name!r} (Embedding): dropped input_length (deprecated in Keras 3; "
                              "the model's input declares the length)")
        if class_name == "Lambda":
            if name in lambdas:
                spec = parse_lambda_form(lambdas[name])
                if spec is None:
                    raise ValueError(
                        f"lambdas[{name!r}] = {lambdas[name]!r} is not understood; accepted forms: "
                        + ", ".join(LAMBDA_FORMS)
                    )
                used.add(name)
                how = "as given"
            else:
                found = recognize_lambda(config)
                if found is None:
                    raise ValueError(
                        f"layer {name!r} (Lambda): {lambda_refusal(config)}. Its Python code is not run: "
                        f"map it explicitly, e.g. load_keras_h5(path, lambdas={{{name!r}: 'sum(axis=1)'}}); "
                        "accepted forms: " + ", ".join(LAMBDA_FORMS)
                    )
                spec, text = found
                how = f"read as {describe_op(spec)} from its code `{text}`"
            inferences.append(
                f"layer {name!r} (Lambda): "
                + (f"computes {_format(spec)}, {how}" if how == "as given" else how)
            )
            new = {
                "class_name": _LAYER_NAME,
                "registered_name": _LAYER_NAME,
                "config": {"name": name, "trainable": config.get("trainable", True), **spec},
            }
            for key in ("name", "inbound_nodes"):
                if key in layer:
                    new[key] = layer[key]
            return new
        if isinstance(config.get("layer"), dict):  # TimeDistributed, Bidirectional
            config = {**config, "layer": visit(config["layer"])}
        if isinstance(config.get("layers"), list):  # nested models
            config = {**config, "layers": [visit(item) for item in config["layers"]]}
        return {**layer, "config": config}

    translated = visit(model_config)
    unknown = sorted(set(lambdas) - used)
    if unknown:
        raise ValueError(f"lambdas: no Lambda layer named {', '.join(map(repr, unknown))} in the model")
    return translated, inferences


def _lambda_layer_class(keras):
    ops = keras.ops

    class CharAttentionLambda(keras.layers.Layer):
        """A Keras 2 Lambda replaced by the operation it computes."""

        def __init__(self, op, axis=None, keepdims=False, factor=None, **kwargs):
            super().__init__(**kwargs)
            self.op, self.axis, self.keepdims, self.factor = op, axis, keepdims, factor

        def call(self, x, mask=None):  # Keras 3 files store a mask argument for Lambda calls
            op = self.op
            if op in ("sum", "mean", "max", "min"):
                return getattr(ops, op)(x, axis=self.axis, keepdims=self.keepdims)
            if op == "softmax":
                return ops.softmax(x, axis=self.axis)
            if op == "expand_dims":
                return ops.expand_dims(x, self.axis)
            if op == "squeeze":
                return ops.squeeze(x, axis=self.axis)
            if op == "square":
                return ops.square(x)
            if op == "scale":
                return x * self.factor
            return x

        def compute_output_shape(self, shape):
            shape = list(shape)
            rank = len(shape)
            axis = None if self.axis is None else (self.axis + rank if self.axis < 0 else self.axis)
            if self.op in ("sum", "mean", "max", "min"):
                if self.keepdims:
                    shape[axis] = 1
                else:
                    del shape[axis]
            elif self.op == "expand_dims":
                shape.insert(self.axis + rank + 1 if self.axis < 0 else self.axis, 1)
            elif self.op == "squeeze":
                del shape[axis]
            return tuple(shape)

        def get_config(self):
            return {**super().get_config(), "op": self.op, "axis": self.axis, "keepdims": self.keepdims,
                    "factor": self.factor}

    return CharAttentionLambda


def load_keras_h5(path, lambdas=None, custom_objects=None):
    """Load a Keras ``.h5`` model in the kernel's Keras (``compile=False``).

    Parameters
    ----------
    path:
        The ``.h5``/``.hdf5`` file written by ``model.save``.
    lambdas:
        ``{layer name: form}`` for Lambda layers that are not recognised,
        e.g. ``{"lambda_1": "sum(axis=1)"}``.
    custom_objects:
        Passed to Keras.

    Returns the Keras model; ``model.char_attention_inferences`` lists what
    was rewritten (empty for a Keras 3 file or a Keras 2 file that needed
    nothing).
    """
    try:
        import h5py
        import keras
    except ImportError as err:
        raise ImportError(f"load_keras_h5 needs Keras and h5py in the kernel ({err})") from None
    path = os.fspath(path)
    with h5py.File(path, "r") as fh:
        raw = fh.attrs.get("model_config")
        if raw is None:
            raise ValueError(f"{path}: no model_config attribute (a weights-only file? build the model and "
                             "call model.load_weights)")
        raw = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    if keras.__version__.startswith("2."):
        config, inferences = None, []  # Keras 2 reads its own files
    else:
        # Keras 3 files too: their Lambdas are replaced, so that no stored bytecode runs.
        config, inferences = translate_keras2_config(json.loads(raw), lambdas)
    objects = dict(custom_objects or {})
    if not inferences:
        model = keras.models.load_model(path, compile=False, custom_objects=objects or None)
    else:
        objects[_LAYER_NAME] = _lambda_layer_class(keras)
        with tempfile.TemporaryDirectory() as folder:
            copy = os.path.join(folder, os.path.basename(path) if path.endswith((".h5", ".hdf5")) else "model.h5")
            shutil.copyfile(path, copy)
            with h5py.File(copy, "r+") as fh:
                fh.attrs["model_config"] = json.dumps(config)
            model = keras.models.load_model(copy, compile=False, custom_objects=objects)
    for line in inferences:
        warnings.warn(f"{os.path.basename(path)}: {line}", stacklevel=2)
    model.char_attention_inferences = [f"{os.path.basename(path)}: {line}" for line in inferences]
    return model
