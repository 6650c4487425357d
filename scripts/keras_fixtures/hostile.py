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

Variants the hostile-file tests start from (``scripts/hostile-files.js`` turns
them into attacks at test time, so no large file is committed):

- ``tiny-gzip.h5`` / ``tiny-gzip.keras``: the same weights stored chunked and
  gzip-compressed (h5py ``compression="gzip"``), as ``h5py`` users may save them;
- ``tiny-vlen.h5``: ``layer_names`` stored as variable-length strings, plus a
  root attribute ``notes`` of 3,000 variable-length strings the loader never needs;
- ``tiny-latest.h5``: copied with ``libver="latest"`` and extra attributes, so
  attributes and links use dense storage (fractal heaps, version 2 B-trees);
- ``tiny-compound.h5``: one weight stored as a compound (record) type;
- ``tiny-external.h5``: one layer group replaced by an external link;
- ``tiny-nan.h5``: one embedding value NaN and one bias infinite;
- ``keras1.h5``: the same file claiming Keras 1.2.2 with a Keras 1 config
  (``output_dim`` instead of ``units``);
- ``features.keras``: a Dense model over 2 float features;
  ``onehot.keras``: a GRU over one-hot vectors (shape (12, 20));
- ``hard-sigmoid.keras`` (Keras 3) and ``hard-sigmoid-k2.h5`` (the same model
  in a legacy file marked Keras 2.15.0): a Dense layer with ``hard_sigmoid``;
  ``hard-sigmoid.json``: Keras 3's prediction on a probe input, and Keras 2's
  formula clip(0.2 z + 0.5, 0, 1) applied with numpy to the same layer input.
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
    build_variants(out_dir)


def _copy_attrs(src, dst):
    for key, value in src.attrs.items():
        dst.attrs[key] = value


def _copy_tree(src, dst, dataset_kwargs=None, replace=None):
    """Copies groups, datasets and attributes; ``replace(path, dataset, parent)``
    may write a dataset itself (returns True)."""
    _copy_attrs(src, dst)
    for key, item in src.items():
        import h5py

        if isinstance(item, h5py.Group):
            _copy_tree(item, dst.create_group(key), dataset_kwargs, replace)
        elif replace is not None and replace(item.name, item, dst):
            continue
        else:
            data = item[()]
            kwargs = dict(dataset_kwargs or {}) if np.ndim(data) else {}
            ds = dst.create_dataset(key, data=data, **kwargs)
            _copy_attrs(item, ds)


def _rewrite_h5(src_path, dst_path, libver=None, **kwargs):
    import h5py

    with h5py.File(src_path, "r") as src, h5py.File(dst_path, "w", libver=libver) as dst:
        _copy_tree(src, dst, **kwargs)


