"""Classification metrics on the host, from a confusion matrix, with bootstrap intervals.

Definitions match scikit-learn's (``zero_division=0``); a test checks them against it. Macro
averages run over the labels that occur in the true labels of the split.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from graders.types import ClassScore, ConfusionMatrix, Interval, SplitScores

__all__ = ["bootstrap_intervals", "confusion_matrix", "score_split"]


def confusion_matrix(y_true: NDArray[np.int64], y_pred: NDArray[np.int64], k: int) -> NDArray[np.int64]:
    """k x k counts, rows = true label index, columns = predicted label index."""
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k).astype(np.int64)


def _per_class(cm: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    tp = np.diag(cm).astype(np.float64)
    predicted = cm.sum(axis=0).astype(np.float64)
    support = cm.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        denom = precision + recall
        f1 = np.where(denom > 0, 2 * precision * recall / denom, 0.0)
    return precision, recall, f1, support


def _macro_f1_batch(cms: NDArray[np.int64]) -> NDArray[np.float64]:
    """Macro-F1 of a stack of confusion matrices (b x k x k), over classes present in each."""
    tp = np.diagonal(cms, axis1=1, axis2=2).astype(np.float64)
    predicted = cms.sum(axis=1).astype(np.float64)
    support = cms.sum(axis=2).astype(np.float64)
    denom = predicted + support
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(denom > 0, 2 * tp / denom, 0.0)
    present = support > 0
    return np.asarray((f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1), dtype=np.float64)


def bootstrap_intervals(
    y_true: NDArray[np.int64], y_pred: NDArray[np.int64], k: int, *, samples: int, seed: int, level: float = 0.95
) -> tuple[Interval, Interval]:
    """Percentile bootstrap intervals for accuracy and macro-F1 (tickets resampled with replacement)."""
    n = len(y_true)
    rng = np.random.default_rng(seed)
    codes = y_true * k + y_pred
    accs = np.empty(samples)
    f1s = np.empty(samples)
    batch = 200
    for start in range(0, samples, batch):
        size = min(batch, samples - start)
        idx = rng.integers(0, n, size=(size, n))
        sampled = codes[idx]
        offsets = (np.arange(size) * k * k)[:, None]
        cms = np.bincount((sampled + offsets).ravel(), minlength=size * k * k).reshape(size, k, k)
        accs[start : start + size] = np.trace(cms, axis1=1, axis2=2) / n
        f1s[start : start + size] = _macro_f1_batch(cms)
    tail = (1 - level) / 2 * 100
    acc_lo, acc_hi = np.percentile(accs, [tail, 100 - tail])
    f1_lo, f1_hi = np.percentile(f1s, [tail, 100 - tail])
    return (
        Interval(low=round(float(acc_lo), 4), high=round(float(acc_hi), 4), level=level),
        Interval(low=round(float(f1_lo), 4), high=round(float(f1_hi), 4), level=level),
    )


def score_split(
    split: str,
    truth: dict[str, str],
    predicted: dict[str, str],
    labels: list[str],
    *,
    bootstrap_samples: int,
    seed: int,
) -> SplitScores:
    """All metrics of one split. ``predicted`` must hold a valid label for every id of ``truth``."""
    index = {label: i for i, label in enumerate(labels)}
    ids = sorted(truth)
    y_true = np.array([index[truth[i]] for i in ids], dtype=np.int64)
    y_pred = np.array([index[predicted[i]] for i in ids], dtype=np.int64)
    k = len(labels)
    cm = confusion_matrix(y_true, y_pred, k)
    precision, recall, f1, support = _per_class(cm)
    present = support > 0
    n = int(cm.sum())
    accuracy = float(np.trace(cm)) / n if n else 0.0
    macro_f1 = float(f1[present].mean()) if present.any() else 0.0
    weighted_f1 = float((f1 * support).sum() / support.sum()) if support.sum() else 0.0
    acc_ci, f1_ci = bootstrap_intervals(y_true, y_pred, k, samples=bootstrap_samples, seed=seed)
    return SplitScores(
        split=split,
        n=n,
        accuracy=round(accuracy, 4),
        macro_f1=round(macro_f1, 4),
        weighted_f1=round(weighted_f1, 4),
        accuracy_ci=acc_ci,
        macro_f1_ci=f1_ci,
        per_class=[
            ClassScore(
                label=label,
                precision=round(float(precision[i]), 4),
                recall=round(float(recall[i]), 4),
                f1=round(float(f1[i]), 4),
                support=int(support[i]),
            )
            for i, label in enumerate(labels)
        ],
        confusion=ConfusionMatrix(labels=list(labels), matrix=cm.tolist()),
    )
