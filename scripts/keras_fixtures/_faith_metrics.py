"""ERASER-style faithfulness (AOPC over bins K) and Kendall tau-b, exactly as
the evaluation feature defines them:

- n = the positions the model sees that hold a character (non-zero ids in the
  model window);
- for k in K (percent): m_k = max(1, ceil(k * n / 100)); r_k = the m_k
  positions (among those n) with the largest value, signed, ties broken by
  the earlier position;
- deleting a position = setting its id to 0 (the padding id);
- comprehensiveness = mean over K of f(x) - f(x with r_k deleted);
  sufficiency = mean over K of f(x) - f(x with every character position
  outside r_k deleted);
- agreement of two methods: Kendall tau-b of their values over the n
  positions (`scipy.stats.kendalltau`, whose default is tau-b).

Rankings and tau are computed from the values as written (9 significant
digits), so the JSON is self-consistent.
"""
import math

import numpy as np
from scipy.stats import kendalltau

K = [1, 5, 10, 20, 50]


def r9(values):
    return [float(f"{float(v):.9g}") for v in values]


def character_positions(x):
    return [int(t) for t in np.flatnonzero(np.asarray(x) != 0)]


def bin_size(k, n):
    return max(1, -(-(k * n) // 100))  # ceil(k * n / 100) in integers


def ranking(values, positions):
    """Positions by value, largest first; ties by the earlier position."""
    return sorted(positions, key=lambda t: (-values[t], t))


def deletion_scores(f_of, x, target, f_x, order, positions):
    """Bins, comprehensiveness and sufficiency of one ranking (f_of: batch -> outputs)."""
    n = len(positions)
    variants, bins = [], []
    for k in K:
        m = bin_size(k, n)
        top = order[:m]
        without = np.array(x)
        without[top] = 0
        only = np.array(x)
        only[[t for t in positions if t not in set(top)]] = 0
        variants += [without, only]
        bins.append({"k": k, "m": m})
    outs = f_of(np.stack(variants))[:, target].astype("float64")
    for i, b in enumerate(bins):
        b["fWithoutTop"] = float(outs[2 * i])
        b["fOnlyTop"] = float(outs[2 * i + 1])
    return {
        "bins": bins,
        "comprehensiveness": float(np.mean([f_x - b["fWithoutTop"] for b in bins])),
        "sufficiency": float(np.mean([f_x - b["fOnlyTop"] for b in bins])),
    }


def tau_b(a, b):
    """Kendall tau-b, or None where it is undefined (fewer than 2 positions, or
    one side constant)."""
    if len(a) < 2 or len(set(a)) < 2 or len(set(b)) < 2:
        return None
    result = kendalltau(a, b)
    value = float(result.statistic)
    return None if math.isnan(value) else value


def agreement(method_values, positions):
    """tau-b for every pair of methods, named "<a>~<b>" in method order."""
    names = list(method_values)
    pairs = {}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pairs[f"{a}~{b}"] = tau_b([method_values[a][t] for t in positions],
                                      [method_values[b][t] for t in positions])
    return pairs
