"""Metrics agree with scikit-learn; bootstrap intervals are reproducible and sensible."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from harness.evaluation.metrics import score_split

LABELS = ["a", "b", "c", "d"]


def synthetic(n: int, accuracy: float, seed: int) -> tuple[dict[str, str], dict[str, str]]:
    rng = np.random.default_rng(seed)
    truth_idx = rng.choice(4, size=n, p=[0.5, 0.3, 0.15, 0.05])
    pred_idx = np.where(rng.random(n) < accuracy, truth_idx, rng.integers(0, 4, size=n))
    truth = {f"T-{i}": LABELS[t] for i, t in enumerate(truth_idx)}
    pred = {f"T-{i}": LABELS[p] for i, p in enumerate(pred_idx)}
    return truth, pred


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_sklearn(seed: int) -> None:
    truth, pred = synthetic(1500, 0.8, seed)
    scores = score_split("heldout", truth, pred, LABELS, bootstrap_samples=200, seed=0)
    ids = sorted(truth)
    y_true, y_pred = [truth[i] for i in ids], [pred[i] for i in ids]
    assert scores.accuracy == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-4)
    assert scores.macro_f1 == pytest.approx(f1_score(y_true, y_pred, average="macro", labels=LABELS, zero_division=0), abs=1e-4)
    assert scores.weighted_f1 == pytest.approx(f1_score(y_true, y_pred, average="weighted", labels=LABELS, zero_division=0), abs=1e-4)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=LABELS, zero_division=0)
    for i, cls in enumerate(scores.per_class):
        assert (cls.precision, cls.recall, cls.f1, cls.support) == pytest.approx((p[i], r[i], f[i], s[i]), abs=1e-4)
    assert scores.confusion.matrix == confusion_matrix(y_true, y_pred, labels=LABELS).tolist()


def test_class_never_predicted_has_zero_f1() -> None:
    truth = {"1": "a", "2": "b", "3": "c"}
    pred = {"1": "a", "2": "a", "3": "a"}
    scores = score_split("heldout", truth, pred, ["a", "b", "c"], bootstrap_samples=100, seed=0)
    assert [c.f1 for c in scores.per_class] == [0.5, 0.0, 0.0]
    assert scores.macro_f1 == pytest.approx(f1_score(["a", "b", "c"], ["a", "a", "a"], average="macro", zero_division=0), abs=1e-4)


def test_bootstrap_interval_contains_estimate_and_is_reproducible() -> None:
    truth, pred = synthetic(1500, 0.85, 7)
    first = score_split("heldout", truth, pred, LABELS, bootstrap_samples=1000, seed=42)
    second = score_split("heldout", truth, pred, LABELS, bootstrap_samples=1000, seed=42)
    assert first == second
    assert first.accuracy_ci.low < first.accuracy < first.accuracy_ci.high
    assert first.macro_f1_ci.low < first.macro_f1 < first.macro_f1_ci.high
    width = first.accuracy_ci.high - first.accuracy_ci.low
    # Binomial standard error at n=1500, p~0.87 is ~0.0087: a 95% interval is ~0.034 wide.
    assert 0.02 < width < 0.05
