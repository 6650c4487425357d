"""Run a Keras char-level model and get a displayable payload of per-character values.

The model this is made for looks like::

    Input(maxlen) -> Embedding -> GRU(return_sequences=True)
      -> TimeDistributed(Dense(1, tanh)) -> Flatten
      -> Activation('softmax', name='attention_vec')      # the attention
      -> RepeatVector -> Permute -> multiply -> Lambda(sum over time)
      -> Dense(1, sigmoid)                                 # the prediction

For method ``attention`` :func:`from_keras` builds the two-output model
``Model(model.input, [model.output, attention_layer.output])`` (the layer
named, or found by :func:`find_attention_layer`), encodes the texts exactly
as Keras's char-level ``Tokenizer`` and ``pad_sequences`` do, predicts, and
maps the values over the ``maxlen`` model positions back onto the characters
of each text (see :func:`~jupyterlab_char_attention.align`). The other
methods (occlusion, gradient x input, integrated gradients; see
:mod:`~jupyterlab_char_attention.explain`) give values over the same
positions and are aligned the same way.

Verified by this package's tests with real Keras 3 / TensorFlow: models of
that shape (with and without the Lambda, functional and Sequential), the
layer by name and found automatically, the attention compared with the
layer's output computed by Keras, every explanation method against an
independent computation. Encoding and alignment are checked against Keras's
own ``Tokenizer`` and ``pad_sequences``.

Importing this module does not import TensorFlow or Keras.
"""

from .align import align, encode_texts, load_tokenizer
from .explain import check_method, explain_sequences
from .keras_module import keras_module_for
from .payload import _raise_if_invalid, to_plain

__all__ = ["AUTO", "build_attention_model", "find_attention_layer", "from_keras", "model_maxlen"]


def find_attention_layer(model):
    """Name of the attention layer found automatically, or ``None``.

    A candidate applies a softmax over the time axis and outputs
    ``[batch, T]`` or ``[batch, T, 1]`` for the model's input length ``T``:
    an ``Activation('softmax')`` or ``Dense(..., activation='softmax')`` with
    a ``[batch, T]`` output, or a ``Softmax`` layer over the time axis. Among
    several, the first whose name contains "attention" wins, else the first.
    These are the rules of the TypeScript side (``chooseAttention``).
    """
    steps = model_maxlen(model)
    candidates = []
    for item in getattr(model, "layers", []) or []:
        try:
            shape = tuple(item.output.shape)[1:]
        except (AttributeError, ValueError, TypeError, RuntimeError):
            continue
        if not _is_time_shape(shape, steps):
            continue
        kind = type(item).__name__
        activation = getattr(getattr(item, "activation", None), "__name__", None)
        if kind in ("Activation", "Dense") and activation == "softmax" and len(shape) == 1:
            candidates.append(item.name)
        elif kind == "Softmax":
            axis = getattr(item, "axis", -1)
            axes = axis if isinstance(axis, (list, tuple)) else [axis]
            time_axes = (1, -1) if len(shape) == 1 else (1, -2)
            if len(axes) == 1 and axes[0] in time_axes:
                candidates.append(item.name)
    if not candidates:
        return None
    named = [name for name in candidates if "attention" in name.lower()]
    return (named or candidates)[0]


def _is_time_shape(shape, steps):
    def matches(d):
        return steps is None or d is None or d == steps

    if len(shape) == 1:
        return matches(shape[0])
    return len(shape) == 2 and shape[1] == 1 and matches(shape[0])


def build_attention_model(model, layer="attention_vec"):
    """Return ``Model(model.input, [model.output, model.get_layer(layer).output])``.

    Raises ``ValueError`` naming the layer and listing the model's layers
    when ``layer`` does not exist.
    """
    try:
        target = model.get_layer(layer)
    except ValueError:
        names = [getattr(item, "name", "?") for item in getattr(model, "layers", [])]
        raise ValueError(
            f"layer {layer!r} not found in the model; its layers are: {', '.join(names)}"
        ) from None
    keras = keras_module_for(model)
    inputs = getattr(model, "inputs", None) or [model.input]
    outputs = getattr(model, "outputs", None) or [model.output]
    return keras.Model(inputs[0] if len(inputs) == 1 else inputs, [outputs[0], target.output])


def model_maxlen(model):
    """The sequence length of the model's input (``Input(maxlen)``), or ``None`` if variable."""
    shape = getattr(model, "input_shape", None)
    if isinstance(shape, list):
        if len(shape) != 1:
            raise ValueError(f"the model has {len(shape)} inputs; a char-level model has one")
        shape = shape[0]
    if shape is None:
        return None
    shape = tuple(shape)
    if len(shape) < 2:
        return None
    length = shape[1]
    return int(length) if length is not None else None


