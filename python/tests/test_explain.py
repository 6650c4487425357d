"""The explanation methods against independent computations with real Keras 3 / TensorFlow.

Oracles: explicit model calls (occlusion), closed forms on a model whose
gradient is known (Embedding -> Flatten -> Dense(sigmoid)), central finite
differences on a float64 recurrent model (gradient x input), and the
completeness of integrated gradients.
"""

import warnings

import pytest

from keras_models import as_int, attention_model, char_tokenizer, keras, linear_model, np, plain_model

from jupyterlab_char_attention import from_keras, validate_payload
from jupyterlab_char_attention.explain import (
    IG_ADAPTIVE_RULE,
    IG_RULE,
    occlusion_combine,
    occlusion_windows,
    trapezoid_points,
    trapezoid_refinement,
)

TEXT = "refund it, broken"


@pytest.fixture(scope="module")
def tok():
    return char_tokenizer()


def _x(tok, texts, maxlen):
    return keras.utils.pad_sequences(tok.texts_to_sequences(texts), maxlen=maxlen)


def _f(model, x, unit=0):
    return model.predict(as_int(x), verbose=0).reshape(len(x), -1)[:, unit].astype("float64")


# --------------------------------------------------------------------------
# Occlusion
# --------------------------------------------------------------------------


def test_occlusion_window_rule():
    assert occlusion_windows(4, 2) == [(0, 2), (1, 3), (2, 4), (3, 4)]
    # Each drop is spread evenly over the positions its window covers; shares add up.
    assert occlusion_combine([2.0, 4.0, 6.0, 8.0], 4, 2) == [1.0, 3.0, 5.0, 11.0]
    assert occlusion_combine([1.0, 2.0, 3.0], 3, 1) == [1.0, 2.0, 3.0]
    assert occlusion_combine([3.0, 0.0, 0.0], 3, 5) == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="window: expected a positive integer"):
        occlusion_windows(3, 0)


@pytest.mark.parametrize("window", [1, 3])
def test_occlusion_equals_explicit_model_calls(tok, window):
    model = plain_model(maxlen=20)
    x = _x(tok, [TEXT], 20)[0]
    f_x = _f(model, [x])[0]
    # The oracle: one explicit call per window start, combined by hand.
    expected = np.zeros(20)
    for start in range(20):
        end = min(20, start + window)
        occluded = x.copy()
        occluded[start:end] = 0
        drop = f_x - _f(model, [occluded])[0]
        expected[start:end] += drop / (end - start)
    payload = from_keras(model, [TEXT], tok, method="occlusion", window=window)
    sample = payload["samples"][0]
    seen = [p for p in range(20) if x[p] != 0]
    assert len(seen) == len(TEXT)  # every character is in the vocabulary and kept
    assert sample["attention"] == pytest.approx(expected[seen].tolist(), abs=1e-6)
    assert payload["meta"]["method"] == "occlusion" and payload["meta"]["window"] == window
    assert sample["meta"]["f"] == pytest.approx(f_x, abs=1e-7)
    assert validate_payload(payload) == []


def test_occlusion_drops_unseen_characters_and_padding(tok):
    """'☃' is not in the vocabulary: no position, null value, mask false; padding is not shown."""
    model = plain_model(maxlen=20)
    payload = from_keras(model, "bad ☃ dog", tok, method="occlusion")
    sample = payload["samples"][0]
    assert sample["mask"] == [True, True, True, True, False, True, True, True, True]
    assert sample["attention"][4] is None
    assert all(v is not None for i, v in enumerate(sample["attention"]) if i != 4)


# --------------------------------------------------------------------------
# Gradient x input
# --------------------------------------------------------------------------


def _linear_parts(model, x):
    embeddings = model.get_layer("embedding").get_weights()[0].astype("float64")
    kernel, bias = (w.astype("float64") for w in model.get_layer("head").get_weights())
    E = embeddings[x]  # (T, D)
    W = kernel[:, 0].reshape(E.shape)  # Flatten is row-major over (T, D)
    return E, W, float(bias[0])


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_grad_x_input_closed_form(tok):
    model = linear_model(maxlen=8)
    x = _x(tok, ["bad dog"], 8)[0]
    E, W, b = _linear_parts(model, x)
    f = _sigmoid((W * E).sum() + b)
    expected = f * (1 - f) * (W * E).sum(axis=1)  # df/dE[t,e] = f(1-f) W[t,e]
    payload = from_keras(model, "bad dog", tok, method="grad-x-input")
    values = payload["samples"][0]["attention"]
    assert values == pytest.approx(expected[1:].tolist(), rel=1e-4, abs=1e-7)
    assert max(abs(v) for v in values) > 1e-3  # a real signal, not zeros


