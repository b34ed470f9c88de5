"""Predict labels for new tickets."""

import sys
from pathlib import Path

import joblib
import pandas as pd

from model import features


def main(model_dir: str, test_csv: str, out_csv: str) -> None:
    """Write id,label for every ticket."""
    clf = joblib.load(Path(model_dir) / "clf.joblib")
    frame = pd.read_csv(test_csv, dtype=str, keep_default_na=False)
    pd.DataFrame({"id": frame["id"], "label": clf.predict(features(frame))}).to_csv(out_csv, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
