"""Map a char-level Keras model's positions back onto the characters of a text.

A Keras char-level classifier never sees the text itself: it sees
``pad_sequences(tokenizer.texts_to_sequences(texts), maxlen, padding=...,
truncating=...)``. Its attention vector therefore has one value per *model
position*, including padding, and characters that the tokenizer dropped
(unknown characters without an ``oov_token``) or that were truncated away have
no position at all. :func:`align` undoes that bookkeeping and returns one value
per character of the original text, ready for the table renderer.

The rules are exactly Keras's (``keras_preprocessing`` 1.1,
``Tokenizer(char_level=True)`` then ``pad_sequences``) and exactly those of the
TypeScript side of this package (``char-attention align``):

* the text is iterated by Unicode code points (an emoji is one character, a
  combining accent is its own character);
* when the tokenizer lowercases, the *whole* text is lowered (as Keras does).
  Lowering can change the number of code points (``'İ'`` becomes ``'i'`` plus
  U+0307), so the lowered text is cut into consecutive pieces, one per original
  character, whose lengths are those of each character lowered on its own;
  original character ``i`` owns piece ``i``. Its attention is the sum of the
  attention at the positions of its piece's code points that the model saw
  (``None`` if it saw none), and its mask is ``True`` if any was seen;
* a code point whose index is missing, or ``>= num_words`` when ``num_words``
  is set, becomes the OOV index when ``oov_token`` is set, else it is dropped;
* ``truncating='pre'`` drops the first elements of a too-long sequence,
  ``'post'`` the last; ``padding='pre'`` puts zeros in front, ``'post'`` at the
  end. Padding positions are not part of the result.

Only the standard library is needed; numpy arrays and tensors with
``.numpy()`` are accepted wherever a list of numbers is.
"""

import json
import math
import os
from numbers import Integral, Real

from .payload import PAYLOAD_VERSION, to_plain

__all__ = ["CharTokenizer", "align", "encode_texts", "load_tokenizer"]

_SIDES = ("pre", "post")


class CharTokenizer:
    """The parts of a Keras char-level ``Tokenizer`` that encoding needs.

    Build one with :func:`load_tokenizer`; every public function of this module
    also accepts anything :func:`load_tokenizer` accepts.
    """

    __slots__ = ("word_index", "lower", "oov_token", "num_words", "_oov_index")

    def __init__(self, word_index, lower=True, oov_token=None, num_words=None):
        self.word_index = dict(word_index)
        self.lower = bool(lower)
        self.oov_token = oov_token
        self.num_words = num_words
        # Keras looks the OOV token up in word_index, so a vocabulary that also
        # contains the OOV character maps both onto the later index.
        self._oov_index = (
            self.word_index.get(oov_token) if oov_token is not None else None
        )

    def __repr__(self):
        return (
            f"CharTokenizer({len(self.word_index)} characters, lower={self.lower}, "
            f"oov_token={self.oov_token!r}, num_words={self.num_words!r})"
        )

    def lowered_pieces(self, text):
        """Return the text as Keras sees it, cut into one piece per character.

        ``pieces[i]`` is the string (usually one code point) that original
        character ``text[i]`` became after the whole text was lowered.
        """
        if not self.lower:
            return list(text)
        lowered = text.lower()
        lengths = [len(ch.lower()) for ch in text]
        if sum(lengths) != len(lowered):  # pragma: no cover - no such code point today
            raise ValueError(
                f"cannot align {text!r}: lowering it changes its length in a way "
                "that depends on context"
            )
        pieces = []
        start = 0
        for length in lengths:
            pieces.append(lowered[start : start + length])
            start += length
        return pieces

    def code_index(self, code_point):
        """The index Keras emits for one (already lowered) code point, or ``None`` if dropped."""
        index = self.word_index.get(code_point)
        if index is not None:
            if self.num_words and index >= self.num_words:
                return self._oov_index
            return index
        if self.oov_token is not None:
            return self._oov_index
        return None

    def texts_to_sequences(self, texts):
        """Exactly ``Tokenizer.texts_to_sequences`` for a char-level tokenizer."""
        return [self._encode(text)[0] for text in _as_texts(texts)]

    def _encode(self, text):
        """Return (sequence, owners): owners[j] is the original character of sequence[j]."""
        sequence = []
        owners = []
        for owner, piece in enumerate(self.lowered_pieces(text)):
            for code_point in piece:
                index = self.code_index(code_point)
                if index is not None:
                    sequence.append(index)
                    owners.append(owner)
        return sequence, owners