def test_grad_x_input_finite_differences(tok):
    """On a float64 GRU model: sum_e df/dE[t,e] E[t,e] is the derivative along E restricted to row t."""
    model = attention_model(maxlen=12, dtype="float64", seed=5)
    rest = keras.Model(model.get_layer("embedding").output, model.outputs[0])
    x = _x(tok, ["it was bad"], 12)
    E = model.get_layer("embedding")(as_int(x)).numpy().astype("float64")
    h = 1e-5
    expected = []
    for t in range(12):
        step = np.zeros_like(E)
        step[0, t] = E[0, t] * h
        up = float(rest(E + step).numpy().ravel()[0])
        down = float(rest(E - step).numpy().ravel()[0])
        expected.append((up - down) / (2 * h))
    payload = from_keras(model, "it was bad", tok, method="grad-x-input")
    values = payload["samples"][0]["attention"]
    assert values == pytest.approx(expected[2:], rel=1e-4, abs=1e-9)


# --------------------------------------------------------------------------
# Integrated gradients
# --------------------------------------------------------------------------


def test_integrated_gradients_midpoint_rule_closed_form(tok):
    model = linear_model(maxlen=8)
    x = _x(tok, ["bad dog"], 8)[0]
    E, W, b = _linear_parts(model, x)
    steps = 8
    z = (W * E).sum()
    alphas = (np.arange(steps) + 0.5) / steps  # the midpoint rule, written out
    slope = np.mean([_sigmoid(a * z + b) * (1 - _sigmoid(a * z + b)) for a in alphas])
    expected = slope * (W * E).sum(axis=1)
    payload = from_keras(model, "bad dog", tok, method="integrated-gradients", steps=steps)
    assert payload["samples"][0]["attention"] == pytest.approx(expected[1:].tolist(), rel=1e-4, abs=1e-7)
    meta = payload["meta"]
    assert (meta["method"], meta["steps"], meta["rule"]) == ("integrated-gradients", steps, IG_RULE)
    assert payload["samples"][0]["meta"]["steps"] == steps


def test_integrated_gradients_completeness(tok):
    model = attention_model(maxlen=16, seed=7)
    # Sharper weights than the initializer's, so that f(x) - f(baseline) is not tiny.
    head = model.layers[-1]
    kernel, bias = head.get_weights()
    head.set_weights([kernel * 8.0, bias])
    texts = ["it was bad", "refund it, broken", "great product"]
    payload = from_keras(model, texts, tok, method="integrated-gradients")
    assert payload["meta"]["rule"] == IG_ADAPTIVE_RULE
    assert payload["meta"]["tolerance"] == 0.01
    for sample in payload["samples"]:
        meta = sample["meta"]
        difference = meta["fInput"] - meta["fBaseline"]
        assert meta["f"] == pytest.approx(meta["fInput"], abs=1e-6)
        assert abs(difference) > 1e-3
        assert meta["converged"] is True
        assert meta["steps"] in (32, 64, 128, 256, 512, 1024)
        assert meta["passes"] == meta["steps"] + 1
        assert meta["gap"] <= 0.01 * abs(difference)
        assert meta["gapRelative"] == pytest.approx(meta["gap"] / abs(difference))
        assert "notice" not in meta
        assert meta["fBaseline"] == pytest.approx(
            float(keras.Model(model.get_layer("embedding").output, model.outputs[0])(
                np.zeros((1, 16, 6), "float32")).numpy().ravel()[0]), abs=1e-6)


def test_the_nested_trapezoid_rule_reuses_every_point():
    points = {a for a, _ in trapezoid_points(32)}
    for n in (64, 128, 256):
        added = trapezoid_refinement(n)
        assert len(added) == n // 2 and not points & {a for a, _ in added}
        points |= {a for a, _ in added}
    assert points == {a for a, _ in trapezoid_points(256)}
    # T(2N) = T(N)/2 + the new points: exact for the closed form of the rule.
    g = lambda x: np.exp(-3 * x) * np.sin(5 * x)  # noqa: E731
    t32 = sum(w * g(a) for a, w in trapezoid_points(32))
    t64 = t32 / 2 + sum(w * g(a) for a, w in trapezoid_refinement(64))
    assert t64 == pytest.approx(sum(w * g(a) for a, w in trapezoid_points(64)), abs=1e-14)


