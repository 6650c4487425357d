"""Evaluate a Keras char-level model on labelled texts: per-row metrics, faithfulness and agreement.

:func:`evaluate` computes, for each text, the same fields as ``char-attention evaluate --json`` (the
CLI) and the Attention Explorer: ``index``, ``text``, ``label``, ``prediction`` (the explained output f:
the sigmoid probability, or the probability of the target class), ``predictedClass``, ``correct``,
``loss``, and per requested method its values per character with their ERASER comprehensiveness and
sufficiency, plus Kendall's tau-b between every pair of methods. The definitions are in
:mod:`jupyterlab_char_attention.faithfulness`.

Importing this module does not import TensorFlow, Keras or pandas.
"""

import html

from .faithfulness import (
    character_positions,
    cross_entropy,
    deletion_set,
    faithfulness_scores,
    kendall_tau_b,
    label_index,
    predicted_class,
    rank_positions,
)

__all__ = ["evaluate", "TOP_CHARACTERS"]

TOP_CHARACTERS = 20
"""How many characters the summary lists per method."""


def _as_list(value, name):
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"{name}: expected a list, got {type(value).__name__}") from None


def _methods(methods):
    from .explain import check_method

    methods = _as_list(methods or [], "methods")
    for method in methods:
        check_method(method)
    if len(set(methods)) != len(methods):
        raise ValueError(f"methods: each method once, got {methods!r}")
    return methods


def _outputs(model, x, batch_size):
    from .keras import _as_model_input, _predict
    from .payload import to_plain

    outputs = to_plain(_predict(model, _as_model_input(x), batch_size))
    return [row if isinstance(row, list) else [row] for row in outputs]


def _position_values(model, x, texts, method, options):
    """One value per model position of each sequence, and each sequence's meta (e.g. ``steps``,
    ``gapRelative`` of integrated gradients)."""
    if method == "attention":
        from .keras import AUTO, _attention_values, _has_layer, find_attention_layer

        layer = options["layer"]
        if layer == AUTO and not _has_layer(model, AUTO):
            layer = find_attention_layer(model)
            if layer is None:
                raise ValueError(
                    "method 'attention': no attention layer found (a softmax over the time axis); "
                    "name it with layer=... or use occlusion, grad-x-input or integrated-gradients"
                )
        values, _ = _attention_values(model, x, texts, layer, len(x[0]), options["batch_size"])
        return values, [{"attentionLayer": layer} for _ in values]
    from .explain import explain_sequences

    values, _, sample_meta, batch_meta = explain_sequences(
        model, x, method, window=options["window"], steps=options["steps"], tolerance=options["tolerance"],
        target=options["target"], embedding=options["embedding"], batch_size=options["batch_size"],
    )
    shared = {k: v for k, v in batch_meta.items() if k not in ("method", "targetChosenBy", "baseline")}
    return values, [{**shared, **meta} for meta in sample_meta]


def _faithfulness(model, x, values, targets, outputs, batch_size):
    """(comprehensiveness, sufficiency) of each row for one method; variants predicted in one batch."""
    variants, spans = [], []
    for sequence, row_values in zip(x, values):
        ranking = rank_positions(row_values, character_positions(sequence))
        sizes, removed, kept = deletion_set(sequence, ranking)
        spans.append((len(variants), len(sizes)))
        variants.extend(removed + kept)
    f = _outputs(model, variants, batch_size) if variants else []
    scores = []
    for (first, bins), target, output in zip(spans, targets, outputs):
        comp = [f[first + k][target] for k in range(bins)]
        suff = [f[first + bins + k][target] for k in range(bins)]
        scores.append(faithfulness_scores(output[target], comp, suff))
    return scores


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _characters(rows, method):
    totals = {}
    for row in rows:
        values = row["explanations"][method]["values"]
        for char, value in zip(row["text"], values):
            if value is None:
                continue
            entry = totals.setdefault(char, [0.0, 0])
            entry[0] += value
            entry[1] += 1
    weights = [{"char": c, "mean": s / n, "count": n} for c, (s, n) in totals.items()]
    weights.sort(key=lambda w: (-w["mean"], -w["count"], w["char"]))
    return weights[:TOP_CHARACTERS]


def _summary(rows, methods, classes, class_count):
    labelled = [r for r in rows if r["label"] is not None]
    matrix = [[0] * class_count for _ in range(class_count)]
    for r in labelled:
        matrix[r["label"]][r["predictedClass"]] += 1
    pairs = [f"{a}~{b}" for i, a in enumerate(methods) for b in methods[i + 1:]]
    return {
        "count": len(rows),
        "labelled": len(labelled),
        "accuracy": (sum(1 for r in labelled if r["correct"]) / len(labelled)) if labelled else None,
        "meanLoss": _mean([r["loss"] for r in labelled]),
        "methods": {
            m: {
                "comprehensiveness": _mean([r["explanations"][m]["comprehensiveness"] for r in rows]),
                "sufficiency": _mean([r["explanations"][m]["sufficiency"] for r in rows]),
                "rows": sum(1 for r in rows if r["explanations"][m]["comprehensiveness"] is not None),
            }
            for m in methods
        },
        "agreement": {p: _mean([r["agreement"][p] for r in rows]) for p in pairs},
        "classes": list(classes) if classes else None,
        "confusionMatrix": matrix,
        "characters": {m: _characters(rows, m) for m in methods},
    }


