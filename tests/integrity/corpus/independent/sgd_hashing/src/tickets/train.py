from __future__ import annotations

import sys
from pathlib import Path

import joblib
from sklearn.linear_model import SGDClassifier

from tickets.features import featurize
from tickets.io import read


def train(train_csv: str, model_dir: str) -> SGDClassifier:
    rows = read(train_csv)
    model = SGDClassifier(loss="modified_huber", alpha=2e-5, max_iter=40, tol=None,
                          class_weight="balanced", random_state=2024)
    model.fit(featurize(rows), [r["label"] for r in rows])
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(model, Path(model_dir) / "sgd.joblib")
    return model


if __name__ == "__main__":
    train(sys.argv[1], sys.argv[2])
