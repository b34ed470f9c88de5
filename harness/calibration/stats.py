"""Agreement statistics between two score lists, pure Python.

Spearman's rho is Pearson's correlation of the ranks, ties taking the average of the ranks they
span (the definition ``scipy.stats.spearmanr`` uses). It is undefined (``None``) when there are
fewer than two pairs or when either side gives every item the same rank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["average_ranks", "mean_absolute_error", "mean_signed_error", "pearson", "spearman"]


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks in ascending order; tied values share the mean of the ranks they occupy.

    >>> average_ranks([10, 20, 20, 5])
    [2.0, 3.5, 3.5, 1.0]
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        rank = (start + end) / 2 + 1  # mean of the 1-based positions start..end
        for position in range(start, end + 1):
            ranks[order[position]] = rank
        start = end + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's correlation; ``None`` when undefined (fewer than 2 pairs or no variance)."""
    _check_pairs(x, y)
    n = len(x)
    if n < 2:
        return None
    mean_x, mean_y = sum(x) / n, sum(y) / n
    dx = [v - mean_x for v in x]
    dy = [v - mean_y for v in y]
    sxx = sum(d * d for d in dx)
    syy = sum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        return None
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation with average ranks for ties; ``None`` when undefined."""
    _check_pairs(x, y)
    return pearson(average_ranks(x), average_ranks(y))


def mean_absolute_error(predicted: Sequence[float], expected: Sequence[float]) -> float | None:
    """Mean of ``|predicted - expected|``; ``None`` for no pairs."""
    _check_pairs(predicted, expected)
    if not predicted:
        return None
    return sum(abs(p - e) for p, e in zip(predicted, expected, strict=True)) / len(predicted)


def mean_signed_error(predicted: Sequence[float], expected: Sequence[float]) -> float | None:
    """Mean of ``predicted - expected`` (positive: ``predicted`` runs high); ``None`` for no pairs."""
    _check_pairs(predicted, expected)
    if not predicted:
        return None
    return sum(p - e for p, e in zip(predicted, expected, strict=True)) / len(predicted)


def _check_pairs(x: Sequence[float], y: Sequence[float]) -> None:
    if len(x) != len(y):
        raise ValueError(f"paired scores differ in length: {len(x)} and {len(y)}")
