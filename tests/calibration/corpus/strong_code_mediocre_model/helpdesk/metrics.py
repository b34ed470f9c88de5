"""Evaluation helpers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from .model import Config, TicketModel
from .schema import TicketTable


@dataclass(frozen=True)
class CvScores:
    """Mean and standard deviation over folds."""

    accuracy: float
    accuracy_std: float
    macro_f1: float
    macro_f1_std: float


def cross_validate(table: TicketTable, config: Config | None = None, folds: int = 5) -> CvScores:
    """Stratified k-fold scores of :class:`TicketModel`."""
    accs: list[float] = []
    f1s: list[float] = []
    labels = np.array(table.labels)
    for tr, va in StratifiedKFold(folds, shuffle=True, random_state=0).split(table.frame, labels):
        fit_t = TicketTable(table.frame.iloc[tr], labelled=True)
        val_t = TicketTable(table.frame.iloc[va], labelled=True)
        pred = TicketModel(config).fit(fit_t).predict(val_t)
        accs.append(accuracy_score(val_t.labels, pred))
        f1s.append(f1_score(val_t.labels, pred, average="macro"))
    return CvScores(float(np.mean(accs)), float(np.std(accs)), float(np.mean(f1s)), float(np.std(f1s)))