def test_a_large_completeness_gap_is_reported(tok):
    model = linear_model(maxlen=8)
    head = model.get_layer("head")
    kernel, bias = head.get_weights()
    head.set_weights([kernel * 400.0, bias])  # a saturated sigmoid: one step is far off
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        payload = from_keras(model, "bad dog", tok, method="integrated-gradients", steps=1)
    meta = payload["samples"][0]["meta"]
    if meta["gapRelative"] > 0.05:
        assert "notice" in meta and "try more steps" in meta["notice"]
        assert any("try more steps" in str(w.message) for w in caught)
    else:  # pragma: no cover - a linear-in-alpha model would be exact with one step
        pytest.fail(f"the test model should need more than one step, gap {meta['gapRelative']}")
    # Adaptive steps that cannot reach the tolerance stop at the cap, and say so.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        capped = from_keras(model, "bad dog", tok, method="integrated-gradients", tolerance=1e-6)
    meta = capped["samples"][0]["meta"]
    if not meta["converged"]:
        assert meta["steps"] == 1024
        assert meta["notice"].endswith("after 1024 steps, over the tolerance of 0.0001%: the values are approximate")
        assert any("the values are approximate" in str(w.message) for w in caught)
    else:
        assert meta["gap"] <= max(1e-6 * abs(meta["fInput"] - meta["fBaseline"]), 1e-5)


# --------------------------------------------------------------------------
# Target and payload
# --------------------------------------------------------------------------


def test_softmax_target_is_the_predicted_class_unless_given(tok):
    model = plain_model(maxlen=12, classes=3, seed=11)
    head = model.layers[-1]
    kernel, bias = head.get_weights()
    head.set_weights([kernel * 5.0, bias])
    texts = ["it was bad", "great product"]
    probabilities = model.predict(as_int(_x(tok, texts, 12)), verbose=0)
    payload = from_keras(model, texts, tok, method="occlusion")
    assert payload["meta"]["targetChosenBy"] == "predicted class"
    for sample, row in zip(payload["samples"], probabilities):
        assert sample["meta"]["target"] == int(np.argmax(row))
        assert sample["meta"]["f"] == pytest.approx(float(row.max()), abs=1e-7)
        assert sample["prediction"] == pytest.approx(row.tolist(), abs=1e-7)
    given = from_keras(model, texts, tok, method="grad-x-input", target=1)
    assert given["meta"]["target"] == 1 and given["meta"]["targetChosenBy"] == "given"
    assert all(s["meta"]["target"] == 1 for s in given["samples"])
    with pytest.raises(ValueError, match=r"target: expected an output unit 0\.\.2, got 3"):
        from_keras(model, texts, tok, method="occlusion", target=3)


def test_payload_names_the_method_and_uses_a_diverging_map(tok):
    model = plain_model(maxlen=12)
    for method in ("occlusion", "grad-x-input", "integrated-gradients"):
        payload = from_keras(model, ["it was bad"], tok, method=method)
        assert payload["meta"]["method"] == method
        assert list(payload["meta"])[0] == "method"
        assert payload["options"]["colormap"] == "RdBu"
        assert validate_payload(payload) == []
    kept = from_keras(model, ["it was bad"], tok, method="occlusion", options={"colormap": "Blues", "vmin": -1})
    assert kept["options"] == {"colormap": "Blues", "vmin": -1}


def test_bad_method_and_embedding_are_named(tok):
    model = plain_model(maxlen=12)
    with pytest.raises(ValueError, match="method: expected one of attention, occlusion, grad-x-input, "
                                         "integrated-gradients, got 'saliency'"):
        from_keras(model, "abc", tok, method="saliency")
    with pytest.raises(ValueError, match="embedding: no layer named 'emb'"):
        from_keras(model, "abc", tok, method="grad-x-input", embedding="emb")
    with pytest.raises(ValueError, match="steps: expected a positive integer, got 0"):
        from_keras(model, "abc", tok, method="integrated-gradients", steps=0)
