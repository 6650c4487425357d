"""Which Keras package a model belongs to (``keras``, ``tf_keras`` or ``tensorflow.keras``).

Used by :mod:`.keras` (building the attention model). Importing this module
does not import TensorFlow or Keras.
"""

import importlib

__all__ = ["keras_module_for"]


def keras_module_for(model):
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
