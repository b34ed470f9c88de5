"""Train and save the model."""

import sys
from pathlib import Path

import joblib
import pandas as pd

from model import features, make_classifier


def main(train_csv: str, model_dir: str) -> None:
    """Fit on the training tickets and save the model."""
    frame = pd.read_csv(train_csv, dtype=str, keep_default_na=False)
    clf = make_classifier()
    clf.fit(features(frame), frame["label"])
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(clf, Path(model_dir) / "clf.joblib")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
