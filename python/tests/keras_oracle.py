"""Keras's own text preprocessing, the oracle of the encoding tests.

Keras 3 keeps the ``keras_preprocessing`` 1.1 Tokenizer as
``keras.src.legacy.preprocessing.text`` (``Tokenizer``, ``tokenizer_from_json``,
same JSON); ``pad_sequences`` is public as ``keras.utils.pad_sequences``. Both
come from the Keras in .venv (requirements-dev.txt): a missing Keras is an
import error, not a skipped test.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras.src.legacy.preprocessing.text import Tokenizer, tokenizer_from_json  # noqa: E402
from keras.utils import pad_sequences  # noqa: E402

__all__ = ["Tokenizer", "pad_sequences", "tokenizer_from_json"]
