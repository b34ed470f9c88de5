"""The model: word TF-IDF on cleaned text plus product area, logistic regression."""
from __future__ import annotations

import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder

from ticket_triage.cleaning import latest_message

SEED = 0


def prepare(tickets: pd.DataFrame) -> pd.DataFrame:
    """Model input: ``text`` (subject + cleaned body) and ``product_area``."""
    return pd.DataFrame({
        "text": (tickets["subject"].fillna("") + " . " + tickets["body"].fillna("").map(latest_message)).str.lower(),
        "product_area": tickets["product_area"].fillna(""),
    }, index=tickets.index)


def build(c: float = 12.0) -> Pipeline:
    columns = make_column_transformer(
        (TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "text"),
        (OneHotEncoder(handle_unknown="ignore"), ["product_area"]),
    )
    return make_pipeline(columns, LogisticRegression(C=c, class_weight="balanced", max_iter=3000,
                                                     random_state=SEED))