def _predict(attention_model, x, batch_size):
    kwargs = {"verbose": 0}
    if batch_size is not None:
        kwargs["batch_size"] = batch_size
    try:
        return attention_model.predict(x, **kwargs)
    except TypeError:  # a predict() without verbose/batch_size
        return attention_model.predict(x)


def _as_model_input(sequences):
    try:
        import numpy
    except ImportError:  # pragma: no cover - Keras always brings numpy
        return sequences
    return numpy.asarray(sequences, dtype="int32")


AUTO = "auto"
"""``layer=AUTO`` (the default): find the attention layer automatically."""


def from_keras(
    model,
    texts,
    tokenizer,
    layer=AUTO,
    maxlen=None,
    padding="pre",
    truncating="pre",
    *,
    method=None,
    window=1,
    steps=None,
    tolerance=0.01,
    target=None,
    embedding=None,
    batch_size=None,
    options=None,
    title=None,
):
    """Run a Keras char-level model on texts; return a payload v1 batch of per-character values.

    Parameters
    ----------
    model:
        The trained Keras model (e.g. ``keras.models.load_model('weights.best.hdf5')``,
        or :func:`~jupyterlab_char_attention.load_keras_h5` for a Keras 2
        ``.h5`` file in a Keras 3 kernel).
    texts:
        A string or a list of strings.
    tokenizer:
        The char-level ``Tokenizer`` used in training, its ``to_json()``
        string (e.g. read from ``tokenizer.json``), a dict, or a
        ``{character: index}`` map.
    layer:
        The attention layer (method ``attention``): ``"auto"`` (default)
        finds it (see :func:`find_attention_layer`; a layer literally named
        ``"auto"`` is taken by name), a name takes that layer, ``None`` means
        ``model`` already returns ``[prediction, attention]``.
    maxlen:
        The input length; default the model's input length (``Input(250)``),
        else the longest encoded text.
    padding, truncating:
        As given to ``pad_sequences`` in training (``'pre'`` is Keras's default).
    method:
        ``"attention"`` (default when the model has an attention layer),
        ``"occlusion"`` (default otherwise), ``"grad-x-input"`` or
        ``"integrated-gradients"``; see :mod:`jupyterlab_char_attention.explain`
        for the exact definitions (occlusion window rule, IG quadrature rules).
    window:
        Occlusion: consecutive positions occluded together (default 1).
    steps:
        Integrated gradients: a fixed number of steps (midpoint rule); default
        None: steps doubled from 32 until the completeness gap is within
        ``tolerance`` (trapezoid rule, at most 1024 steps).
    tolerance:
        Integrated gradients with automatic steps: the completeness gap
        allowed, as a fraction of ``|f(x) - f(baseline)|`` (default 0.01).
    target:
        The output unit explained; default unit 0 of a sigmoid output, the
        predicted class of a softmax output.
    embedding:
        Name of the Embedding layer for the gradient methods (default: the
        only one).
    batch_size:
        Batch size of the model calls.
    options, title:
        Display options and a heading for the batch (see
        :func:`~jupyterlab_char_attention.attention_payload`). The signed
        methods default to the diverging colour map ``RdBu``.

    Returns
    -------
    dict
        ``{"version": 1, "samples": [{"text", "attention", "mask",
        "prediction", "meta"?}, ...], "meta": {"method", "model", ...}}``:
        one value per character (``None`` and mask ``False`` where the model
        did not see the character); show it with
        :func:`~jupyterlab_char_attention.display_attention`.

    Raises
    ------
    ValueError
        naming the problem: unknown layer or method, a ``maxlen`` that differs
        from the model's input, an attention output of the wrong shape, a
        word-level tokenizer.
    """

    tok = load_tokenizer(tokenizer)
    single = isinstance(texts, str)
    texts = [texts] if single else list(texts)
    if not texts:
        raise ValueError("texts is empty")
    if method is not None:
        check_method(method)
    input_length = model_maxlen(model) if (layer is not None or method not in (None, "attention")) else None
    if maxlen is None:
        maxlen = input_length
    elif input_length is not None and maxlen != input_length:
        raise ValueError(f"maxlen={maxlen} but the model's input has length {input_length}")

    chosen_by = None
    if layer == AUTO and method in (None, "attention"):
        if _has_layer(model, AUTO):
            chosen_by = "name"
        else:
            layer = find_attention_layer(model)
            chosen_by = "auto"
            if layer is None and method == "attention":
                raise ValueError(
                    "No attention layer found: no layer applies a softmax over the time axis with output "
                    f"[batch, {input_length if input_length is not None else 'T'}] or "
                    f"[batch, {input_length if input_length is not None else 'T'}, 1]. Name the layer "
                    "with layer=..., or use method='occlusion', 'grad-x-input' or 'integrated-gradients'"
                )
    elif layer is not None and method in (None, "attention"):
        chosen_by = "name"
    method_chosen_by = "given"
    if method is None:
        if layer is None and chosen_by == "auto":
            method, method_chosen_by = "occlusion", "auto: the model has no attention layer"
        else:
            method, method_chosen_by = "attention", "auto"

    x = encode_texts(texts, tok, maxlen, padding, truncating)
    maxlen = len(x[0])
    meta = {"method": method}
    name = getattr(model, "name", None)
    if isinstance(name, str):
        meta["model"] = name
    if method_chosen_by != "given":
        meta["methodChosenBy"] = method_chosen_by
    sample_meta = None

    if method == "attention":
        values, predictions = _attention_values(model, x, texts, layer, maxlen, batch_size)
        if layer is not None:
            meta["attentionLayer"] = layer
            meta["attentionChosenBy"] = chosen_by
    else:
        values, predictions, sample_meta, details = explain_sequences(
            model, x, method, window=window, steps=steps, tolerance=tolerance, target=target,
            embedding=embedding, batch_size=batch_size,
        )
        meta.update({k: v for k, v in details.items() if k != "method"})
        if options is None or "colormap" not in options:
            options = {"colormap": "RdBu", **(to_plain(options) or {})}
    meta.update({"maxlen": maxlen, "padding": padding, "truncating": truncating})
    inferences = getattr(model, "char_attention_inferences", None)
    if inferences:
        meta["inferences"] = list(inferences)

    payload = align(texts, tok, maxlen, padding, truncating, attention=values, predictions=predictions)
    if sample_meta is not None:
        for sample, extra in zip(payload["samples"], sample_meta):
            sample["meta"] = extra
    payload["meta"] = meta
    if options is not None:
        payload["options"] = to_plain(options)
    if title is not None:
        payload["title"] = title
    return _raise_if_invalid(payload)


