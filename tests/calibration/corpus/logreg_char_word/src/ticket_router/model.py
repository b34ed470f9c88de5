"""Word + character n-gram TF-IDF with a class-weighted logistic regression."""

from __future__ import annotations

from pathlib import Path

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from .preprocess import frame_text

MODEL_FILE = "router.joblib"
RANDOM_STATE = 7


def make_pipeline(c: float = 6.0, char_range: tuple[int, int] = (2, 5)) -> Pipeline:
    """Unfitted pipeline from a ticket DataFrame to a queue."""
    vectors = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=char_range, min_df=3,
                                     sublinear_tf=True, max_features=80_000)),
        ]
    )
    return Pipeline(
        [
            ("text", FunctionTransformer(frame_text)),
            ("vectors", vectors),
            ("clf", LogisticRegression(C=c, class_weight="balanced", max_iter=2000,
                                       random_state=RANDOM_STATE)),
        ]
    )


def fit(frame: pd.DataFrame, **params: float) -> Pipeline:
    """Fit on all labelled rows of ``frame``."""
    return make_pipeline(**params).fit(frame, frame["label"])


def save(pipeline: Pipeline, folder: str | Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, folder / MODEL_FILE)
    return folder / MODEL_FILE


def load(folder: str | Path) -> Pipeline:
    path = Path(folder) / MODEL_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} not found - run `ticket-router fit` first")
    return joblib.load(path)
