"""``python -m ticketroute.evaluate TRAIN_CSV``: stratified 5-fold CV, macro-F1 and accuracy."""

from __future__ import annotations

import sys

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from ticketroute.data import load_tickets
from ticketroute.model import SEED, predict, train


def cross_validate(frame, folds: int = 5) -> dict[str, float]:
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    f1s, accs = [], []
    for fit_idx, test_idx in splitter.split(frame, frame["label"]):
        model = train(frame.iloc[fit_idx])
        held = frame.iloc[test_idx]
        pred = predict(model, held)
        f1s.append(f1_score(held["label"], pred, average="macro"))
        accs.append(accuracy_score(held["label"], pred))
    return {"macro_f1": float(np.mean(f1s)), "macro_f1_std": float(np.std(f1s)), "accuracy": float(np.mean(accs))}


if __name__ == "__main__":
    print(cross_validate(load_tickets(sys.argv[1], require_label=True)))