def load_tokenizer(tokenizer):
    """Return a :class:`CharTokenizer` from any of the accepted forms.

    ``tokenizer`` may be:

    * a Keras ``Tokenizer`` (``keras.preprocessing.text`` or
      ``keras_preprocessing.text``) fitted with ``char_level=True``;
    * the string returned by its ``to_json()``, the ``dict`` parsed from it, or
      just its ``config`` dict. Inside that JSON ``word_index`` is itself a
      JSON string, as Keras writes it; a plain object is accepted too;
    * the path of a file holding that JSON (``str`` or ``os.PathLike``);
    * a plain ``{character: index}`` map. It is used as is: no lowercasing, no
      OOV token, no ``num_words`` limit;
    * a :class:`CharTokenizer`.

    Raises ``ValueError`` naming the field when the tokenizer cannot be used.
    """
    if isinstance(tokenizer, CharTokenizer):
        return tokenizer
    if isinstance(tokenizer, (bytes, bytearray)):
        tokenizer = tokenizer.decode("utf-8")
    if isinstance(tokenizer, os.PathLike) or (
        isinstance(tokenizer, str) and not tokenizer.lstrip().startswith("{") and os.path.isfile(tokenizer)
    ):
        with open(tokenizer, encoding="utf-8") as fh:
            tokenizer = fh.read()
    if isinstance(tokenizer, str):
        try:
            tokenizer = json.loads(tokenizer)
        except ValueError as err:
            raise ValueError(f"tokenizer: not valid JSON ({err})") from None
    if isinstance(tokenizer, dict):
        return _from_mapping(tokenizer)
    if hasattr(tokenizer, "word_index"):
        # A live Keras Tokenizer object.
        if getattr(tokenizer, "char_level", True) is False:
            raise ValueError(_WORD_LEVEL)
        return _checked(
            tokenizer.word_index,
            getattr(tokenizer, "lower", True),
            getattr(tokenizer, "oov_token", None),
            getattr(tokenizer, "num_words", None),
            "tokenizer.word_index",
        )
    raise ValueError(
        "tokenizer: expected a Keras Tokenizer, its to_json() string, a dict or a "
        f"{{character: index}} map, got {type(tokenizer).__name__}"
    )


_WORD_LEVEL = (
    "tokenizer.config.char_level is false: only char-level tokenizers "
    "(Tokenizer(char_level=True)) can be aligned to characters"
)


def _from_mapping(data):
    if isinstance(data.get("config"), dict):
        config = data["config"]
        where = "tokenizer.config"
    elif "word_index" in data and not isinstance(data["word_index"], Integral):
        config = data
        where = "tokenizer"
    else:
        return _checked(data, False, None, None, "tokenizer")
    if config.get("char_level") is False:
        raise ValueError(_WORD_LEVEL)
    word_index = config.get("word_index")
    if isinstance(word_index, str):
        try:
            word_index = json.loads(word_index)
        except ValueError as err:
            raise ValueError(f"{where}.word_index: not valid JSON ({err})") from None
    if not isinstance(word_index, dict):
        raise ValueError(f"{where}.word_index: missing or not an object")
    lower = config.get("lower", True)
    if not isinstance(lower, bool):
        raise ValueError(f"{where}.lower: expected true or false, got {lower!r}")
    oov_token = config.get("oov_token")
    if oov_token is not None and not isinstance(oov_token, str):
        raise ValueError(f"{where}.oov_token: expected a string or null, got {oov_token!r}")
    num_words = config.get("num_words")
    if num_words is not None and (
        isinstance(num_words, bool) or not isinstance(num_words, Integral) or num_words < 0
    ):
        raise ValueError(
            f"{where}.num_words: expected a non-negative integer or null, got {num_words!r}"
        )
    return _checked(word_index, lower, oov_token, num_words, f"{where}.word_index")


