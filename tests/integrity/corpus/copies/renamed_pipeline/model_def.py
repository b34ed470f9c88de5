"""Model definition shared by training and prediction."""
from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

TEXT_FIELDS = ["subject", "body"]
META_FIELDS = ["channel", "customer_plan", "product_area"]


def clean_frame(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = df.copy()
    for col in TEXT_FIELDS + META_FIELDS:
        cleaned[col] = cleaned[col].fillna("").astype(str)
    cleaned["text"] = cleaned["subject"] + " \n " + cleaned["body"]
    return cleaned


def make_model(strength: float = 4.0) -> Pipeline:
    feats = ColumnTransformer(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=3, max_df=0.9), "text"),
            ("meta", OneHotEncoder(handle_unknown="ignore"), META_FIELDS),
        ]
    )
    clf = LogisticRegression(C=strength, max_iter=3000, class_weight="balanced")
    return Pipeline([("features", feats), ("classifier", clf)])
