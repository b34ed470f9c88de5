"""Stratified cross-validation on the training data: the numbers reported in the README.

Usage: ``python -m queueclf.evaluate --train train.csv [--folds 5]``
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from .data import LABEL_COLUMN, load_tickets
from .model import ModelConfig, predict, train

__all__ = ["CvResult", "cross_validate", "main"]


@dataclass(frozen=True)
class CvResult:
    """Cross-validated scores: mean and standard deviation over folds."""

    accuracy: float
    accuracy_std: float
    macro_f1: float
    macro_f1_std: float
    per_class_f1: dict[str, float]
    """F1 per class on the concatenated out-of-fold predictions."""


def cross_validate(
    records: pd.DataFrame, config: ModelConfig | None = None, folds: int = 5, seed: int = 0
) -> CvResult:
    """Out-of-fold accuracy and macro-F1 of :func:`queueclf.model.train` on ``tickets``."""
    labels = records[LABEL_COLUMN].to_numpy()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    oof = np.empty(len(records), dtype=object)
    accs: list[float] = []
    f1s: list[float] = []
    for fit_idx, val_idx in splitter.split(records, labels):
        estimator = train(records.iloc[fit_idx], config)
        pred = predict(estimator, records.iloc[val_idx])
        oof[val_idx] = pred
        accs.append(accuracy_score(labels[val_idx], pred))
        f1s.append(f1_score(labels[val_idx], pred, average="macro"))
    classes = sorted(set(labels))
    per_class = f1_score(labels, oof.astype(str), labels=classes, average=None)
    return CvResult(
        accuracy=float(np.mean(accs)),
        accuracy_std=float(np.std(accs)),
        macro_f1=float(np.mean(f1s)),
        macro_f1_std=float(np.std(f1s)),
        per_class_f1={c: round(float(v), 4) for c, v in zip(classes, per_class, strict=True)},
    )


def main(argv: list[str] | None = None) -> int:
    """Print cross-validated scores as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", required=True, help="labelled training CSV")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    result = cross_validate(load_tickets(args.train, require_label=True), folds=args.folds)
    print(json.dumps(result.__dict__, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
