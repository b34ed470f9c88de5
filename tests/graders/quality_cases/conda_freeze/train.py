"""Fit a TF-IDF and logistic regression model on the training tickets."""

import argparse
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def ticket_text(frame: pd.DataFrame) -> pd.Series:
    """Subject and body joined into one string per ticket."""
    return frame["subject"].fillna("") + " " + frame["body"].fillna("")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--model-dir", required=True)
    args = parser.parse_args()
    frame = pd.read_csv(args.train, dtype=str, keep_default_na=False)
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2), LogisticRegression(max_iter=1000))
    model.fit(ticket_text(frame), frame["label"])
    Path(args.model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(model, Path(args.model_dir) / "model.joblib")


if __name__ == "__main__":
    main()
