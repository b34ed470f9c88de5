"""Model definition, fitting and persistence."""

from __future__ import annotations

from pathlib import Path

import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

from .clean import combine

META = ["channel", "customer_plan"]
ARTIFACT = "queue_clf.joblib"


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """Model input: combined text plus metadata columns."""
    out = frame[META].fillna("").copy()
    out["text"] = [combine(s, b) for s, b in zip(frame["subject"].fillna(""), frame["body"].fillna(""))]
    return out


def build(c: float = 0.4) -> Pipeline:
    return Pipeline([
        ("cols", ColumnTransformer([
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "text"),
            ("meta", OneHotEncoder(handle_unknown="ignore"), META),
        ])),
        ("svm", LinearSVC(C=c, class_weight="balanced", random_state=0)),
    ])


def fit(frame: pd.DataFrame, c: float = 0.4) -> Pipeline:
    return build(c).fit(features(frame), frame["label"])


def predict(pipe: Pipeline, frame: pd.DataFrame) -> list[str]:
    return [str(p) for p in pipe.predict(features(frame))]


def save(pipe: Pipeline, model_dir: str | Path) -> None:
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    joblib.dump(pipe, Path(model_dir) / ARTIFACT)


def load(model_dir: str | Path) -> Pipeline:
    return joblib.load(Path(model_dir) / ARTIFACT)
