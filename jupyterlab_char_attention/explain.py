"""Attributions for char-level Keras models: occlusion, gradient x input, integrated gradients.

Every method gives one value per *model input position* (the ``maxlen``
positions of the padded sequence, padding included); :func:`~jupyterlab_char_attention.from_keras`
aligns them to the characters of each text exactly as it aligns attention.

``f`` is the explained output: for a sigmoid (or any single-unit) output its
value at unit ``target`` (default 0); for a softmax output the probability
of the predicted class unless ``target`` is given.

occlusion (window ``k``, default 1)
    Window start ``s`` runs over every position ``0 .. T-1`` and covers
    positions ``s .. s+k-1`` clipped to the sequence (so the last windows
    are shorter). Its drop ``D_s = f(x) - f(x with those ids set to 0)`` is
    spread evenly over the positions it covers (``D_s / covered``); a
    position's value is the sum of the shares it receives. A window that
    covers only padding (ids already 0) leaves the input unchanged, so its
    drop is 0 without running the model.
grad-x-input
    ``sum_e df/dE[t,e] * E[t,e]`` with ``E`` the output of the model's
    Embedding layer.
integrated-gradients (``steps`` N: fixed; default: adaptive)
    Baseline: zero vectors at the Embedding output; ``IG_t = sum_e E[t,e] *
    integral over alpha in [0, 1] of df/dE[t,e] at alpha * E``, and
    completeness: ``sum_t IG_t = f(x) - f(baseline)`` (``t`` over all
    positions, padding included); the gap between the two measures the
    quadrature error.

    * Adaptive (``steps=None``, the default): the trapezoid rule over
      ``N = 32, 64, ..., 1024`` intervals (points ``i / N``, weights
      ``1/(2N)`` at the ends, ``1/N`` inside). Doubling ``N`` keeps every
      point and adds the midpoints, so ``T(2N) = T(N)/2 + (1/(2N)) * sum``
      over the new points: no gradient is computed twice. It stops when the
      gap is at most ``tolerance * |f(x) - f(baseline)|`` (default 1%; never
      below 1e-5 in output units) or at 1024 intervals, with a notice then.
    * ``steps=N``: the Riemann midpoint rule, ``alpha_i = (i + 0.5) / N``;
      a gap over 5% of ``|f(x) - f(baseline)|`` adds a notice.

    Each sample's ``meta`` holds ``rule``, ``steps`` (intervals), ``passes``
    (gradient evaluations), ``fInput``, ``fBaseline``, ``gap``,
    ``gapRelative`` and, for adaptive steps, ``tolerance`` and
    ``converged``; a notice is also a Python warning.

The definitions are the same as those of the TypeScript side of this
package. Gradients are taken with ``tf.GradientTape`` on ``E``: the whole
model runs on the ids with the Embedding's output replaced by the watched
tensor, so masks (``mask_zero``) still come from the ids, as in the model
and in the browser. The gradient methods need Keras with the TensorFlow
backend; occlusion only calls the model.
TensorFlow and numpy are imported when a method runs, never at import.
"""

import contextlib
import warnings

__all__ = [
    "IG_ADAPTIVE_RULE",
    "IG_RULE",
    "trapezoid_points",
    "METHODS",
    "occlusion_combine",
    "occlusion_windows",
]

METHODS = ("attention", "occlusion", "grad-x-input", "integrated-gradients")
"""The explanation methods, in the order they are offered."""

IG_RULE = "riemann-midpoint"
"""The quadrature rule of integrated gradients with fixed steps (named in the payload's meta)."""

IG_ADAPTIVE_RULE = "trapezoid"
"""The nested rule of adaptive integrated gradients."""

IG_NOTICE_RATIO = 0.05
"""With fixed steps, a completeness gap above this fraction of |f(x) - f(baseline)| is reported."""

ADAPTIVE_FIRST_STEPS = 32
"""Intervals of the first adaptive round."""

ADAPTIVE_MAX_STEPS = 1024
"""Adaptive steps stop here, converged or not."""