def _checked(word_index, lower, oov_token, num_words, where):
    if not isinstance(word_index, dict):
        raise ValueError(f"{where}: expected an object mapping characters to indices")
    clean = {}
    if oov_token is not None and oov_token not in word_index:
        raise ValueError(f"tokenizer: oov_token {json.dumps(oov_token)} is not in word_index")
    for key, value in word_index.items():
        if not isinstance(key, str):
            raise ValueError(f"{where}: key {key!r} is not a string")
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(
                f"{where}[{json.dumps(key)}]: expected a positive integer index, got {value!r}"
            )
        clean[key] = int(value)
    return CharTokenizer(clean, lower, oov_token, num_words)


def _as_texts(texts):
    if isinstance(texts, str):
        return [texts]
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"texts[{i}]: expected a string, got {type(text).__name__}")
    return texts


def _check_options(maxlen, padding, truncating):
    if padding not in _SIDES:
        raise ValueError(f"padding: expected 'pre' or 'post', got {padding!r}")
    if truncating not in _SIDES:
        raise ValueError(f"truncating: expected 'pre' or 'post', got {truncating!r}")
    if maxlen is not None and (
        isinstance(maxlen, bool) or not isinstance(maxlen, Integral) or maxlen < 1
    ):
        raise ValueError(f"maxlen: expected a positive integer or None, got {maxlen!r}")


def _window(length, maxlen, padding, truncating):
    """Return (start, kept, offset): sequence[start:start+kept] lands at offset."""
    kept = min(length, maxlen)
    start = length - kept if truncating == "pre" else 0
    offset = maxlen - kept if padding == "pre" else 0
    return start, kept, offset


def encode_texts(texts, tokenizer, maxlen=None, padding="pre", truncating="pre"):
    """Encode texts as the model's input: ``pad_sequences(texts_to_sequences(texts))``.

    Returns a list of ``maxlen`` integers per text (value 0 for padding).
    ``maxlen`` defaults to the longest encoded text. The result equals Keras's
    ``pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=maxlen,
    padding=padding, truncating=truncating)`` element by element; turn it into
    an array with ``numpy.asarray(..., dtype='int32')`` for ``model.predict``.
    """
    tok = load_tokenizer(tokenizer)
    _check_options(maxlen, padding, truncating)
    sequences = [tok._encode(text)[0] for text in _as_texts(texts)]
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    padded = []
    for sequence in sequences:
        start, kept, offset = _window(len(sequence), maxlen, padding, truncating)
        row = [0] * maxlen
        row[offset : offset + kept] = sequence[start : start + kept]
        padded.append(row)
    return padded


