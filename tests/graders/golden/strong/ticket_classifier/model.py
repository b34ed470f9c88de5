"""The classifier: word and character TF-IDF features and a linear SVM."""

from __future__ import annotations

from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from ticket_classifier.data import LABEL_COLUMN, ticket_text

MODEL_FILE = "model.joblib"


def build_pipeline(*, min_df: int = 2, c: float = 0.5) -> Pipeline:
    """An untrained pipeline. Character n-grams make it robust to the typos in tickets."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), min_df=min_df, sublinear_tf=True
                ),
            ),
        ]
    )
    classifier = LinearSVC(C=c, class_weight="balanced", random_state=0)
    return Pipeline([("features", features), ("classifier", classifier)])


def train(frame: pd.DataFrame, *, min_df: int = 2) -> Pipeline:
    """Fit a pipeline on labelled tickets."""
    if frame.empty:
        raise ValueError("cannot train on an empty table")
    pipeline = build_pipeline(min_df=min_df)
    pipeline.fit(ticket_text(frame), frame[LABEL_COLUMN])
    return pipeline


def predict(pipeline: Pipeline, frame: pd.DataFrame) -> pd.DataFrame:
    """Predictions as a table with the columns ``id`` and ``label``."""
    labels = pipeline.predict(ticket_text(frame)) if len(frame) else []
    return pd.DataFrame({"id": frame["id"].to_numpy(), "label": list(labels)})


def save(pipeline: Pipeline, model_dir: Path) -> Path:
    """Write the pipeline into ``model_dir``; returns the file written."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / MODEL_FILE
    joblib.dump(pipeline, path)
    return path


def load(model_dir: Path) -> Pipeline:
    """Read a pipeline written by :func:`save`."""
    pipeline: Pipeline = joblib.load(model_dir / MODEL_FILE)
    return pipeline
