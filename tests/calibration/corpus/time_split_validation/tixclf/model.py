"""Pipeline definition."""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from .text import document

SEED = 2024
META = ["channel", "customer_plan", "product_area"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[META].copy()
    out["doc"] = [document(s, b) for s, b in zip(frame["subject"], frame["body"])]
    return out


def pipeline(c: float = 10.0) -> Pipeline:
    columns = ColumnTransformer([
        ("doc", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.8, sublinear_tf=True), "doc"),
        ("meta", OneHotEncoder(handle_unknown="ignore", min_frequency=20), META),
    ])
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=SEED)
    return Pipeline([("columns", columns), ("clf", clf)])


def fit(frame: pd.DataFrame, c: float = 10.0) -> Pipeline:
    return pipeline(c).fit(prepare(frame), frame["label"])


def predict(model: Pipeline, frame: pd.DataFrame) -> list[str]:
    return list(map(str, model.predict(prepare(frame))))
