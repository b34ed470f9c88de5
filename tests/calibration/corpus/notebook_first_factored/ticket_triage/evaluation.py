"""Cross-validation helpers used by the notebook and the README numbers."""
from __future__ import annotations

import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ticket_triage.pipeline import build, prepare


def oof_predictions(tickets: pd.DataFrame, c: float = 12.0, folds: int = 5) -> pd.Series:
    """Out-of-fold predictions (each ticket predicted by a model that never saw it)."""
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    pred = cross_val_predict(build(c), prepare(tickets), tickets["label"], cv=cv)
    return pd.Series(pred, index=tickets.index, name="pred")


def per_class_f1(truth: pd.Series, pred: pd.Series) -> pd.Series:
    labels = sorted(truth.unique())
    return pd.Series(f1_score(truth, pred, labels=labels, average=None), index=labels).round(3)
