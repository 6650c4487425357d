"""The pure parts of :func:`~jupyterlab_char_attention.evaluate`: labels, loss, ERASER faithfulness, tau-b.

The definitions are those of the TypeScript side (``src/evaluate/``) and of the README:

- ``n`` = the model positions that hold a character (id != 0); for ``k`` in ``K = 1, 5, 10, 20, 50`` (%),
  ``m_k = max(1, ceil(k n / 100))`` and ``r_k`` = the ``m_k`` positions with the largest values (largest
  first, signed; ties broken by the earlier position; a value that is not a finite number ranks last).
- Deleting a position sets its id to 0 (the padding id, as occlusion does).
- comprehensiveness = mean over K of ``f(x) - f(x with r_k deleted)``; sufficiency = mean over K of
  ``f(x) - f(x with every character position outside r_k deleted)``.
- agreement = Kendall's tau-b of two methods' values over the ``n`` positions (SciPy's ``kendalltau``
  when SciPy is installed, else the same statistic by counting pairs); ``None`` where undefined.
- loss: binary (one output unit) or categorical cross-entropy, probabilities clipped to ``[1e-7, 1 - 1e-7]``.

Standard library only.
"""

import math
import re

AOPC_BINS = (1, 5, 10, 20, 50)
EPSILON = 1e-7

__all__ = [
    "AOPC_BINS",
    "bin_sizes",
    "character_positions",
    "cross_entropy",
    "deletion_set",
    "faithfulness_scores",
    "kendall_tau_b",
    "label_index",
    "predicted_class",
    "rank_positions",
]


def bin_sizes(n, bins=AOPC_BINS):
    """``m_k = max(1, ceil(k n / 100))`` per bin; empty when ``n == 0``."""
    if n <= 0:
        return []
    return [max(1, (k * n + 99) // 100) for k in bins]


def character_positions(padded):
    """Model positions holding a character (id != 0), in order."""
    return [p for p, token in enumerate(padded) if int(token) != 0]


def _key(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return -math.inf
    return value if math.isfinite(value) else -math.inf


def rank_positions(values, positions):
    """``positions`` by value, largest first; ties keep the earlier position first."""
    return sorted(positions, key=lambda p: (-_key(values[p]), p))


def deletion_set(padded, ranking, bins=AOPC_BINS):
    """``(sizes, comprehensiveness variants, sufficiency variants)`` of one ranking."""
    sizes = bin_sizes(len(ranking), bins)
    removed_rows, kept_rows = [], []
    for m in sizes:
        removed = list(padded)
        for p in ranking[:m]:
            removed[p] = 0
        kept = list(padded)
        for p in ranking[m:]:
            kept[p] = 0
        removed_rows.append(removed)
        kept_rows.append(kept)
    return sizes, removed_rows, kept_rows


def faithfulness_scores(f, comprehensiveness, sufficiency):
    """``(comprehensiveness, sufficiency)`` from ``f(x)`` and ``f`` of each variant; ``None`` without bins."""
    if not comprehensiveness:
        return None
    return (
        sum(f - g for g in comprehensiveness) / len(comprehensiveness),
        sum(f - g for g in sufficiency) / len(sufficiency),
    )


def _tau_b_by_pairs(x, y):
    concordant = discordant = ties_x = ties_y = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = (concordant + discordant + ties_x) * (concordant + discordant + ties_y)
    return None if denominator == 0 else (concordant - discordant) / math.sqrt(denominator)


def kendall_tau_b(x, y):
    """Kendall's tau-b, ``None`` when undefined (fewer than 2 values, a constant list, a non-finite value)."""
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    if len(x) != len(y):
        raise ValueError(f"kendall_tau_b: {len(x)} values against {len(y)}")
    if len(x) < 2 or not all(math.isfinite(v) for v in x + y):
        return None
    try:
        from scipy.stats import kendalltau
    except ImportError:
        return _tau_b_by_pairs(x, y)
    tau = float(kendalltau(x, y).statistic)
    return None if math.isnan(tau) else tau


def predicted_class(output):
    """1 when a single output is > 0.5 (Keras's binary_accuracy), else the first largest output."""
    if len(output) == 1:
        return 1 if output[0] > 0.5 else 0
    best = 0
    for i, value in enumerate(output):
        if value > output[best]:
            best = i
    return best


def cross_entropy(output, label):
    """Binary or categorical cross-entropy of one row, ``p`` clipped to ``[1e-7, 1 - 1e-7]``."""

    def clip(p):
        return min(1 - EPSILON, max(EPSILON, float(p)))

    if len(output) == 1:
        p = clip(output[0])
        return -(label * math.log(p) + (1 - label) * math.log(1 - p))
    return -math.log(clip(output[label]))


_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")


def label_index(raw, classes, count, where):
    """A label as a class index ``0..count-1`` (a name of ``classes``, an int, or ``"1.0"``); ``None`` if empty."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if isinstance(raw, bool):
        raw = int(raw)
    index = None
    if isinstance(raw, str):
        text = raw.strip()
        if text == "":
            return None
        if classes and text in classes:
            return list(classes).index(text)
        if _INTEGER.match(text):
            index = int(float(text))
    elif isinstance(raw, (int, float)) or hasattr(raw, "item"):
        value = raw.item() if hasattr(raw, "item") else raw
        if float(value).is_integer():
            index = int(value)
    if index is None or not 0 <= index < count:
        accepted = (
            f"one of {', '.join(repr(c) for c in classes)} or an index 0..{count - 1}"
            if classes
            else f"a class index 0..{count - 1} (name the classes with classes=[...])"
        )
        raise ValueError(f"{where}: label {raw!r} is not {accepted}")
    return index
