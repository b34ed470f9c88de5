"""TF-IDF of word uni- and bigrams with a class-balanced logistic regression."""

from __future__ import annotations

from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from ticketroute.text import ticket_text

SEED = 7
MODEL_FILE = "model.joblib"


def documents(frame: pd.DataFrame) -> list[str]:
    return [
        ticket_text(row.subject, row.body, row.channel, row.product_area)
        for row in frame.itertuples(index=False)
    ]


def build_pipeline(min_df: int = 2) -> Pipeline:
    return Pipeline([
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True)),
        ("clf", LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=SEED)),
    ])


def train(frame: pd.DataFrame, min_df: int = 2) -> Pipeline:
    if frame.empty:
        raise ValueError("no tickets to train on")
    if frame["label"].nunique() < 2:
        raise ValueError("need at least two queues to train")
    return build_pipeline(min_df).fit(documents(frame), frame["label"])


def predict(model: Pipeline, frame: pd.DataFrame) -> list[str]:
    if frame.empty:
        return []
    return [str(label) for label in model.predict(documents(frame))]


def save(model: Pipeline, model_dir: str | Path) -> Path:
    path = Path(model_dir) / MODEL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return path


def load(model_dir: str | Path) -> Pipeline:
    path = Path(model_dir) / MODEL_FILE
    if not path.exists():
        raise FileNotFoundError(f"no model in {model_dir}: run training first")
    return joblib.load(path)