DEFAULT_TOLERANCE = 0.01
"""Adaptive steps stop at a gap of this fraction of |f(x) - f(baseline)|."""

GAP_FLOOR = 1e-5
"""Smallest gap tolerated, in output units (f(x) ~ f(baseline) makes any relative gap large)."""

MAX_STEPS = 4096
"""Most fixed steps accepted."""


# --------------------------------------------------------------------------
# Pure parts (no numpy, no TensorFlow)
# --------------------------------------------------------------------------


def occlusion_windows(length, window):
    """The windows of occlusion: ``[(s, e)]`` covering positions ``s .. e-1``, ``s = 0 .. length-1``."""
    _check_positive("window", window)
    return [(s, min(length, s + window)) for s in range(length)]


def occlusion_combine(drops, length, window):
    """Spread each window's drop evenly over the positions it covers and sum per position.

    ``drops[s]`` is ``f(x) - f(x occluded at window s)`` for the windows of
    :func:`occlusion_windows`; returns ``length`` values.
    """
    windows = occlusion_windows(length, window)
    if len(drops) != len(windows):
        raise ValueError(f"occlusion: {len(drops)} drops for {len(windows)} windows")
    values = [0.0] * length
    for (start, end), drop in zip(windows, drops):
        share = float(drop) / (end - start)
        for t in range(start, end):
            values[t] += share
    return values


def midpoint_points(steps):
    """The Riemann midpoint rule: ``[(alpha, weight)]`` for ``steps`` points."""
    return [((i + 0.5) / steps, 1.0 / steps) for i in range(steps)]


def trapezoid_points(intervals):
    """Every point of the trapezoid rule over ``intervals`` intervals: ``[(alpha, weight)]``."""
    return [(i / intervals, (0.5 if i in (0, intervals) else 1.0) / intervals) for i in range(intervals + 1)]


