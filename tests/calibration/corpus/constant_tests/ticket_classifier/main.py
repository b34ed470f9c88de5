"""Command line entry point."""
import argparse
import os

import joblib
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ticket_classifier.config import CV_FOLDS, MODEL_FILENAME, RANDOM_STATE
from ticket_classifier.model import build_model
from ticket_classifier.preprocessing import build_text


def train(train_csv: str, model_dir: str, evaluate: bool = False) -> None:
    df = pd.read_csv(train_csv)
    X, y = build_text(df), df["label"]
    if evaluate:
        cv = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=RANDOM_STATE)
        pred = cross_val_predict(build_model(), X, y, cv=cv)
        print(f"CV macro-F1: {f1_score(y, pred, average='macro'):.3f}, accuracy {(pred == y).mean():.3f}")
    model = build_model().fit(X, y)
    os.makedirs(model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, MODEL_FILENAME))


def predict(model_dir: str, test_csv: str, output_csv: str) -> None:
    model = joblib.load(os.path.join(model_dir, MODEL_FILENAME))
    df = pd.read_csv(test_csv)
    pd.DataFrame({"id": df["id"], "label": model.predict(build_text(df))}).to_csv(output_csv, index=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["train", "predict"])
    parser.add_argument("--train-csv")
    parser.add_argument("--test-csv")
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--output-csv")
    parser.add_argument("--evaluate", action="store_true")
    args = parser.parse_args()
    if args.command == "train":
        train(args.train_csv, args.model_dir, args.evaluate)
    else:
        predict(args.model_dir, args.test_csv, args.output_csv)


if __name__ == "__main__":
    main()
