"""Small real-Keras files for the format-detection and hostile-input tests.

- ``tiny.h5``: a legacy HDF5 full model (``model.save('x.h5')``);
- ``tf2-named.keras``: the same HDF5 bytes under the ``.keras`` name that
  TensorFlow 2.0-2.11 gave its HDF5 saves;
- ``tiny.keras``: the Keras 3 zip archive of the same model;
- ``tiny-userblock.h5``: ``tiny.h5`` copied by h5py into a file with a
  512-byte user block (the HDF5 signature at offset 512);
- ``tokenizer.json``: ``Tokenizer.to_json()``; ``tokenizer-double.json``: the
  same text written with ``json.dumps(tokenizer.to_json())`` (a JSON string
  holding the JSON), as many notebooks do;
- ``expected.json``: the Keras predictions and encoded inputs for the texts.
"""
import json
import os
import shutil

import numpy as np

TEXTS = ["hello world", "abc", "zzz"]
MAXLEN = 12


def build(out_dir):
    import keras
    from keras.src.legacy.preprocessing.text import Tokenizer
    from keras.utils import pad_sequences

    keras.utils.set_random_seed(7)
    tokenizer = Tokenizer(char_level=True)
    tokenizer.fit_on_texts(["hello world, abc xyz"])
    vocab = len(tokenizer.word_index) + 1

    inputs = keras.Input(shape=(MAXLEN,), name="chars")
    x = keras.layers.Embedding(vocab, 4, name="embed")(inputs)
    x = keras.layers.GRU(3, return_sequences=True, name="gru")(x)
    scores = keras.layers.Dense(1, name="score")(x)
    scores = keras.layers.Flatten(name="flat")(scores)
    attention = keras.layers.Activation("softmax", name="attention")(scores)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="out")(attention)
    model = keras.Model(inputs, outputs, name="tiny")

    h5 = os.path.join(out_dir, "tiny.h5")
    model.save(h5)
    shutil.copyfile(h5, os.path.join(out_dir, "tf2-named.keras"))
    model.save(os.path.join(out_dir, "tiny.keras"))

    import h5py

    with h5py.File(h5, "r") as src, h5py.File(
        os.path.join(out_dir, "tiny-userblock.h5"), "w", userblock_size=512
    ) as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        for key in src:
            src.copy(src[key], dst, name=key)

    text = tokenizer.to_json()
    with open(os.path.join(out_dir, "tokenizer.json"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "tokenizer-double.json"), "w") as f:
        f.write(json.dumps(text))

    sequences = pad_sequences(tokenizer.texts_to_sequences(TEXTS), maxlen=MAXLEN)
    predictions = model.predict(np.asarray(sequences), verbose=0)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(
            {
                "texts": TEXTS,
                "maxlen": MAXLEN,
                "sequences": sequences.tolist(),
                "predictions": predictions.astype(float).tolist(),
            },
            f,
        )
