"""Run a Keras char-level attention model and get a displayable payload.

The model this is made for looks like::

    Input(maxlen) -> Embedding -> GRU(return_sequences=True)
      -> TimeDistributed(Dense(1, tanh)) -> Flatten
      -> Activation('softmax', name='attention_vec')      # the attention
      -> RepeatVector -> Permute -> multiply -> Lambda(sum over time)
      -> Dense(1, sigmoid)                                 # the prediction

:func:`from_keras` builds the two-output model
``Model(model.input, [model.output, model.get_layer(layer).output])``,
encodes the texts exactly as Keras's char-level ``Tokenizer`` and
``pad_sequences`` do, predicts, and maps the attention over the ``maxlen``
model positions back onto the characters of each text (see
:func:`~jupyterlab_char_attention.align`).

What has been verified, and how
-------------------------------
* Encoding, padding, truncation and alignment are checked against the real
  ``keras_preprocessing`` 1.1 (``Tokenizer(char_level=True)``,
  ``pad_sequences``) and against fixtures it produced.
* Everything around the Keras calls (choosing ``maxlen`` from the model's
  input shape, the shape of the arrays returned by ``predict``, error
  messages, the payload) is tested with a stand-in model object whose
  ``predict`` returns fixed arrays, and the construction of the two-output
  model is tested against a stand-in ``keras`` module that records the call.
* The Keras calls themselves (``model.get_layer``, ``keras.Model(...)``,
  ``predict``) have NOT been run against a real TensorFlow/Keras installation
  by this package's tests; they are the documented public Keras API
  (Keras 2.x, ``tf.keras``, ``tf_keras`` and Keras 3 alike), kept in
  :func:`build_attention_model` and :func:`_predict` so that they are easy to
  check.

Importing this module does not import TensorFlow or Keras; they are imported
only when :func:`from_keras` builds the two-output model.
"""

import importlib

from .align import align, encode_texts, load_tokenizer
from .payload import _raise_if_invalid, to_plain

__all__ = ["build_attention_model", "from_keras", "model_maxlen"]


def _keras_module_for(model):
    """The Keras package the model belongs to (``keras``, ``tf_keras`` or ``tensorflow.keras``)."""
    root = type(model).__module__.split(".")[0]
    if root == "tensorflow":
        return importlib.import_module("tensorflow.keras")
    if root in ("keras", "tf_keras"):
        return importlib.import_module(root)
    # A user subclass defined elsewhere: look at its Keras base classes.
    for base in type(model).__mro__:
        base_root = base.__module__.split(".")[0]
        if base_root == "tensorflow":
            return importlib.import_module("tensorflow.keras")
        if base_root in ("keras", "tf_keras"):
            return importlib.import_module(base_root)
    try:
        return importlib.import_module("keras")
    except ImportError:
        return importlib.import_module("tensorflow.keras")


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
    keras = _keras_module_for(model)
    return keras.Model(model.input, [model.output, target.output])


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


def from_keras(
    model,
    texts,
    tokenizer,
    layer="attention_vec",
    maxlen=None,
    padding="pre",
    truncating="pre",
    *,
    batch_size=None,
    options=None,
    title=None,
):
    """Run a Keras char-level attention model on texts; return a payload v1 batch.

    Parameters
    ----------
    model:
        The trained Keras model (e.g. ``keras.models.load_model('weights.best.hdf5')``).
    texts:
        A string or a list of strings.
    tokenizer:
        The char-level ``Tokenizer`` used in training, its ``to_json()``
        string (e.g. read from ``tokenizer.json``), a dict, or a
        ``{character: index}`` map.
    layer:
        Name of the layer whose output is the attention over the model
        positions (default ``'attention_vec'``). ``None`` means ``model``
        already returns ``[prediction, attention]``.
    maxlen:
        The input length; default the model's input length (``Input(250)``),
        else the longest encoded text.
    padding, truncating:
        As given to ``pad_sequences`` in training (``'pre'`` is Keras's default).
    batch_size:
        Passed to ``predict``.
    options, title:
        Display options and a heading for the batch (see
        :func:`~jupyterlab_char_attention.attention_payload`).

    Returns
    -------
    dict
        ``{"version": 1, "samples": [{"text", "attention", "mask",
        "prediction"}, ...], "meta": {"model", "layer", "maxlen", ...}}``; show
        it with :func:`~jupyterlab_char_attention.display_attention`.

    Raises
    ------
    ValueError
        naming the problem: unknown layer, a ``maxlen`` that differs from the
        model's input, an attention output of the wrong shape, a word-level
        tokenizer.

    Notes
    -----
    The construction of the two-output model and ``predict`` are plain Keras
    API calls that this package's tests exercise with stand-in objects only;
    the encoding and alignment are verified against real Keras preprocessing.
    """
    tok = load_tokenizer(tokenizer)
    single = isinstance(texts, str)
    texts = [texts] if single else list(texts)
    if not texts:
        raise ValueError("texts is empty")
    input_length = model_maxlen(model) if layer is not None else None
    if maxlen is None:
        maxlen = input_length
    elif input_length is not None and maxlen != input_length:
        raise ValueError(f"maxlen={maxlen} but the model's input has length {input_length}")

    x = encode_texts(texts, tok, maxlen, padding, truncating)
    maxlen = len(x[0])
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

    payload = align(texts, tok, maxlen, padding, truncating, attention=attention, predictions=predictions)
    meta = {"layer": layer, "maxlen": maxlen, "padding": padding, "truncating": truncating}
    name = getattr(model, "name", None)
    if isinstance(name, str):
        meta = {"model": name, **meta}
    if layer is None:
        del meta["layer"]
    payload["meta"] = meta
    if options is not None:
        payload["options"] = to_plain(options)
    if title is not None:
        payload["title"] = title
    return _raise_if_invalid(payload)
