"""Predict a queue for every ticket of a CSV."""
import argparse
from pathlib import Path

import joblib
import pandas as pd
from model_def import clean_frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model-dir", type=Path, required=True)
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--output", type=Path, required=True)
    opts = ap.parse_args()

    estimator = joblib.load(opts.model_dir / "router.joblib")
    tickets = clean_frame(pd.read_csv(opts.input))
    preds_df = pd.DataFrame({"id": tickets["id"], "label": estimator.predict(tickets)})
    preds_df.to_csv(opts.output, index=False)


if __name__ == "__main__":
    main()
