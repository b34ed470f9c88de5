"""Train the ticket router and save it."""
import argparse
from pathlib import Path

import joblib
import pandas as pd
from model_def import make_model, clean_frame
from sklearn.model_selection import StratifiedKFold, cross_val_score


def get_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--model-dir", type=Path, required=True)
    ap.add_argument("--cv", action="store_true", help="report 5-fold macro-F1 first")
    return ap.parse_args()


def main() -> None:
    opts = get_args()
    tickets = clean_frame(pd.read_csv(opts.train))
    estimator = make_model()
    if opts.cv:
        splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=13)
        scores = cross_val_score(estimator, tickets, tickets["label"], cv=splitter, scoring="f1_macro")
        print(f"5-fold macro-F1: {scores.mean():.3f} +/- {scores.std():.3f}")
    estimator.fit(tickets, tickets["label"])
    opts.model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(estimator, opts.model_dir / "router.joblib")


if __name__ == "__main__":
    main()
