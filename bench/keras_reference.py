"""Real Keras side of `bench/pool.js`.

    python bench/keras_reference.py build OUT.keras   # the reference model, seeded weights
    python bench/keras_reference.py time MODEL.keras  # model.predict timings, JSON on stdout
    python bench/keras_reference.py compare MODEL.keras < ids.json  # bench/compare.js: warm timings

Every timing is warm: two calls of the same shape first (the first traces the
function Keras runs), then the best of five (batch 1: the median of 20), as
`bench/engine-suite.js` times this package (its JIT compilers warm up over
several calls).

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


WARM_CALLS = 2
TIMED_CALLS = 5


def warm_best(fn, runs=TIMED_CALLS):
    """`WARM_CALLS` calls (trace, warm-up), then the best and median of `runs` calls, in ms."""
    for _ in range(WARM_CALLS):
        value = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[0], times[len(times) // 2], value


def compare(path):
    """Keras's side of bench/compare.js, on the ids it sends (JSON on stdin)."""
    import numpy as np
    import tensorflow as tf
    import keras

    spec = json.load(sys.stdin)
    model = keras.models.load_model(path)
    texts = np.array(spec["texts"], dtype="int32")
    out = {"keras": keras.__version__, "tensorflow": tf.__version__, "texts": len(texts)}
    # Throughput: 1,024 texts per call; the better of two batch sizes.
    best_rate = 0
    for batch_size in (256, 1024):
        low, median, y = warm_best(lambda: model.predict(texts, batch_size=batch_size, verbose=0))
        rate = len(texts) / low * 1000
        if rate > best_rate:
            best_rate = rate
            out.update(throughput=rate, throughputMedian=len(texts) / median * 1000,
                       throughputBatchSize=batch_size, firstPrediction=float(y[0][0]))
    text = np.array(spec["text"], dtype="int32")
    steps_t = len(text)
    variants = np.repeat(text[None], steps_t + 1, axis=0)
    for t in range(steps_t):
        variants[t + 1, t] = 0
    low, median, y = warm_best(lambda: model.predict(variants, batch_size=len(variants), verbose=0))
    out.update(occlusionMs=low, occlusionMedianMs=median,
               occlusionDrops=(y[0, 0] - y[1:, 0]).tolist())
    embedding = model.get_layer(spec.get("embedding", "embedding"))
    head = keras.Model(model.get_layer(spec.get("recurrent", "gru")).input, model.output)
    steps = spec.get("steps", 32)

    @tf.function(reduce_retracing=True)
    def ig_terms(one):
        e = embedding(one)
        alphas = tf.reshape((tf.range(steps, dtype=tf.float32) + 0.5) / steps, [steps, 1, 1])
        scaled = alphas * e
        with tf.GradientTape() as tape:
            tape.watch(scaled)
            y = head(scaled)[:, 0]
        g = tape.gradient(y, scaled)
        return tf.reduce_sum(e[0] * tf.reduce_mean(g, axis=0), axis=-1)

    low, median, values = warm_best(lambda: ig_terms(tf.constant(text[None])).numpy())
    out.update(igMs=low, igMedianMs=median, igValues=values.tolist())
    latencies = []
    for i in range(25):
        start = time.perf_counter()
        model.predict(texts[i : i + 1], verbose=0)
        if i >= 5:
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    out.update(batch1Ms=latencies[len(latencies) // 2], batch1MinMs=latencies[0])
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


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
    # 1,024 texts per call, warm (calls of the same shape first), best of TIMED_CALLS.
    batch = texts(1024, 2)
    best, _, _ = warm_best(lambda: model.predict(batch, batch_size=256, verbose=0))
    best /= 1000
    # Occlusion of one 250-character text: the text and its 250 variants, one predict.
    base = texts(1, 3)[0]
    variants = [base.copy()]
    for p in range(T):
        v = base.copy()
        v[p] = 0
        variants.append(v)
    import numpy as np

    variants = np.stack(variants)
    occlusion, _, _ = warm_best(lambda: model.predict(variants, batch_size=len(variants), verbose=0))
    occlusion /= 1000
    json.dump(
        {
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "batch1_median_ms": statistics.median(latencies),
            "batch256_texts_per_s": 1024 / best,
            "occlusion250_s": occlusion,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    commands = {"build": build, "time": timings, "compare": compare}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2])
