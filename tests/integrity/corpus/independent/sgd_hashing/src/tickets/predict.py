from __future__ import annotations

import sys
from pathlib import Path

import joblib

from tickets.features import featurize
from tickets.io import read, write_predictions


def predict(model_dir: str, test_csv: str, out_csv: str) -> None:
    model = joblib.load(Path(model_dir) / "sgd.joblib")
    rows = read(test_csv)
    write_predictions(out_csv, [r["id"] for r in rows], list(model.predict(featurize(rows))))


if __name__ == "__main__":
    predict(sys.argv[1], sys.argv[2], sys.argv[3])
