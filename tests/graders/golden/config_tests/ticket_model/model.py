"""Train and apply the ticket model."""

from __future__ import annotations

import argparse
from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from ticket_model.config import CONFIG, MAX_FEATURES


def build_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(max_features=MAX_FEATURES, ngram_range=(1, 2), sublinear_tf=True)


def text_of(frame: pd.DataFrame) -> pd.Series:
    return frame["subject"].fillna("") + " " + frame["body"].fillna("")


def train(frame: pd.DataFrame) -> Pipeline:
    pipeline = Pipeline(
        [("tfidf", build_vectorizer()), ("clf", LogisticRegression(C=CONFIG["C"], max_iter=1000))]
    )
    return pipeline.fit(text_of(frame), frame["label"])


def predict(pipeline: Pipeline, frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"id": frame["id"], "label": pipeline.predict(text_of(frame))})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["train", "predict"])
    parser.add_argument("--train")
    parser.add_argument("--input")
    parser.add_argument("--output")
    parser.add_argument("--model-dir", required=True)
    args = parser.parse_args(argv)
    model_dir = Path(args.model_dir)
    if args.command == "train":
        model_dir.mkdir(parents=True, exist_ok=True)
        joblib.dump(train(pd.read_csv(args.train)), model_dir / "model.joblib")
    else:
        pipeline = joblib.load(model_dir / "model.joblib")
        predict(pipeline, pd.read_csv(args.input)).to_csv(args.output, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
