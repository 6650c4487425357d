"""Real-Keras oracles for the evaluation feature: faithfulness scores and
method agreement (see _faith_metrics.py for the exact definitions), and
labelled test files with Keras's predictions and losses (_labelled.py).

Models (T = 24, pre padding and truncating, the shared char Tokenizer):
- `faith_sigmoid`: Embedding(31, 8) -> GRU(8) -> Dense(1, sigmoid);
- `faith_softmax`: Embedding(31, 8, mask_zero) -> Bidirectional(GRU(6)) -> Dense(3, softmax);
- `one_char`: hand-set weights so that only 'z' moves the output:
  Embedding(31, 4) with every row 0 but z's -> GlobalMaxPooling1D -> Dense(1, sigmoid)
  reading feature 0 only: f = sigmoid(4 * [a z is present] - 2).

Per text and method (occlusion with window 1, gradient x input, integrated
gradients with 256 steps), `<model>.json` holds the values, the ranking, every
deleted variant's f (Keras `predict`), comprehensiveness and sufficiency; and
tau-b between every pair of methods. For `one_char`, also seeded random
rankings with their scores.
"""
import os

import numpy as np
import keras
from keras import layers

from keras_fixtures import _faith_metrics as fm
from keras_fixtures import _labelled, _oracle as oracle

T = 24
METHODS = ["occlusion", "grad-x-input", "integrated-gradients"]
RANDOM_RANKINGS = 3
TEXTS = {
    "faith_sigmoid": ["it was bad", "so good, so fine", "the quick brown fox", "zz top", "a",
                      "pack my box with five dozen liquor jugs"],
    "faith_softmax": ["it was bad", "so good, so fine", "the quick brown fox", "zz top", "a",
                      "pack my box with five dozen liquor jugs"],
    "one_char": ["lazy", "quiz me", "zebra zoo", "fizz buzz", "no such letter", "z"],
}


def _ids():
    return keras.Input((T,), dtype="int32", name="chars")


def sigmoid_model(vocab):
    ids = _ids()
    emb = layers.Embedding(vocab, 8, name="embedding")
    out = layers.Dense(1, activation="sigmoid", name="output")(layers.GRU(8, name="gru")(emb(ids)))
    return keras.Model(ids, out, name="faith_sigmoid"), emb


def softmax_model(vocab):
    ids = _ids()
    emb = layers.Embedding(vocab, 8, mask_zero=True, name="embedding")
    h = layers.Bidirectional(layers.GRU(6), name="bi_gru")(emb(ids))
    out = layers.Dense(3, activation="softmax", name="output")(h)
    return keras.Model(ids, out, name="faith_softmax"), emb


def one_char_model(vocab, z_id):
    ids = _ids()
    emb = layers.Embedding(vocab, 4, name="embedding")
    pooled = layers.GlobalMaxPooling1D(name="global_max")(emb(ids))
    out = layers.Dense(1, activation="sigmoid", name="output")(pooled)
    model = keras.Model(ids, out, name="one_char")
    table = np.zeros((vocab, 4), dtype="float32")
    table[z_id] = [1.0, 0.5, -0.5, 0.25]
    emb.set_weights([table])
    model.get_layer("output").set_weights(
        [np.array([[4.0], [0.0], [0.0], [0.0]], dtype="float32"), np.array([-2.0], dtype="float32")])
    return model, emb


def _center_output(model, xs):
    """Shifts the output bias so that the random model predicts both classes
    (sigmoid: the median logit becomes 0) or all three (softmax: each class's
    mean log-probability equal) on the given inputs."""
    out = model.get_layer("output")
    for _ in range(3):
        kernel, bias = out.get_weights()
        p = np.clip(model.predict(xs, verbose=0).astype("float64"), 1e-7, 1 - 1e-7)
        if p.shape[1] == 1:
            shift = np.array([np.median(np.log(p / (1 - p)))])
        else:
            logp = np.log(p).mean(axis=0)
            shift = logp - logp.mean()
        out.set_weights([kernel, (bias - shift).astype("float32")])


def _occlusion(predict, x, target, f_x):
    variants = []
    for t in range(len(x)):
        v = np.array(x)
        v[t] = 0
        variants.append(v)
    return f_x - predict(np.stack(variants))[:, target].astype("float64")


def _method_values(model, emb, predict, x, target, f_x):
    ig = oracle.integrated_gradients(model, emb, x, target)
    values = {
        "occlusion": fm.r9(_occlusion(predict, x, target, f_x)),
        "grad-x-input": fm.r9(oracle.grad_x_input(model, emb, x, target)),
        "integrated-gradients": fm.r9(ig["values"]),
    }
    ig_info = {k: ig[k] for k in ("fInput", "fBaseline", "sum", "gap", "relativeGap")}
    return values, ig_info