def _gzip_keras(src_path, dst_path, folder):
    import zipfile

    weights = os.path.join(folder, "weights-src.h5")
    packed = os.path.join(folder, "weights-gzip.h5")
    with zipfile.ZipFile(src_path) as zin:
        with open(weights, "wb") as f:
            f.write(zin.read("model.weights.h5"))
        _rewrite_h5(weights, packed, dataset_kwargs={"compression": "gzip"})
        with zipfile.ZipFile(dst_path, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = open(packed, "rb").read() if info.filename == "model.weights.h5" else zin.read(info)
                zout.writestr(info.filename, data)
    os.remove(weights)
    os.remove(packed)


KERAS1_CONFIG = {
    "class_name": "Sequential",
    "config": [
        {"class_name": "Embedding", "config": {"name": "embed", "input_dim": 20, "output_dim": 4,
                                               "input_length": 12, "batch_input_shape": [None, 12]}},
        {"class_name": "GRU", "config": {"name": "gru", "output_dim": 3, "return_sequences": True,
                                         "inner_activation": "hard_sigmoid", "consume_less": "cpu"}},
        {"class_name": "Flatten", "config": {"name": "flat"}},
        {"class_name": "Dense", "config": {"name": "out", "output_dim": 1, "activation": "sigmoid"}},
    ],
}


def build_variants(out_dir):
    """The small derived files listed in the module docstring."""
    import h5py
    import keras

    h5 = os.path.join(out_dir, "tiny.h5")
    _rewrite_h5(h5, os.path.join(out_dir, "tiny-gzip.h5"), dataset_kwargs={"compression": "gzip"})
    _gzip_keras(os.path.join(out_dir, "tiny.keras"), os.path.join(out_dir, "tiny-gzip.keras"), out_dir)

    vlen = os.path.join(out_dir, "tiny-vlen.h5")
    shutil.copyfile(h5, vlen)
    with h5py.File(vlen, "r+") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["model_weights"].attrs["layer_names"]]
        f["model_weights"].attrs.create("layer_names", names, dtype=h5py.string_dtype())
        f.attrs.create("notes", [f"n{i}" for i in range(3000)], dtype=h5py.string_dtype())

    latest = os.path.join(out_dir, "tiny-latest.h5")
    _rewrite_h5(h5, latest, libver="latest")
    with h5py.File(latest, "r+") as f:
        for group in (f, f["model_weights"]):
            for i in range(10):
                group.attrs[f"extra_{i}"] = f"value {i}"
        for i in range(10):
            f["model_weights"].create_group(f"unused_{i}")

    def compound(path, item, parent):
        if not path.endswith("/out/out/bias"):
            return False
        data = item[()]
        record = np.zeros(data.shape, dtype=[("value", "<f4"), ("scale", "<f4")])
        record["value"] = data
        parent.create_dataset(path.rsplit("/", 1)[1], data=record)
        return True

    _rewrite_h5(h5, os.path.join(out_dir, "tiny-compound.h5"), replace=compound)

    external = os.path.join(out_dir, "tiny-external.h5")
    shutil.copyfile(h5, external)
    with h5py.File(external, "r+") as f:
        del f["model_weights/score"]
        f["model_weights/score"] = h5py.ExternalLink("weights-elsewhere.h5", "/score")

    nan = os.path.join(out_dir, "tiny-nan.h5")
    shutil.copyfile(h5, nan)
    with h5py.File(nan, "r+") as f:
        embed = f["model_weights/embed/embed/embeddings"]
        values = embed[()]
        values[3, 1] = np.nan
        embed[...] = values
        bias = f["model_weights/score/score/bias"]
        bias[...] = np.full(bias.shape, np.inf, dtype=bias.dtype)

    keras1 = os.path.join(out_dir, "keras1.h5")
    shutil.copyfile(h5, keras1)
    with h5py.File(keras1, "r+") as f:
        f.attrs["keras_version"] = b"1.2.2"
        f.attrs["model_config"] = json.dumps(KERAS1_CONFIG).encode()
        f["model_weights"].attrs["keras_version"] = b"1.2.2"

    keras.utils.set_random_seed(11)
    inputs = keras.Input(shape=(2,), name="features")
    hidden = keras.layers.Dense(4, activation="relu", name="hidden")(inputs)
    keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="out")(hidden)).save(
        os.path.join(out_dir, "features.keras")
    )
    inputs = keras.Input(shape=(MAXLEN, 20), name="onehot")
    states = keras.layers.GRU(3, name="gru")(inputs)
    keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="out")(states)).save(
        os.path.join(out_dir, "onehot.keras")
    )
    inputs = keras.Input(shape=(MAXLEN,), name="chars")
    x = keras.layers.Embedding(20, 4, name="embed")(inputs)
    x = keras.layers.Flatten(name="flat")(x)
    x = keras.layers.Dense(1, activation="hard_sigmoid", name="gate")(x)
    model = keras.Model(inputs, x, name="hard")
    model.save(os.path.join(out_dir, "hard-sigmoid.keras"))
    probe = np.arange(1, MAXLEN + 1, dtype="int32").reshape(1, MAXLEN) % 20
    embed = model.get_layer("embed").get_weights()[0]
    kernel, bias = model.get_layer("gate").get_weights()
    z = embed[probe].reshape(1, -1) @ kernel + bias  # the gate's input, with numpy
    with open(os.path.join(out_dir, "hard-sigmoid.json"), "w") as f:
        json.dump({"input": probe.tolist(),
                   "keras3": model.predict(probe, verbose=0).astype(float).tolist(),
                   "keras2_formula": np.clip(0.2 * z + 0.5, 0.0, 1.0).astype(float).tolist()}, f)
    k2 = os.path.join(out_dir, "hard-sigmoid-k2.h5")
    model.save(k2)
    with h5py.File(k2, "r+") as f:
        f.attrs["keras_version"] = b"2.15.0"
        if "keras_version" in f["model_weights"].attrs:
            f["model_weights"].attrs["keras_version"] = b"2.15.0"
