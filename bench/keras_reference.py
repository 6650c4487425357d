"""Real Keras side of `bench/pool.js`.

    python bench/keras_reference.py build OUT.keras   # the reference model, seeded weights
    python bench/keras_reference.py time MODEL.keras  # model.predict timings, JSON on stdout

The reference model is the char-attention architecture at full size
(T=250, vocabulary 70, Embedding 100, GRU 250 reset_after=True,
TimeDistributed(Dense(1, tanh)), softmax 'attention_vec', weighted sum by
Multiply + GlobalAveragePooling1D, Dense(1, sigmoid)), saved in the Keras 3
format that both Keras and this package's engine read.
"""
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

T = 250
VOCAB = 70
EMBED = 100
UNITS = 250


def build(path):
    import numpy as np
    import keras
    from keras import layers

    keras.utils.set_random_seed(42)
    inputs = keras.Input(shape=(T,), dtype="int32", name="chars")
    x = layers.Embedding(VOCAB, EMBED, name="embedding")(inputs)
    states = layers.GRU(UNITS, return_sequences=True, reset_after=True, name="gru")(x)
    scores = layers.TimeDistributed(layers.Dense(1, activation="tanh"), name="score")(states)
    attention = layers.Activation("softmax", name="attention_vec")(layers.Flatten()(scores))
    spread = layers.Permute((2, 1))(layers.RepeatVector(UNITS)(attention))
    weighted = layers.Multiply()([states, spread])
    pooled = layers.GlobalAveragePooling1D()(weighted)
    outputs = layers.Dense(1, activation="sigmoid", name="output")(pooled)
    model = keras.Model(inputs, outputs)
    rng = np.random.default_rng(42)
    model.set_weights([rng.uniform(-0.25, 0.25, w.shape).astype("float32") for w in model.get_weights()])
    model.save(path)


def texts(count, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    out = np.zeros((count, T), dtype="int32")
    for i in range(count):
        length = int(rng.integers(40, T + 1))
        out[i, T - length :] = rng.integers(1, VOCAB, length)
    return out


def timings(path):
    import keras

    model = keras.models.load_model(path)
    one = texts(30, 1)
    for i in range(5):
        model.predict(one[i : i + 1], verbose=0)
    latencies = []
    for i in range(5, 30):
        start = time.perf_counter()
        model.predict(one[i : i + 1], verbose=0)
        latencies.append((time.perf_counter() - start) * 1000)
    batch = texts(256, 2)
    model.predict(batch, batch_size=256, verbose=0)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        model.predict(batch, batch_size=256, verbose=0)
        best = min(best, time.perf_counter() - start)
    # Occlusion of one 250-character text: the text and its 250 variants, one predict.
    base = texts(1, 3)[0]
    variants = [base.copy()]
    for p in range(T):
        v = base.copy()
        v[p] = 0
        variants.append(v)
    import numpy as np

    variants = np.stack(variants)
    start = time.perf_counter()
    model.predict(variants, batch_size=256, verbose=0)
    occlusion = time.perf_counter() - start
    json.dump(
        {
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "batch1_median_ms": statistics.median(latencies),
            "batch256_texts_per_s": 256 / best,
            "occlusion250_s": occlusion,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("build", "time"):
        sys.exit(__doc__)
    (build if sys.argv[1] == "build" else timings)(sys.argv[2])
