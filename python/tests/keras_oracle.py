"""Keras's own char-level Tokenizer and pad_sequences (Keras 3), used as oracles by the tests.

Keras 3 keeps the legacy ``Tokenizer`` (``keras.src.legacy.preprocessing.text``)
that ``keras.preprocessing.text`` and ``keras_preprocessing`` had; it lowers
the whole text and iterates code points exactly as they did.
"""

import os
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

try:
    import keras
    from keras.src.legacy.preprocessing import text as _text
except ImportError as err:  # pragma: no cover - the CI venv has Keras
    raise ImportError(
        f"these tests compare with Keras's own Tokenizer and pad_sequences, and Keras 3 is missing ({err}); "
        "run them with the development venv: bash scripts/venv.sh && .venv/bin/python -m pytest python/tests"
    ) from None

kp_text = types.SimpleNamespace(Tokenizer=_text.Tokenizer)
kp_sequence = types.SimpleNamespace(pad_sequences=keras.utils.pad_sequences)
