"""Both validations reported in the README: ``python -m tixclf.evaluate --train train.csv``.

1. stratified 5-fold cross-validation (random folds);
2. a time split: fit on the oldest 80%, score the newest 20%.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import StratifiedKFold

from .data import load, time_split
from .model import fit, predict


def scores(truth, pred) -> dict[str, float]:
    return {"accuracy": accuracy_score(truth, pred), "macro_f1": f1_score(truth, pred, average="macro")}


def cv(frame, folds=5):
    rows = []
    for tr, va in StratifiedKFold(folds, shuffle=True, random_state=0).split(frame, frame["label"]):
        rows.append(scores(frame["label"].iloc[va], predict(fit(frame.iloc[tr]), frame.iloc[va])))
    return {k: (np.mean([r[k] for r in rows]), np.std([r[k] for r in rows])) for k in rows[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train", required=True)
    frame = load(ap.parse_args().train)
    for k, (m, s) in cv(frame).items():
        print(f"cv   {k:9s} {m:.3f} ± {s:.3f}")
    old, new = time_split(frame)
    pred = predict(fit(old), new)
    for k, v in scores(new["label"], pred).items():
        print(f"time {k:9s} {v:.3f}")
    majority = DummyClassifier(strategy="most_frequent").fit(old, old["label"]).predict(new)
    print(f"time majority-class macro_f1 {f1_score(new['label'], majority, average='macro'):.3f}")
    print(classification_report(new["label"], pred, digits=3))


if __name__ == "__main__":
    main()