def evaluate(
    model,
    texts,
    labels=None,
    tokenizer_json=None,
    methods=(),
    *,
    classes=None,
    layer="auto",
    maxlen=None,
    padding="pre",
    truncating="pre",
    window=1,
    steps=None,
    tolerance=None,
    target=None,
    embedding=None,
    batch_size=None,
    display=None,
    worst=10,
):
    """Run ``model`` over ``texts`` and evaluate each row against ``labels``.

    Parameters
    ----------
    model, tokenizer_json, layer, maxlen, padding, truncating, window, steps, tolerance, target,
    embedding, batch_size:
        As for :func:`~jupyterlab_char_attention.from_keras` (``tokenizer_json``: the Tokenizer, its
        ``to_json()`` text or a ``{char: index}`` map); ``steps`` None: adaptive integrated
        gradients to ``tolerance`` (default 1%).
    texts:
        The texts (a list, or one string).
    labels:
        One label per text or ``None`` (no labels: no loss, no accuracy): 0/1 for a sigmoid output,
        a class index for a softmax, or a name of ``classes``. ``None`` or ``""`` for a row without one.
    methods:
        Explanation methods (``"attention"``, ``"occlusion"``, ``"grad-x-input"``,
        ``"integrated-gradients"``), each with its faithfulness; agreement between every pair.
    classes:
        Class names (class 0 first).
    display:
        Show the summary and the attribution tables of the ``worst`` rows (by loss) in the notebook;
        default: when running in a Jupyter kernel.

    Returns
    -------
    pandas.DataFrame or list of dict
        One row per text with the columns ``index, text, label, prediction, predictedClass,
        correct, loss, explanations, agreement`` (as the CLI's JSON lines; each explanation has
        ``values, comprehensiveness, sufficiency, meta``); the summary (``count,
        labelled, accuracy, meanLoss, methods, agreement, classes, confusionMatrix, characters``) is
        ``result.attrs["summary"]`` for a DataFrame (pandas installed), else ``result.summary``.
    """
    from .align import align, encode_texts, load_tokenizer
    from .keras import model_maxlen

    tok = load_tokenizer(tokenizer_json)
    texts = _as_list(texts, "texts")
    if not texts:
        raise ValueError("texts is empty")
    if labels is not None:
        labels = _as_list(labels, "labels")
        if len(labels) != len(texts):
            raise ValueError(f"labels: {len(labels)} labels for {len(texts)} texts")
    methods = _methods(methods)
    input_length = model_maxlen(model)
    if maxlen is None:
        maxlen = input_length
    elif input_length is not None and maxlen != input_length:
        raise ValueError(f"maxlen={maxlen} but the model's input has length {input_length}")
    x = encode_texts(texts, tok, maxlen, padding, truncating)
    maxlen = len(x[0])
    outputs = _outputs(model, x, batch_size)
    units = len(outputs[0])
    class_count = 2 if units == 1 else units
    if classes is not None and len(classes) != class_count:
        raise ValueError(f"classes: {len(classes)} names, but the model's output has {class_count} classes")
    rows = []
    for i, (text, output) in enumerate(zip(texts, outputs)):
        raw = labels[i] if labels is not None else None
        label = label_index(raw, classes, class_count, f"text {i}")
        predicted = predicted_class(output)
        unit = target if target is not None else (0 if units == 1 else predicted)
        rows.append({
            "index": i,
            "text": text,
            "label": label,
            "prediction": float(output[unit]),
            "predictedClass": predicted,
            "correct": None if label is None else predicted == label,
            "loss": None if label is None else cross_entropy(output, label),
            "explanations": {},
            "agreement": {},
            "_target": unit,
        })
    from .explain import DEFAULT_TOLERANCE

    options = {"layer": layer, "window": window, "steps": steps, "target": target, "embedding": embedding,
               "batch_size": batch_size, "tolerance": DEFAULT_TOLERANCE if tolerance is None else tolerance}
    position_values = {}
    for method in methods:
        values, metas = _position_values(model, x, texts, method, options)
        position_values[method] = values
        aligned = align(texts, tok, maxlen, padding, truncating, attention=values)["samples"]
        scores = _faithfulness(model, x, values, [r["_target"] for r in rows], outputs, batch_size)
        for row, sample, score, meta in zip(rows, aligned, scores, metas):
            row["explanations"][method] = {
                "values": sample["attention"],
                "comprehensiveness": score[0] if score else None,
                "sufficiency": score[1] if score else None,
                "meta": meta,
            }
    for i, row in enumerate(rows):
        positions = character_positions(x[i])
        for a_index, a in enumerate(methods):
            for b in methods[a_index + 1:]:
                row["agreement"][f"{a}~{b}"] = kendall_tau_b(
                    [position_values[a][i][p] for p in positions],
                    [position_values[b][i][p] for p in positions],
                )
        del row["_target"]
    summary = _summary(rows, methods, classes, class_count)
    if display is None:
        display = _in_kernel()
    if display:
        _show(rows, summary, classes, worst)
    return _result(rows, summary)


