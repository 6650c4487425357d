"""Times occlusion, gradient x input and integrated gradients of the reference model in real
TensorFlow/Keras (CPU), for bench/explain.js. Reads the model's weights and
the sequence as JSON on stdin; prints timings and values as JSON."""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def main():
    spec = json.load(sys.stdin)
    T, units, vocab, embed = spec["T"], spec["units"], spec["vocab"], spec["embed"]
    w = {name: np.array(flat, dtype="float32").reshape(shape) for name, shape, flat in spec["weights"]}
    emb = layers.Embedding(vocab, embed)
    gru = layers.GRU(units, return_sequences=True, reset_after=True)
    score = layers.TimeDistributed(layers.Dense(1, activation="tanh"))
    out = layers.Dense(1, activation="sigmoid")

    def head(e):
        h = gru(e)
        ops = keras.ops
        a = ops.softmax(ops.reshape(score(h), (-1, T)), axis=-1)
        return out(ops.sum(h * ops.expand_dims(a, -1), axis=1))

    ids = keras.Input(shape=(T,))
    model = keras.Model(ids, head(emb(ids)))
    emb.set_weights([w["embedding/embeddings"]])
    gru.set_weights([w["gru/gru_cell/kernel"], w["gru/gru_cell/recurrent_kernel"], w["gru/gru_cell/bias"]])
    score.set_weights([w["time_distributed/kernel"], w["time_distributed/bias"]])
    out.set_weights([w["dense/kernel"], w["dense/bias"]])

    x = np.array(spec["sequence"], dtype="int32")
    steps = spec["steps"]

    @tf.function(reduce_retracing=True)
    def forward(batch):
        return model(batch, training=False)

    def occlusion():
        variants = np.repeat(x[None], T + 1, axis=0)
        for t in range(T):
            variants[t + 1, t] = 0
        y = forward(tf.constant(variants))[:, 0].numpy()
        return y[0] - y[1:]

    @tf.function(reduce_retracing=True)
    def ig_terms(one):
        e = emb(one)
        alphas = tf.reshape((tf.range(steps, dtype=tf.float32) + 0.5) / steps, [steps, 1, 1])
        scaled = alphas * e
        with tf.GradientTape() as tape:
            tape.watch(scaled)
            y = head(scaled)[:, 0]
        g = tape.gradient(y, scaled)
        return tf.reduce_sum(e[0] * tf.reduce_mean(g, axis=0), axis=-1)

    def ig():
        return ig_terms(tf.constant(x[None])).numpy()

    @tf.function(reduce_retracing=True)
    def gxi_terms(one):
        e = emb(one)
        with tf.GradientTape() as tape:
            tape.watch(e)
            y = head(e)[:, 0]
        return tf.reduce_sum(e[0] * tape.gradient(y, e)[0], axis=-1)

    def gxi():
        return gxi_terms(tf.constant(x[None])).numpy()

    def best(fn, runs):
        fn()  # trace / warm up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            value = fn()
            times.append((time.perf_counter() - start) * 1000)
        return min(times), sorted(times)[len(times) // 2], value

    occ_min, occ_median, occ = best(occlusion, spec.get("runs", 3))
    ig_min, ig_median, igv = best(ig, spec.get("runs", 3))
    gxi_min, gxi_median, gxiv = best(gxi, spec.get("runs", 3))
    json.dump(
        {
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "threads": [tf.config.threading.get_inter_op_parallelism_threads(),
                        tf.config.threading.get_intra_op_parallelism_threads()],
            "occlusion": {"minMs": occ_min, "medianMs": occ_median, "drops": occ.tolist()},
            "ig": {"minMs": ig_min, "medianMs": ig_median, "values": igv.tolist()},
            "gxi": {"minMs": gxi_min, "medianMs": gxi_median, "values": gxiv.tolist()},
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
