"""Train the ticket router and save it."""
import argparse
from pathlib import Path

import joblib
import pandas as pd
from pipeline import build_pipeline, prepare
from sklearn.model_selection import StratifiedKFold, cross_val_score


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--cv", action="store_true", help="report 5-fold macro-F1 first")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    data = prepare(pd.read_csv(args.train))
    model = build_pipeline()
    if args.cv:
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=13)
        scores = cross_val_score(model, data, data["label"], cv=folds, scoring="f1_macro")
        print(f"5-fold macro-F1: {scores.mean():.3f} +/- {scores.std():.3f}")
    model.fit(data, data["label"])
    args.model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.model_dir / "router.joblib")


if __name__ == "__main__":
    main()
