"""Model definition shared by training and prediction."""
from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

TEXT_COLUMNS = ["subject", "body"]
CATEGORICAL = ["channel", "customer_plan", "product_area"]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in TEXT_COLUMNS + CATEGORICAL:
        out[column] = out[column].fillna("").astype(str)
    out["text"] = out["subject"] + " \n " + out["body"]
    return out


def build_pipeline(c: float = 4.0) -> Pipeline:
    features = ColumnTransformer(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=3, max_df=0.9), "text"),
            ("meta", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    return Pipeline([("features", features), ("classifier", classifier)])