def align(
    texts,
    tokenizer,
    maxlen=None,
    padding="pre",
    truncating="pre",
    attention=None,
    predictions=None,
):
    """Align model-position attention with the characters of each text.

    Parameters
    ----------
    texts:
        A string or a list of strings, as given to the tokenizer.
    tokenizer:
        A Keras char-level ``Tokenizer``, its ``to_json()`` string, a dict or a
        ``{character: index}`` map (see :func:`load_tokenizer`).
    maxlen, padding, truncating:
        The values used with ``pad_sequences`` when the model was run.
        ``maxlen`` defaults to the longest encoded text.
    attention:
        One row of ``maxlen`` numbers per text, in model positions (exactly as
        the attention layer output them, e.g. ``model.predict(x)[1]``). A list,
        numpy array or tensor. A single 1-D row is accepted for a single text;
        a trailing axis of size 1 is dropped. When omitted every character's
        attention is ``None`` (the masks still tell which characters the model
        saw).
    predictions:
        Optional, one prediction per text: a number, or a list for several
        outputs (a list of one number is stored as that number).

    Returns
    -------
    dict
        A payload v1 batch ``{"version": 1, "samples": [...]}`` with, per text,
        ``text``, ``attention`` (one value or ``None`` per character of the
        original text), ``mask`` (``True`` where the model saw the character)
        and ``prediction`` when given.

    Raises
    ------
    ValueError
        naming the argument and the problem (wrong lengths, bad options,
        unusable tokenizer).
    """
    tok = load_tokenizer(tokenizer)
    _check_options(maxlen, padding, truncating)
    texts = _as_texts(texts)
    encoded = [tok._encode(text) for text in texts]
    if maxlen is None:
        maxlen = max((len(seq) for seq, _ in encoded), default=0)
    rows = _attention_rows(attention, len(texts), maxlen)
    preds = _prediction_list(predictions, len(texts))

    samples = []
    for t, (text, (sequence, owners)) in enumerate(zip(texts, encoded)):
        n_chars = len(text)
        values = [None] * n_chars
        mask = [False] * n_chars
        start, kept, offset = _window(len(sequence), maxlen, padding, truncating)
        row = rows[t] if rows is not None else None
        for j in range(start, start + kept):
            owner = owners[j]
            mask[owner] = True
            value = row[j - start + offset] if row is not None else None
            if value is not None:
                # A character whose lowercase is several code points sums their attention.
                values[owner] = value if values[owner] is None else values[owner] + value
        sample = {"text": text, "attention": values, "mask": mask}
        if preds is not None:
            sample["prediction"] = preds[t]
        samples.append(sample)
    return {"version": PAYLOAD_VERSION, "samples": samples}


def _attention_rows(attention, n_texts, maxlen):
    if attention is None:
        return None
    rows = to_plain(attention)
    if not isinstance(rows, list):
        raise ValueError("attention: expected one row of numbers per text")
    if n_texts == 1 and len(rows) == maxlen and maxlen != 1:
        rows = [rows]  # a single row given without the batch axis
    if len(rows) != n_texts:
        raise ValueError(f"attention has {len(rows)} rows, there are {n_texts} texts")
    result = []
    for t, row in enumerate(rows):
        if not isinstance(row, list):
            raise ValueError(f"attention[{t}]: expected a list of {maxlen} numbers")
        if row and all(isinstance(v, list) and len(v) == 1 for v in row):
            row = [v[0] for v in row]  # (maxlen, 1), e.g. before Flatten
        if len(row) != maxlen:
            raise ValueError(f"attention[{t}] has {len(row)} values, maxlen is {maxlen}")
        clean = []
        for p, value in enumerate(row):
            if value is None:
                clean.append(None)  # a missing value: the character stays null
            elif isinstance(value, bool) or not isinstance(value, Real):
                raise ValueError(f"attention[{t}][{p}]: expected a number, got {value!r}")
            else:
                clean.append(float(value) if math.isfinite(value) else None)
        result.append(clean)
    return result


def _prediction_list(predictions, n_texts):
    if predictions is None:
        return None
    preds = to_plain(predictions)
    if n_texts == 1 and not isinstance(preds, list):
        preds = [preds]
    if not isinstance(preds, list) or len(preds) != n_texts:
        count = len(preds) if isinstance(preds, list) else 1
        raise ValueError(f"predictions has {count} entries, there are {n_texts} texts")
    result = []
    for t, pred in enumerate(preds):
        if isinstance(pred, list) and len(pred) == 1:
            pred = pred[0]
        values = pred if isinstance(pred, list) else [pred]
        for value in values:
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
                raise ValueError(f"predictions[{t}]: expected a finite number, got {value!r}")
        result.append([float(v) for v in pred] if isinstance(pred, list) else float(pred))
    return result