def _result(rows, summary):
    try:
        import pandas
    except ImportError:
        return _Evaluation(rows, summary)
    frame = pandas.DataFrame(
        rows,
        columns=["index", "text", "label", "prediction", "predictedClass", "correct", "loss", "explanations",
                 "agreement"],
    )
    # Nullable columns: a row without a label keeps <NA>, the others stay integers / booleans.
    frame = frame.astype({"label": "Int64", "correct": "boolean", "loss": "Float64"})
    frame.attrs["summary"] = summary
    return frame


class _Evaluation(list):
    """The rows (dicts) of an evaluation without pandas; ``.summary`` holds the summary."""

    def __init__(self, rows, summary):
        super().__init__(rows)
        self.summary = summary


def _in_kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _fmt(value):
    return "–" if value is None else f"{value:.3g}"


def _summary_html(summary):
    e = html.escape
    accuracy = "–" if summary["accuracy"] is None else f"{100 * summary['accuracy']:.1f}%"
    parts = [
        '<div class="cae"><b>Evaluation</b>: ',
        f"{summary['count']} rows, {summary['labelled']} labelled, accuracy {e(accuracy)}, "
        f"mean loss {e(_fmt(summary['meanLoss']))}",
    ]
    for method, scores in summary["methods"].items():
        parts.append(
            f"<br>{e(method)}: comprehensiveness {e(_fmt(scores['comprehensiveness']))}, "
            f"sufficiency {e(_fmt(scores['sufficiency']))}"
        )
    for pair, tau in summary["agreement"].items():
        parts.append(f"<br>τ-b {e(pair.replace('~', ' ~ '))}: {e(_fmt(tau))}")
    if summary["labelled"]:
        names = summary["classes"] or [str(i) for i in range(len(summary["confusionMatrix"]))]
        head = "".join(f"<th>{e(str(n))}</th>" for n in names)
        body = "".join(
            f"<tr><th>{e(str(names[i]))}</th>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
            for i, row in enumerate(summary["confusionMatrix"])
        )
        parts.append(f"<table><tr><th>label \\ predicted</th>{head}</tr>{body}</table>")
    parts.append("</div>")
    return "".join(parts)


def _show(rows, summary, classes, worst):
    from IPython.display import display as ipython_display

    from .display import display_attention

    text = f"Evaluation: {summary['count']} rows, accuracy {_fmt(summary['accuracy'])}"
    ipython_display({"text/html": _summary_html(summary), "text/plain": text}, raw=True)
    explained = [r for r in rows if r["explanations"]]
    if not explained or worst <= 0:
        return
    explained.sort(key=lambda r: (-(r["loss"] if r["loss"] is not None else -1.0), r["index"]))
    samples = [_row_sample(r, classes) for r in explained[:worst]]
    display_attention({"version": 1, "samples": samples, "options": {"shareScale": False}})


def _row_sample(row, classes):
    def name(index):
        return classes[index] if classes else str(index)

    methods = list(row["explanations"])
    scores = "; ".join(
        f"{m}: comprehensiveness {_fmt(row['explanations'][m]['comprehensiveness'])}, "
        f"sufficiency {_fmt(row['explanations'][m]['sufficiency'])}"
        for m in methods
    )
    agreement = "; ".join(f"τ({p.replace('~', ', ')}) {_fmt(t)}" for p, t in row["agreement"].items())
    first = row["explanations"][methods[0]]["values"]
    sample = {
        "text": row["text"],
        "mask": [v is not None for v in first],
        "prediction": row["prediction"],
        "title": " · ".join(p for p in (f"Row {row['index'] + 1}", scores, agreement) if p),
        "method": " · ".join(methods),
        # Each method's facts first (steps, gapRelative, window, ...), then the row's.
        "meta": {**{k: v for m in methods for k, v in row["explanations"][m].get("meta", {}).items()},
                 "row": row["index"], "predictedClass": name(row["predictedClass"]),
                 **({"loss": row["loss"]} if row["loss"] is not None else {})},
    }
    if row["label"] is not None:
        sample["label"] = name(row["label"])
    if len(methods) == 1:
        sample["attention"] = first
    else:
        sample["series"] = [{"name": m, "values": row["explanations"][m]["values"]} for m in methods]
    return sample