def _has_layer(model, name):
    return any(getattr(item, "name", None) == name for item in getattr(model, "layers", []) or [])


def _check_attention_shape(model, layer, maxlen):
    try:
        target = model.get_layer(layer)
        shape = tuple(target.output.shape)[1:]
    except (AttributeError, ValueError, TypeError, RuntimeError):
        return  # unknown shape (or unknown layer, reported by build_attention_model)
    if not _is_time_shape(shape, maxlen):
        shown = ", ".join("?" if d is None else str(d) for d in shape)
        raise ValueError(
            f"layer {layer!r} ({type(target).__name__}) is not an attention over time: its output is "
            f"[batch, {shown}], expected one value per model position: [batch, {maxlen}] or [batch, {maxlen}, 1]"
        )


def _attention_values(model, x, texts, layer, maxlen, batch_size):
    if layer is not None:
        _check_attention_shape(model, layer, maxlen)
    attention_model = model if layer is None else build_attention_model(model, layer)
    outputs = _predict(attention_model, _as_model_input(x), batch_size)
    if not isinstance(outputs, (list, tuple)) or len(outputs) != 2:
        raise ValueError(
            "the attention model must return [prediction, attention]; got "
            f"{len(outputs) if isinstance(outputs, (list, tuple)) else 'one'} output(s)"
        )
    predictions, attention = (to_plain(o) for o in outputs)
    where = f"layer {layer!r}" if layer is not None else "the model's second output"
    if not isinstance(attention, list) or len(attention) != len(texts):
        raise ValueError(f"{where} returned {len(attention) if isinstance(attention, list) else 'no'} rows for {len(texts)} texts")
    for index, row in enumerate(attention):
        if isinstance(row, list) and row and all(isinstance(v, list) and len(v) == 1 for v in row):
            row = [v[0] for v in row]
            attention[index] = row
        if not isinstance(row, list) or len(row) != maxlen:
            got = len(row) if isinstance(row, list) else "a scalar"
            raise ValueError(
                f"{where} gives {got} values per text, expected one per model position ({maxlen}); "
                "is it the softmax over the time steps?"
            )
    return attention, predictions