def trapezoid_refinement(intervals):
    """The points ``intervals`` intervals add to the rule of ``intervals / 2``, weighted 1 / intervals."""
    return [((2 * j + 1) / intervals, 1.0 / intervals) for j in range(intervals // 2)]


def _check_positive(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")


def check_method(method):
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    return method


# --------------------------------------------------------------------------
# The model side
# --------------------------------------------------------------------------


def _numpy():
    try:
        import numpy
    except ImportError:
        raise ImportError("the explanation methods need numpy (installed with Keras and TensorFlow)") from None
    return numpy


def _tensorflow(method):
    try:
        import tensorflow
    except ImportError:
        raise ImportError(
            f"method {method!r} takes gradients with tf.GradientTape: TensorFlow is not installed in this "
            "kernel (pip install tensorflow), or use method='occlusion'"
        ) from None
    return tensorflow


def _output_tensor(model):
    outputs = getattr(model, "outputs", None)
    if isinstance(outputs, (list, tuple)) and outputs:
        if len(outputs) != 1:
            raise ValueError(f"the model has {len(outputs)} outputs; explanations need a model with one")
        return outputs[0]
    return model.output


def _output_activation(model):
    """The name of the last layer's activation ('softmax', 'sigmoid', ...) or None."""
    layers = getattr(model, "layers", None) or []
    if not layers:
        return None
    activation = getattr(layers[-1], "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


@contextlib.contextmanager
def _embedding_returns(embedding, value, tf):
    """While active, ``embedding`` outputs ``value``; Keras still computes its mask from the ids it is given."""
    had_own = "call" in embedding.__dict__
    own = embedding.__dict__.get("call")
    # A fresh tensor per call: Keras attaches the mask to the output tensor.
    embedding.call = lambda *args, **kwargs: tf.identity(value)
    try:
        yield
    finally:
        if had_own:
            embedding.call = own
        else:
            del embedding.call


class ModelExplainer:
    """Runs one Keras model for the explanation methods.

    ``embedding`` names the Embedding layer whose output the gradient methods
    differentiate (default: the model's only Embedding layer).
    """

    def __init__(self, model, embedding=None, batch_size=None):
        self.model = model
        self.batch_size = batch_size or 256
        self.activation = _output_activation(model)
        self._embedding_name = embedding
        self._embedding = None
        self._compiled = None

    # -- forward ----------------------------------------------------------

    def outputs(self, x):
        """Model outputs for int sequences ``x`` (batch, T) as a (batch, units) float64 array."""
        np = _numpy()
        x = np.asarray(x, dtype="int32")
        rows = []
        for start in range(0, len(x), self.batch_size):
            chunk = x[start : start + self.batch_size]
            # predict_on_batch runs the compiled graph (a recurrent layer called eagerly is slow).
            call = getattr(self.model, "predict_on_batch", None)
            if call is not None:
                out = call(self._model_input(chunk))
            else:
                out = self.model(self._model_input(chunk), training=False)
            out = out.numpy() if hasattr(out, "numpy") else np.asarray(out)
            rows.append(np.asarray(out, dtype="float64").reshape(len(chunk), -1))
        return np.concatenate(rows, axis=0)

    def targets(self, outputs, target):
        """Per row the unit explained, and how it was chosen."""
        np = _numpy()
        units = outputs.shape[1]
        if target is not None:
            if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < units:
                raise ValueError(f"target: expected an output unit 0..{units - 1}, got {target!r}")
            return [target] * len(outputs), "given"
        if self.activation == "softmax" and units > 1:
            return [int(i) for i in np.argmax(outputs, axis=1)], "predicted class"
        return [0] * len(outputs), "output unit 0"

    # -- occlusion --------------------------------------------------------

    def occlusion(self, sequence, target, f_input, window):
        np = _numpy()
        length = len(sequence)
        windows = occlusion_windows(length, window)
        variants, which = [], []
        for s, (start, end) in enumerate(windows):
            if any(sequence[start:end]):  # a window over padding only changes nothing
                row = list(sequence)
                row[start:end] = [0] * (end - start)
                variants.append(row)
                which.append(s)
        drops = [0.0] * length
        if variants:
            occluded = self.outputs(np.asarray(variants, dtype="int32"))[:, target]
            for s, value in zip(which, occluded):
                drops[s] = f_input - float(value)
        return occlusion_combine(drops, length, window), len(variants)

    # -- gradients --------------------------------------------------------

    def _model_input(self, x):
        """``x`` as the model takes it (a model loaded from a file may declare its one input as a list)."""
        return [x] if isinstance(getattr(self.model, "_inputs_struct", None), (list, tuple)) else x

    def _embedding_layer(self, method):
        """The Embedding layer whose output the gradient methods differentiate."""
        if self._embedding is not None:
            return self._embedding
        _tensorflow(method)
        layers = getattr(self.model, "layers", []) or []
        if self._embedding_name is not None:
            try:
                embedding = self.model.get_layer(self._embedding_name)
            except ValueError:
                names = ", ".join(getattr(item, "name", "?") for item in layers)
                raise ValueError(
                    f"embedding: no layer named {self._embedding_name!r}; the model's layers are: {names}"
                ) from None
        else:
            found = [item for item in layers if type(item).__name__ == "Embedding"]
            if len(found) != 1:
                names = ", ".join(f"{getattr(item, 'name', '?')} ({type(item).__name__})" for item in layers)
                raise ValueError(
                    f"method {method!r} differentiates the output of the Embedding layer, and the model has "
                    f"{len(found)} Embedding layers (layers: {names}); name one with embedding=..."
                )
            embedding = found[0]
        self._embedding = embedding
        return embedding

    def embed(self, sequences, method):
        np = _numpy()
        embedding = self._embedding_layer(method)
        out = embedding(np.asarray(sequences, dtype="int32"))
        return np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype="float32")

    def _functions(self, method):
        """(forward, gradient) of the whole model on ids whose Embedding output is E, compiled once.

        The model runs on the ids with the Embedding's output replaced by E, so every mask
        (``mask_zero``) still comes from the ids, as in the model itself.
        """
        if self._compiled is None:
            tf = _tensorflow(method)
            embedding = self._embedding_layer(method)

            def run(ids, embedded):
                with _embedding_returns(embedding, embedded, tf):
                    out = self.model(self._model_input(ids), training=False)
                return tf.reshape(out, (tf.shape(embedded)[0], -1))

            @tf.function(reduce_retracing=True)
            def forward(ids, embedded):
                return run(ids, embedded)

            @tf.function(reduce_retracing=True)
            def gradient(ids, embedded, target):
                with tf.GradientTape() as tape:
                    tape.watch(embedded)
                    # Rows are independent, so the gradient of the sum is each row's own gradient.
                    f = tf.reduce_sum(tf.gather(run(ids, embedded), target, axis=1))
                return tape.gradient(f, embedded)

            self._compiled = (forward, gradient)
        return self._compiled

    def rest_outputs(self, ids, embedded, method):
        """Outputs of the model for ids (batch, T) whose Embedding outputs are ``embedded`` (batch, T, D)."""
        np = _numpy()
        forward, _ = self._functions(method)
        out = forward(np.asarray(ids, dtype="int32"), np.asarray(embedded, dtype="float32")).numpy()
        return np.asarray(out, dtype="float64").reshape(len(embedded), -1)

    def gradients(self, ids, embedded, target, method):
        """df/dE for ids (batch, T) with Embedding outputs ``embedded`` (batch, T, D); f = unit ``target``."""
        np = _numpy()
        tf = _tensorflow(method)
        _, gradient = self._functions(method)
        unit = tf.constant(target, dtype=tf.int32)
        grads = []
        for start in range(0, len(embedded), self.batch_size):
            end = start + self.batch_size
            grad = gradient(tf.convert_to_tensor(np.asarray(ids[start:end], dtype="int32")),
                            tf.convert_to_tensor(np.asarray(embedded[start:end], dtype="float32")), unit)
            if grad is None:
                raise ValueError(f"{method}: the output does not depend on the embedding (no gradient)")
            grads.append(np.asarray(grad.numpy(), dtype="float64"))
        return np.concatenate(grads, axis=0)

    def grad_x_input(self, sequence, target):
        embedded = self.embed([sequence], "grad-x-input")
        grad = self.gradients([sequence], embedded, target, "grad-x-input")
        return [float(v) for v in (grad[0] * embedded[0].astype("float64")).sum(axis=-1)]

    def _path_terms(self, sequence, embedded, target, points):
        """Per position: sum over the points of weight * sum_e E * df/dE at alpha * E."""
        np = _numpy()
        alphas = np.array([a for a, _ in points], dtype="float64")
        weights = np.array([w for _, w in points], dtype="float64")
        path = alphas[:, None, None].astype("float32") * embedded[None, :, :]
        grads = self.gradients([sequence] * len(points), path, target, "integrated-gradients")
        weighted = (grads * weights[:, None, None]).sum(axis=0)
        return (embedded.astype("float64") * weighted).sum(axis=-1)

    def integrated_gradients(self, sequence, target, steps=None, tolerance=DEFAULT_TOLERANCE):
        """(values, meta): the rule of the module docstring; fixed ``steps`` or adaptive (None)."""
        np = _numpy()
        embedded = self.embed([sequence], "integrated-gradients")[0]
        ends = self.rest_outputs([sequence] * 2, np.stack([embedded, np.zeros_like(embedded)]),
                                 "integrated-gradients")
        f_input, f_baseline = float(ends[0, target]), float(ends[1, target])
        delta = f_input - f_baseline
        allowed = max(tolerance * abs(delta), GAP_FLOOR)
        if steps is not None:
            values = self._path_terms(sequence, embedded, target, midpoint_points(steps))
            intervals, passes = steps, steps
        else:
            intervals = ADAPTIVE_FIRST_STEPS
            values = self._path_terms(sequence, embedded, target, trapezoid_points(intervals))
            passes = intervals + 1
            while abs(values.sum() - delta) > allowed and 2 * intervals <= ADAPTIVE_MAX_STEPS:
                intervals *= 2
                added = trapezoid_refinement(intervals)
                values = values / 2 + self._path_terms(sequence, embedded, target, added)
                passes += len(added)
        gap = abs(float(values.sum()) - delta)
        meta = {
            "rule": IG_RULE if steps is not None else IG_ADAPTIVE_RULE,
            "steps": intervals,
            "passes": passes,
            "fInput": f_input,
            "fBaseline": f_baseline,
            "gap": gap,
            "gapRelative": gap / abs(delta) if delta != 0 else None,
        }
        if steps is None:
            meta.update({"tolerance": tolerance, "converged": gap <= allowed})
        return [float(v) for v in values], meta


def explain_sequences(model, sequences, method, *, window=1, steps=None, tolerance=DEFAULT_TOLERANCE, target=None,
                      embedding=None, batch_size=None):
    """Explain encoded sequences; return (per-sequence values, predictions, per-sample meta, batch meta).

    ``sequences`` are the padded model inputs (lists of ints, all of length T).
    ``steps`` None: adaptive integrated gradients (see the module docstring).
    """
    check_method(method)
    if method == "attention":
        raise ValueError("method 'attention' reads the attention layer; use from_keras(..., method='attention')")
    if method == "occlusion":
        _check_positive("window", window)
    if method == "integrated-gradients":
        if steps is not None:
            _check_positive("steps", steps)
            if steps > MAX_STEPS:
                raise ValueError(f"steps: at most {MAX_STEPS}, got {steps!r}")
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 1e-6 <= tolerance <= 1:
            raise ValueError(f"tolerance: expected a number from 0.000001 to 1, got {tolerance!r}")
    runner = ModelExplainer(model, embedding=embedding, batch_size=batch_size)
    outputs = runner.outputs(sequences)
    targets, chosen_by = runner.targets(outputs, target)
    batch_meta = {"method": method, "targetChosenBy": chosen_by}
    if target is not None:
        batch_meta["target"] = target
    if method == "occlusion":
        batch_meta["window"] = window
    if method == "integrated-gradients":
        batch_meta.update({"rule": IG_RULE if steps is not None else IG_ADAPTIVE_RULE,
                           "baseline": "zero embedding vectors"})
        batch_meta.update({"steps": steps} if steps is not None else {"tolerance": tolerance})
    values, sample_meta = [], []
    for index, sequence in enumerate(sequences):
        sequence = [int(v) for v in sequence]
        unit = targets[index]
        f_input = float(outputs[index, unit])
        meta = {"target": unit, "f": f_input}
        if method == "occlusion":
            row, calls = runner.occlusion(sequence, unit, f_input, window)
            meta["modelCalls"] = calls
        elif method == "grad-x-input":
            row = runner.grad_x_input(sequence, unit)
        else:
            row, details = runner.integrated_gradients(sequence, unit, steps, tolerance)
            meta.update(details)
            notice = _completeness_notice(details, steps, tolerance)
            if notice:
                meta["notice"] = notice
                warnings.warn(f"sample {index}: {notice}", stacklevel=3)
        values.append(row)
        sample_meta.append(meta)
    predictions = [[float(v) for v in row] for row in outputs]
    return values, predictions, sample_meta, batch_meta


def _completeness_notice(meta, steps, tolerance):
    """The notice of an integrated-gradients result (the TypeScript side words it the same way), or None."""
    gap, relative = meta["gap"], meta["gapRelative"]
    delta = abs(meta["fInput"] - meta["fBaseline"])
    measured = (f"gap {gap:.3g} although f(x) = f(baseline)" if relative is None
                else f"gap {100 * relative:.1f}% of |f(x) - f(baseline)| = {delta:.3g}")
    if steps is None:
        if meta["converged"]:
            return None
        return (f"integrated gradients: completeness {measured} after {meta['steps']} steps, "
                f"over the tolerance of {float(f'{100 * tolerance:.3g}'):g}%: the values are approximate")
    if (gap <= GAP_FLOOR) if relative is None else (relative <= IG_NOTICE_RATIO):
        return None
    return (f"integrated gradients: completeness {measured} with {steps} steps "
            f"(over {100 * IG_NOTICE_RATIO:g}%): try more steps, or leave steps unset to choose them automatically")