def _sample(model, emb, predict, text, seq, x, rng):
    prediction = predict(x[None])[0].astype("float64")
    target = oracle.target_of(prediction)
    f_x = float(prediction[target])
    positions = fm.character_positions(x)
    values, ig_info = _method_values(model, emb, predict, x, target, f_x)
    record = {"text": text, "tokens": len(seq), "input": x.tolist(), "n": len(positions),
              "positions": positions, "prediction": prediction.tolist(), "target": target, "f": f_x,
              "methods": {}}
    for name in METHODS:
        order = fm.ranking(values[name], positions)
        scores = fm.deletion_scores(predict, x, target, f_x, order, positions)
        record["methods"][name] = {"values": values[name], "ranking": order, **scores}
    record["methods"]["integrated-gradients"].update(ig_info)
    record["agreement"] = fm.agreement(values, positions)
    if rng is not None:
        record["randomRankings"] = []
        for _ in range(RANDOM_RANKINGS):
            order = [int(t) for t in rng.permutation(positions)]
            scores = fm.deletion_scores(predict, x, target, f_x, order, positions)
            record["randomRankings"].append({"ranking": order, **scores})
    return record


def _check_one_char(records):
    """Where exactly one z decides (and there is more than one position to rank),
    every method's ranking beats the random ones."""
    for r in records:
        if r["text"].count("z") != 1 or r["n"] < 2:
            continue
        best_random = max(x["comprehensiveness"] for x in r["randomRankings"])
        mean_random = np.mean([x["comprehensiveness"] for x in r["randomRankings"]])
        for name in METHODS:
            c = r["methods"][name]["comprehensiveness"]
            assert c >= best_random - 1e-12 and c > mean_random, (r["text"], name, c, mean_random)


def _write_model(out_dir, name, description, model, emb, tokenizer, seed, extra=None):
    files = oracle.save_model(model, out_dir, name)
    seqs, xs = oracle.encode(tokenizer, TEXTS[name], T)
    reloaded = oracle.verify_saved(model, out_dir, files, xs)

    def predict(batch):
        return model.predict(batch, verbose=0, batch_size=256)

    rng = np.random.default_rng(seed) if name == "one_char" else None
    records = [_sample(model, emb, predict, t, s, x, rng) for t, s, x in zip(TEXTS[name], seqs, xs)]
    if name == "one_char":
        _check_one_char(records)
    gaps = [r["methods"]["integrated-gradients"]["relativeGap"] or 0.0 for r in records]
    print(f"  {name}: {len(records)} texts, IG worst relative gap {max(gaps):.2e}", flush=True)
    oracle.write_json(os.path.join(out_dir, f"{name}.json"), {
        "model": name, "description": description, "files": files, "reloadedByKeras": reloaded,
        "tokenizer": "tokenizer.json", "inputLength": T, "padding": "pre", "truncating": "pre",
        "embedding": "embedding", "maskZero": bool(emb.mask_zero), **oracle.versions(),
        "target": "sigmoid: unit 0; softmax: the predicted class (argmax, first on ties)",
        "f": "Keras predict of the target unit",
        "methods": {"occlusion": "window 1: f(x) - f(x with that position's id set to 0)",
                    "grad-x-input": "sum over the embedding axis of E * dF/dE (GradientTape on E)",
                    "integrated-gradients": oracle.ig_header()},
        "K": fm.K,
        "deletion": "id set to 0",
        "agreement": "Kendall tau-b over the n character positions (scipy.stats.kendalltau); "
        "null when undefined (n < 2 or one method constant there)",
        **(extra or {}),
        "samples": records,
    })
    return model


def build(out_dir):
    with oracle.deterministic():
        _build(out_dir)


def _build(out_dir):
    tokenizer = oracle.char_tokenizer()
    vocab = len(tokenizer.word_index) + 1
    oracle.write_tokenizer(out_dir, tokenizer)
    built = {}
    for name, make, seed, description in [
        ("faith_sigmoid", sigmoid_model, 401, "Embedding(31, 8) -> GRU(8) -> Dense(1, sigmoid)"),
        ("faith_softmax", softmax_model, 402,
         "Embedding(31, 8, mask_zero) -> Bidirectional(GRU(6)) -> Dense(3, softmax)"),
    ]:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model, emb = make(vocab)
        oracle.randomize(model, seed)
        _center_output(model, oracle.encode(tokenizer, _labelled.texts(), T)[1])
        description += "; seeded random weights, output bias centred on the labelled texts"
        built[name] = _write_model(out_dir, name, description, model, emb, tokenizer, seed)
    keras.backend.clear_session()
    z_id = tokenizer.word_index["z"]
    model, emb = one_char_model(vocab, z_id)
    _write_model(out_dir, "one_char", "Embedding(31, 4), every row 0 but 'z' (id %d): [1, 0.5, -0.5, "
                 "0.25] -> GlobalMaxPooling1D -> Dense(1, sigmoid), kernel [4, 0, 0, 0], bias -2: "
                 "f = sigmoid(2) if a 'z' is in the window, else sigmoid(-2)" % z_id,
                 model, emb, tokenizer, 403, {"decidingCharacter": "z", "decidingId": z_id})
    _labelled.write_all(out_dir, tokenizer, T, built["faith_sigmoid"], built["faith_softmax"])
