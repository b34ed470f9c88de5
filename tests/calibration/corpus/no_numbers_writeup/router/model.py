"""The classifier."""
from __future__ import annotations

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline, make_pipeline

from router.prep import documents


def make() -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        SGDClassifier(loss="hinge", alpha=2e-5, class_weight="balanced", max_iter=100, tol=1e-4,
                      random_state=11),
    )


def fit(frame: pd.DataFrame) -> Pipeline:
    return make().fit(documents(frame), frame["label"])


def predict(model: Pipeline, frame: pd.DataFrame) -> list[str]:
    return [str(x) for x in model.predict(documents(frame))]
