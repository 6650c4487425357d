"""How TensorFlow's registered gradients treat ties and kinks, observed.

Each probe runs one op (or Keras layer) on a tiny tensor with ties or values
exactly at a kink, takes the gradient of sum(output) with tf.GradientTape,
and states the rule it shows. Every stated rule is asserted twice: on the
tiny tensor (expected gradient written out here) and, for the reductions and
poolings, on a larger seeded tensor full of ties (values in {0, 1, 2})
against a NumPy implementation of the rule. The result is `tie-rules.json`.
"""
import numpy as np
import tensorflow as tf
import keras
from keras import layers, ops


def _grad(fn, *xs):
    ts = [tf.constant(np.asarray(x, dtype="float32")) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = fn(*ts)
        total = tf.reduce_sum(y)
    grads = tape.gradient(total, ts)
    return y.numpy(), [np.zeros(t.shape) if g is None else g.numpy() for g in grads]


def _probe(rule, fn, inputs, expected):
    out, grads = _grad(fn, *inputs)
    for g, e in zip(grads, expected):
        assert np.allclose(g, np.asarray(e, dtype="float64"), atol=1e-7), (rule, g, e)
    return {
        "rule": rule,
        "inputs": [np.asarray(x, dtype="float64").tolist() for x in inputs],
        "output": out.astype("float64").tolist(),
        "gradient": [g.astype("float64").tolist() for g in grads],
    }


def _split_rule(x, axis, pick):
    """NumPy: d(sum(reduce(x)))/dx with the gradient split equally among ties."""
    m = pick(x, axis=axis, keepdims=True)
    hit = (x == m).astype("float64")
    return hit / hit.sum(axis=axis, keepdims=True)


def pool_windows(steps, pool, stride, padding):
    """[lo, hi) of each MaxPooling1D window over the real positions (TensorFlow's
    'same' padding: total = max((out - 1) * stride + pool - steps, 0), left = total // 2)."""
    if padding == "valid":
        starts = range(0, steps - pool + 1, stride)
    else:
        out = -(-steps // stride)
        left = max((out - 1) * stride + pool - steps, 0) // 2
        starts = range(-left, -left + out * stride, stride)
    return [(max(s, 0), min(s + pool, steps)) for s in starts]


def _first_in_window_rule(x, pool, stride, padding):
    """NumPy: MaxPool1D gradient of sum(output): each window's gradient goes
    to its first (lowest index) maximum; overlapping windows add up."""
    batch, steps, channels = x.shape
    g = np.zeros_like(x, dtype="float64")
    for b in range(batch):
        for c in range(channels):
            for lo, hi in pool_windows(steps, pool, stride, padding):
                g[b, lo + int(np.argmax(x[b, lo:hi, c])), c] += 1.0
    return g


def _large_checks():
    rng = np.random.default_rng(11)
    x = rng.integers(0, 3, size=(3, 17, 5)).astype("float32")
    checks = {}
    _, (g,) = _grad(lambda t: tf.reduce_max(t, axis=1), x)
    assert np.allclose(g, _split_rule(x, 1, np.max)), "reduce_max split"
    _, (g,) = _grad(lambda t: tf.reduce_min(t, axis=1), x)
    assert np.allclose(g, _split_rule(x, 1, np.min)), "reduce_min split"
    _, (g,) = _grad(lambda t: layers.GlobalMaxPooling1D()(t), x)
    assert np.allclose(g, _split_rule(x, 1, np.max)), "GlobalMaxPooling1D split"
    checks["reductions"] = "tf.reduce_max / tf.reduce_min / GlobalMaxPooling1D over axis 1 of a [3, 17, 5] tensor of values in {0, 1, 2}: equal split among ties, every element"
    cases = [(2, 2, "valid"), (3, 1, "valid"), (3, 2, "valid"), (3, 2, "same"), (2, 1, "same"), (4, 3, "same")]
    for pool, stride, padding in cases:
        layer = layers.MaxPooling1D(pool, strides=stride, padding=padding)
        _, (g,) = _grad(layer, x)
        want = _first_in_window_rule(x, pool, stride, padding)
        assert np.allclose(g, want), ("MaxPooling1D", pool, stride, padding)
    checks["maxPooling1D"] = (
        "MaxPooling1D(pool, strides, padding) for (pool, strides, padding) in "
        + ", ".join(f"({p}, {s}, {pd})" for p, s, pd in cases)
        + " on the same tensor: all of a window's gradient to its first maximum, windows add up; "
        "'same' padding never wins (it pads with -inf)"
    )
    y = rng.integers(0, 3, size=x.shape).astype("float32")
    _, (gx, gy) = _grad(lambda a, b: layers.Maximum()([a, b]), x, y)
    assert np.allclose(gx, (x >= y)) and np.allclose(gy, (y > x)), "Maximum"
    _, (gx, gy) = _grad(lambda a, b: layers.Minimum()([a, b]), x, y)
    assert np.allclose(gx, (x <= y)) and np.allclose(gy, (y < x)), "Minimum"
    checks["merges"] = "Maximum / Minimum layers on two such tensors: ties wholly to the first input"
    return checks


def _selection_probes():
    """Reductions, poolings and merges: which of the tied inputs gets the gradient."""
    third = 1.0 / 3.0
    return {
        "reduce_max": _probe(
            "gradient split equally among the tied maxima (TensorFlow: indicators / count)",
            lambda x: tf.reduce_max(x, axis=1), [[[1, 3, 3, 2, 3]]],
            [[[0, third, third, 0, third]]]),
        "keras.ops.max (Lambda)": _probe(
            "same as reduce_max (keras.ops.max is tf.reduce_max)",
            lambda x: ops.max(x, axis=1), [[[[1], [3], [3], [2], [3]]]],
            [[[[0], [third], [third], [0], [third]]]]),
        "GlobalMaxPooling1D": _probe(
            "same as reduce_max (the layer is keras.ops.max over the time axis); it takes no mask",
            lambda x: layers.GlobalMaxPooling1D()(x), [[[[1, 5], [3, 5], [3, 4]]]],
            [[[[0, 0.5], [0.5, 0.5], [0.5, 0]]]]),
        "reduce_min": _probe(
            "gradient split equally among the tied minima",
            lambda x: tf.reduce_min(x, axis=1), [[[1, 3, 1, 2, 1]]],
            [[[third, 0, third, 0, third]]]),
        "MaxPooling1D(2)": _probe(
            "each window's whole gradient to its FIRST maximum (no split)",
            lambda x: layers.MaxPooling1D(2)(x), [[[[3], [3], [1], [2], [2], [2]]]],
            [[[[1], [0], [0], [1], [1], [0]]]]),
        "MaxPooling1D(3, strides=1)": _probe(
            "first maximum of each window; overlapping windows add their gradients",
            lambda x: layers.MaxPooling1D(3, strides=1)(x), [[[[3], [3], [3], [2], [2], [2]]]],
            [[[[1], [1], [1], [1], [0], [0]]]]),
        "MaxPooling1D(3, strides=1, padding='same')": _probe(
            "first maximum among the real positions of each window (padding is -inf)",
            lambda x: layers.MaxPooling1D(3, strides=1, padding="same")(x),
            [[[[3], [3], [3], [2], [2], [2]]]], [[[[2], [1], [1], [1], [1], [0]]]]),
        "maximum": _probe(
            "tf.maximum(x, y): a tie goes wholly to x (x >= y)",
            lambda x, y: tf.maximum(x, y), [[1, 2, 3], [1, 1, 3]], [[1, 1, 1], [0, 0, 0]]),
        "Maximum layer (3 inputs)": _probe(
            "Keras folds maximum(maximum(a, b), c): ties wholly to the earliest input",
            lambda a, b, c: layers.Maximum()([a, b, c]), [[[1, 2]], [[1, 2]], [[1, 0]]],
            [[[1, 1]], [[0, 0]], [[0, 0]]]),
        "minimum": _probe(
            "tf.minimum(x, y): a tie goes wholly to x (x <= y)",
            lambda x, y: tf.minimum(x, y), [[1, 2, 3], [1, 1, 3]], [[1, 0, 1], [0, 1, 0]]),
        "Minimum layer (3 inputs)": _probe(
            "ties wholly to the earliest input",
            lambda a, b, c: layers.Minimum()([a, b, c]), [[[1, 2]], [[1, 2]], [[1, 3]]],
            [[[1, 1]], [[0, 0]], [[0, 0]]]),
    }


def _activation_probes():
    """Activations at their kinks and bounds."""
    prelu = layers.PReLU(alpha_initializer=keras.initializers.Constant(0.3))
    return {
        "relu at 0": _probe("relu'(0) = 0 (x > 0)", tf.nn.relu, [[-1, 0, 1]], [[0, 0, 1]]),
        "relu6 at 0 and 6": _probe(
            "relu6'(x) = 1 only for 0 < x < 6: 0 at both bounds",
            tf.nn.relu6, [[0, 3, 6, 7]], [[0, 1, 0, 0]]),
        "ReLU(max_value=6)": _probe(
            "Keras uses relu6 for max_value == 6 (no threshold): 0 at 0 and at 6",
            layers.ReLU(max_value=6.0), [[0, 3, 6, 7]], [[0, 1, 0, 0]]),
        "ReLU(max_value=0.75)": _probe(
            "Keras: relu then clip_by_value(0, max): 0 at 0 (relu), 1 AT max_value (clip passes its bounds)",
            layers.ReLU(max_value=0.75), [[0, 0.5, 0.75, 1]], [[0, 1, 1, 0]]),
        "ReLU(threshold=0.5)": _probe(
            "where(x > threshold, x, 0): 0 at the threshold",
            layers.ReLU(threshold=0.5), [[0, 0.5, 0.75, 1]], [[0, 0, 1, 1]]),
        "ReLU(max_value=0.75, negative_slope=0.1, threshold=0.5)": _probe(
            "where(x > t, x, 0) clipped to max, minus slope * relu(t - x): at t the gradient is 0",
            layers.ReLU(max_value=0.75, negative_slope=0.1, threshold=0.5),
            [[-1, 0, 0.5, 0.75, 1]], [[0.1, 0.1, 0, 1, 0]]),
        "clip_by_value at the bounds": _probe(
            "gradient 1 at both bounds (0 only strictly outside)",
            lambda x: tf.clip_by_value(x, 0.0, 1.0), [[-1, 0, 0.5, 1, 2]], [[0, 1, 1, 1, 0]]),
        "leaky_relu at 0": _probe(
            "tf.nn.leaky_relu (LeakyReLU, ReLU(negative_slope) alone): slope alpha at 0",
            lambda x: layers.LeakyReLU(negative_slope=0.25)(x), [[-1, 0, 1]], [[0.25, 0.25, 1]]),
        "ReLU(negative_slope=0.1) at 0": _probe(
            "Keras runs tf.nn.leaky_relu: slope 0.1 at 0",
            layers.ReLU(negative_slope=0.1), [[-1, 0, 1]], [[0.1, 0.1, 1]]),
        "elu at 0": _probe("tf.nn.elu: 1 at 0", tf.nn.elu, [[-1, 0, 1]], [[np.exp(-1), 1, 1]]),
        "ELU(alpha=0.7) at 0": _probe(
            "Keras: where(x > 0, elu(x), alpha * elu(x)): alpha (0.7) at 0, alpha * exp(x) below",
            layers.ELU(alpha=0.7), [[-1, 0, 1]], [[0.7 * np.exp(-1), 0.7, 1]]),
        "PReLU at 0": _probe(
            "Keras: relu(x) - alpha * relu(-x): 0 at 0 (both relu's are flat there)",
            prelu, [[[-1, 0, 1]]], [[[0.3, 0, 1]]]),
        "abs at 0": _probe("sign(0) = 0", tf.abs, [[-1, 0, 1]], [[-1, 0, 1]]),
        "hard_sigmoid (Keras 3) at -3 and 3": _probe(
            "Keras 3: relu6(x + 3) / 6: 1/6 strictly inside, 0 at -3 and at 3",
            keras.activations.hard_sigmoid, [[-4, -3, 0, 3, 4]], [[0, 0, 1 / 6, 0, 0]]),
    }


def tie_rules():
    return {
        "description": "Gradient of sum(output) w.r.t. each input, TensorFlow "
        + tf.__version__ + " / Keras " + keras.__version__ + " on CPU (GradientTape)",
        "probes": {**_selection_probes(), **_activation_probes()},
        "largeTensorChecks": _large_checks(),
    }
