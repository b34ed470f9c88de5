"""Cross-validation used for every number in the README."""

from __future__ import annotations

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from . import model


def cross_validate(frame: pd.DataFrame, folds: int = 5, seed: int = 42, **params: float) -> pd.DataFrame:
    """One row per fold plus mean and std rows: accuracy, macro-F1, weighted-F1."""
    rows = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for i, (tr, va) in enumerate(splitter.split(frame, frame["label"])):
        fitted = model.fit(frame.iloc[tr], **params)
        truth, pred = frame["label"].iloc[va], fitted.predict(frame.iloc[va])
        rows.append({
            "fold": str(i),
            "accuracy": accuracy_score(truth, pred),
            "macro_f1": f1_score(truth, pred, average="macro"),
            "weighted_f1": f1_score(truth, pred, average="weighted"),
        })
    table = pd.DataFrame(rows).set_index("fold")
    summary = pd.DataFrame([table.mean(), table.std()], index=["mean", "std"])
    return pd.concat([table, summary]).round(4)
