"""Real-Keras gradient oracles: models whose gradient path holds ties, kinks,
normalisations, attention, CuDNN layers, nested models and recurrent
wrappers (`_grad_models.py`), and the attention, normalization, softmax /
activation and Lambda layers in non-default configurations: masks given
explicitly, attention masks, other axes, the Lambda forms
(`_grad_layer_configs.py`); see test/fixtures/keras/gradients/README.md.

For every sample of every model `<name>.json` holds the encoded input,
Keras's `predict` output, the target unit (sigmoid: 0; softmax: the predicted
class), gradient x input (sum over the embedding axis of E * dF/dE, GradientTape
on the Embedding output E) and 256-step integrated gradients (Riemann midpoint
rule, baseline E = 0) with f(input), f(baseline) and the completeness sum;
plus, where a case is about ties or masks, what tied or what the masks hide.
`tie-rules.json` records how TensorFlow's gradients treat ties and kinks,
observed on tiny tensors.
"""
import os

import keras

from keras_fixtures import _oracle as oracle
from keras_fixtures import _grad_layer_configs, _grad_models
from keras_fixtures._grad_cudnn import cudnn_case
from keras_fixtures._grad_models import TEXTS, Case
from keras_fixtures._tie_rules import tie_rules

CASES = _grad_models.CASES + _grad_layer_configs.CASES
CUDNN = [("gru", 111), ("lstm", 112)]
CUDNN_T = 24


def _selected(name):
    """GRADIENT_CASES=a,b (environment) remakes only those cases; all by default."""
    only = os.environ.get("GRADIENT_CASES")
    return not only or name in only.split(",")


def _records(case, tokenizer, T, texts, out_dir, files):
    seqs, xs = oracle.encode(tokenizer, texts, T)
    reloaded = oracle.verify_saved(case.model, out_dir, files, xs)
    records = []
    for text, seq, x in zip(texts, seqs, xs):
        r = oracle.gradient_record(case.model, case.embedding, text, seq, x, case.name)
        if case.probe:
            r[case.probe_key] = case.probe(case.model, x, T - min(len(seq), T))
        records.append(r)
    if case.check:
        case.check(records)
    return records, reloaded


def _completeness(name, records):
    """Keras's own IG completeness over the samples (printed and recorded)."""
    gaps = [r["integratedGradients"]["relativeGap"] for r in records]
    worst = max((g for g in gaps if g is not None), default=0.0)
    print(f"  {name}: {len(records)} texts, IG(256) worst relative completeness gap {worst:.2e}",
          flush=True)
    return {"worstRelativeGap": worst, "within1Percent": worst <= 0.01}


def _write_case(out_dir, case, files, reloaded, T, records):
    info = {
        "model": case.name,
        "description": case.description,
        "files": files,
        "reloadedByKeras": reloaded,
        "tokenizer": "tokenizer.json",
        "inputLength": T,
        "padding": "pre",
        "truncating": "pre",
        "embedding": case.embedding_path,
        "maskZero": bool(case.embedding.mask_zero),
        "randomWeights": case.randomized,
        **oracle.versions(),
        "target": "sigmoid: unit 0; softmax: the predicted class (argmax, first on ties)",
        "integratedGradients": oracle.ig_header(),
        "completeness": _completeness(case.name, records),
        "lambdas": {},
        **case.extra,
        "samples": records,
    }
    oracle.write_json(os.path.join(out_dir, f"{case.name}.json"), info)


def build(out_dir):
    with oracle.deterministic():
        _build(out_dir)


def _build(out_dir):
    tokenizer = oracle.char_tokenizer()
    vocab = len(tokenizer.word_index) + 1
    oracle.write_tokenizer(out_dir, tokenizer)
    oracle.write_json(os.path.join(out_dir, "tie-rules.json"), tie_rules())
    print("  tie-rules.json", flush=True)
    for make, T, seed, texts in CASES:
        if not _selected(make.__name__):
            continue
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        case = make(vocab, T)
        if case.randomized:
            oracle.randomize(case.model, seed, case.scale)
        files = oracle.save_model(case.model, out_dir, case.name, h5=case.h5)
        records, reloaded = _records(case, tokenizer, T, TEXTS[texts], out_dir, files)
        _write_case(out_dir, case, files, reloaded, T, records)
    for kind, seed in CUDNN:
        if not _selected(f"cudnn_{kind}"):
            continue
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model, emb, files = cudnn_case(kind, vocab, CUDNN_T, seed, out_dir)
        case = Case(f"cudnn_{kind}", f"tf.keras 2.x file (written with h5py): Embedding(31, 6) -> "
                    f"CuDNN{kind.upper()}(8) -> Dense(1, sigmoid); oracle: Keras 3 "
                    + ("GRU(reset_after=True)" if kind == "gru" else "LSTM")
                    + " with the converted weights", model, emb, "embedding", randomized=True)
        records, _ = _records(case, tokenizer, CUDNN_T, TEXTS["short"], out_dir, {})
        _write_case(out_dir, case, files, {"h5": "not checked (Keras 3 has no CuDNN layers)"},
                    CUDNN_T, records)
