"""Stratified 5-fold cross-validation: ``python -m triage.evaluate --data train.csv``."""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, f1_score, log_loss
from sklearn.model_selection import StratifiedKFold

from . import model
from .io import read_tickets


def cross_validate(tickets, folds: int = 5, seed: int = 0) -> dict[str, float]:
    """Mean and spread of accuracy, macro-F1 and log loss over the folds."""
    scores: dict[str, list[float]] = {"accuracy": [], "macro_f1": [], "log_loss": []}
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fit_idx, val_idx in split.split(tickets, tickets["label"]):
        fitted = model.fit(tickets.iloc[fit_idx])
        val = tickets.iloc[val_idx]
        pred = model.predict(fitted, val)
        proba = model.predict_proba(fitted, val)
        scores["accuracy"].append(accuracy_score(val["label"], pred))
        scores["macro_f1"].append(f1_score(val["label"], pred, average="macro"))
        scores["log_loss"].append(log_loss(val["label"], proba.to_numpy(), labels=list(proba.columns)))
    summary = {k: float(np.mean(v)) for k, v in scores.items()}
    summary.update({f"{k}_std": float(np.std(v)) for k, v in scores.items()})
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--report", action="store_true", help="also print a per-class report")
    args = parser.parse_args()
    tickets = read_tickets(args.data, labelled=True)
    for key, value in cross_validate(tickets).items():
        print(f"{key:14s} {value:.4f}")
    if args.report:
        fitted = model.fit(tickets.iloc[::2])
        print(classification_report(tickets["label"].iloc[1::2], model.predict(fitted, tickets.iloc[1::2])))


if __name__ == "__main__":
    main()
